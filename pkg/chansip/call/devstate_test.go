package call

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestDeviceState(t *testing.T) {
	peers := map[string]*sipconf.Peer{
		"6000":   {Name: "6000", Dynamic: true},
		"6001":   {Name: "6001", Dynamic: true},
		"trunk":  {Name: "trunk", Host: "sip.example.com"},
		"nohost": {Name: "nohost"},
	}
	m := &Manager{d: Deps{
		Peer: func(name string) *sipconf.Peer { return peers[strings.ToLower(name)] },
		Contact: func(peer string) (string, netip.AddrPort, bool) {
			if peer == "6001" {
				return "sip:6001@127.0.0.1:5062", netip.MustParseAddrPort("127.0.0.1:5062"), true
			}
			return "", netip.AddrPort{}, false
		},
	}}
	tech := technology{m}
	tests := []struct {
		resource string
		want     pbx.DeviceState
	}{
		{"6000", pbx.DeviceUnavailable},
		{"6001", pbx.DeviceNotInUse},
		{"trunk", pbx.DeviceNotInUse},
		{"0612345678@trunk", pbx.DeviceNotInUse},
		{"nohost", pbx.DeviceUnavailable},
		{"9999", pbx.DeviceInvalid},
	}
	for _, tt := range tests {
		if got := tech.DeviceState(tt.resource); got != tt.want {
			t.Errorf("DeviceState(%q) = %v, want %v", tt.resource, got, tt.want)
		}
	}
}

// TestDeviceStateCountsCalls: a peer without callcounter or call-limit
// stays NOT_INUSE while it rings and talks, as chan_sip reports it; a peer
// with a call-limit shows RINGING then INUSE.
func TestDeviceStateCountsCalls(t *testing.T) {
	tests := []struct {
		callee        string
		ringing, busy pbx.DeviceState
	}{
		{"6000", pbx.DeviceNotInUse, pbx.DeviceNotInUse},
		{"6002", pbx.DeviceRinging, pbx.DeviceBusy}, // call-limit=1 reached
	}
	for _, tt := range tests {
		t.Run(tt.callee, func(t *testing.T) {
			l := newLab(t)
			callee := newPhone(t, tt.callee, "early")
			l.register(tt.callee, callee.addr)
			caller := newPhone(t, "6001", "")
			out := caller.invite(l, tt.callee, 0)
			out.waitProvisional(183, 3*time.Second)
			dev := "SIP/" + tt.callee
			if got := l.e.DeviceState(dev); got != tt.ringing {
				t.Errorf("%s ringing: %v, want %v", dev, got, tt.ringing)
			}
			close(callee.answerNow)
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != 200 {
				t.Fatalf("final %d", res.StatusCode)
			}
			out.ack()
			if got := l.e.DeviceState(dev); got != tt.busy {
				t.Errorf("%s in the call: %v, want %v", dev, got, tt.busy)
			}
			out.bye()
		})
	}
}
