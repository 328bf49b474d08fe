package sipconf

import "testing"

// TestCallCounter: chan_sip's call counting. callcounter=yes is a
// call-limit of INT_MAX (counted, never refused), no is no counting, and
// the later of call-limit and callcounter wins; [general] callcounter=yes
// is every peer's default.
func TestCallCounter(t *testing.T) {
	tests := []struct {
		name, sip string
		want      int
	}{
		{"none", "[general]\n[p]\ntype=friend\nhost=dynamic\n", 0},
		{"peer yes", "[general]\n[p]\ntype=friend\nhost=dynamic\ncallcounter=yes\n", CallCounterLimit},
		{"general yes", "[general]\ncallcounter=yes\n[p]\ntype=friend\nhost=dynamic\n", CallCounterLimit},
		{"general yes, peer no", "[general]\ncallcounter=yes\n[p]\ntype=friend\nhost=dynamic\ncallcounter=no\n", 0},
		{"general yes, peer limit", "[general]\ncallcounter=yes\n[p]\ntype=friend\nhost=dynamic\ncall-limit=2\n", 2},
		{"limit then yes", "[general]\n[p]\ntype=friend\nhost=dynamic\ncall-limit=2\ncallcounter=yes\n", CallCounterLimit},
		{"yes then limit", "[general]\n[p]\ntype=friend\nhost=dynamic\ncallcounter=yes\ncall-limit=3\n", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := parse(t, tc.sip, "")
			p := cfg.Peer("p")
			if p == nil {
				t.Fatal("no peer p")
			}
			if p.CallLimit != tc.want {
				t.Fatalf("CallLimit %d, want %d", p.CallLimit, tc.want)
			}
		})
	}
}
