package chansip

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// rawRegister is one REGISTER written out in full, so that a test can send
// the very bytes again, from the same socket or from another one.
type rawRegister struct {
	user, callID, fromTag string
	cseq                  int
	via                   netip.AddrPort // the sender's address, for Via and Contact
	auth                  string
}

func (r rawRegister) String(server netip.AddrPort) string {
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER sip:%s SIP/2.0\r\n", server)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s-%d;rport\r\n", r.via, r.callID, r.cseq)
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=%s\r\n", r.user, server.Addr(), r.fromTag)
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", r.user, server.Addr())
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d REGISTER\r\n", r.callID, r.cseq)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s;transport=UDP>\r\n", r.user, r.via)
	if r.auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", r.auth)
	}
	b.WriteString("Max-Forwards: 70\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n")
	return b.String()
}

func (p *phone) roundTrip(msg string) *response {
	p.t.Helper()
	p.send(msg)
	return p.recv()
}

func isStale(r *response) bool {
	return strings.HasSuffix(r.headers["www-authenticate"], ", stale=true")
}

// A REGISTER's Authorization is good once: a retransmission from the phone
// gets the same 200, the same bytes from another address get a new
// challenge (stale, as the answer was right) and leave the binding where
// it was, as does the Authorization in a new dialog (a plain challenge);
// the phone itself re-registers in its dialog through a stale challenge.
func TestRegisterReplay(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	phoneA, attacker := newPhone(t, env.addr), newPhone(t, env.addr)
	reg := rawRegister{user: "6000", callID: "replay-reg@test", fromTag: "a1", cseq: 1, via: phoneA.addr()}
	ch := phoneA.roundTrip(reg.String(env.addr))
	if ch.code != 401 {
		t.Fatalf("first REGISTER: %d", ch.code)
	}
	ans, err := digest.Answer(ch.headers["www-authenticate"], "REGISTER", "sip:"+env.addr.String(), "6000", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	reg.cseq, reg.auth = 2, ans
	captured := reg.String(env.addr)
	if r := phoneA.roundTrip(captured); r.code != 200 {
		t.Fatalf("authenticated REGISTER: %s", r.raw)
	}
	if r := phoneA.roundTrip(captured); r.code != 200 {
		t.Fatalf("its retransmission from the phone: %s", r.raw)
	}
	bound := func() netip.AddrPort {
		if r := env.d.regs.get("6000"); r != nil {
			return r.Addr
		}
		return netip.AddrPort{}
	}
	if bound() != phoneA.addr() {
		t.Fatalf("6000 bound to %v, want the phone at %v", bound(), phoneA.addr())
	}

	// The attacker sends the captured bytes as they are (its own address
	// would change the Contact: that is covered by the print too).
	if r := attacker.roundTrip(captured); r.code != 401 || !isStale(r) {
		t.Errorf("captured REGISTER replayed from another port: %d stale=%v, want 401 stale=true:\n%s", r.code, isStale(r), r.raw)
	}
	replay := reg
	replay.via = attacker.addr()
	if r := attacker.roundTrip(replay.String(env.addr)); r.code != 401 || !isStale(r) {
		t.Errorf("captured Authorization with the attacker's contact: %d stale=%v, want 401 stale=true", r.code, isStale(r))
	}
	replay.callID, replay.fromTag = "attacker@test", "x1"
	if r := attacker.roundTrip(replay.String(env.addr)); r.code != 401 || isStale(r) {
		t.Errorf("captured Authorization in a new dialog: %d stale=%v, want a plain 401", r.code, isStale(r))
	}
	if bound() != phoneA.addr() {
		t.Errorf("after the replays 6000 is bound to %v, want %v", bound(), phoneA.addr())
	}
	for _, l := range env.log.take() {
		if strings.HasPrefix(l, "NOTICE") {
			t.Errorf("a replay of a right answer logged as a failure: %s", l)
		}
	}

	// The phone refreshes in its dialog with the nonce it has: stale, then
	// 200 with the new one.
	reg.cseq = 3
	r := phoneA.roundTrip(reg.String(env.addr))
	if r.code != 401 || !isStale(r) {
		t.Fatalf("refresh with the used nonce: %d stale=%v, want 401 stale=true", r.code, isStale(r))
	}
	ans, err = digest.Answer(r.headers["www-authenticate"], "REGISTER", "sip:"+env.addr.String(), "6000", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	reg.cseq, reg.auth = 4, ans
	if r := phoneA.roundTrip(reg.String(env.addr)); r.code != 200 {
		t.Fatalf("refresh with the new nonce: %s", r.raw)
	}
	if n := env.d.regs.nonces.used.count(); n != 2 {
		t.Errorf("%d used nonces remembered after two registrations, want 2", n)
	}
}

// Our challenges offer no qop. svcrack names qop=auth in its answer with
// neither cnonce nor nc and hashes the RFC 2069 form; chan_sip accepts
// it, and so do we, as well as a proper RFC 2617 qop=auth answer.
func TestRegisterQopNotOffered(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	md5hex := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	uri := "sip:" + env.addr.String()
	for _, tc := range []struct {
		name   string
		answer func(nonce string) string
		want   int
	}{
		{"svcrack's answer", func(nonce string) string {
			ha1 := md5hex("6000:asterisk:test")
			res := md5hex(ha1 + ":" + nonce + ":" + md5hex("REGISTER:"+uri))
			return fmt.Sprintf(`Digest username="6000",realm="asterisk",nonce="%s",uri="%s",algorithm=MD5,qop=auth,response="%s"`, nonce, uri, res)
		}, 200},
		{"RFC 2617 qop=auth", func(nonce string) string {
			ha1 := md5hex("6000:asterisk:test")
			res := md5hex(ha1 + ":" + nonce + ":00000001:4a4f:auth:" + md5hex("REGISTER:"+uri))
			return fmt.Sprintf(`Digest username="6000", realm="asterisk", nonce="%s", uri="%s", qop=auth, nc=00000001, cnonce="4a4f", response="%s"`, nonce, uri, res)
		}, 200},
		{"svcrack's answer, wrong password", func(nonce string) string {
			ha1 := md5hex("6000:asterisk:guess")
			res := md5hex(ha1 + ":" + nonce + ":" + md5hex("REGISTER:"+uri))
			return fmt.Sprintf(`Digest username="6000",realm="asterisk",nonce="%s",uri="%s",algorithm=MD5,qop=auth,response="%s"`, nonce, uri, res)
		}, 403},
	} {
		ph := newPhone(t, env.addr)
		reg := rawRegister{user: "6000", callID: fmt.Sprintf("qop-%d", len(tc.name)), fromTag: "q", cseq: 1, via: ph.addr()}
		ch := ph.roundTrip(reg.String(env.addr))
		nonce := strings.TrimSuffix(strings.SplitN(ch.headers["www-authenticate"], `nonce="`, 2)[1], `"`)
		reg.cseq, reg.auth = 2, tc.answer(nonce)
		if r := ph.roundTrip(reg.String(env.addr)); r.code != tc.want {
			t.Errorf("%s: %d, want %d:\n%s", tc.name, r.code, tc.want, r.raw)
		}
	}
}

// An answer signed for another Request-URI does not authenticate this
// one: it is refused as a wrong password is (403, chan_sip's NOTICE).
func TestRegisterDigestURIMismatch(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	for _, tc := range []struct {
		uri  string
		want int
	}{
		{"sip:" + env.addr.String(), 200},
		{"sip:" + strings.ToUpper(env.addr.Addr().String()) + ":" + fmt.Sprint(env.addr.Port()) + ";transport=udp", 200},
		{"sip:other.example.com", 403},
		{"sip:" + env.addr.Addr().String() + ":5999", 403},
		{"sip:6001@" + env.addr.String(), 403},
	} {
		ph := newPhone(t, env.addr)
		reg := rawRegister{user: "6000", callID: fmt.Sprintf("uri-%x", md5.Sum([]byte(tc.uri))), fromTag: "u", cseq: 1, via: ph.addr()}
		ch := ph.roundTrip(reg.String(env.addr))
		ans, err := digest.Answer(ch.headers["www-authenticate"], "REGISTER", tc.uri, "6000", "test", 1)
		if err != nil {
			t.Fatal(err)
		}
		reg.cseq, reg.auth = 2, ans
		if r := ph.roundTrip(reg.String(env.addr)); r.code != tc.want {
			t.Errorf("digest uri %s: %d, want %d", tc.uri, r.code, tc.want)
		}
	}
	n := 0
	for _, l := range env.log.take() {
		if strings.Contains(l, "- Wrong password") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d 'Wrong password' notices for 3 answers signed for another URI", n)
	}
}

// alwaysauthreject: with nonces used up, an unknown user still gets
// exactly what a known one with a wrong password gets, step by step.
func TestFakeAuthUsesNoncesUp(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	steps := func(user string) []string {
		ph := newPhone(t, env.addr)
		reg := rawRegister{user: user, callID: "fake-" + user, fromTag: "f", cseq: 1, via: ph.addr()}
		var out []string
		ch := ph.roundTrip(reg.String(env.addr))
		out = append(out, fmt.Sprintf("%d stale=%v", ch.code, isStale(ch)))
		ans, err := digest.Answer(ch.headers["www-authenticate"], "REGISTER", "sip:"+env.addr.String(), user, "wrong", 1)
		if err != nil {
			t.Fatal(err)
		}
		reg.auth = ans
		for _, cseq := range []int{2, 2, 3} { // the answer, its retransmission, the answer again
			reg.cseq = cseq
			r := ph.roundTrip(reg.String(env.addr))
			out = append(out, fmt.Sprintf("%d stale=%v", r.code, isStale(r)))
		}
		return out
	}
	known, unknown := steps("6000"), steps("9999")
	want := []string{"401 stale=false", "403 stale=false", "403 stale=false", "401 stale=false"}
	if strings.Join(known, ", ") != strings.Join(want, ", ") {
		t.Errorf("known user, wrong password: %v, want %v", known, want)
	}
	if strings.Join(unknown, ", ") != strings.Join(known, ", ") {
		t.Errorf("unknown user %v, known user with a wrong password %v: told apart", unknown, known)
	}
}
