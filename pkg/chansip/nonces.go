package chansip

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Digest nonces as chan_sip uses them, without a dialog per challenge.
//
// chan_sip keeps one nonce per dialog (its sip_pvt, found by Call-ID) and
// marks it stale as soon as an answer has used it: the next answer with it
// gets a new challenge (stale=true when the answer was otherwise right),
// an answer with a nonce of another dialog gets a plain new challenge. An
// Authorization captured on the wire is therefore good for nothing: not
// for a new call (another Call-ID), not for a second use in its own dialog.
//
// Here a nonce carries its issue time and a MAC over it and the request's
// Call-ID, under a key drawn at start-up: checking where and when a nonce
// was issued is a computation, so a flood of challenges that are never
// answered leaves nothing behind. Only nonces that an answer has used are
// remembered, in usedNonces, until they expire; that is what makes each
// nonce good for one answer.
//
// The Call-ID alone names the dialog, as chan_sip matches an authenticated
// request to its dialog: it ignores the From tag of a request that carries
// credentials (a UA may change it after a 401), and matches REGISTER by
// Call-ID only.

// nonceSigner issues and checks nonces. A nonce is 32 hex digits: the
// issue time in seconds rounded down to nonceBucket (8 digits), a salt (8)
// and the MAC of both and of the Call-ID (16). The salt comes from the
// request's dialog, transaction, source address and bucket, so a
// retransmitted request gets the same challenge while two challenges, even
// in one dialog, get two nonces (and two phones that happen to write the
// same Call-ID, tag and CSeq do not share one).
//
// The time is the wall clock at start-up plus the monotonic time since:
// stepping the system clock neither revives expired nonces nor expires
// fresh ones, and nonce buckets only move forwards, which usedNonces
// relies on.
type nonceSigner struct {
	lifetime time.Duration
	epoch    time.Time // start-up, with its monotonic reading
	base     int64     // epoch in Unix seconds
	macs     sync.Pool // of keyed HMAC-SHA256 states, reset before use
	used     *usedNonces
}

// nonceBucket is the granularity of the issue time: retransmissions within
// it get the same nonce, and a nonce stays valid between lifetime minus
// the bucket and lifetime. A retransmission that crosses a bucket gets a
// new nonce, which a UA may take for an unexpected answer (sipp does: at
// 7,500 REGISTER/s, 3 in 82,500 with 8 s buckets), so the bucket is half
// the lifetime: phones answer a challenge within milliseconds.
const nonceBucket = 16 * time.Second

func newNonceSigner(lifetime time.Duration) *nonceSigner {
	return newNonceSignerAt(lifetime, time.Now())
}

// newNonceSignerAt starts the signer's clock at epoch.
func newNonceSignerAt(lifetime time.Duration, epoch time.Time) *nonceSigner {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic(fmt.Sprintf("chansip: crypto/rand failed: %v", err))
	}
	s := &nonceSigner{lifetime: lifetime, epoch: epoch, base: epoch.Unix(), used: newUsedNonces()}
	s.macs.New = func() any { return hmac.New(sha256.New, key[:]) }
	return s
}

// seconds is now on the signer's clock (see nonceSigner).
func (s *nonceSigner) seconds(now time.Time) int64 {
	d := now.Sub(s.epoch)
	sec := int64(d / time.Second)
	if d < 0 && d%time.Second != 0 {
		sec-- // round towards the past, as for positive times
	}
	return s.base + sec
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

// signed is what a nonce's MAC covers: its time and salt (the first 8
// bytes of the nonce) and the Call-ID of the dialog it was issued in.
func signed(head []byte, req *sip.Request) []byte {
	b := make([]byte, 0, 64)
	b = append(b, head[:8]...)
	if id := req.CallID(); id != nil {
		b = append(b, id.Value()...)
	}
	return b
}

func (s *nonceSigner) issue(now time.Time, req *sip.Request) string {
	var head [8]byte // time, then salt
	bucket := int64(nonceBucket / time.Second)
	binary.BigEndian.PutUint32(head[:4], uint32(s.seconds(now)/bucket*bucket))
	seed := append(dialogSeed(req), 0)
	seed = append(seed, req.Source()...)
	copy(head[4:], s.mac([]byte("salt"), head[:4], seed)[:4])
	sum := s.mac([]byte("nonce"), signed(head[:], req))[:8]
	var out [32]byte
	hex.Encode(out[0:16], head[:])
	hex.Encode(out[16:32], sum)
	return string(out[:])
}

// nonceState is what a nonce presented in an answer is to us.
type nonceState int

const (
	nonceForeign nonceState = iota // not issued by us for this dialog: challenge afresh
	nonceFresh                     // ours, in its lifetime, not used before: now used by this request
	nonceRepeat                    // ours, used by this very request before (a retransmission)
	nonceUsed                      // ours, used by another request: challenge again, stale if right
	nonceExpired                   // ours, past its lifetime: challenge again, stale if right
)

// nonceID names an issued nonce in usedNonces: the bucket of its issue
// time and its MAC.
type nonceID struct {
	bucket uint32
	mac    uint64
}

// check says whether nonce is one we issued for req's dialog and still
// within its lifetime, and names it. An authentic nonce past its lifetime
// is expired, whatever its age: the phone only has to take a fresh one.
func (s *nonceSigner) check(nonce string, now time.Time, req *sip.Request) (nonceState, nonceID) {
	if len(nonce) != 32 {
		return nonceForeign, nonceID{}
	}
	var raw [16]byte
	if _, err := hex.Decode(raw[:], []byte(nonce)); err != nil {
		return nonceForeign, nonceID{}
	}
	if !hmac.Equal(raw[8:16], s.mac([]byte("nonce"), signed(raw[:], req))[:8]) {
		return nonceForeign, nonceID{}
	}
	issued := binary.BigEndian.Uint32(raw[0:4])
	age := time.Duration(s.seconds(now)-int64(issued)) * time.Second
	if age > s.lifetime || age < -nonceBucket {
		return nonceExpired, nonceID{}
	}
	return nonceFresh, nonceID{bucket: issued / uint32(nonceBucket/time.Second), mac: binary.BigEndian.Uint64(raw[8:16])}
}

// claim records that the request with the print fp uses the valid
// nonce id: the first request to present a nonce uses it up (nonceFresh).
// fp identifies a request for its retransmissions (requestPrint): the
// same print later gets nonceRepeat; 0 accepts none, every later
// presentation is nonceUsed. When the used set is full the nonce counts
// as used: refusing an answer costs a phone one more challenge, accepting
// a nonce twice would let a replay in.
func (s *nonceSigner) claim(id nonceID, fp uint64) nonceState {
	switch s.used.claim(id, fp) {
	case claimFresh:
		return nonceFresh
	case claimRepeat:
		return nonceRepeat
	}
	return nonceUsed
}

// expire forgets used nonces that are past their lifetime. Checking
// already refuses them; this hands their memory back.
func (s *nonceSigner) expire(now time.Time) {
	// A bucket's nonces have all expired once its start is more than the
	// lifetime ago: keep the buckets from the first one that starts within
	// it.
	since := s.seconds(now) - int64(s.lifetime/time.Second)
	if since <= 0 {
		return
	}
	bucket := int64(nonceBucket / time.Second)
	s.used.expire(uint32((since + bucket - 1) / bucket))
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

// usedNonces is the set of nonces answers have used, each with the print
// of the request that used it, kept for the nonces' lifetime.
//
// It is sharded by nonce (the MAC bits are uniform), so registrations on
// the several UDP readers rarely meet on a lock. Each shard keeps one
// generation per nonce bucket: a nonce is valid for at most lifetime plus
// a bucket of clock tolerance, so four consecutive buckets cover every
// nonce that can still be accepted, and expiring a bucket is dropping its
// map. A generation's map is sized after the one it replaces, so memory
// follows the load down after a burst.
//
// Memory is what single use costs: one map entry (20 to 40 bytes, by how
// full its map is) per answer, kept for the two buckets a nonce can live
// in, so 10 to 20 MB while 16,000 phones a second register. Every entry
// takes an answer with a nonce we issued, which the registrar processes at
// that rate at most; usedPerShard also bounds a bucket to a million
// entries whatever comes.
type usedNonces struct {
	seed   maphash.Seed
	shards [usedShards]usedShard
	// full is 1 + the last bucket found full, reported the last one
	// overflowed reported, so a flood is logged once per bucket.
	full, reported atomic.Uint32
}

const (
	usedShards   = 64
	usedGens     = 4
	usedPerShard = 1 << 14 // per shard and bucket: a million per bucket, 65,000 answers/s
)

type usedShard struct {
	mu   sync.Mutex
	gens [usedGens]usedGen
	_    [64]byte // keeps two shards' locks off one cache line
}

type usedGen struct {
	bucket uint32
	m      map[uint64]uint64 // nonce MAC -> print of the request that used it
	hint   int               // size of the last map, for the next one
}

type claimResult int

const (
	claimFresh  claimResult = iota // first use, recorded
	claimRepeat                    // used before by a request with the same print
	claimUsed                      // used before by another request
	claimFull                      // not recorded: the bucket is full
)

func newUsedNonces() *usedNonces {
	return &usedNonces{seed: maphash.MakeSeed()}
}

// claim records that the request with the print fp uses nonce id, unless
// something used it before.
func (u *usedNonces) claim(id nonceID, fp uint64) claimResult {
	sh := &u.shards[id.mac%usedShards]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	g := &sh.gens[id.bucket%usedGens]
	switch {
	case g.m != nil && g.bucket == id.bucket:
	case g.m != nil && g.bucket > id.bucket:
		// Buckets only move forwards (see nonceSigner): a nonce this old
		// is past its lifetime, which check refuses first.
		return claimUsed
	default:
		// The slot is empty or holds a bucket whose nonces have all
		// expired.
		if g.m != nil {
			g.hint = len(g.m)
		}
		g.bucket = id.bucket
		g.m = make(map[uint64]uint64, g.hint)
	}
	if p, ok := g.m[id.mac]; ok {
		if fp != 0 && p == fp {
			return claimRepeat
		}
		return claimUsed
	}
	if len(g.m) >= usedPerShard {
		u.full.Store(id.bucket + 1)
		return claimFull
	}
	g.m[id.mac] = fp
	return claimFresh
}

// expire drops the generations of buckets before oldest.
func (u *usedNonces) expire(oldest uint32) {
	for i := range u.shards {
		sh := &u.shards[i]
		sh.mu.Lock()
		for j := range sh.gens {
			if g := &sh.gens[j]; g.m != nil && g.bucket < oldest {
				g.hint, g.m = len(g.m), nil
			}
		}
		sh.mu.Unlock()
	}
}

// overflowed reports, once per bucket, that answers were refused because
// the bucket was full.
func (u *usedNonces) overflowed() bool {
	b := u.full.Load()
	return b != 0 && u.reported.Swap(b) != b
}

// count is the number of used nonces remembered.
func (u *usedNonces) count() int {
	n := 0
	for i := range u.shards {
		sh := &u.shards[i]
		sh.mu.Lock()
		for _, g := range sh.gens {
			n += len(g.m)
		}
		sh.mu.Unlock()
	}
	return n
}

// requestPrint identifies a REGISTER for its retransmissions, which the
// stateless registrar processes again: a retransmission repeats the
// transaction (From tag, CSeq, top Via branch) and comes from the same
// address over the same transport, with the same Contact and Expires. The
// same Authorization sent from another address, or with another binding,
// is a replay and gets a print of its own. Never 0.
func (u *usedNonces) requestPrint(r *regRequest) uint64 {
	var h maphash.Hash
	h.SetSeed(u.seed)
	a := r.src.Addr().As16()
	h.Write(a[:])
	var port [2]byte
	binary.BigEndian.PutUint16(port[:], r.src.Port())
	h.Write(port[:])
	h.WriteString(r.transport)
	h.WriteByte(0)
	req := r.req
	if from := req.From(); from != nil {
		tag, _ := from.Params.Get("tag")
		h.WriteString(tag)
	}
	h.WriteByte(0)
	if cseq := req.CSeq(); cseq != nil {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], cseq.SeqNo)
		h.Write(n[:])
		h.WriteString(string(cseq.MethodName))
	}
	h.WriteByte(0)
	if via := req.Via(); via != nil {
		branch, _ := via.Params.Get("branch")
		h.WriteString(branch)
	}
	h.WriteByte(0)
	// Walked once, without rendering: the hot path allocates nothing here.
	for _, hd := range req.Headers() {
		switch v := hd.(type) {
		case *sip.ContactHeader:
			h.WriteString(v.DisplayName)
			h.WriteByte(0)
			writeURI(&h, &v.Address)
			writeParams(&h, v.Params)
		case *sip.ExpiresHeader:
			var n [4]byte
			binary.BigEndian.PutUint32(n[:], uint32(*v))
			h.WriteByte(1)
			h.Write(n[:])
		default:
			if strings.EqualFold(hd.Name(), "Expires") { // not a number
				h.WriteByte(2)
				h.WriteString(hd.Value())
			}
		}
	}
	return h.Sum64() | 1
}

func writeURI(h *maphash.Hash, u *sip.Uri) {
	h.WriteString(u.Scheme)
	h.WriteByte(0)
	h.WriteString(u.User)
	h.WriteByte(0)
	h.WriteString(u.Password)
	h.WriteByte(0)
	h.WriteString(u.Host)
	var port [4]byte
	binary.BigEndian.PutUint32(port[:], uint32(u.Port))
	h.Write(port[:])
	writeParams(h, u.UriParams)
	writeParams(h, u.Headers)
}

func writeParams(h *maphash.Hash, hp sip.HeaderParams) {
	for _, kv := range hp {
		h.WriteString(kv.K)
		h.WriteByte('=')
		h.WriteString(kv.V)
		h.WriteByte(0)
	}
	h.WriteByte(1)
}
