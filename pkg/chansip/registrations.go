package chansip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
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
	if rs.store != nil {
		rs.store.Del(registryFamily, peer)
		rs.store.Del(expiresFamily, peer)
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
		return nil, nil
	}
	rs.mu.Lock()
	rs.m[peer] = r
	rs.mu.Unlock()
	return r, nil
}

// nonceSigner issues digest nonces that need no memory: a nonce carries
// the time it was issued and a MAC over it under a key drawn at start-up,
// so checking one is a computation, not a look-up. A store of issued
// nonces costs memory per challenge (tens of megabytes at thousands of
// registrations a second, kept for the nonce's lifetime) and a lock per
// check; a signed nonce costs neither, and a flood of unanswered
// challenges leaves nothing behind.
//
// A nonce is 32 hex digits: the issue time in Unix seconds rounded down to
// nonceBucket (8 digits), a salt (8) and the MAC of both (16). The salt comes from
// the request's dialog and the bucket, so a retransmitted request gets the
// same challenge while different dialogs get different nonces. Nonces are
// not single-use: a phone may retransmit its authenticated REGISTER and
// must get the same 200 (replay within the lifetime is what chan_sip's
// per-dialog nonce allows too).
type nonceSigner struct {
	lifetime time.Duration
	macs     sync.Pool // of keyed HMAC-SHA256 states, reset before use
}

// nonceBucket is the granularity of the issue time: retransmissions within
// it get the same nonce, and a nonce stays valid between lifetime minus
// the bucket and lifetime. A retransmission that crosses a bucket gets a
// new nonce, which a UA may take for an unexpected answer (sipp does: at
// 7,500 REGISTER/s, 3 in 82,500 with 8 s buckets), so the bucket is half
// the lifetime: phones answer a challenge within milliseconds.
const nonceBucket = 16 * time.Second

func newNonceSigner(lifetime time.Duration) *nonceSigner {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic(fmt.Sprintf("chansip: crypto/rand failed: %v", err))
	}
	s := &nonceSigner{lifetime: lifetime}
	s.macs.New = func() any { return hmac.New(sha256.New, key[:]) }
	return s
}

func (s *nonceSigner) mac(parts ...[]byte) []byte {
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	sum := h.Sum(make([]byte, 0, sha256.Size))
	s.macs.Put(h)
	return sum
}

// dialogSeed identifies the request's dialog and transaction (Call-ID,
// From tag, CSeq), which a retransmission repeats.
func dialogSeed(req *sip.Request) []byte {
	var b []byte
	if id := req.CallID(); id != nil {
		b = append(b, id.Value()...)
	}
	b = append(b, 0)
	if from := req.From(); from != nil {
		tag, _ := from.Params.Get("tag")
		b = append(b, tag...)
	}
	b = append(b, 0)
	if cseq := req.CSeq(); cseq != nil {
		b = strconv.AppendUint(b, uint64(cseq.SeqNo), 10)
		b = append(b, cseq.MethodName...)
	}
	return b
}

func (s *nonceSigner) issue(now time.Time, req *sip.Request) string {
	var ts [4]byte
	binary.BigEndian.PutUint32(ts[:], uint32(now.Unix()/int64(nonceBucket/time.Second)*int64(nonceBucket/time.Second)))
	salt := s.mac([]byte("salt"), ts[:], dialogSeed(req))[:4]
	sum := s.mac([]byte("nonce"), ts[:], salt)[:8]
	var out [32]byte
	hex.Encode(out[0:8], ts[:])
	hex.Encode(out[8:16], salt)
	hex.Encode(out[16:32], sum)
	return string(out[:])
}

// state says whether nonce is one we issued and still within its lifetime.
// An authentic nonce past it is stale, whatever its age: the phone only
// has to take a fresh one.
func (s *nonceSigner) state(nonce string, now time.Time) digest.NonceState {
	if len(nonce) != 32 {
		return digest.NonceUnknown
	}
	var raw [16]byte
	if _, err := hex.Decode(raw[:], []byte(nonce)); err != nil {
		return digest.NonceUnknown
	}
	if !hmac.Equal(raw[8:16], s.mac([]byte("nonce"), raw[0:4], raw[4:8])[:8]) {
		return digest.NonceUnknown
	}
	issued := time.Unix(int64(binary.BigEndian.Uint32(raw[0:4])), 0)
	if age := now.Sub(issued); age > s.lifetime || age < -nonceBucket {
		return digest.NonceStale
	}
	return digest.NonceValid
}

// dialogTag is the To tag of our answers in a dialog, in chan_sip's shape
// ("as" and 8 hex digits), the same for every answer in that dialog.
func (s *nonceSigner) dialogTag(req *sip.Request) string {
	seed := dialogSeed(req)
	// The tag names the dialog, not the transaction: leave the CSeq out.
	if cseq := req.CSeq(); cseq != nil {
		seed = seed[:len(seed)-len(strconv.FormatUint(uint64(cseq.SeqNo), 10))-len(cseq.MethodName)]
	}
	return "as" + hex.EncodeToString(s.mac([]byte("tag"), seed)[:4])
}
