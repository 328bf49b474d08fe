package agi

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// AsyncAGI: AGI(agi:async) hands the channel to manager clients. The
// environment goes out as an AsyncAGIStart event, each command comes in
// through the AGI manager action and its answer goes out as an
// AsyncAGIExec event, and AsyncAGIEnd closes the run (ASYNCAGI BREAK or
// a hangup), as res_agi does.

// asyncQueueMax bounds the commands waiting for one channel: a client
// that floods a channel gets refusals rather than taking the memory.
const asyncQueueMax = 64

// asyncCmd is one queued command and its client's CommandID.
type asyncCmd struct{ line, id string }

// asyncRuns are the channels in AGI(agi:async) now.
type asyncRuns struct {
	mu   sync.Mutex
	runs map[*pbx.Channel]chan asyncCmd
}

func (a *asyncRuns) add(ch *pbx.Channel) chan asyncCmd {
	q := make(chan asyncCmd, asyncQueueMax)
	a.mu.Lock()
	if a.runs == nil {
		a.runs = map[*pbx.Channel]chan asyncCmd{}
	}
	a.runs[ch] = q
	a.mu.Unlock()
	return q
}

func (a *asyncRuns) remove(ch *pbx.Channel) {
	a.mu.Lock()
	delete(a.runs, ch)
	a.mu.Unlock()
}

// queue adds a command for ch; false when ch is not in async AGI or its
// queue is full.
func (a *asyncRuns) queue(ch *pbx.Channel, c asyncCmd) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.runs[ch]
	if q == nil {
		return false
	}
	select {
	case q <- c:
		return true
	default:
		return false
	}
}

// uriEncode is ast_uri_encode with ast_uri_http: letters, digits and
// "-_.!~*'()" as they are, every other byte as %XX.
func uriEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// asyncTransport is the session's side for async AGI: nothing to write
// to (the answers go out as events), nothing to signal.
type asyncTransport struct{}

func (asyncTransport) Write(p []byte) (int, error) { return len(p), nil }
func (asyncTransport) setWriteDeadline(time.Time)  {}
func (asyncTransport) hangup()                     {}
func (asyncTransport) close() bool                 { return true }

// execAsync runs AGI(agi:async[,args]) on ch until ASYNCAGI BREAK or a
// hangup, and returns AGISTATUS.
func (m *Module) execAsync(ch *pbx.Channel, args []string) string {
	q := m.async.add(ch)
	defer m.async.remove(ch)
	s := &session{m: m, ch: ch, t: asyncTransport{}, script: "async", dead: ch.HangupRequested()}
	env := s.environment("async", args, false, "")
	s.publish("AsyncAGIStart", pbx.EventField{Key: "Env", Value: uriEncode(strings.Join(env, "\n") + "\n\n")})
	defer s.publish("AsyncAGIEnd")
	done := ch.Done()
	for {
		select {
		case c := <-q:
			if !s.dead && ch.HangupRequested() {
				s.dead = true
			}
			resp, brk := s.handleAsync(c.line)
			fields := []pbx.EventField{}
			if c.id != "" {
				fields = append(fields, pbx.EventField{Key: "CommandID", Value: c.id})
			}
			fields = append(fields, pbx.EventField{Key: "Result", Value: uriEncode(resp)})
			s.publish("AsyncAGIExec", fields...)
			if brk {
				return "SUCCESS"
			}
		case <-done:
			return "HANGUP"
		}
	}
}

// handleAsync runs one queued command: ASYNCAGI BREAK ends the run (its
// answer is "200 result=0"), the others are the AGI commands.
func (s *session) handleAsync(line string) (resp string, brk bool) {
	argv := ParseArgs(line)
	if len(argv) >= 2 && strings.EqualFold(argv[0], "asyncagi") && strings.EqualFold(argv[1], "break") {
		return "200 result=0\n", true
	}
	resp, _ = s.handle(line)
	if resp == "" {
		return "", false
	}
	return strings.TrimSuffix(resp, "\n") + "\n", false
}

// Registrar is where the manager actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds res_agi's AGI action: a command for a channel in
// AGI(agi:async).
func (m *Module) RegisterAMI(reg Registrar) error {
	err := reg.RegisterAction(manager.Action{Name: "AGI", Synopsis: "Add an AGI command to execute by Async AGI.",
		Perm: manager.PermAGI, Handler: m.amiAGI})
	if err != nil {
		return fmt.Errorf("res_agi: %w", err)
	}
	return nil
}

func (m *Module) amiAGI(r *manager.Request) error {
	name, cmd := r.Get("Channel"), r.Get("Command")
	if name == "" || cmd == "" {
		r.Error("Both, Channel and Command are *required*")
		return nil
	}
	var ch *pbx.Channel
	if m.eng != nil {
		for _, c := range m.eng.Channels() {
			if strings.EqualFold(c.Name(), name) {
				ch = c
				break
			}
		}
	}
	if ch == nil {
		r.Error(fmt.Sprintf("Channel %s does not exist.", name))
		return nil
	}
	if !m.async.queue(ch, asyncCmd{line: cmd, id: r.Get("CommandID")}) {
		m.opts.Log.Warning("Can't add AGI command, channel %s is not doing Async AGI\n", ch.Name())
		r.Error(fmt.Sprintf("Failed to add AGI command to channel %s queue", ch.Name()))
		return nil
	}
	r.Success("Added AGI command to queue")
	return nil
}
