package chansip

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
)

// regFakeClock fires timers only when the test advances it.
type regFakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*regFakeTimer
}

type regFakeTimer struct {
	c       *regFakeClock
	at      time.Time
	f       func()
	stopped bool
}

func (t *regFakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *regFakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *regFakeClock) AfterFunc(d time.Duration, f func()) regTimer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &regFakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// advance moves time forward, firing due timers in order, each at its
// own instant.
func (c *regFakeClock) advance(d time.Duration) {
	end := c.Now().Add(d)
	for {
		c.mu.Lock()
		sort.SliceStable(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
		var next *regFakeTimer
		for i, t := range c.timers {
			if t.stopped {
				continue
			}
			if !t.at.After(end) {
				next = t
				t.stopped = true
				c.timers = append(c.timers[:i:i], c.timers[i+1:]...)
			}
			break
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

type sent struct {
	m   regMsg
	gen int
}

type regHarness struct {
	t     *testing.T
	clock *regFakeClock
	log   *logRec
	g     sipconf.General
	mu    sync.Mutex
	sent  []sent
	r     *outReg
}

func newRegHarness(t *testing.T, line string, tweak func(*sipconf.General)) *regHarness {
	t.Helper()
	conf, err := sipconf.ParseRegister(line)
	if err != nil {
		t.Fatal(err)
	}
	h := &regHarness{t: t, clock: &regFakeClock{now: time.Date(2026, 11, 22, 11, 49, 36, 0, time.UTC)}, log: &logRec{}}
	h.g = sipconf.General{RegisterTimeout: 20, DefaultExpiry: 120, MaxExpiry: 3600}
	if tweak != nil {
		tweak(&h.g)
	}
	if conf.Expiry == 0 {
		conf.Expiry = h.g.DefaultExpiry
	}
	env := &regEnv{clock: h.clock, log: h.log, general: func() *sipconf.General { return &h.g },
		transmit: func(r *outReg, m regMsg, gen int) {
			h.mu.Lock()
			h.sent = append(h.sent, sent{m, gen})
			h.mu.Unlock()
		}}
	h.r = newOutReg(env, conf)
	return h
}

func (h *regHarness) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.sent)
}

func (h *regHarness) last() sent {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sent) == 0 {
		h.t.Fatal("nothing sent")
	}
	return h.sent[len(h.sent)-1]
}

// reply answers the last REGISTER sent.
func (h *regHarness) reply(code int, reason string, hdrs ...sip.Header) {
	h.t.Helper()
	s := h.last()
	req, err := buildRegister(s.m, netip.MustParseAddrPort("127.0.0.1:5060"), "test")
	if err != nil {
		h.t.Fatal(err)
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, hd := range hdrs {
		res.AppendHeader(hd)
	}
	h.r.onResponse(s.gen, res)
}

func (h *regHarness) state() sipshow.RegistryState { return h.r.view() }

const refLine = "0033972124831:secretpw@127.0.0.1:5070/0033972124831~1800"

func TestOutRegChallengesThenRegistersAndRefreshes(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	first := h.last().m
	if st := h.state(); st.State != sipshow.RegRequestSent || st.Refresh != 0 {
		t.Fatalf("after start: %+v", st)
	}
	if first.authName != "" || first.expiry != 1800 || first.contact != "0033972124831" || first.uri != "sip:127.0.0.1:5070" {
		t.Fatalf("first REGISTER: %+v", first)
	}

	h.reply(401, "Unauthorized", sip.NewHeader("WWW-Authenticate", `Digest realm="sip-domain.io", nonce="n1", algorithm=MD5`))
	second := h.last().m
	if h.state().State != sipshow.RegAuthSent || second.authName != "Authorization" {
		t.Fatalf("after 401: state %v, %+v", h.state().State, second)
	}
	if second.callID != first.callID || second.cseq != first.cseq+1 {
		t.Errorf("auth REGISTER must keep the Call-ID and raise CSeq: %+v vs %+v", second, first)
	}
	c, err := digest.Parse(second.authValue)
	if err != nil {
		t.Fatal(err)
	}
	if c.Username != "0033972124831" || c.URI != "sip:127.0.0.1:5070" ||
		!digest.Check(digest.HA1("0033972124831", "sip-domain.io", "secretpw"), "REGISTER", c) {
		t.Errorf("bad credentials %+v", c)
	}

	h.reply(407, "Proxy Authentication Required", sip.NewHeader("Proxy-Authenticate", `Digest realm="proxy", nonce="n2"`))
	if m := h.last().m; m.authName != "Proxy-Authorization" || h.state().State != sipshow.RegAuthSent {
		t.Fatalf("after 407: %v %+v", h.state().State, m)
	}

	h.reply(200, "OK", sip.NewHeader("Contact", "<sip:0033972124831@127.0.0.1:5060>;expires=1800"))
	st := h.state()
	if st.State != sipshow.RegRegistered || st.Refresh != 1785 || !st.RegTime.Equal(h.clock.Now()) {
		t.Fatalf("after 200: %+v", st)
	}
	n := h.count()
	h.clock.advance(1784 * time.Second)
	if h.count() != n {
		t.Fatal("re-registered too early")
	}
	h.clock.advance(time.Second)
	if h.count() != n+1 {
		t.Fatalf("no re-registration at expiry minus 15 s")
	}
	again := h.last().m
	if again.callID != first.callID || again.authName != "" || h.state().State != sipshow.RegRequestSent {
		t.Errorf("refresh REGISTER: %+v state %v", again, h.state().State)
	}
	// chan_sip's registry keeps one local tag with its Call-ID.
	if again.fromTag == "" || again.fromTag != first.fromTag || second.fromTag != first.fromTag {
		t.Errorf("From tag changed: %q, %q, then %q", first.fromTag, second.fromTag, again.fromTag)
	}
	if len(h.log.take()) != 0 {
		t.Error("a successful registration logs no notice")
	}
}

func TestOutRegTimeoutRetriesThenGivesUp(t *testing.T) {
	h := newRegHarness(t, refLine, func(g *sipconf.General) { g.RegisterAttempts = 3 })
	h.r.start()
	h.clock.advance(19 * time.Second)
	if h.count() != 1 {
		t.Fatal("retried before registertimeout")
	}
	h.clock.advance(time.Second)
	h.clock.advance(20 * time.Second)
	if h.count() != 3 || h.state().State != sipshow.RegRequestSent {
		t.Fatalf("sent %d, state %v", h.count(), h.state().State)
	}
	h.clock.advance(20 * time.Second)
	h.clock.advance(200 * time.Second)
	if h.count() != 3 {
		t.Errorf("sent %d REGISTERs, want 3 (registerattempts=3)", h.count())
	}
	if st := h.state(); st.State != sipshow.RegFailed || st.Refresh != 0 {
		t.Errorf("state %+v, want Failed", st)
	}
	want := []string{
		"NOTICE:    -- Registration for '0033972124831@127.0.0.1' timed out, trying again (Attempt #2)",
		"NOTICE:    -- Registration for '0033972124831@127.0.0.1' timed out, trying again (Attempt #3)",
		"NOTICE:    -- Last Registration Attempt #3 failed, Giving up forever trying to register '0033972124831@127.0.0.1'",
	}
	if got := h.log.take(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOutRegRetriesForeverByDefault(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	h.clock.advance(20 * 50 * time.Second)
	if h.count() != 51 {
		t.Errorf("sent %d, want 51 with registerattempts=0", h.count())
	}
	if h.state().State != sipshow.RegRequestSent {
		t.Errorf("state %v", h.state().State)
	}
}

func TestOutRegFinalFailures(t *testing.T) {
	for _, tc := range []struct {
		code  int
		hdrs  []sip.Header
		state sipshow.RegState
		log   string
	}{
		{403, nil, sipshow.RegNoAuth, "WARNING: Forbidden - wrong password on authentication for REGISTER for '0033972124831' to '127.0.0.1'"},
		{404, nil, sipshow.RegRejected, "WARNING: Got 404 Not found on SIP register to service 0033972124831@127.0.0.1, giving up"},
		{479, nil, sipshow.RegRejected, "WARNING: Got error 479 on register to 0033972124831@127.0.0.1, giving up (check config)"},
		{423, []sip.Header{sip.NewHeader("Min-Expires", "7200")}, sipshow.RegRejected,
			"WARNING: Got 423 Interval too brief for service 0033972124831@127.0.0.1, minimum is 7200 seconds"},
	} {
		h := newRegHarness(t, refLine, nil)
		h.r.start()
		h.reply(tc.code, "No", tc.hdrs...)
		if st := h.state(); st.State != tc.state {
			t.Errorf("%d: state %v, want %v", tc.code, st.State, tc.state)
		}
		if got := h.log.take(); len(got) == 0 || got[0] != tc.log {
			t.Errorf("%d: log %q, want %q", tc.code, got, tc.log)
		}
		h.clock.advance(time.Hour)
		if h.count() != 1 {
			t.Errorf("%d: %d REGISTERs after a final failure, want no retry", tc.code, h.count())
		}
	}
}

func TestOutReg423RetriesWithMinExpires(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	h.reply(423, "Interval Too Brief", sip.NewHeader("Min-Expires", "2000"))
	if m := h.last().m; h.count() != 2 || m.expiry != 2000 {
		t.Fatalf("after 423: %d sent, %+v", h.count(), m)
	}
}

func TestOutRegGivesUpAfterThreeChallenges(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	ch := sip.NewHeader("WWW-Authenticate", `Digest realm="r", nonce="n"`)
	for range 4 {
		h.reply(401, "Unauthorized", ch)
	}
	if h.count() != 4 {
		t.Fatalf("sent %d, want the first REGISTER and 3 answers", h.count())
	}
	if got := h.log.take(); len(got) != 1 || got[0] != "NOTICE: Failed to authenticate on REGISTER to '0033972124831@127.0.0.1' (Tries 3)" {
		t.Errorf("log %q", got)
	}
	// The registration timeout starts over with a fresh REGISTER.
	h.clock.advance(20 * time.Second)
	if m := h.last().m; h.count() != 5 || m.authName != "" {
		t.Errorf("no fresh retry after the timeout: %d %+v", h.count(), m)
	}
}

func TestOutRegStaleResponseIgnored(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	old := h.last()
	h.clock.advance(20 * time.Second) // retry: a new generation
	req, _ := buildRegister(old.m, netip.MustParseAddrPort("127.0.0.1:5060"), "test")
	h.r.onResponse(old.gen, sip.NewResponseFromRequest(req, 200, "OK", nil))
	if h.state().State != sipshow.RegRequestSent {
		t.Errorf("a late answer to an abandoned REGISTER changed the state to %v", h.state().State)
	}
}

func TestOutRegGrantedExpiry(t *testing.T) {
	for _, tc := range []struct {
		hdrs    []sip.Header
		refresh int
	}{
		{nil, 1785}, // what we asked for
		{[]sip.Header{sip.NewHeader("Expires", "600")}, 585},
		{[]sip.Header{sip.NewHeader("Contact", "<sip:other@10.0.0.1>;expires=60, <sip:0033972124831@127.0.0.1:5060>;expires=300"),
			sip.NewHeader("Expires", "600")}, 285},
		{[]sip.Header{sip.NewHeader("Expires", "20")}, 16}, // short: 20 % early
		{[]sip.Header{sip.NewHeader("Expires", "2")}, 1},   // at least half a second early
	} {
		h := newRegHarness(t, refLine, nil)
		h.r.start()
		h.reply(200, "OK", tc.hdrs...)
		if st := h.state(); st.Refresh != tc.refresh {
			t.Errorf("%v: refresh %d, want %d", tc.hdrs, st.Refresh, tc.refresh)
		}
	}
}

func TestOutRegUnregisterOnStop(t *testing.T) {
	h := newRegHarness(t, refLine, nil)
	h.r.start()
	if ch := h.r.stop(true); ch != nil {
		t.Fatal("an unregistered line sent an un-REGISTER")
	}

	h = newRegHarness(t, refLine, nil)
	h.r.start()
	h.reply(200, "OK")
	done := h.r.stop(true)
	if done == nil {
		t.Fatal("no un-REGISTER")
	}
	if m := h.last().m; m.expiry != 0 {
		t.Fatalf("un-REGISTER expiry %d", m.expiry)
	}
	h.reply(401, "Unauthorized", sip.NewHeader("WWW-Authenticate", `Digest realm="r", nonce="n"`))
	if m := h.last().m; m.expiry != 0 || m.authName != "Authorization" {
		t.Fatalf("challenged un-REGISTER not answered: %+v", m)
	}
	h.reply(200, "OK")
	select {
	case <-done:
	default:
		t.Fatal("un-REGISTER answered but not reported")
	}
	n := h.count()
	h.clock.advance(time.Hour)
	if h.count() != n || h.state().State != sipshow.RegUnregistered {
		t.Errorf("stopped registration still active: %d sent, %v", h.count(), h.state().State)
	}
}

var (
	reRegBranch = regexp.MustCompile(`branch=z9hG4bK[^;\r\n]*`)
	reRegTag    = regexp.MustCompile(`tag=as[0-9a-f]{8}`)
)

func TestBuildRegisterGolden(t *testing.T) {
	for _, tc := range []struct{ name, line string }{
		{"reference", refLine},
		{"domain", "peer?user@example.com:5062:pw:auth@registrar.example.com/1234~300"},
		{"noext", "alice:pw@[::1]:5080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRegHarness(t, tc.line, nil)
			h.r.start()
			h.reply(401, "Unauthorized", sip.NewHeader("WWW-Authenticate", `Digest realm="r", nonce="n"`))
			m := h.last().m
			m.authValue = "<digest>"
			m.callID = "CALLID"
			req, err := buildRegister(m, netip.MustParseAddrPort("192.0.2.7:5060"), "Asterisk PBX 18.26.4")
			if err != nil {
				t.Fatal(err)
			}
			got := reRegTag.ReplaceAllString(reRegBranch.ReplaceAllString(req.String(), "branch=BRANCH"), "tag=TAG")
			path := filepath.Join("testdata", "outreg-"+tc.name+".txt")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("REGISTER\n--- got\n%s--- want\n%s", got, want)
			}
		})
	}
}
