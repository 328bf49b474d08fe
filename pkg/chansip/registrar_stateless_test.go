package chansip

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
)

// REGISTER is answered without a transaction, so a retransmission is
// processed again: it must get the answer the original got.
func TestRegisterRetransmissionsGetTheSameAnswer(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	p := newPhone(t, env.addr)
	me := p.addr()

	first := registerMsg(me, env.addr, "nat", 2, "")
	p.send(first)
	c1 := p.recv()
	p.send(first)
	c2 := p.recv()
	if c1.code != 401 || c2.code != 401 {
		t.Fatalf("unauthenticated REGISTER and its retransmission: %d, %d; want 401 twice", c1.code, c2.code)
	}
	if normalize(c1.raw, me) != normalize(c2.raw, me) {
		t.Errorf("retransmitted challenge differs:\n%s\n---\n%s", c1.raw, c2.raw)
	}

	// Either challenge's nonce is valid: answer the first one and send the
	// answer three times, as a phone that lost the 200s would.
	ans, err := digest.Answer(c1.headers["www-authenticate"], "REGISTER", "sip:"+env.addr.String(), "nat", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	second := registerMsg(me, env.addr, "nat", 4, ans)
	var oks []*response
	for range 3 {
		p.send(second)
		oks = append(oks, p.recv())
	}
	for i, r := range oks {
		if r.code != 200 {
			t.Fatalf("authenticated REGISTER #%d: %d, want 200:\n%s", i+1, r.code, r.raw)
		}
		if r.headers["contact"] != oks[0].headers["contact"] || r.headers["expires"] != oks[0].headers["expires"] {
			t.Errorf("answer #%d grants %q/%q, the first granted %q/%q", i+1,
				r.headers["contact"], r.headers["expires"], oks[0].headers["contact"], oks[0].headers["expires"])
		}
	}
	out := env.rx(t, "sip show peers")
	if !regexp.MustCompile(`(?m)^nat\s+127\.0\.0\.1 `).MatchString(out) {
		t.Errorf("peer not registered after the exchange:\n%s", out)
	}
	if lines := env.log.take(); len(lines) > 1 {
		// One "Registered SIP 'nat'" line: the repeats are refreshes.
		n := 0
		for _, l := range lines {
			if strings.Contains(l, "Registered SIP 'nat'") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d 'Registered' lines for one registration and its retransmissions: %q", n, lines)
		}
	}
}
