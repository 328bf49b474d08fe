package call

import (
	"reflect"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestRecordRouteSet(t *testing.T) {
	hs := []sip.Header{
		sip.NewHeader("Record-Route", `<sip:p1.example.com;lr>, "Odd, name" <sip:p2.example.com;lr>`),
		sip.NewHeader("Record-Route", "<sip:10.0.0.3:5070;lr;transport=udp>"),
	}
	uas := []string{"<sip:p1.example.com;lr>", `"Odd, name" <sip:p2.example.com;lr>`, "<sip:10.0.0.3:5070;lr;transport=udp>"}
	if got := recordRouteSet(hs, false); !reflect.DeepEqual(got, uas) {
		t.Errorf("UAS route set %q, want %q", got, uas)
	}
	uac := []string{uas[2], uas[1], uas[0]}
	if got := recordRouteSet(hs, true); !reflect.DeepEqual(got, uac) {
		t.Errorf("UAC route set %q, want %q", got, uac)
	}
	if got := recordRouteSet(nil, true); got != nil {
		t.Errorf("no Record-Route gave %q", got)
	}
}

func TestRouteRequest(t *testing.T) {
	var target sip.Uri
	if err := sip.ParseUri("sip:6001@192.0.2.7:5062", &target); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		routes    []string
		recipient string
		route     []string
		dest      string
	}{
		{"no route set", nil, "sip:6001@192.0.2.7:5062", nil, "192.0.2.9:5060"},
		{"loose", []string{"<sip:10.0.0.3:5070;lr>", "<sip:p2.example.com;lr>"}, "sip:6001@192.0.2.7:5062",
			[]string{"<sip:10.0.0.3:5070;lr>", "<sip:p2.example.com;lr>"}, "10.0.0.3:5070"},
		{"loose, default port", []string{"<sip:10.0.0.4;lr>"}, "sip:6001@192.0.2.7:5062",
			[]string{"<sip:10.0.0.4;lr>"}, "10.0.0.4:5060"},
		{"strict", []string{"<sip:10.0.0.5:5080>", "<sip:10.0.0.6;lr>"}, "sip:10.0.0.5:5080",
			[]string{"<sip:10.0.0.6;lr>", "<sip:6001@192.0.2.7:5062>"}, "10.0.0.5:5080"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &dialog{target: target, routes: tc.routes}
			req := sip.NewRequest(sip.BYE, *target.Clone())
			req.SetDestination("192.0.2.9:5060")
			d.routeRequest(req)
			if got := req.Recipient.String(); got != tc.recipient {
				t.Errorf("Request-URI %s, want %s", got, tc.recipient)
			}
			var got []string
			for _, h := range req.GetHeaders("Route") {
				got = append(got, h.Value())
			}
			if !reflect.DeepEqual(got, tc.route) {
				t.Errorf("Route %q, want %q", got, tc.route)
			}
			if req.Destination() != tc.dest {
				t.Errorf("sent to %s, want %s", req.Destination(), tc.dest)
			}
		})
	}
}
