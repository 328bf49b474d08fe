package call

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteChannelsReference feeds WriteChannels the dialogs Asterisk had
// in each reference state and compares with its bytes.
func TestWriteChannelsReference(t *testing.T) {
	lo := netip.MustParseAddrPort("127.0.0.1:5061")
	t0 := time.Unix(1700000000, 0)
	tests := []struct {
		golden string
		rows   []ChannelInfo
	}{
		{"sip-show-channels.during-call-6001-to-6000.txt", []ChannelInfo{
			{Created: t0.Add(time.Second), Addr: lo, User: "asadek", CallID: "6e5d3a93635eda2c1d3b2a7e0b8a5b3c@127.0.0.1", Format: "ulaw", LastMsg: "Tx: ACK", Peer: "6000"},
			{Created: t0, Addr: lo, User: "choucheh", CallID: "1-3011@127.0.0.1", Format: "ulaw", LastMsg: "Tx: ACK", Peer: "6001"},
		}},
		{"sip-show-channels.after-call.txt", []ChannelInfo{
			{Created: t0, Addr: lo, User: "choucheh", CallID: "1-3011@127.0.0.1", LastMsg: "Rx: BYE", Peer: "6001"},
		}},
		{"sip-show-channels.after-register-6000.txt", []ChannelInfo{
			{Created: t0.Add(3 * time.Second), Addr: lo, User: "0033972124831", CallID: "28d2f3236c116c5e@127.0.0.1"},
			{Created: t0.Add(2 * time.Second), Addr: lo, CallID: "1-2115@127.0.0.1", LastMsg: "Rx: REGISTER"},
			{Created: t0.Add(time.Second), Addr: lo, CallID: "1-2037@127.0.0.1", LastMsg: "Rx: BYE"},
		}},
		{"sip-show-channels.fresh.txt", []ChannelInfo{
			{Created: t0.Add(time.Second), Addr: lo, User: "0033972124831", CallID: "28d2f3236c116c5e@127.0.0.1"},
			{Created: t0, Addr: lo, CallID: "5c80a4c87385867f@127.0.0.1", LastMsg: "Init: OPTIONS", Peer: "trunk-ovh"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			rows := append([]ChannelInfo(nil), tc.rows...)
			sortChannels(rows)
			var buf bytes.Buffer
			WriteChannels(&buf, rows)
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("got:\n%q\nwant:\n%q", buf.String(), string(want))
			}
		})
	}
}

func TestWriteChannelPrefix(t *testing.T) {
	rows := []ChannelInfo{{
		Addr: netip.MustParseAddrPort("127.0.0.1:5062"), User: "choucheh", CallID: "1-3011@127.0.0.1",
		Format: "ulaw", LastMsg: "Rx: ACK", Peer: "6001", Channel: "SIP/6001-00000000",
		OurCodecs: []string{"alaw", "ulaw"}, TheirCodecs: []string{"ulaw"}, OurTag: "as12345678", TheirTag: "1",
		UserAgent: "SIPp-6001", URI: "sip:6000@127.0.0.1:5060", CallerNum: "6001", DTMFMode: "rfc2833",
		ForceRport: "Auto (No)", AudioIP: netip.MustParseAddr("127.0.0.1"),
	}}
	var buf bytes.Buffer
	WriteChannel(&buf, rows, "1-30")
	got := buf.String()
	for _, want := range []string{
		"\n  * SIP Call\n",
		"  Curr. trans. direction:  Incoming\n",
		"  Owner channel ID:       SIP/6001-00000000\n",
		"  Our Codec Capability:   (alaw|ulaw)\n",
		"  Joint Codec Capability:   (ulaw)\n",
		"  Received Address:       127.0.0.1:5062\n",
		"  Peername:               6001\n",
		"  Last Message:           Rx: ACK\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("sip show channel lacks %q:\n%s", want, got)
		}
	}
	buf.Reset()
	WriteChannel(&buf, rows, "zz")
	if got, want := buf.String(), "No such SIP Call ID starting with 'zz'\n"; got != want {
		t.Errorf("unknown call id: got %q want %q", got, want)
	}
}
