package chansip

import (
	"net/netip"
	"testing"
	"time"
)

// countingStore counts writes, to check that refreshes which change nothing
// stored are not written again.
type countingStore struct {
	*memStore
	puts int
}

func (s *countingStore) Put(f, k, v string) error {
	s.puts++
	return s.memStore.Put(f, k, v)
}

func TestRegistrationsSkipUnchangedWrites(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	base := Registration{Peer: "6000", Addr: netip.MustParseAddrPort("127.0.0.1:5061"), Expiry: 3600,
		Username: "6000", Contact: "sip:6000@127.0.0.1:5061", Transport: "UDP", Expires: t0}
	at := func(mod func(r *Registration)) *Registration {
		r := base
		mod(&r)
		return &r
	}
	tests := []struct {
		name     string
		next     *Registration
		puts     int
		registry string
		expires  string
	}{
		{"same binding, same second", at(func(r *Registration) { r.Expires = t0.Add(300 * time.Millisecond) }),
			0, "127.0.0.1:5061:3600:6000:sip:6000@127.0.0.1:5061", "1700000000"},
		{"same binding, a second later", at(func(r *Registration) { r.Expires = t0.Add(time.Second) }),
			1, "127.0.0.1:5061:3600:6000:sip:6000@127.0.0.1:5061", "1700000001"},
		{"moved, same second", at(func(r *Registration) { r.Addr = netip.MustParseAddrPort("127.0.0.1:5099") }),
			1, "127.0.0.1:5099:3600:6000:sip:6000@127.0.0.1:5061", "1700000000"},
		{"new contact and expiry", at(func(r *Registration) {
			r.Contact = "sip:6000@127.0.0.1:5062"
			r.Expiry = 60
			r.Expires = t0.Add(70 * time.Second)
		}), 2, "127.0.0.1:5061:60:6000:sip:6000@127.0.0.1:5062", "1700000070"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &countingStore{memStore: newMemStore()}
			rs := newRegistrations(store)
			first := base
			rs.set(&first)
			if store.puts != 2 {
				t.Fatalf("first registration: %d writes, want 2", store.puts)
			}
			store.puts = 0
			rs.set(tc.next)
			if store.puts != tc.puts {
				t.Errorf("refresh: %d writes, want %d", store.puts, tc.puts)
			}
			if v, _ := store.Get(registryFamily, "6000"); v != tc.registry {
				t.Errorf("/%s/6000 = %q, want %q", registryFamily, v, tc.registry)
			}
			if v, _ := store.Get(expiresFamily, "6000"); v != tc.expires {
				t.Errorf("/%s/6000 = %q, want %q", expiresFamily, v, tc.expires)
			}
			if got := rs.get("6000"); got != tc.next {
				t.Errorf("live registration is not the latest")
			}
		})
	}
}
