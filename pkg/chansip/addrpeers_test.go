package chansip

import (
	"testing"
)

// TestPeersByAddr: only peers with a static host are walked to match an
// INVITE by address, in the configuration's order, and a reload's
// configuration gets its own list.
func TestPeersByAddr(t *testing.T) {
	d, err := New(Options{Config: loadConf(t, testSIPConf)})
	if err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		var out []string
		for _, p := range d.peersByAddr(d.cfg.Load()) {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(); len(got) != 1 || got[0] != "static" {
		t.Errorf("peers by address %v, want [static]", got)
	}
	d.cfg.Store(loadConf(t, testSIPConf+"\n[trunk]\ntype=peer\nhost=192.0.2.1\n\n[user-only]\ntype=user\nhost=192.0.2.2\n"))
	if got := names(); len(got) != 2 || got[0] != "static" || got[1] != "trunk" {
		t.Errorf("after a new configuration: %v, want [static trunk]", got)
	}
}
