package call

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestParseRPID(t *testing.T) {
	for _, tc := range []struct {
		in, name, num, pres string
		ok                  bool
	}{
		{`"Alice" <sip:5551234@carrier>;party=calling;privacy=off;screen=no`, "Alice", "5551234", "allowed_not_screened", true},
		{`"Bob" <sip:200@x>;privacy=full;screen=yes`, "Bob", "200", "prohib_passed_screen", true},
		{`Carol <sip:300@x>;privacy=full;screen=no`, "Carol", "300", "prohib_not_screened", true},
		{`<sip:400@x>;screen=yes`, "", "400", "allowed_passed_screen", true},
		{`<tel:400>`, "", "", "", false},
		{`no brackets`, "", "", "", false},
	} {
		name, num, pres, ok := parseRPID(tc.in)
		if ok != tc.ok || name != tc.name || num != tc.num || pres != tc.pres {
			t.Errorf("%s: %q %q %q %v", tc.in, name, num, pres, ok)
		}
	}
}

// A trusted caller's P-Asserted-Identity (or Remote-Party-ID) becomes the
// caller id, its Privacy the presentation; the callee's INVITE carries
// the identity as its sendrpid says, with an anonymous From when it is
// private. An untrusted caller's assertion is ignored.
func TestCallerIdentityHeaders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		callee    string // 6000's identity options
		trust     bool   // 6001 trustrpid
		hdrs      []string
		from, hdr string // the callee's INVITE: From prefix, identity header
	}{
		{"pai both ways", "sendrpid=pai\n", true, []string{`P-Asserted-Identity: "Alice" <sip:5551234@carrier.example>`},
			`"Alice" <sip:5551234@127.0.0.1`, `P-Asserted-Identity: "Alice" <sip:5551234@127.0.0.1>`},
		{"pai private", "sendrpid=pai\n", true, []string{`P-Asserted-Identity: "Alice" <sip:5551234@carrier.example>`, "Privacy: id"},
			`"Anonymous" <sip:anonymous@anonymous.invalid>`, `P-Asserted-Identity: "Anonymous" <sip:anonymous@anonymous.invalid>`},
		{"rpid in, rpid out", "sendrpid=yes\n", true, []string{`Remote-Party-ID: "Bob" <sip:200@gw>;party=calling;privacy=off;screen=yes`},
			`"Bob" <sip:200@127.0.0.1`, `Remote-Party-ID: "Bob" <sip:200@127.0.0.1>;party=calling;privacy=off;screen=yes`},
		{"rpid private", "sendrpid=rpid\nfromdomain=pbx.example\n", true, []string{`Remote-Party-ID: "Bob" <sip:200@gw>;privacy=full;screen=no`},
			// fromdomain overrides the anonymous domain in From, as in chan_sip.
			`"Anonymous" <sip:anonymous@pbx.example>`, `Remote-Party-ID: "Bob" <sip:200@pbx.example>;party=calling;privacy=full;screen=no`},
		{"untrusted", "sendrpid=pai\n", false, []string{`P-Asserted-Identity: "Alice" <sip:5551234@carrier.example>`},
			`"Choucheh Sadek" <sip:6001@127.0.0.1`, `P-Asserted-Identity: "Choucheh Sadek" <sip:6001@127.0.0.1>`},
		{"pai tel uri", "sendrpid=pai\n", true, []string{`P-Asserted-Identity: "Carrier" <tel:+33123456789;phone-context=example.com>`},
			`"Carrier" <sip:+33123456789@127.0.0.1`, `P-Asserted-Identity: "Carrier" <sip:+33123456789@127.0.0.1>`},
		{"no sendrpid", "", true, []string{`P-Asserted-Identity: <sip:5551234@carrier.example>`},
			`<sip:5551234@127.0.0.1`, ""}, // a number without a name: no display name
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := strings.Replace(testSIPConf, "[6000]\n", "[6000]\n"+tc.callee, 1)
			if tc.trust {
				conf = strings.Replace(conf, "[6001]\n", "[6001]\ntrustrpid=yes\n", 1)
			}
			l := newLabConf(t, conf)
			callee := newPhone(t, "6000", "answer")
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			out := inviteWith(t, l, caller, "6000", tc.hdrs...)
			out.answered()
			inv := callee.lastInvite()
			if inv == nil {
				t.Fatal("no INVITE to the callee")
			}
			from := inv.From().Value()
			if !strings.HasPrefix(from, tc.from) {
				t.Errorf("From %s, want %s...", from, tc.from)
			}
			got := ""
			for _, name := range []string{"P-Asserted-Identity", "Remote-Party-ID"} {
				if h := inv.GetHeader(name); h != nil {
					got = name + ": " + h.Value()
				}
			}
			if got != tc.hdr {
				t.Errorf("identity header %q, want %q", got, tc.hdr)
			}
			out.bye()
			waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
		})
	}
}

func TestParseDiversion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want diversion
		ok   bool
	}{
		{`"Boss" <sip:7000@pbx.example>;reason=user-busy;counter=1`, diversion{"Boss", "7000", "pbx.example", "user-busy"}, true},
		{`<sip:7000@10.0.0.1:5060>;reason="no-answer"`, diversion{"", "7000", "10.0.0.1:5060", "no-answer"}, true},
		{`sip:7000@h;reason=unconditional`, diversion{"", "7000", "h", "unconditional"}, true},
		{`<tel:7000>`, diversion{}, false},
	} {
		got, ok := parseDiversion(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: %+v %v", tc.in, got, ok)
		}
	}
}

// A Diversion in sets REDIRECTING and SIPREDIRECTREASON; the INVITE Dial
// sends on carries it as our Diversion (send_diversion defaults to yes).
func TestDiversionInAndOut(t *testing.T) {
	l := newLabDeps(t, testSIPConf, func(l *lab, _ *Deps) {
		if err := funcs.Register(l.e, funcs.Deps{}); err != nil {
			t.Fatal(err)
		}
	})
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := inviteWith(t, l, caller, "6000", `Diversion: "Boss" <sip:7000@pbx.example>;reason=user-busy`)
	out.answered()
	inv := callee.lastInvite()
	h := inv.GetHeader("Diversion")
	if h == nil || h.Value() != `"Boss" <sip:7000@127.0.0.1>;reason=user-busy` {
		t.Errorf("Diversion to the callee: %v", h)
	}
	var in *pbx.Channel
	for _, ch := range l.e.Channels() {
		if strings.HasPrefix(ch.Name(), "SIP/6001-") {
			in = ch
		}
	}
	if in == nil {
		t.Fatal("no inbound channel")
	}
	for item, want := range map[string]string{"from-num": "7000", "from-name": "Boss", "reason": "cfb"} {
		if v, err := l.e.ReadFunction(in, "REDIRECTING", item); err != nil || v != want {
			t.Errorf("REDIRECTING(%s) = %q %v, want %q", item, v, err, want)
		}
	}
	if v, _ := in.Var("SIPREDIRECTREASON"); v != "user-busy" {
		t.Errorf("SIPREDIRECTREASON = %q", v)
	}
	if v, _ := in.Var("SIPRDNISDOMAIN"); v != "pbx.example" {
		t.Errorf("SIPRDNISDOMAIN = %q", v)
	}
	out.bye()
}

func TestUserOf(t *testing.T) {
	for in, want := range map[string]string{
		"sip:6000@pbx":                     "6000",
		"sips:bob@pbx:5061":                "bob",
		"tel:+33123456789":                 "+33123456789",
		"tel:0145678900;phone-context=+33": "0145678900",
		"sip:pbx.example":                  "",
	} {
		var u sip.Uri
		if err := sip.ParseUri(in, &u); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := UserOf(u); got != want {
			t.Errorf("UserOf(%s) = %q, want %q", in, got, want)
		}
	}
}

// An offer whose streams are all video (or text, image) has nothing
// chan_sip can take with its default videosupport=no: it logs "No
// compatible codecs" and answers 488, as process_sdp does.
func TestVideoOnlyOffer(t *testing.T) {
	l := newLab(t)
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	ip := caller.addr.Addr().String()
	for _, m := range []string{
		"m=video 40000 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n",
		"m=text 40002 RTP/AVP 98\r\na=rtpmap:98 t140/1000\r\n",
		"m=image 40004 udptl t38\r\n",
	} {
		body := "v=0\r\no=user1 1 1 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\n" + m
		out := caller.inviteBody(l, "6000", []byte(body))
		if res := out.waitFinal(5 * time.Second); res.StatusCode != 488 {
			t.Errorf("offer %q: %d, want 488", m, res.StatusCode)
		}
	}
	if !l.log.has("NOTICE: No compatible codecs, not accepting this offer!") {
		t.Errorf("no NOTICE:\n%s", l.log)
	}
}

// outboundproxy sends the INVITE to the proxy while its Request-URI names
// the peer's registered contact; the proxy (here a phone) answers for it.
func TestOutboundProxy(t *testing.T) {
	proxy := newPhone(t, "proxy", "answer")
	conf := strings.Replace(testSIPConf, "[6000]\n", "[6000]\noutboundproxy="+proxy.addr.String()+"\n", 1)
	l := newLabConf(t, conf)
	contact := mustAddrPort("127.0.0.1:5999") // nothing listens there
	l.register("6000", contact)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.answered()
	inv := proxy.lastInvite()
	if inv == nil {
		t.Fatal("the proxy got no INVITE")
	}
	if got := inv.Recipient.String(); got != "sip:6000@"+contact.String() {
		t.Errorf("Request-URI %s, want the peer's contact", got)
	}
	out.bye()
	waitFor(t, "BYE through the proxy", 3*time.Second, func() bool { return proxy.byeCount() == 1 })
}

func TestInfoDigit(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		want     rune
		ok       bool
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', true},
		{"application/dtmf-relay", "Signal=10\r\n", '*', true},
		{"application/vnd.nortelnetworks.digits", "d=7\r\n", '7', true},
		{"application/dtmf", "#", '#', true},
		{"application/dtmf-relay", "Duration=160\r\n", 0, false},
	} {
		got, ok := infoDigit(tc.body, tc.ct)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s %q: %q %v", tc.ct, tc.body, got, ok)
		}
	}
}

// An INFO whose body chan_sip does not understand gets 415 and a WARNING;
// an empty one (a keep-alive) 200.
func TestInfoUnknownBody(t *testing.T) {
	l := newLab(t)
	_, _, out := answeredCall(t, l)
	for i, tc := range []struct {
		ct, body string
		code     int
	}{
		{"", "", 200},
		{"application/x-custom", "hello", 415},
		{"application/media_control+xml", "<media_control/>", 200},
	} {
		info := out.inDialog(sip.INFO, out.req.CSeq().SeqNo+uint32(i)+1)
		if tc.ct != "" {
			info.AppendHeader(sip.NewHeader("Content-Type", tc.ct))
			info.SetBody([]byte(tc.body))
		}
		if res := doRequest(t, out.p, info); res.StatusCode != tc.code {
			t.Errorf("INFO %s: %d, want %d", tc.ct, res.StatusCode, tc.code)
		}
	}
	out.bye()
}

// Text written to a SIP channel (a MESSAGE its bridged party sent during
// the call) goes to its device as a MESSAGE inside the dialog.
func TestSendTextInDialog(t *testing.T) {
	l := newLab(t)
	got := make(chan *sip.Request, 1)
	callee := newPhone(t, "6000", "answer")
	callee.srv.OnRequest(sip.MESSAGE, func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
		got <- req
	})
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	out.answered()
	var in *pbx.Channel
	waitFor(t, "bridged", 3*time.Second, func() bool {
		for _, ch := range l.e.Channels() {
			if strings.HasPrefix(ch.Name(), "SIP/6001-") && ch.Peer() != nil {
				in = ch
				return true
			}
		}
		return false
	})
	if err := in.Peer().SendText("hello from 6001"); err != nil {
		t.Fatal(err)
	}
	select {
	case req := <-got:
		to, _ := req.To().Params.Get("tag")
		if string(req.Body()) != "hello from 6001" || to == "" || req.CallID().Value() != callee.lastInvite().CallID().Value() {
			t.Errorf("MESSAGE not in the callee's dialog:\n%s", req)
		}
		if ct := req.ContentType(); ct == nil || ct.Value() != "text/plain;charset=UTF-8" {
			t.Errorf("Content-Type %v", ct)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no MESSAGE reached the callee")
	}
	out.bye()
}
