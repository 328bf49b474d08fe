package call

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestSIPHeader(t *testing.T) {
	req := sip.NewRequest(sip.INVITE, sip.Uri{User: "100", Host: "127.0.0.1"})
	req.AppendHeader(sip.NewHeader("X-Account", "acme"))
	req.AppendHeader(sip.NewHeader("Diversion", "<sip:6001@x>;reason=user-busy"))
	req.AppendHeader(sip.NewHeader("Diversion", "<sip:6002@x>;reason=no-answer"))
	c := &inCall{invite: req}
	tests := []struct {
		name   string
		n      int
		want   string
		wantOK bool
	}{
		{"X-Account", 1, "acme", true},
		{"x-account", 1, "acme", true},
		{"Diversion", 2, "<sip:6002@x>;reason=no-answer", true},
		{"Diversion", 3, "", false},
		{"X-None", 1, "", false},
	}
	for _, tt := range tests {
		got, ok := c.SIPHeader(tt.name, tt.n)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("SIPHeader(%q, %d) = %q, %v; want %q, %v", tt.name, tt.n, got, ok, tt.want, tt.wantOK)
		}
	}
}
