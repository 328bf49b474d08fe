package chansip

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
)

// startPlanDriver is startDriver with an engine whose dialplan is ext.
func startPlanDriver(t *testing.T, ext string) *testEnv {
	t.Helper()
	return startPlanDriverConf(t, testSIPConf, ext)
}

// startPlanDriverConf is startPlanDriver on another sip.conf.
func startPlanDriverConf(t *testing.T, conf, ext string) *testEnv {
	t.Helper()
	ec, diags := confparse.Parse("extensions.conf", []byte(ext), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ec, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan := pbx.FromDialplan(dp)
	e := pbx.New(pbx.Config{Plan: func() pbx.Plan { return plan }})
	env := &testEnv{log: &logRec{}, store: newMemStore()}
	d, err := New(Options{Config: loadConf(t, conf), Log: env.log, Store: env.store, Version: "18.26.4", Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	env.d = d
	env.e = e
	env.addr = d.LocalAddr()
	return env
}

func TestUnsupportedRequired(t *testing.T) {
	for _, tc := range []struct {
		require []string
		want    string
	}{
		{nil, ""},
		{[]string{"timer"}, ""},
		{[]string{"replaces, timer"}, ""},
		{[]string{"100rel"}, "100rel"},
		{[]string{"100rel, timer", "precondition,x-foo"}, "100rel,precondition,x-foo"},
		{[]string{" , Replace ,"}, ""},
		{[]string{strings.Repeat("x", 300)}, ""}, // over chan_sip's buffer: left out
	} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "h"})
		for _, r := range tc.require {
			req.AppendHeader(sip.NewHeader("Require", r))
		}
		if got := unsupportedRequired(req); got != tc.want {
			t.Errorf("Require %q: got %q, want %q", tc.require, got, tc.want)
		}
	}
}

func TestExpandCompact(t *testing.T) {
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", Host: "h"})
	req.AppendHeader(sip.NewHeader("k", "timer"))
	req.AppendHeader(sip.NewHeader("o", "dialog"))
	req.AppendHeader(sip.NewHeader("x", "1800;refresher=uac"))
	req.AppendHeader(sip.NewHeader("X-Other", "kept"))
	expandCompact(req)
	for name, want := range map[string]string{"Supported": "timer", "Event": "dialog", "Session-Expires": "1800;refresher=uac", "X-Other": "kept"} {
		if h := req.GetHeader(name); h == nil || h.Value() != want {
			t.Errorf("%s: got %v, want %q", name, h, want)
		}
	}
	if req.GetHeader("k") != nil {
		t.Error("compact k still there")
	}
}

// An INVITE that requires an extension chan_sip lacks (100rel above all)
// is refused with 420 and Unsupported, before any challenge.
func TestInviteRequire420(t *testing.T) {
	env := startPlanDriver(t, "[default]\nexten => s,1,Answer()\n")
	ph := newPhone(t, env.addr)
	for _, tc := range []struct {
		require     string
		code        int
		unsupported string
	}{
		{"Require: 100rel", 420, "100rel"},
		{"Require: timer, foo", 420, "foo"},
		{"Require: timer", 401, ""}, // supported: on to the challenge
	} {
		ph.send(strings.Replace(ph.request("INVITE", "SIP/2.0", tc.require), "From: <sip:probe@", "From: <sip:6000@", 1))
		r := ph.recvWithin(3 * time.Second)
		if r == nil || r.code != tc.code || r.headers["unsupported"] != tc.unsupported {
			t.Fatalf("%s: got %+v, want %d Unsupported: %q", tc.require, r, tc.code, tc.unsupported)
		}
		if tc.code == 420 && (!strings.Contains(r.raw, "SIP/2.0 420 Bad extension (unsupported)\r\n") || r.headers["date"] == "") {
			t.Errorf("%s: 420 layout:\n%s", tc.require, r.raw)
		}
	}
	env.log.waitFor(t, "WARNING: Received SIP INVITE with unsupported required extension: 100rel", 2*time.Second)
}

// OPTIONS out of a dialog is answered for the Request-URI's extension in
// the default context, as chan_sip's handle_request_options does; Allow
// lists only the methods served.
func TestOptionsExtension(t *testing.T) {
	env := startPlanDriver(t, "[default]\nexten => 7000,1,Answer()\nexten => s,1,Answer()\n[work]\nexten => 7001,1,Answer()\n")
	ph := newPhone(t, env.addr)
	i := 0
	for _, tc := range []struct {
		ruri string
		code int
	}{
		{"sip:7000@" + env.addr.String(), 200},
		{"sip:" + env.addr.String(), 200},           // "s"
		{"sip:7001@" + env.addr.String(), 404},      // another context
		{"sip:nobody@" + env.addr.String(), 404},    //
		{"sip:%37000@" + env.addr.String(), 200},    // decoded
		{"tel:7000;phone-context=example.com", 200}, // a tel: URI's number
	} {
		i++
		me := ph.addr()
		ph.send(fmt.Sprintf("OPTIONS %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-o%d;rport\r\n"+
			"f: <sip:probe@%s>;tag=x\r\nt: <%s>\r\ni: opt-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n",
			tc.ruri, me, i, me.Addr(), tc.ruri, i))
		r := ph.recvWithin(3 * time.Second)
		if r == nil || r.code != tc.code {
			t.Fatalf("OPTIONS %s: got %+v, want %d", tc.ruri, r, tc.code)
		}
		if want := "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE"; r.headers["allow"] != want {
			t.Errorf("Allow: %q, want %q", r.headers["allow"], want)
		}
	}
}

// chan_sip never compares a request's CSeq method with its own: a BYE
// whose CSeq names another method reaches the dialog code (481 here, no
// such dialog) instead of 400; other methods keep the check.
func TestByeCSeqMethodMismatch(t *testing.T) {
	env := startPlanDriver(t, "[default]\nexten => s,1,Answer()\n")
	ph := newPhone(t, env.addr)
	for _, tc := range []struct {
		method string
		code   int
	}{{"BYE", 481}, {"INFO", 400}} {
		msg := ph.request(tc.method, "SIP/2.0")
		msg = strings.Replace(msg, "CSeq: 1 "+tc.method, "CSeq: 1 INVITE", 1)
		msg = strings.Replace(msg, "To: <sip:"+env.addr.String()+">", "To: <sip:"+env.addr.String()+">;tag=x1", 1)
		ph.send(msg)
		if r := ph.recvWithin(3 * time.Second); r == nil || r.code != tc.code {
			t.Errorf("%s with CSeq INVITE: %+v, want %d", tc.method, r, tc.code)
		}
	}
}

// domain= lines: a guest call to a local domain runs in that domain's
// context; one to another domain is refused with 403 when
// allowexternaldomains=no.
func TestDomains(t *testing.T) {
	conf := strings.Replace(testSIPConf, "allowguest=no\nalwaysauthreject=yes\n",
		"allowguest=yes\nalwaysauthreject=no\ndomain=pbx.example,guests\nallowexternaldomains=no\n", 1)
	env := startPlanDriverConf(t, conf, "[guests]\nexten => 100,1,Hangup(21)\n[default]\nexten => 200,1,Hangup(21)\n")
	ph := newPhone(t, env.addr)
	me := ph.addr()
	for i, tc := range []struct {
		ruri string
		want func(int) bool
		what string
	}{
		{"sip:100@pbx.example", func(c int) bool { return c != 403 && c != 404 }, "the call in [guests]"},
		{"sip:200@pbx.example", func(c int) bool { return c == 404 }, "404: 200 is not in [guests]"},
		{"sip:200@other.example", func(c int) bool { return c == 403 }, "403 for a foreign domain"},
	} {
		sdp := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n", 40000+2*i)
		ph.send(fmt.Sprintf("INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-dom%d;rport\r\n"+
			"From: <sip:guest@%s>;tag=g%d\r\nTo: <%s>\r\nCall-ID: dom-%d@test\r\nCSeq: 1 INVITE\r\nContact: <sip:guest@%s>\r\n"+
			"Max-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
			tc.ruri, me, i, me.Addr(), i, tc.ruri, i, me, len(sdp), sdp))
		code := 0
		for code < 200 {
			r := ph.recvWithin(3 * time.Second)
			if r == nil {
				break
			}
			code = r.code
		}
		if !tc.want(code) {
			t.Errorf("%s: %d, want %s", tc.ruri, code, tc.what)
		}
	}
}

func TestAutoDomain(t *testing.T) {
	var d Driver
	g := loadConf(t, "[general]\nbindaddr=127.0.0.1\nautodomain=yes\nexternaddr=203.0.113.5:5070\ndomain=Example.COM,ctx\n").General
	got := d.localDomains(&g)
	host, _ := os.Hostname()
	for name, ctx := range map[string]string{"example.com": "ctx", "127.0.0.1": "", "203.0.113.5": "", strings.ToLower(host): ""} {
		if c, ok := got[name]; !ok || c != ctx {
			t.Errorf("%s: %q %v in %v", name, c, ok, got)
		}
	}
	g.AutoDomain = false
	if got := d.localDomains(&g); len(got) != 1 {
		t.Errorf("without autodomain: %v", got)
	}
}
