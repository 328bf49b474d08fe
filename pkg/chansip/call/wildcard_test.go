package call

import (
	"bytes"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/emiago/sipgo"
)

// TestWildcardBind: with SIP bound to 0.0.0.0 (chan_sip's default) the
// legs bind the wildcard too and each far end is shown the address the
// routing table picks towards it, in c=, o=, Contact, From, Via, Call-ID and
// `sip show channel`; never 0.0.0.0.
func TestWildcardBind(t *testing.T) {
	// 127.0.0.2 -> 127.0.0.3 is a choice only this table makes, so the
	// test sees the injected route used per far end.
	routes := map[netip.Addr]netip.Addr{
		netip.MustParseAddr("127.0.0.1"): netip.MustParseAddr("127.0.0.1"),
		netip.MustParseAddr("127.0.0.2"): netip.MustParseAddr("127.0.0.3"),
	}
	l := newLabDeps(t, mediaConf("", "", ""), func(l *lab, d *Deps) {
		// As the driver sets them up on a wildcard socket, the client's
		// own Via host included.
		d.MediaIP = netip.IPv4Unspecified()
		d.Local = netip.AddrPortFrom(netip.IPv4Unspecified(), l.addr.Port())
		d.Route = func(r netip.Addr) netip.Addr { return routes[r] }
		client, err := sipgo.NewClient(l.ua, sipgo.WithClientHostname(d.Local.Addr().String()),
			sipgo.WithClientPort(int(l.addr.Port())), sipgo.WithClientConnectionAddr(l.addr.String()))
		if err != nil {
			t.Fatal(err)
		}
		d.Client = client
	})
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhoneAt(t, "6001", "", "127.0.0.2")
	out := caller.invite(l, "6000", 0)
	res := out.answered()
	inv := callee.lastInvite()
	port := int(l.addr.Port())
	for _, tc := range []struct {
		who, ip string
		body    []byte
		contact string
	}{
		{"answer to the caller", "127.0.0.3", res.Body(), res.Contact().Address.String()},
		{"offer to the callee", "127.0.0.1", inv.Body(), inv.Contact().Address.String()},
	} {
		if bytes.Contains(tc.body, []byte("0.0.0.0")) {
			t.Errorf("%s: SDP shows the wildcard:\n%s", tc.who, tc.body)
		}
		if !bytes.Contains(tc.body, []byte("c=IN IP4 "+tc.ip+"\r\n")) || !regexp.MustCompile(`o=root \d+ \d+ IN IP4 `+regexp.QuoteMeta(tc.ip)+"\r\n").Match(tc.body) {
			t.Errorf("%s: SDP does not show %s:\n%s", tc.who, tc.ip, tc.body)
		}
		if want := "@" + tc.ip + ":" + strconv.Itoa(port); !strings.HasSuffix(tc.contact, want) {
			t.Errorf("%s: Contact %s, want ...%s", tc.who, tc.contact, want)
		}
	}
	if from := inv.From().Address; from.Host != "127.0.0.1" || from.Port != port {
		t.Errorf("INVITE From %s, want host 127.0.0.1 port %d", from.String(), port)
	}
	if via := inv.Via(); via.Host != "127.0.0.1" || via.Port != port {
		t.Errorf("INVITE Via %s, want sent-by 127.0.0.1:%d", via.Value(), port)
	}
	if id := inv.CallID().Value(); !strings.HasSuffix(id, "@127.0.0.1") {
		t.Errorf("INVITE Call-ID %s, want @127.0.0.1", id)
	}

	relay(t, caller, mediaTarget(t, res.Body()), callee, 0x7001)
	relay(t, callee, mediaTarget(t, inv.Body()), caller, 0x7000)

	rows := l.m.allChannels()
	want := map[netip.Addr]string{
		caller.addr.Addr(): "127.0.0.3",
		callee.addr.Addr(): "127.0.0.1",
	}
	for _, r := range rows {
		ip, ok := want[r.Addr.Addr()]
		if !ok {
			continue
		}
		delete(want, r.Addr.Addr())
		var b bytes.Buffer
		WriteChannel(&b, rows, r.CallID)
		if line := "  Audio IP:               " + ip + " (local)\n"; !strings.Contains(b.String(), line) {
			t.Errorf("sip show channel %s lacks %q:\n%s", r.CallID, line, b.String())
		}
	}
	if len(want) != 0 {
		t.Errorf("no dialog with %v", want)
	}
	out.bye()
}
