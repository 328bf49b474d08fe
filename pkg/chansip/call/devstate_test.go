package call

import (
	"net/netip"
	"strings"
	"testing"

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
