package pbx

import (
	"fmt"
	"regexp"
	"testing"
	"time"
)

func TestChannelName(t *testing.T) {
	for _, tc := range []struct {
		tech, resource string
		seq            uint32
		want           string
	}{
		{"SIP", "100001", 0, "SIP/100001-00000000"},
		{"SIP", "trunk-ovh", 0x1a, "SIP/trunk-ovh-0000001a"},
		{"Local", "6000@default", 0xffffffff, "Local/6000@default-ffffffff"},
	} {
		if got := channelName(tc.tech, tc.resource, tc.seq); got != tc.want {
			t.Errorf("channelName(%q, %q, %#x) = %q, want %q", tc.tech, tc.resource, tc.seq, got, tc.want)
		}
		// The name must stay what the format Asterisk uses gives.
		if want := fmt.Sprintf("%s/%s-%08x", tc.tech, tc.resource, tc.seq); tc.want != want {
			t.Errorf("table entry %q differs from %q", tc.want, want)
		}
	}
}

func TestBridgeIDShape(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := newBridgeID()
		if !re.MatchString(id) {
			t.Fatalf("newBridgeID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("newBridgeID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestParseDuration(t *testing.T) {
	const def = 7 * time.Second
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"20", 20 * time.Second},
		{" 0 ", 0},
		{"000120", 120 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"", def},
		{"-3", def},
		{"abc", def},
		{"1234567", 1234567 * time.Second},
	} {
		if got := ParseDuration(tc.in, def); got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
