package chansip

import "testing"

func TestMarkBareIPv6URI(t *testing.T) {
	const tail = " SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5070\r\n\r\n"
	tests := []struct {
		line, want string // want "" = left alone
	}{
		{"INVITE sip:6000@::1", "INVITE sip:6000@" + badURIHost},
		{"OPTIONS sip:2001:db8::10", "OPTIONS sip:" + badURIHost},
		{"INVITE sips:6000@2001:db8::1;transport=tls", "INVITE sips:6000@" + badURIHost + ";transport=tls"},
		{"REGISTER SIP:::1?x=y", "REGISTER SIP:" + badURIHost + "?x=y"},
		{"INVITE sip:6000@[::1]:5060", ""},
		{"INVITE sip:6000@127.0.0.1:5060", ""},
		{"INVITE sip:6000@host", ""},
		{"INVITE tel:+331234", ""},
		{"SIP/2.0 200 OK", ""},
		{"INVITE", ""},
	}
	for _, tc := range tests {
		in := tc.line + tail
		if tc.line == "SIP/2.0 200 OK" || tc.line == "INVITE" {
			in = tc.line + "\r\nVia: x\r\n\r\n"
		}
		out, ok := markBareIPv6URI([]byte(in))
		switch {
		case tc.want == "" && (ok || string(out) != in):
			t.Errorf("%q changed to %q", tc.line, out)
		case tc.want != "" && (!ok || string(out) != tc.want+tail):
			t.Errorf("%q gave %q (%v), want %q", tc.line, out, ok, tc.want+tail)
		}
	}
	if _, ok := markBareIPv6URI([]byte("no line end")); ok {
		t.Error("a packet without a line end was marked")
	}
}

// BenchmarkMarkBareIPv6URI: the check runs on every UDP packet the read
// hook sees; a well-formed request must cost no allocation.
func BenchmarkMarkBareIPv6URI(b *testing.B) {
	pkt := []byte("REGISTER sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n\r\n")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok := markBareIPv6URI(pkt); ok {
			b.Fatal("marked")
		}
	}
}
