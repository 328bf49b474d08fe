package manager

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// FuzzAMIMessage parses arbitrary bytes as a request and, when it is one,
// runs it on a logged-in session: neither may panic, headers never carry
// a line end, and every answer is a well-formed message.
func FuzzAMIMessage(f *testing.F) {
	for _, s := range []string{
		"Action: Login\r\nUsername: admin\r\nSecret: x\r\n\r\n",
		"Action: Ping\r\nActionID: 1\r\n\r\n",
		"Action: Command\r\nCommand: core show version\r\n\r\n",
		"Action: Getvar\r\nVariable: CALLERID(num)\r\n\r\n",
		"Action: Setvar\r\nVariable: A\r\nValue: b\r\n\r\n",
		"Action: Events\r\nEventMask: call,user\r\n\r\n",
		"Action: Filter\r\nFilter: (\r\n\r\n",
		"Action: Hangup\r\nChannel: /[/\r\n\r\n",
		"Action: Originate\r\nChannel: SIP/x\r\nPriority: lbl\r\nTimeout: -5\r\n\r\n",
		"Action: UserEvent\r\nUserEvent: x\r\nA: b\r\n\r\n",
		"no colon here\n\n",
		"Action: DBGet\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	eng := pbx.New(pbx.Config{Substitute: func(s string, _ pbx.Env) string { return s }})
	cfg := defaultConfig()
	u := &User{Name: "admin", Secret: "x", Read: PermAll, Write: PermAll, WriteTimeout: defaultWriteTimeout}
	cfg.Users = []*User{u}
	m := New(Options{Engine: eng, Log: &logLines{}, CLI: cli.NewRegistry(), FailedLoginDelay: time.Nanosecond}, cfg)
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ParseMessage(data)
		if err != nil {
			return
		}
		if len(msg.Headers) > maxHeaders {
			t.Fatalf("%d headers", len(msg.Headers))
		}
		for _, h := range msg.Headers {
			if strings.ContainsAny(h.Key+h.Value, "\r\n") {
				t.Fatalf("line end in header %q", h)
			}
		}
		switch strings.ToLower(msg.Get("Action")) {
		case "waitevent", "logoff":
			return // waits for an event / ends the session by design
		}
		a, b := net.Pipe()
		defer a.Close()
		defer b.Close()
		s := newSession(m, a)
		s.user, s.authed, s.readPerm, s.writePerm, s.events = u, true, PermAll, PermAll, PermAll
		s.process(msg)
		s.qmu.Lock()
		q := s.queue
		s.qmu.Unlock()
		for _, p := range q {
			if !strings.HasSuffix(string(p), "\r\n\r\n") || strings.Count(string(p), "\r\n\r\n") != 1 {
				t.Fatalf("malformed answer %q", p)
			}
		}
	})
}
