package call

import (
	"reflect"
	"slices"
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

func TestPathEntries(t *testing.T) {
	tests := []struct {
		name string
		hs   []string
		want []string
	}{
		{"none", nil, nil},
		{"one", []string{"<sip:edge.example.com;lr>"}, []string{"<sip:edge.example.com;lr>"}},
		{"params dropped, list split", []string{"<sip:a.example;lr>;ob, <sip:10.0.0.1:5070;lr>"},
			[]string{"<sip:a.example;lr>", "<sip:10.0.0.1:5070;lr>"}},
		{"two headers in order", []string{"<sip:a;lr>", "<sip:b;lr>"}, []string{"<sip:a;lr>", "<sip:b;lr>"}},
		{"no brackets skipped", []string{"sip:bare.example;lr", "<sip:c;lr>"}, []string{"<sip:c;lr>"}},
		{"garbage", []string{"<>", "<<<", ","}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hs []sip.Header
			for _, v := range tc.hs {
				hs = append(hs, sip.NewHeader("Path", v))
			}
			if got := PathEntries(hs); !slices.Equal(got, tc.want) {
				t.Errorf("PathEntries(%q) = %q, want %q", tc.hs, got, tc.want)
			}
		})
	}
}

func TestApplyRoutes(t *testing.T) {
	target := sip.Uri{Scheme: "sip", User: "6000", Host: "192.168.1.10", Port: 5062}
	tests := []struct {
		name      string
		routes    []string
		wantRURI  string
		wantRoute []string
		wantDest  string
	}{
		{"no route", nil, "sip:6000@192.168.1.10:5062", nil, "192.168.1.10:5062"},
		{"loose", []string{"<sip:10.0.0.1:5070;lr>"}, "sip:6000@192.168.1.10:5062", []string{"<sip:10.0.0.1:5070;lr>"}, "10.0.0.1:5070"},
		{"strict", []string{"<sip:10.0.0.1>", "<sip:10.0.0.2;lr>"}, "sip:10.0.0.1",
			[]string{"<sip:10.0.0.2;lr>", "<sip:6000@192.168.1.10:5062>"}, "10.0.0.1:5060"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := sip.NewRequest(sip.OPTIONS, target)
			req.SetDestination("192.168.1.10:5062")
			ApplyRoutes(req, tc.routes, target)
			var routes []string
			for _, h := range req.GetHeaders("Route") {
				routes = append(routes, h.Value())
			}
			if req.Recipient.String() != tc.wantRURI || !slices.Equal(routes, tc.wantRoute) || req.Destination() != tc.wantDest {
				t.Errorf("got %s %q -> %s, want %s %q -> %s", req.Recipient.String(), routes, req.Destination(), tc.wantRURI, tc.wantRoute, tc.wantDest)
			}
		})
	}
	if got := firstHop([]string{"<sips:edge.example>"}); got != "edge.example:5061" {
		t.Errorf("firstHop sips = %q", got)
	}
}
