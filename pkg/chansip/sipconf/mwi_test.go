package sipconf

import "testing"

func TestParseMWI(t *testing.T) {
	tests := []struct {
		in   string
		want MWISub
		ok   bool
	}{
		{"1234:secret@mail.example.org/1234", MWISub{User: "1234", Secret: "secret", Host: "mail.example.org", Mailbox: "1234"}, true},
		{"u:s:a@10.0.0.1:5070/8000", MWISub{User: "u", Secret: "s", AuthUser: "a", Host: "10.0.0.1", Port: 5070, Mailbox: "8000"}, true},
		{"u:p@ss@host/1", MWISub{User: "u", Secret: "p@ss", Host: "host", Mailbox: "1"}, true},
		{"u@host", MWISub{}, false},
		{"host/1234", MWISub{}, false},
		{"u@host:x/1", MWISub{}, false},
		{"@host/1", MWISub{}, false},
		{"u:s@[2001:db8::1]:5070/8000", MWISub{User: "u", Secret: "s", Host: "2001:db8::1", Port: 5070, Mailbox: "8000"}, true},
		{"u:s@[2001:db8::1]/8000", MWISub{User: "u", Secret: "s", Host: "2001:db8::1", Mailbox: "8000"}, true},
		{"u:s@2001:db8::1/8000", MWISub{User: "u", Secret: "s", Host: "2001:db8::1", Mailbox: "8000"}, true},
		{"u:s@[2001:db8::1/8000", MWISub{}, false},
		{"u:s@[2001:db8::1]x/8000", MWISub{}, false},
	}
	for _, tt := range tests {
		got, err := ParseMWI(tt.in)
		if (err == nil) != tt.ok || (tt.ok && *got != tt.want) {
			t.Errorf("ParseMWI(%q) = %+v, %v; want %+v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestMWIHostPortIPv6(t *testing.T) {
	s, err := ParseMWI("u:s@[2001:db8::1]/8000")
	if err != nil || s.HostPort() != "[2001:db8::1]:5060" {
		t.Errorf("HostPort = %q (%v), want [2001:db8::1]:5060", s.HostPort(), err)
	}
}
