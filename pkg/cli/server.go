package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ServerOptions configures the control socket (asterisk.conf's
// astctlpermissions, astctlowner, astctlgroup).
type ServerOptions struct {
	Path string      // socket path, e.g. /var/run/asterisk/asterisk.ctl
	Mode os.FileMode // permission bits; 0 means 0660; world bits are always removed
	// Owner and Group name the socket's owner and group (names or numeric
	// ids); empty leaves the process's own.
	Owner, Group string
	// Hostname and Version are announced to consoles for their prompt and
	// banner; Hostname defaults to os.Hostname.
	Hostname, Version string
	// QueueLen bounds each console's backlog of undelivered events
	// (default 256); beyond it the oldest are dropped.
	QueueLen int
}

// ServerInfo is what a server announces to each client on connect.
type ServerInfo struct {
	Hostname string
	Version  string
	PID      int
}

// Server serves the CLI over a unix socket: remote consoles (-r) and
// one-shot commands (-rx).
type Server struct {
	reg  *Registry
	opts ServerOptions

	mu     sync.Mutex
	ln     net.Listener
	conns  map[*serverConn]struct{}
	closed bool
	done   chan struct{}
	wg     sync.WaitGroup // connection goroutines
}

// NewServer returns a server for reg; call Listen (optional) and Serve.
func NewServer(reg *Registry, opts ServerOptions) *Server {
	if opts.Mode == 0 {
		opts.Mode = 0o660
	}
	opts.Mode &= 0o770
	if opts.Hostname == "" {
		opts.Hostname, _ = os.Hostname()
	}
	return &Server{reg: reg, opts: opts, conns: map[*serverConn]struct{}{}, done: make(chan struct{})}
}

// Listen creates the socket with its mode and owner. A stale socket left by
// a crashed daemon is replaced; one a live daemon answers on is an error.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("cli: server closed")
	}
	if s.ln != nil {
		return nil
	}
	path := s.opts.Path
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return fmt.Errorf("cli: %s: another daemon is listening", path)
		}
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("cli: removing stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("cli: listen: %w", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(path, s.opts.Mode); err != nil {
		ln.Close()
		return fmt.Errorf("cli: chmod %s: %w", path, err)
	}
	if err := chown(path, s.opts.Owner, s.opts.Group); err != nil {
		ln.Close()
		return err
	}
	s.ln = ln
	return nil
}

func chown(path, owner, group string) error {
	uid, gid := -1, -1
	if owner != "" {
		id, err := lookupID(owner, func(n string) (string, error) {
			u, err := user.Lookup(n)
			if err != nil {
				return "", err
			}
			return u.Uid, nil
		})
		if err != nil {
			return fmt.Errorf("cli: socket owner %q: %w", owner, err)
		}
		uid = id
	}
	if group != "" {
		id, err := lookupID(group, func(n string) (string, error) {
			g, err := user.LookupGroup(n)
			if err != nil {
				return "", err
			}
			return g.Gid, nil
		})
		if err != nil {
			return fmt.Errorf("cli: socket group %q: %w", group, err)
		}
		gid = id
	}
	if uid == -1 && gid == -1 {
		return nil
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("cli: chown %s: %w", path, err)
	}
	return nil
}

func lookupID(name string, lookup func(string) (string, error)) (int, error) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, nil
	}
	s, err := lookup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// Serve accepts consoles until ctx ends or Close is called, then returns
// nil once every connection goroutine has stopped.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		if s.isClosed() {
			return nil // closed before it started: nothing to serve
		}
		return err
	}
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return nil
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() { // ends with Serve
		select {
		case <-ctx.Done():
			s.shutdown()
		case <-stop:
		}
	}()
	var retry time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				s.wg.Wait()
				return nil
			}
			// A failed accept, mostly the process out of descriptors
			// under a flood of SIP connections, must not end the control
			// socket: "asterisk -rx" (fail2ban, cron jobs, the admin)
			// has to work again once descriptors come back. Wait and
			// retry as net/http does, 5 ms doubling up to 1 s.
			retry = min(max(2*retry, acceptRetryMin), acceptRetryMax)
			t := time.NewTimer(retry)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
			}
			continue
		}
		retry = 0
		s.startConn(nc)
	}
}

const (
	acceptRetryMin = 5 * time.Millisecond
	acceptRetryMax = time.Second
)

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops accepting, disconnects every console and waits for their
// goroutines. A command handler must not call it (it runs on one of those
// goroutines); cancel Serve's context instead.
func (s *Server) Close() error {
	s.shutdown()
	s.wg.Wait()
	return nil
}

func (s *Server) shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	if s.ln != nil {
		s.ln.Close()
	}
	var busy []*serverConn
	for c := range s.conns {
		if c.busy {
			busy = append(busy, c)
		} else {
			c.nc.Close()
		}
	}
	if len(busy) > 0 {
		// A command that never ends must not hold Close forever.
		go func() {
			time.Sleep(busyGrace)
			for _, c := range busy {
				c.nc.Close()
			}
		}()
	}
}

// busyGrace is how long shutdown lets a running command finish its answer.
const busyGrace = 2 * time.Second

// setBusy marks the console as running a command, and reports false when
// the server is shutting down (the console must then end).
func (c *serverConn) setBusy(busy bool) bool {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.busy = busy
	return !c.srv.closed
}

// Publish queues ev for every interactive console it concerns and returns
// at once; a console that cannot keep up loses its oldest events.
func (s *Server) Publish(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.wants(ev) {
			c.queue.push(ev)
		}
	}
}

// Consoles returns how many clients are connected.
func (s *Server) Consoles() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

type serverConn struct {
	srv   *Server
	nc    net.Conn
	sess  *Session
	queue *eventQueue

	mu          sync.Mutex // guards interactive and serialises writes
	interactive bool

	// busy is set while a command runs (guarded by srv.mu): shutdown
	// leaves such a console open until its answer is sent, so that
	// "core stop now" itself gets one.
	busy bool
}

func (c *serverConn) wants(ev Event) bool {
	c.mu.Lock()
	interactive := c.interactive
	c.mu.Unlock()
	return interactive && (ev.Verbose <= 0 || c.sess.Verbose() >= ev.Verbose)
}

func (c *serverConn) send(typ byte, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return writeFrame(c.nc, typ, p)
}

func (s *Server) startConn(nc net.Conn) {
	c := &serverConn{srv: s, nc: nc, sess: NewSession(0), queue: newEventQueue(s.opts.QueueLen)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	connDone := make(chan struct{})
	go func() {
		defer s.wg.Done()
		defer close(connDone)
		c.serve()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		nc.Close()
	}()
	go func() {
		defer s.wg.Done()
		c.pushEvents(connDone)
	}()
}

// pushEvents writes queued events until the connection ends; it is the
// only goroutine that can block on a slow console, and Publish never waits
// for it.
func (c *serverConn) pushEvents(connDone <-chan struct{}) {
	for {
		select {
		case <-connDone:
			return
		case <-c.srv.done:
			return
		case <-c.queue.ready:
		}
		for _, ev := range c.queue.take() {
			if err := c.send(frameEvent, encodeEvent(ev)); err != nil {
				c.nc.Close()
				return
			}
		}
	}
}

// serve reads requests and answers them in order until the client leaves.
func (c *serverConn) serve() {
	for {
		typ, p, err := readFrame(c.nc)
		if err != nil {
			return
		}
		switch typ {
		case frameHello:
			lvl, inter, _ := strings.Cut(string(p), " ")
			n, _ := strconv.Atoi(lvl)
			c.sess.SetVerbose(n)
			c.mu.Lock()
			c.interactive = inter == "1"
			c.mu.Unlock()
			info := c.srv.opts
			welcome := info.Hostname + "\x00" + info.Version + "\x00" + strconv.Itoa(os.Getpid())
			err = c.send(frameWelcome, []byte(welcome))
		case frameSetVerbose:
			n, convErr := strconv.Atoi(string(p))
			if convErr == nil {
				c.sess.SetVerbose(n)
			}
		case frameExec:
			if !c.setBusy(true) {
				return
			}
			runErr := c.srv.reg.Execute(c.sess, string(p), outputWriter{c})
			ok := "1"
			if runErr != nil {
				ok = "0"
			}
			err = c.send(frameDone, []byte(ok))
			if !c.setBusy(false) {
				return // shutting down: the answer is out, now leave
			}
		case frameComplete:
			err = c.send(frameCompletions, []byte(strings.Join(c.srv.reg.Complete(string(p)), "\x00")))
		default:
			return // not our protocol
		}
		if err != nil {
			return
		}
	}
}

// outputWriter streams a command's output as it is produced.
type outputWriter struct{ c *serverConn }

func (w outputWriter) Write(p []byte) (int, error) {
	const chunk = 64 << 10
	for rest := p; len(rest) > 0; {
		n := min(len(rest), chunk)
		if err := w.c.send(frameOutput, rest[:n]); err != nil {
			return len(p) - len(rest), err
		}
		rest = rest[n:]
	}
	return len(p), nil
}

var _ io.Writer = outputWriter{}
