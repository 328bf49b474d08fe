package chansip

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// message builds an out-of-dialog MESSAGE from user to callee with body
// and extra header lines; callID "" makes a new one.
func (p *phone) message(user, callee, ctype, body, callID string, cseq int, extra ...string) string {
	p.n++
	me := p.addr()
	if callID == "" {
		callID = fmt.Sprintf("msg-%d-%d@test", p.n, time.Now().UnixNano())
	}
	ruri := fmt.Sprintf("sip:%s@%s", callee, p.to)
	return fmt.Sprintf("MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-m%d-%d;rport\r\n"+
		"From: \"Sadek\" <sip:%s@%s>;tag=mf%d\r\nTo: <%s>\r\nCall-ID: %s\r\nCSeq: %d MESSAGE\r\n"+
		"Contact: <sip:%s@%s>\r\n%sMax-Forwards: 70\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		ruri, me, p.n, time.Now().UnixNano(), user, me.Addr(), p.n, ruri, callID, cseq, user, me,
		strings.Join(append(extra, ""), "\r\n"), ctype, len(body), body)
}

// routedMessages collects what the dialplan got: the engine's
// QueueMessage runs an application we register as Capture.
type routedMessages struct {
	mu  sync.Mutex
	got []string
}

func (r *routedMessages) register(t *testing.T, e *pbx.Engine) {
	t.Helper()
	err := e.RegisterApp(&pbx.App{Name: "Capture", Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		msg := pbx.MessageOf(ch)
		to, _ := msg.Get("to")
		from, _ := msg.Get("from")
		body, _ := msg.Get("body")
		peer, _ := msg.Var("SIP_PEERNAME")
		xh, _ := msg.Var("X-Extra")
		r.mu.Lock()
		r.got = append(r.got, fmt.Sprintf("%s|%s|%s|%s|%s|%s", ch.Name(), to, from, body, peer, xh))
		r.mu.Unlock()
		return pbx.HangupResult, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func (r *routedMessages) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		got := append([]string(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d messages routed, want %d", len(r.got), n)
	return nil
}

// An out-of-call MESSAGE is challenged like an INVITE (auth_message_requests
// defaults to yes), then routed in the sender's context at the
// Request-URI's extension, 202 Accepted; refusals are chan_sip's.
func TestMessageOutOfCall(t *testing.T) {
	env := startPlanDriver(t, "[work]\nexten => 6001,1,Capture()\n[default]\nexten => 7000,1,Capture()\n")
	rec := &routedMessages{}
	rec.register(t, env.e)
	ph := newPhone(t, env.addr)

	callID := "msg-auth@test"
	ph.send(ph.message("6000", "6001", "text/plain", "hello there\n", callID, 1, "X-Extra: x1"))
	r := ph.recvWithin(3 * time.Second)
	if r == nil || r.code != 401 {
		t.Fatalf("first MESSAGE: %+v, want a challenge", r)
	}
	ans, err := digest.Answer(r.headers["www-authenticate"], "MESSAGE", "sip:6001@"+env.addr.String(), "6000", "test", 1)
	if err != nil {
		t.Fatal(err)
	}
	ph.send(ph.message("6000", "6001", "text/plain", "hello there\n", callID, 2, "X-Extra: x1", "Authorization: "+ans))
	if r = ph.recvWithin(3 * time.Second); r == nil || r.code != 202 || !strings.Contains(r.raw, "SIP/2.0 202 Accepted\r\n") {
		t.Fatalf("authenticated MESSAGE: %+v, want 202 Accepted", r)
	}
	got := rec.wait(t, 1)
	want := fmt.Sprintf("Message/ast_msg_queue|sip:6001@%s|\"Sadek\" <sip:6000@%s>|hello there|6000|x1", env.addr, ph.addr().Addr())
	if got[0] != want {
		t.Errorf("routed\n got %s\nwant %s", got[0], want)
	}

	for _, tc := range []struct {
		name  string
		msg   string
		code  int
		check string
	}{
		{"not text/plain", ph.message("6000", "6001", "text/html", "<b>x</b>", "", 1), 415, "Unsupported Media Type"},
		{"huge body", ph.message("6000", "6001", "text/plain", strings.Repeat("a", maxMessageBody+1), "", 1), 413, "Request Entity Too Large"},
		{"unknown sender", ph.message("nobody", "6001", "text/plain", "x", "", 1), 401, ""}, // alwaysauthreject: as a known one
	} {
		ph.send(tc.msg)
		r := ph.recvWithin(3 * time.Second)
		if r == nil || r.code != tc.code || !strings.Contains(r.raw, tc.check) {
			t.Errorf("%s: %+v, want %d", tc.name, r, tc.code)
		}
	}
}

// accept_outofcall_message=no refuses with 405; without
// auth_message_requests the message is routed in the default context (or
// outofcall_message_context) without a challenge, and 404 when the
// extension does not exist there.
func TestMessageSettings(t *testing.T) {
	conf := func(general string) string {
		return strings.Replace(testSIPConf, "alwaysauthreject=yes\n", "alwaysauthreject=yes\n"+general, 1)
	}
	ext := "[default]\nexten => 7000,1,Capture()\n[chat]\nexten => 7001,1,Capture()\n"
	for _, tc := range []struct {
		general, callee string
		code            int
	}{
		{"accept_outofcall_message=no\n", "7000", 405},
		{"auth_message_requests=no\n", "7000", 202},
		{"auth_message_requests=no\n", "7001", 404},
		{"auth_message_requests=no\noutofcall_message_context=chat\n", "7001", 202},
	} {
		env := startPlanDriverConf(t, conf(tc.general), ext)
		rec := &routedMessages{}
		rec.register(t, env.e)
		ph := newPhone(t, env.addr)
		ph.send(ph.message("someone", tc.callee, "text/plain;charset=UTF-8", "hi", "", 1))
		r := ph.recvWithin(3 * time.Second)
		if r == nil || r.code != tc.code {
			t.Errorf("%q to %s: %+v, want %d", tc.general, tc.callee, r, tc.code)
			continue
		}
		if tc.code == 202 {
			rec.wait(t, 1)
		}
	}
}

// MessageSend(sip:6000) sends a MESSAGE to the peer's registered contact,
// From the caller id given, with the body and the outbound headers.
func TestMessageSendToPeer(t *testing.T) {
	env := startPlanDriver(t, "[x]\nexten => s,1,NoOp()\n")
	ph := newPhone(t, env.addr)
	if _, second := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test"}); second == nil || second.code != 200 {
		t.Fatalf("register: %+v", second)
	}
	tech, ok := env.e.MessageTechFor("sip")
	if !ok {
		t.Fatal("no sip message technology")
	}
	msg := pbx.NewMessage(pbx.MessageFields{Body: "ping"})
	msg.SetVar("X-Tag", "t1", true)
	msg.SetVar("Via", "blocked", true)
	if err := tech.SendMessage(context.Background(), msg, "sip:6000", `"Desk" <sip:7000@pbx.example>`); err != nil {
		t.Fatal(err)
	}
	raw := ph.recvRaw(3 * time.Second)
	for _, want := range []string{"MESSAGE sip:6000@" + ph.addr().String(), `From: "Desk" <sip:7000@pbx.example>;tag=`,
		"Content-Type: text/plain;charset=UTF-8", "X-Tag: t1", "\r\n\r\nping"} {
		if !strings.Contains(raw, want) {
			t.Errorf("no %q in\n%s", want, raw)
		}
	}
	if strings.Contains(raw, "blocked") {
		t.Errorf("a blocked header was sent:\n%s", raw)
	}
	if err := tech.SendMessage(context.Background(), msg, "sip:nosuchpeer", ""); err == nil {
		t.Error("a message to an unknown peer succeeded")
	}
}

// recvRaw reads one datagram as text, "" when none comes within d.
func (p *phone) recvRaw(d time.Duration) string {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 65535)
	n, _, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		return ""
	}
	return string(buf[:n])
}
