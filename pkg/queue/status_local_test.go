package queue

import "testing"

func TestLocalDevice(t *testing.T) {
	for in, want := range map[string]string{
		"Local/6000@agents/n": "Local/6000@agents", "local/6000@agents/nm": "local/6000@agents",
		"Local/6000@agents": "Local/6000@agents", "SIP/6000": "SIP/6000", "Local/": "Local/",
	} {
		if got := localDevice(in); got != want {
			t.Errorf("localDevice(%q) = %q, want %q", in, got, want)
		}
	}
}
