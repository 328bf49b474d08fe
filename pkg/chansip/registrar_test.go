package chansip

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRegistrarBranches(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	tests := []struct {
		name     string
		opts     regOpts
		first    int // status of the unauthenticated REGISTER
		second   int // status of the answer to the challenge (0: none sent)
		logs     []string
		noLogs   bool
		register bool // 6000 is registered afterwards
	}{
		{
			name:  "success",
			opts:  regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600", userAgent: "SIPp-reg-6000"},
			first: 401, second: 200,
			logs:     []string{"VERBOSE3: Registered SIP '6000' at 127.0.0.1:PORT"},
			register: true,
		},
		{
			name:  "wrong password",
			opts:  regOpts{user: "6000", authUser: "6000", password: "nope", expires: "3600"},
			first: 401, second: 403, register: true,
			logs: []string{"NOTICE: Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:PORT' - Wrong password"},
		},
		{
			name:  "unknown peer",
			opts:  regOpts{user: "9999", authUser: "9999", password: "test", expires: "3600"},
			first: 401, second: 403, register: true,
			logs: []string{
				"NOTICE: Registration from '<sip:9999@127.0.0.1>' failed for '127.0.0.1:PORT' - No matching peer found",
				"NOTICE: Registration from '<sip:9999@127.0.0.1>' failed for '127.0.0.1:PORT' - No matching peer found",
			},
		},
		{
			name:  "digest username is the default user",
			opts:  regOpts{user: "6000", authUser: "asadek", password: "test", expires: "3600"},
			first: 401, second: 403, register: true,
			logs: []string{
				"WARNING: username mismatch, have <6000>, digest has <asadek>",
				"NOTICE: Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:PORT' - Username/auth name mismatch",
			},
		},
		{
			name:  "static peer",
			opts:  regOpts{user: "static", authUser: "static", password: "test", expires: "3600"},
			first: 401, second: 403, register: true,
			logs: []string{
				"NOTICE: Registration from '<sip:static@127.0.0.1>' failed for '127.0.0.1:PORT' - Peer is not supposed to register",
				"NOTICE: Registration from '<sip:static@127.0.0.1>' failed for '127.0.0.1:PORT' - Peer is not supposed to register",
			},
		},
		{
			name:  "acl",
			opts:  regOpts{user: "acl", authUser: "acl", password: "test", expires: "3600"},
			first: 401, second: 403, register: true,
			logs: []string{
				"NOTICE: Registration from '<sip:acl@127.0.0.1>' failed for '127.0.0.1:PORT' - Device does not match ACL",
				"NOTICE: Registration from '<sip:acl@127.0.0.1>' failed for '127.0.0.1:PORT' - Device does not match ACL",
			},
		},
		{
			name:  "interval too brief",
			opts:  regOpts{user: "6000", authUser: "6000", password: "test", expires: "30"},
			first: 401, second: 423, register: true,
		},
		{
			name:  "unregister with Expires 0",
			opts:  regOpts{user: "6000", authUser: "6000", password: "test", expires: "0"},
			first: 401, second: 200,
			logs: []string{"VERBOSE3: Unregistered SIP '6000'"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ph := newPhone(t, env.addr)
			env.log.take()
			first, second := ph.registerAuth(tc.opts)
			if first.code != tc.first {
				t.Fatalf("first response %d, want %d:\n%s", first.code, tc.first, first.raw)
			}
			if tc.second != 0 {
				if second == nil || second.code != tc.second {
					t.Fatalf("second response %v, want %d", second, tc.second)
				}
			}
			port := fmt.Sprint(ph.addr().Port())
			var want []string
			for _, l := range tc.logs {
				want = append(want, strings.ReplaceAll(l, "PORT", port))
			}
			got := env.log.take()
			if !slices.Equal(got, want) {
				t.Errorf("logs:\n got %q\nwant %q", got, want)
			}
			if reg := env.d.regs.get("6000"); (reg != nil) != tc.register {
				t.Errorf("registered = %v, want %v", reg != nil, tc.register)
			}
		})
	}
}

func TestRegisterGrantsAndPersists(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	me := ph.addr()
	_, ok := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600",
		userAgent: "SIPp-reg-6000", supported: "replaces, path, bogus"})
	if ok.code != 200 {
		t.Fatalf("status %d", ok.code)
	}
	contact := fmt.Sprintf("sip:6000@%s;transport=UDP", me)
	if got, want := ok.headers["contact"], "<"+contact+">;expires=3600"; got != want {
		t.Errorf("Contact %q, want %q", got, want)
	}
	if got := ok.headers["expires"]; got != "3600" {
		t.Errorf("Expires %q", got)
	}
	for _, h := range []string{"server", "allow", "supported", "date"} {
		if ok.headers[h] == "" {
			t.Errorf("200 OK lacks %s", h)
		}
	}
	if ok.headers["server"] != "Asterisk PBX 18.26.4" {
		t.Errorf("Server %q", ok.headers["server"])
	}
	v, _ := env.store.Get("SIP/Registry", "6000")
	if want := fmt.Sprintf("%s:3600:asadek:%s", me, contact); v != want {
		t.Errorf("astdb %q, want %q", v, want)
	}
	st := env.d.View().Peers["6000"]
	if st.Addr != me || st.UserAgent != "SIPp-reg-6000" || st.FullContact != contact {
		t.Errorf("peer state %+v", st)
	}
	if !slices.Equal(st.SIPOptions, []string{"replaces", "path"}) {
		t.Errorf("SIP options %q", st.SIPOptions)
	}
	// chan_sip keeps a registration 10 s past what it granted.
	if left := time.Until(st.Expires); left < 3605*time.Second || left > 3610*time.Second {
		t.Errorf("expires in %v", left)
	}

	// Re-registration from the same place is silent.
	env.log.take()
	ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "7200"})
	if l := env.log.take(); len(l) != 0 {
		t.Errorf("re-registration logged %q", l)
	}
	if r := env.d.regs.get("6000"); r.Expiry != 3600 {
		t.Errorf("maxexpiry not applied: %d", r.Expiry)
	}
	// No Expires anywhere: defaultexpiry.
	ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test"})
	if r := env.d.regs.get("6000"); r.Expiry != 1800 {
		t.Errorf("defaultexpiry not applied: %d", r.Expiry)
	}
	// The Contact's expires parameter counts when there is no header.
	ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test",
		contact: fmt.Sprintf("<%s>;expires=600", contact)})
	if r := env.d.regs.get("6000"); r.Expiry != 600 {
		t.Errorf("contact expires not applied: %d", r.Expiry)
	}
	// Contact: * unregisters.
	_, res := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", contact: "*", expires: "0"})
	if res.code != 200 || env.d.regs.get("6000") != nil {
		t.Fatalf("Contact * did not unregister: %d", res.code)
	}
	if _, ok := env.store.Get("SIP/Registry", "6000"); ok {
		t.Error("astdb row left after unregistration")
	}
	if res.headers["contact"] != "" || res.headers["expires"] != "0" {
		t.Errorf("unregister reply: %q", res.raw)
	}
}

func TestIntervalTooBriefHeaders(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	_, res := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "10"})
	if res.code != 423 || res.headers["min-expires"] != "60" {
		t.Fatalf("got %s", res.raw)
	}
}

// TestEnumeration checks alwaysauthreject: an existing peer with a wrong
// password and a peer that does not exist get the same bytes back, but
// for the nonce and tags.
func TestEnumeration(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	runAs := func(user string) (string, string) {
		ph := newPhone(t, env.addr)
		first, second := ph.registerAuth(regOpts{user: user, authUser: user, password: "wrong",
			expires: "3600", callID: "same-call-id"})
		mask := func(s string) string { return strings.ReplaceAll(normalize(s, ph.addr()), user, "USER") }
		return mask(first.raw), mask(second.raw)
	}
	e1, e2 := runAs("6000")
	m1, m2 := runAs("9999")
	if e1 != m1 {
		t.Errorf("challenges differ:\n%s\n---\n%s", e1, m1)
	}
	if e2 != m2 {
		t.Errorf("rejections differ:\n%s\n---\n%s", e2, m2)
	}
	if !strings.HasPrefix(e1, "SIP/2.0 401 Unauthorized\r\n") || !strings.HasPrefix(e2, "SIP/2.0 403 Forbidden\r\n") {
		t.Errorf("unexpected responses:\n%s\n%s", e1, e2)
	}
	if !strings.Contains(e1, `WWW-Authenticate: Digest algorithm=MD5, realm="asterisk", nonce="N"`+"\r\n") {
		t.Errorf("challenge header:\n%s", e1)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestStaleNonce(t *testing.T) {
	clk := &fakeClock{t: time.Now()}
	cfg := loadConf(t, testSIPConf)
	store := newMemStore()
	env := &testEnv{log: &logRec{}, store: store}
	d, err := New(Options{Config: cfg, Log: env.log, Store: store, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	ph := newPhone(t, d.LocalAddr())
	// One dialog throughout: a nonce is only ever good in its own.
	const callID = "stale@test"
	first := ph.register(regOpts{user: "6000", expires: "3600", callID: callID})
	clk.add(nonceLifetime + time.Second)
	// Right password, old nonce: a new challenge saying stale, no failure.
	res := ph.register(regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600",
		challenge: first.headers["www-authenticate"], callID: callID, cseq: 2})
	if res.code != 401 || !strings.HasSuffix(res.headers["www-authenticate"], ", stale=true") {
		t.Fatalf("stale answer: %s", res.raw)
	}
	// Wrong password, old nonce: a plain new challenge.
	res2 := ph.register(regOpts{user: "6000", authUser: "6000", password: "bad", expires: "3600",
		challenge: first.headers["www-authenticate"], callID: callID, cseq: 3})
	if res2.code != 401 || strings.Contains(res2.headers["www-authenticate"], "stale") {
		t.Fatalf("stale nonce, bad password: %s", res2.raw)
	}
	// The fresh nonce works.
	res3 := ph.register(regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600",
		challenge: res.headers["www-authenticate"], callID: callID, cseq: 4})
	if res3.code != 200 {
		t.Fatalf("fresh nonce: %s", res3.raw)
	}
	if l := env.log.take(); slices.ContainsFunc(l, func(s string) bool { return strings.HasPrefix(s, "NOTICE") }) {
		t.Errorf("stale nonces logged as failures: %q", l)
	}

	// Expiry: the registration goes once its time (plus chan_sip's 10 s
	// guard) has passed.
	clk.add(3611 * time.Second)
	deadline := time.Now().Add(3 * time.Second)
	for d.regs.get("6000") != nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if d.regs.get("6000") != nil {
		t.Fatal("registration did not expire")
	}
	if _, ok := store.Get("SIP/Registry", "6000"); ok {
		t.Error("expired registration left in astdb")
	}
}

func TestNATForceRport(t *testing.T) {
	env := startDriver(t, loadConf(t, testSIPConf), nil)
	ph := newPhone(t, env.addr)
	// The phone claims a private address in Via and Contact; with
	// nat=force_rport the registration and the replies use the source.
	_, res := ph.registerAuth(regOpts{user: "nat", authUser: "nat", password: "test", expires: "600",
		viaHost: "10.9.9.9:5060", noRport: true, contact: "<sip:nat@10.9.9.9:5060>"})
	if res == nil || res.code != 200 {
		t.Fatalf("no 200 at the source address: %v", res)
	}
	if r := env.d.regs.get("nat"); r == nil || r.Addr != ph.addr() {
		t.Fatalf("registered at %v, want %v", r, ph.addr())
	}
	if !strings.Contains(res.headers["via"], fmt.Sprintf("rport=%d", ph.addr().Port())) {
		t.Errorf("Via lacks rport: %q", res.headers["via"])
	}

	// Without force_rport but with NAT detected (auto_force_rport, the
	// default), the source wins too.
	_, res = ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "600",
		viaHost: "10.9.9.9:5060", contact: "<sip:6000@10.9.9.9:5060>"})
	if r := env.d.regs.get("6000"); res == nil || r == nil || r.Addr != ph.addr() {
		t.Fatalf("auto_force_rport: registered at %v", r)
	}
}
