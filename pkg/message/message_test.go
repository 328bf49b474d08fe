package message

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
)

// sent is one SendMessage call of the fake technology.
type sent struct {
	dest, from, to, body string
	headers              []pbx.MessageVar
}

type fakeTech struct {
	mu   sync.Mutex
	got  []sent
	fail bool
	done chan struct{}
}

func (f *fakeTech) SendMessage(_ context.Context, msg *pbx.Message, dest, from string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	to, _ := msg.Get("to")
	body, _ := msg.Get("body")
	var out []pbx.MessageVar
	for _, v := range msg.Vars() {
		if v.Outbound {
			out = append(out, v)
		}
	}
	f.got = append(f.got, sent{dest, from, to, body, out})
	if f.fail {
		return fmt.Errorf("refused")
	}
	return nil
}

type recLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLog) add(s string)                      { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *recLog) Verbose(_ int, f string, a ...any) { l.add("VERBOSE: " + fmt.Sprintf(f, a...)) }
func (l *recLog) Notice(f string, a ...any)         { l.add("NOTICE: " + fmt.Sprintf(f, a...)) }
func (l *recLog) Warning(f string, a ...any)        { l.add("WARNING: " + fmt.Sprintf(f, a...)) }
func (l *recLog) Error(f string, a ...any)          { l.add("ERROR: " + fmt.Sprintf(f, a...)) }
func (l *recLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func newEngine(t *testing.T, ext string) (*pbx.Engine, *recLog) {
	t.Helper()
	cfg, diags := confparse.Parse("extensions.conf", []byte(ext), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan := pbx.FromDialplan(dp)
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Plan: func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) }})
	if err := apps.Register(e); err != nil {
		t.Fatal(err)
	}
	if err := Register(e); err != nil {
		t.Fatal(err)
	}
	return e, log
}

// A queued message runs on Message/ast_msg_queue in its context and
// extension; MESSAGE() reads its fields, MESSAGE_DATA() its headers and
// sets outbound ones, MessageSend hands it to the technology its
// destination names and sets MESSAGE_SEND_STATUS.
func TestQueuedMessageRouted(t *testing.T) {
	e, log := newEngine(t, `[msgs]
exten => 6001,1,Set(MESSAGE(body)=[${MESSAGE(from)}] ${MESSAGE(body)} via ${MESSAGE_DATA(X-In)})
 same => n,Set(MESSAGE_DATA(X-Out)=${CHANNEL(name)})
 same => n,MessageSend(test:6001,"Alice" <sip:6000@pbx>)
 same => n,Set(MESSAGE_DATA(X-Status)=${MESSAGE_SEND_STATUS})
 same => n,MessageSend(nosuch:6001)
 same => n,Set(MESSAGE_DATA(X-Status2)=${MESSAGE_SEND_STATUS})
 same => n,MessageSend(test:6001,,override-to)
`)
	tech := &fakeTech{}
	if err := e.RegisterMessageTech("test", tech); err != nil {
		t.Fatal(err)
	}
	msg := pbx.NewMessage(pbx.MessageFields{To: "sip:6001@pbx", From: `"Bob" <sip:6000@pbx>`, Body: "hello",
		Context: "msgs", Exten: "6001", Tech: "SIP", Endpoint: "6000",
		Vars: []pbx.MessageVar{{Name: "X-In", Value: "in"}}})
	if !e.MessageHasDestination(msg) {
		t.Fatal("no destination")
	}
	if e.MessageHasDestination(pbx.NewMessage(pbx.MessageFields{Context: "msgs", Exten: "6002"})) {
		t.Fatal("6002 has a destination")
	}
	if err := e.QueueMessage(msg); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		tech.mu.Lock()
		n := len(tech.got)
		tech.mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.Wait()
	tech.mu.Lock()
	defer tech.mu.Unlock()
	if len(tech.got) != 2 {
		t.Fatalf("sent %d messages, want 2: %+v", len(tech.got), tech.got)
	}
	first := tech.got[0]
	if first.dest != "test:6001" || first.from != "Alice <sip:6000@pbx>" /* the argument parser takes the quotes off, as Asterisk's */ || first.to != "sip:6001@pbx" ||
		first.body != `["Bob" <sip:6000@pbx>] hello via in` {
		t.Errorf("first: %+v", first)
	}
	if len(first.headers) != 1 || first.headers[0] != (pbx.MessageVar{Name: "X-Out", Value: pbx.MessageChannelName, Outbound: true}) {
		t.Errorf("outbound headers %+v", first.headers)
	}
	second := tech.got[1]
	if second.to != "override-to" {
		t.Errorf("to override: %+v", second)
	}
	var status, status2 string
	for _, h := range second.headers {
		switch h.Name {
		case "X-Status":
			status = h.Value
		case "X-Status2":
			status2 = h.Value
		}
	}
	if status != "SUCCESS" || status2 != "INVALID_PROTOCOL" {
		t.Errorf("statuses %q %q", status, status2)
	}
	if !log.has("No message technology 'nosuch' found.") {
		t.Error("no warning for the unknown technology")
	}
}

// MessageSend's refusals, as message.c words and reports them.
func TestMessageSendStatuses(t *testing.T) {
	e, log := newEngine(t, "[x]\nexten => s,1,NoOp()\n")
	tech := &fakeTech{fail: true}
	if err := e.RegisterMessageTech("test", tech); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		withMsg    bool
		data, want string
		logged     string
	}{
		{true, "", "INVALID_URI", "An argument is required to MessageSend()"},
		{true, ",from", "INVALID_URI", "A 'to' URI is required for MessageSend()"},
		{false, "test:1", "FAILURE", "No message data found on channel to send."},
		{true, "test:1", "FAILURE", ""},
	} {
		ch := e.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "x"})
		if tc.withMsg {
			pbx.MessageFor(ch).Set("body", "b")
		}
		if _, err := messageSend(ch, tc.data); err != nil {
			t.Fatal(err)
		}
		if got, _ := ch.Var("MESSAGE_SEND_STATUS"); got != tc.want {
			t.Errorf("MessageSend(%s): %q, want %q", tc.data, got, tc.want)
		}
		if tc.logged != "" && !log.has(tc.logged) {
			t.Errorf("MessageSend(%s): no %q", tc.data, tc.logged)
		}
		ch.Hangup(16)
	}
	// Reading without message data is an error; writing creates the message.
	ch := e.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "y"})
	if _, err := e.ReadFunction(ch, "MESSAGE", "body"); err == nil || !strings.Contains(err.Error(), "No MESSAGE data found on the channel to read.") {
		t.Errorf("read without data: %v", err)
	}
	if err := e.WriteFunction(ch, "MESSAGE_DATA", "X-A", "1"); err != nil {
		t.Fatal(err)
	}
	if err := e.WriteFunction(ch, "MESSAGE", "custom_data", "clear_all_outbound"); err != nil {
		t.Fatal(err)
	}
	if v := pbx.MessageOf(ch).Vars(); len(v) != 1 || v[0].Outbound {
		t.Errorf("after clear_all_outbound: %+v", v)
	}
	if v, err := e.ReadFunction(ch, "MESSAGE_DATA", "x-a"); err != nil || v != "1" {
		t.Errorf("MESSAGE_DATA(x-a) = %q, %v", v, err)
	}
	ch.Hangup(16)
}

// A flood costs a bounded number of dialplan runs: past the in-flight
// bound QueueMessage refuses (the SIP driver then answers 500).
func TestQueueBounded(t *testing.T) {
	e, _ := newEngine(t, "[slow]\nexten => s,1,Wait(0.5)\n")
	n, refused := 0, 0
	for range 100 {
		err := e.QueueMessage(pbx.NewMessage(pbx.MessageFields{Context: "slow", Body: "x"}))
		switch {
		case err == nil:
			n++
		case errors.Is(err, pbx.ErrMessageQueueFull):
			refused++
		default:
			t.Fatal(err)
		}
	}
	if n == 0 || n > 64 || refused != 100-n {
		t.Errorf("%d queued, %d refused", n, refused)
	}
	e.Wait()
	if err := e.QueueMessage(pbx.NewMessage(pbx.MessageFields{Context: "slow"})); err != nil {
		t.Errorf("after the runs ended: %v", err)
	}
	e.Wait()
}
