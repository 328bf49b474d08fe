package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/chzyer/readline"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// Backend is what a console talks to: the remote Client (-r) or a
// LocalBackend inside the daemon (-c).
type Backend interface {
	// Run executes a command line, streaming its output to out.
	Run(line string, out io.Writer) (ok bool, err error)
	// Complete returns candidates for the last word of line.
	Complete(line string) ([]string, error)
	// Events delivers log and verbose events for this console; closed when
	// the backend goes away.
	Events() <-chan Event
	Close() error
}

var _ Backend = (*Client)(nil)

// LocalBackend runs commands in-process for the daemon's own console.
type LocalBackend struct {
	reg    *Registry
	sess   *Session
	queue  *eventQueue
	events chan Event
	done   chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

// NewLocalBackend returns a backend over reg with its own session. Feed it
// events with Publish, next to Server.Publish.
func NewLocalBackend(reg *Registry, sess *Session) *LocalBackend {
	b := &LocalBackend{reg: reg, sess: sess, queue: newEventQueue(0), events: make(chan Event), done: make(chan struct{})}
	b.wg.Add(1)
	go b.deliver()
	return b
}

func (b *LocalBackend) deliver() {
	defer b.wg.Done()
	defer close(b.events)
	for {
		select {
		case <-b.done:
			return
		case <-b.queue.ready:
		}
		for _, ev := range b.queue.take() {
			select {
			case b.events <- ev:
			case <-b.done:
				return
			}
		}
	}
}

// Publish queues ev if the session's verbosity asks for it; it never blocks.
func (b *LocalBackend) Publish(ev Event) {
	if ev.Verbose <= 0 || b.sess.Verbose() >= ev.Verbose {
		b.queue.push(ev)
	}
}

// Run implements Backend.
func (b *LocalBackend) Run(line string, out io.Writer) (bool, error) {
	return b.reg.Execute(b.sess, line, out) == nil, nil
}

// Complete implements Backend.
func (b *LocalBackend) Complete(line string) ([]string, error) { return b.reg.Complete(line), nil }

// Events implements Backend.
func (b *LocalBackend) Events() <-chan Event { return b.events }

// Close stops event delivery.
func (b *LocalBackend) Close() error {
	b.once.Do(func() { close(b.done) })
	b.wg.Wait()
	return nil
}

// ConsoleOptions configures RunConsole.
type ConsoleOptions struct {
	// Prompt defaults to "<hostname>*CLI> ".
	Prompt string
	// HistoryFile is where lines are kept between sessions, normally
	// ~/.asterisk_history; empty keeps no history file.
	HistoryFile string
	// Stdin, Stdout and Stderr default to the process's own. When Stdin is a
	// terminal it is put in raw mode for line editing.
	Stdin          io.ReadCloser
	Stdout, Stderr io.Writer
	// Redial, when set, makes the console reconnect (-R) after the backend
	// goes away, trying for ReconnectFor (default 30 s).
	Redial       func(ctx context.Context) (Backend, error)
	ReconnectFor time.Duration
	// OnConnect is called after a reconnection with the new backend, to
	// print the welcome banner again.
	OnConnect func(be Backend, out io.Writer)
	// Shell runs "!" lines; default $SHELL, else /bin/sh.
	Shell string
}

// DefaultPrompt returns Asterisk's console prompt for a host.
func DefaultPrompt(hostname string) string { return hostname + "*CLI> " }

// RunConsole runs an interactive console on be until the user leaves
// (exit, quit, Ctrl-C, Ctrl-D), ctx ends, or the backend goes away without
// Redial. Leaving the console never stops the daemon. It returns nil when
// the user left, ErrDisconnected when the daemon went away.
func RunConsole(ctx context.Context, be Backend, opts ConsoleOptions) error {
	if opts.Prompt == "" {
		host, _ := os.Hostname()
		opts.Prompt = DefaultPrompt(host)
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.ReconnectFor == 0 {
		opts.ReconnectFor = 30 * time.Second
	}
	if opts.Shell == "" {
		opts.Shell = os.Getenv("SHELL")
		if opts.Shell == "" {
			opts.Shell = "/bin/sh"
		}
	}
	con := &console{opts: opts}
	con.setBackend(be)
	cfg := &readline.Config{
		Prompt:          opts.Prompt,
		HistoryFile:     opts.HistoryFile,
		AutoComplete:    completer{con},
		InterruptPrompt: "^C",
		EOFPrompt:       "",
		Stdin:           opts.Stdin,
		Stdout:          opts.Stdout,
		Stderr:          opts.Stderr,
	}
	if f, ok := opts.Stdin.(*os.File); ok {
		fd := int(f.Fd())
		var state *readline.State
		cfg.FuncIsTerminal = func() bool { return readline.IsTerminal(fd) }
		cfg.FuncMakeRaw = func() error {
			var err error
			state, err = readline.MakeRaw(fd)
			return err
		}
		cfg.FuncExitRaw = func() error {
			if state == nil {
				return nil
			}
			return readline.Restore(fd, state)
		}
		cfg.FuncGetWidth = func() int {
			if w, _, err := readline.GetSize(fd); err == nil && w > 0 {
				return w
			}
			return 80
		}
	}
	var stdin *readline.CancelableStdin
	if opts.Stdin != nil {
		// Lets the console stop while a read is pending, as readline does
		// for os.Stdin itself (readline does not close a Stdin it wraps).
		stdin = readline.NewCancelableStdin(opts.Stdin)
		cfg.Stdin = stdin
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("cli: console: %w", err)
	}
	defer rl.Close()
	con.rl = rl

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: stops the event printer
	lost := make(chan struct{}, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		con.printEvents(ctx, lost)
	}()
	wg.Add(1)
	go func() { // wakes Readline when ctx ends, which the defers ensure
		defer wg.Done()
		<-ctx.Done()
		if stdin != nil {
			stdin.Close()
		}
		rl.Close()
	}()

	for {
		line, err := rl.Readline()
		if ctx.Err() != nil {
			return con.exitErr()
		}
		switch {
		case errors.Is(err, readline.ErrInterrupt), errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("cli: console: %w", err)
		}
		line = strings.TrimLeft(line, " \t")
		switch {
		case line == "":
			continue
		case line[0] == '!':
			con.shell(line[1:])
			continue
		case isQuit(line):
			return nil
		}
		ok, err := con.backend().Run(line, rl.Stdout())
		_ = ok
		if errors.Is(err, ErrDisconnected) {
			if !con.reconnect(ctx, lost) {
				return ErrDisconnected
			}
		}
	}
}

func isQuit(line string) bool {
	w := strings.Fields(line)[0]
	return strings.EqualFold(w, "exit") || strings.EqualFold(w, "quit")
}

type console struct {
	opts ConsoleOptions
	rl   *readline.Instance

	mu      sync.Mutex
	be      Backend
	changed chan struct{} // closed when the backend is replaced
	gone    bool
}

func (c *console) setBackend(be Backend) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.be = be
	if c.changed != nil {
		close(c.changed)
	}
	c.changed = make(chan struct{})
}

func (c *console) backend() (be Backend) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.be
}

func (c *console) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return ErrDisconnected
	}
	return nil
}

// printEvents shows events above the prompt as they come. When the event
// stream ends the backend is gone: with Redial it reconnects, otherwise it
// ends the console as Asterisk's remote console does.
func (c *console) printEvents(ctx context.Context, lost chan struct{}) {
	for {
		c.mu.Lock()
		be, changed := c.be, c.changed
		c.mu.Unlock()
		events := be.Events()
	stream:
		for {
			select {
			case <-ctx.Done():
				return
			case <-changed:
				break stream
			case ev, ok := <-events:
				if !ok {
					if !c.reconnect(ctx, lost) {
						c.mu.Lock()
						c.gone = true
						c.mu.Unlock()
						c.rl.Close() // wakes Readline; RunConsole returns
						return
					}
					break stream
				}
				io.WriteString(c.rl.Stdout(), ev.Text)
			}
		}
	}
}

// reconnect replaces a lost backend, once, whichever of the reader and the
// event printer notices first.
func (c *console) reconnect(ctx context.Context, lost chan struct{}) bool {
	select {
	case lost <- struct{}{}:
	default:
		// The other side is already reconnecting: wait for its outcome.
		c.mu.Lock()
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
			return true
		case <-ctx.Done():
			return false
		}
	}
	defer func() { <-lost }()
	fmt.Fprint(c.opts.Stderr, "\nDisconnected from Asterisk server\n")
	if c.opts.Redial == nil {
		return false
	}
	fmt.Fprintf(c.opts.Stderr, "Attempting to reconnect for %d seconds\n", int(c.opts.ReconnectFor/time.Second))
	const perSecond = 20
	start := time.Now()
	tick := time.NewTicker(time.Second / perSecond)
	defer tick.Stop()
	for time.Since(start) < c.opts.ReconnectFor {
		be, err := c.opts.Redial(ctx)
		if err == nil {
			fmt.Fprintf(c.opts.Stderr, "Reconnect succeeded after %.3f seconds\n", time.Since(start).Seconds())
			c.backend().Close()
			if c.opts.OnConnect != nil {
				c.opts.OnConnect(be, c.opts.Stdout)
			}
			c.setBackend(be)
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	fmt.Fprintf(c.opts.Stderr, "Failed to reconnect for %d seconds.  Quitting.\n", int(c.opts.ReconnectFor/time.Second))
	return false
}

// shell runs a "!" line on the console's machine, never on the daemon's.
func (c *console) shell(cmdline string) {
	var cmd *exec.Cmd
	if strings.TrimSpace(cmdline) == "" {
		cmd = exec.Command(c.opts.Shell)
	} else {
		cmd = exec.Command("/bin/sh", "-c", cmdline)
	}
	cmd.Stdout = c.opts.Stdout
	cmd.Stderr = c.opts.Stderr
	if f, ok := c.opts.Stdin.(*os.File); ok {
		cmd.Stdin = f
	} else {
		cmd.Stdin = nil // a pipe would be read concurrently with readline
	}
	if err := realtime.Run(cmd); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			fmt.Fprintf(c.opts.Stderr, "Unable to run '%s': %v\n", cmdline, err)
		}
	}
}

// completer adapts the backend's completion to readline.
type completer struct{ c *console }

func (cp completer) Do(line []rune, pos int) ([][]rune, int) {
	head := string(line[:pos])
	word := ""
	if i := strings.LastIndexAny(head, " \t"); i >= 0 {
		word = head[i+1:]
	} else {
		word = head
	}
	cands, err := cp.c.backend().Complete(head)
	if err != nil {
		return nil, 0
	}
	wl := len([]rune(word))
	var out [][]rune
	for _, cand := range cands {
		r := []rune(cand)
		if len(r) < wl {
			continue
		}
		suffix := string(r[wl:])
		if len(cands) == 1 {
			suffix += " "
		}
		out = append(out, []rune(suffix))
	}
	return out, wl
}
