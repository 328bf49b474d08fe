package chansip

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
)

// Registration is where a dynamic peer said it can be reached.
type Registration struct {
	Peer      string
	Addr      netip.AddrPort // where requests to the peer go (the received address under NAT)
	Expiry    int            // granted seconds
	Username  string         // the peer's default user, saved as chan_sip does
	Contact   string         // the full Contact URI the phone registered
	UserAgent string
	Transport string // UDP, TCP or TLS
	Expires   time.Time
	// Path is the route set the REGISTER's Path headers recorded
	// (supportpath=yes, RFC 3327), each entry "<uri>"; requests to the
	// contact go through it.
	Path []string
}

// Store is the persistent key/value store (astdb) registrations live in.
type Store interface {
	Put(family, key, value string) error
	Get(family, key string) (string, bool)
	Del(family, key string) error
}

// Asterisk keeps registrations under /SIP/Registry/<peer>; the absolute
// expiry time is ours (Asterisk's value has none), kept in a family of its
// own so an astdb shared with Asterisk stays readable by both.
const (
	registryFamily = "SIP/Registry"
	expiresFamily  = "gostrisk/RegistryExpires"
	// pathFamily holds a registration's Path as chan_sip stores it:
	// "<uri1>,<uri2>".
	pathFamily = "SIP/RegistryPath"
)

// FormatRegistryValue renders Asterisk's "addr:port:expiry:username:contact".
func FormatRegistryValue(r *Registration) string {
	addr := r.Addr.Addr().String()
	if r.Addr.Addr().Is6() && !r.Addr.Addr().Is4In6() {
		addr = "[" + addr + "]"
	}
	return fmt.Sprintf("%s:%d:%d:%s:%s", addr, r.Addr.Port(), r.Expiry, r.Username, r.Contact)
}

// ParseRegistryValue reads a value written by Asterisk or by us.
func ParseRegistryValue(peer, v string) (*Registration, error) {
	var host, rest string
	if strings.HasPrefix(v, "[") {
		end := strings.Index(v, "]:")
		if end < 0 {
			return nil, fmt.Errorf("registry value %q: bad IPv6 address", v)
		}
		host, rest = v[1:end], v[end+2:]
	} else {
		var ok bool
		host, rest, ok = strings.Cut(v, ":")
		if !ok {
			return nil, fmt.Errorf("registry value %q: no port", v)
		}
	}
	parts := strings.SplitN(rest, ":", 4)
	if len(parts) < 2 {
		return nil, fmt.Errorf("registry value %q: too few fields", v)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return nil, fmt.Errorf("registry value %q: %w", v, err)
	}
	port, err := strconv.ParseUint(parts[0], 10, 16)
	if err != nil {
		return nil, fmt.Errorf("registry value %q: bad port", v)
	}
	expiry, err := strconv.Atoi(parts[1])
	if err != nil {
		return nil, fmt.Errorf("registry value %q: bad expiry", v)
	}
	r := &Registration{Peer: peer, Addr: netip.AddrPortFrom(addr, uint16(port)), Expiry: expiry, Transport: "UDP"}
	if len(parts) > 2 {
		r.Username = parts[2]
	}
	if len(parts) > 3 {
		r.Contact = parts[3]
		if i := strings.Index(strings.ToLower(r.Contact), ";transport="); i >= 0 {
			t := strings.ToUpper(r.Contact[i+len(";transport="):])
			if j := strings.IndexAny(t, ";>"); j >= 0 {
				t = t[:j]
			}
			r.Transport = t
		}
	}
	return r, nil
}

// registrations holds the live registrations; reads dominate (every call
// and qualify looks a peer up), so a RWMutex over a map is enough: the
// registrar's hot path holds it only for a map assignment.
type registrations struct {
	mu    sync.RWMutex
	m     map[string]*Registration
	store Store
	// nonces signs the registrar's challenges; it lives here, with the
	// other registrar state that outlives a reload.
	nonces *nonceSigner
	// changed, when set, is told of a peer that registered (fresh: from a
	// new address) or went (gone); devstate.go publishes its device state
	// and sends its MWI.
	changed func(peer string, fresh, gone bool)
}

func newRegistrations(store Store) *registrations {
	return &registrations{m: make(map[string]*Registration), store: store, nonces: newNonceSigner(nonceLifetime)}
}

func (rs *registrations) get(peer string) *Registration {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	return rs.m[peer]
}

func (rs *registrations) set(r *Registration) {
	rs.mu.Lock()
	old := rs.m[r.Peer]
	rs.m[r.Peer] = r
	rs.mu.Unlock()
	if rs.changed != nil {
		rs.changed(r.Peer, old == nil || old.Addr != r.Addr, false)
	}
	if rs.store == nil {
		return
	}
	// A refresh from the same contact changes nothing Asterisk stores, and
	// our expiry only moves when a second has passed: writes that would
	// leave the store as it is are skipped, which spares the astdb writer
	// most of the work when phones refresh often.
	if old == nil || !sameStoredBinding(old, r) {
		rs.store.Put(registryFamily, r.Peer, FormatRegistryValue(r))
	}
	if old == nil || old.Expires.Unix() != r.Expires.Unix() {
		rs.store.Put(expiresFamily, r.Peer, strconv.FormatInt(r.Expires.Unix(), 10))
	}
	switch path := strings.Join(r.Path, ","); {
	case path != "" && (old == nil || strings.Join(old.Path, ",") != path):
		rs.store.Put(pathFamily, r.Peer, path)
	case path == "" && old != nil && len(old.Path) > 0:
		rs.store.Del(pathFamily, r.Peer)
	}
}

// sameStoredBinding says whether two registrations of a peer have the same
// /SIP/Registry value.
func sameStoredBinding(a, b *Registration) bool {
	return a.Addr == b.Addr && a.Expiry == b.Expiry && a.Username == b.Username && a.Contact == b.Contact
}

func (rs *registrations) remove(peer string) *Registration {
	rs.mu.Lock()
	r := rs.m[peer]
	delete(rs.m, peer)
	rs.mu.Unlock()
	if rs.changed != nil && r != nil {
		rs.changed(peer, false, true)
	}
	if rs.store != nil {
		rs.store.Del(registryFamily, peer)
		rs.store.Del(expiresFamily, peer)
		if r != nil && len(r.Path) > 0 {
			rs.store.Del(pathFamily, peer)
		}
	}
	return r
}

// expired removes and returns registrations past their expiry.
func (rs *registrations) expired(now time.Time) []*Registration {
	var out []*Registration
	rs.mu.RLock()
	for _, r := range rs.m {
		if now.After(r.Expires) {
			out = append(out, r)
		}
	}
	rs.mu.RUnlock()
	for _, r := range out {
		rs.remove(r.Peer)
	}
	return out
}

// restore loads the registration of one peer from the store. A value
// without our expiry time (written by Asterisk) counts from now, as chan_sip
// does when it restores; one whose time has passed is dropped.
func (rs *registrations) restore(peer string, now time.Time) (*Registration, error) {
	if rs.store == nil {
		return nil, nil
	}
	v, ok := rs.store.Get(registryFamily, peer)
	if !ok {
		return nil, nil
	}
	r, err := ParseRegistryValue(peer, v)
	if err != nil {
		rs.store.Del(registryFamily, peer)
		return nil, err
	}
	r.Expires = now.Add(time.Duration(r.Expiry) * time.Second)
	if s, ok := rs.store.Get(expiresFamily, peer); ok {
		if unix, err := strconv.ParseInt(s, 10, 64); err == nil {
			r.Expires = time.Unix(unix, 0)
		}
	}
	if now.After(r.Expires) {
		rs.store.Del(registryFamily, peer)
		rs.store.Del(expiresFamily, peer)
		rs.store.Del(pathFamily, peer)
		return nil, nil
	}
	if v, ok := rs.store.Get(pathFamily, peer); ok {
		r.Path = call.PathEntries([]sip.Header{sip.NewHeader("Path", v)})
	}
	rs.mu.Lock()
	rs.m[peer] = r
	rs.mu.Unlock()
	return r, nil
}
