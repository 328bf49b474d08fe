package funcs

import (
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestChannelInfo: CHANNELS, CHANNEL_EXISTS, MASTER_CHANNEL,
// CDR_PROP and SYSINFO on live channels.
func TestChannelInfo(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	caller := pbxtest.NewPhone(nil).NewChannel(e, "alice", "sub", "s")
	defer caller.Hangup(0)
	callee := e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "bob", Requestor: caller})
	defer callee.Hangup(0)
	other := e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "carol", Requestor: caller})
	defer other.Hangup(0)
	caller.SetVar("WHO", "master")
	log.take()

	for _, tc := range []struct {
		ch             *pbx.Channel
		in, want, warn string
	}{
		{caller, "${CHANNELS(^sip/)}", callee.Name() + " " + other.Name(), ""},
		{caller, "${CHANNELS(bob)}", callee.Name(), ""},
		{caller, "${CHANNELS(()}", "", "Error compiling regular expression for CHANNELS((): error parsing regexp: missing closing ): `(?i)(`"},
		{caller, "${CHANNEL_EXISTS(" + callee.Name() + ")}${CHANNEL_EXISTS(" + caller.UniqueID() + ")}${CHANNEL_EXISTS(SIP/nobody-0)}", "110", ""},
		{caller, "${CHANNEL_EXISTS()}", "", "CHANNEL_EXISTS: Channel name or unique ID required"},
		{callee, "${MASTER_CHANNEL(WHO)}", "master", ""},
		{callee, "${MASTER_CHANNEL(CHANNEL(name))}", caller.Name(), ""},
		{caller, "${SYSINFO(numcalls)}", "0", ""},
		{caller, "${SYSINFO(bogus)}", "", "Unknown sysinfo parameter type 'bogus'."},
	} {
		if got := e.Substitute(tc.ch, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
		w := warnings(log.take())
		if tc.warn == "" && len(w) > 0 || tc.warn != "" && (len(w) != 1 || w[0] != tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.in, w, tc.warn)
		}
	}
	for _, p := range []string{"loadavg", "uptime", "totalram", "freeram", "numprocs"} {
		if got := e.Substitute(caller, "${SYSINFO("+p+")}"); got == "" {
			t.Errorf("SYSINFO(%s) is empty", p)
		}
	}
	if err := e.Assign(callee, "MASTER_CHANNEL(FROMCALLEE)", "yes"); err != nil {
		t.Fatal(err)
	}
	if v, _ := caller.Var("FROMCALLEE"); v != "yes" {
		t.Errorf("MASTER_CHANNEL write: %q", v)
	}
	if err := e.Assign(caller, "CDR_PROP(disable)", "yes"); err != nil || !caller.CDR().Disabled {
		t.Errorf("CDR_PROP(disable)=yes: %v, disabled %v", err, caller.CDR().Disabled)
	}
	if err := e.Assign(caller, "CDR_PROP(disable)", "no"); err != nil || caller.CDR().Disabled {
		t.Errorf("CDR_PROP(disable)=no: %v, disabled %v", err, caller.CDR().Disabled)
	}
	if err := e.Assign(caller, "CDR_PROP(colour)", "1"); err == nil || err.Error() != "Unknown option colour used with CDR_PROP" {
		t.Errorf("CDR_PROP(colour): %v", err)
	}
}

// TestLocks: LOCK is exclusive across channels, re-entrant, waits up to
// its timeout, and a hang-up frees what the channel held.
func TestLocks(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	a := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	b := pbxtest.NewPhone(nil).NewChannel(e, "b", "sub", "s")
	defer b.Hangup(0)
	read := func(ch *pbx.Channel, s string) string { return e.Substitute(ch, s) }
	if got := read(b, "${UNLOCK(x)}"); got != "0" {
		t.Errorf("UNLOCK before any lock = %q", got)
	}
	if w := warnings(log.take()); len(w) != 1 || w[0] != "No datastore for dialplan locks.  Nothing was ever locked!" {
		t.Errorf("warnings %q", w)
	}
	if got := read(a, "${LOCK(x)}${LOCK(x)}${TRYLOCK(y)}"); got != "111" {
		t.Fatalf("a locks = %q", got)
	}
	if got := read(b, "${TRYLOCK(x)}${TRYLOCK(y)}${UNLOCK(x)}"); got != "000" {
		t.Errorf("b while a holds = %q", got)
	}
	if got := read(a, "${UNLOCK(x)}"); got != "1" {
		t.Errorf("a first unlock = %q", got)
	}
	if got := read(b, "${TRYLOCK(x)}"); got != "0" {
		t.Errorf("x still held once: %q", got)
	}
	// b waits in LOCK; a's second UNLOCK lets it in.
	var wg sync.WaitGroup
	var got string
	wg.Add(1)
	go func() { defer wg.Done(); got = read(b, "${LOCK(x)}") }()
	time.Sleep(50 * time.Millisecond)
	if r := read(a, "${UNLOCK(x)}"); r != "1" {
		t.Errorf("a second unlock = %q", r)
	}
	wg.Wait()
	if got != "1" {
		t.Errorf("b LOCK after release = %q", got)
	}
	// a hangs up holding y: b gets it.
	a.Hangup(0)
	deadline := time.Now().Add(5 * time.Second)
	for read(b, "${TRYLOCK(y)}") != "1" {
		if time.Now().After(deadline) {
			t.Fatal("y not freed by a's hang-up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// LOCK gives up after its wait when the holder keeps it.
	c := pbxtest.NewPhone(nil).NewChannel(e, "c", "sub", "s")
	defer c.Hangup(0)
	start := time.Now()
	if r := read(c, "${LOCK(y)}"); r != "0" {
		t.Errorf("c LOCK of held y = %q", r)
	}
	if d := time.Since(start); d < lockWait-100*time.Millisecond {
		t.Errorf("LOCK gave up after %v, want about %v", d, lockWait)
	}
}

// sipPhone is a test driver that received an INVITE with these headers.
type sipPhone struct {
	*pbxtest.Phone
	names []string
}

func (p sipPhone) SIPHeaderNames() []string { return p.names }

// TestSIPHeaders: SIP_HEADERS lists each name once, compact forms in
// full, filtered by prefix.
func TestSIPHeaders(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	ch := e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "alice", Driver: sipPhone{pbxtest.NewPhone(nil),
		[]string{"Via", "Via", "From", "To", "Call-ID", "CSeq", "k", "X-Foo", "X-Bar", "X-Foo", "Content-Length"}}})
	defer ch.Hangup(0)
	plain := pbxtest.NewPhone(nil).NewChannel(e, "x", "sub", "s")
	defer plain.Hangup(0)
	for _, tc := range []struct {
		ch       *pbx.Channel
		in, want string
		warn     string
	}{
		{ch, "${SIP_HEADERS()}", "Via,From,To,Call-ID,CSeq,Supported,X-Foo,X-Bar,Content-Length", ""},
		{ch, "${SIP_HEADERS(X-)}", "X-Foo,X-Bar", ""},
		{ch, "${SIP_HEADERS(*)}", "Via,From,To,Call-ID,CSeq,Supported,X-Foo,X-Bar,Content-Length", ""},
		{ch, "${SIP_HEADERS(Nope)}", "", ""},
		{plain, "${SIP_HEADERS()}", "", "This function can only be used on SIP channels."},
	} {
		if got := e.Substitute(tc.ch, tc.in); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.in, got, tc.want)
		}
		w := warnings(log.take())
		if tc.warn == "" && len(w) > 0 || tc.warn != "" && (len(w) != 1 || w[0] != tc.warn) {
			t.Errorf("%s: warnings %q, want %q", tc.in, w, tc.warn)
		}
	}
}

// TestHoldInterceptFunction: set, set again (a warning), remove, remove
// again (an error), as func_holdintercept.c answers.
func TestHoldInterceptFunction(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	ch := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	for _, tc := range []struct {
		arg, err, warn string
		on             bool
	}{
		{"set", "", "", true},
		{"set", "", "HOLD_INTERCEPT already set on '" + ch.Name() + "'", true},
		{"remove", "", "", false},
		{"remove", "Cannot remove HOLD_INTERCEPT from " + ch.Name() + ": HOLD_INTERCEPT not currently enabled", "", false},
		{"", "HOLD_INTERCEPT requires an argument", "", false},
		{"toggle", "HOLD_INTERCEPT: unknown option toggle", "", false},
	} {
		err := e.Assign(ch, "HOLD_INTERCEPT("+tc.arg+")", "")
		if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("HOLD_INTERCEPT(%s): %v, want %q", tc.arg, err, tc.err)
		}
		w := warnings(log.take())
		if tc.warn == "" && len(w) > 0 || tc.warn != "" && (len(w) != 1 || w[0] != tc.warn) {
			t.Errorf("HOLD_INTERCEPT(%s): warnings %q", tc.arg, w)
		}
		if ch.HoldIntercepted() != tc.on {
			t.Errorf("HOLD_INTERCEPT(%s): intercepted %v", tc.arg, ch.HoldIntercepted())
		}
	}
}
