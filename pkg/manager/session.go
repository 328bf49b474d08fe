package manager

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/security"
)

// Bounds of a session's outgoing queue: past either, the client is too
// slow for the event rate and is disconnected, so it can neither hold
// the server's memory nor delay the others.
const (
	maxQueuedMessages = 20000
	maxQueuedBytes    = 4 << 20
)

// session is one client connection.
type session struct {
	m     *Module
	conn  net.Conn
	id    int32
	addr  netip.AddrPort
	start time.Time

	mu        sync.Mutex
	user      *User
	authed    bool
	readPerm  Perm
	writePerm Perm
	events    Perm // the classes "Events:" asked for (default: read)
	filters   []*Filter
	challenge string

	qmu    sync.Mutex
	queue  [][]byte
	qbytes int
	wake   chan struct{}
	closed bool
	done   chan struct{}
	// eventWake is signalled when an event is queued, for WaitEvent.
	eventWake chan struct{}
	cutOff    atomic.Bool
	// counted: the session is among authlimit's unauthenticated ones
	// (from accept to login or close).
	counted atomic.Bool
}

// uncount takes the session out of the unauthenticated count, once.
func (s *session) uncount() {
	if s.counted.Swap(false) {
		s.m.unauth.Add(-1)
	}
}

func newSession(m *Module, c net.Conn) *session {
	s := &session{m: m, conn: c, id: m.fd.Add(1), start: time.Now(),
		wake: make(chan struct{}, 1), done: make(chan struct{}), eventWake: make(chan struct{}, 1)}
	s.counted.Store(true)
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		s.addr = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return s
}

func (s *session) username() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.user == nil {
		return ""
	}
	return s.user.Name
}

func (s *session) host() string { return s.addr.Addr().String() }

// send queues a message; it never blocks. A session whose queue is over
// its bounds is cut off.
func (s *session) send(p []byte) bool {
	s.qmu.Lock()
	if s.closed {
		s.qmu.Unlock()
		return false
	}
	if len(s.queue) >= maxQueuedMessages || s.qbytes+len(p) > maxQueuedBytes {
		n := len(s.queue)
		s.qmu.Unlock()
		s.cut(fmt.Sprintf("%d messages waiting", n))
		return false
	}
	s.queue = append(s.queue, p)
	s.qbytes += len(p)
	s.qmu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// cut disconnects a client that does not read fast enough, once, with a
// log line naming it.
func (s *session) cut(why string) {
	if s.cutOff.Swap(true) {
		return
	}
	user := s.username()
	if user == "" {
		user = "(not logged in)"
	}
	s.m.opts.Log.Warning("Manager session of '%s' from %s is too slow to read its events (%s): disconnecting\n", user, s.host(), why)
	s.close()
}

// close ends the connection; the reader and writer goroutines return.
func (s *session) close() {
	s.qmu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.qmu.Unlock()
	s.conn.Close()
}

// writer writes queued messages in order. Each write must finish within
// the user's writetimeout; a client that stops reading is cut off then.
func (s *session) writer() {
	for {
		select {
		case <-s.wake:
		case <-s.done:
			return
		}
		s.qmu.Lock()
		q := s.queue
		s.queue, s.qbytes = nil, 0
		s.qmu.Unlock()
		timeout := defaultWriteTimeout
		s.mu.Lock()
		if s.user != nil {
			timeout = s.user.WriteTimeout
		}
		s.mu.Unlock()
		// Batches go out in writes of up to 64 KiB, each bounded by the
		// timeout: one slow client costs the server a goroutine, nothing
		// more.
		var buf []byte
		flush := func() bool {
			if len(buf) == 0 {
				return true
			}
			s.conn.SetWriteDeadline(time.Now().Add(timeout))
			_, err := s.conn.Write(buf)
			buf = buf[:0]
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					s.cut(fmt.Sprintf("write timeout %v", timeout))
				} else {
					s.close()
				}
				return false
			}
			return true
		}
		for _, p := range q {
			buf = append(buf, p...)
			if len(buf) >= 64<<10 && !flush() {
				return
			}
		}
		if !flush() {
			return
		}
	}
}

// serve reads and answers requests until the client leaves, logs off or
// fails to log in.
func (s *session) serve(ctx context.Context, cfg *Config) {
	defer s.close()
	defer func() {
		s.uncount()
		s.logoffLine()
	}()
	s.send([]byte(Banner + "\r\n"))
	r := NewReader(s.conn)
	r.LongLine = func(start string) {
		s.m.opts.Log.Warning("Dumping long line with no return from %s: %s\n", s.host(), start)
	}
	deadline := s.start.Add(cfg.AuthTimeout)
	for {
		s.mu.Lock()
		authed := s.authed
		s.mu.Unlock()
		if authed {
			s.conn.SetReadDeadline(time.Time{})
		} else {
			s.conn.SetReadDeadline(deadline)
		}
		msg, err := r.ReadMessage()
		if err != nil {
			var ne net.Error
			if !authed && errors.As(err, &ne) && ne.Timeout() {
				s.m.opts.Log.Notice("Client from %s, failed to authenticate in %d seconds\n", s.host(), int(cfg.AuthTimeout/time.Second))
			}
			return
		}
		if ctx.Err() != nil {
			return
		}
		if s.process(msg) != nil {
			// let the writer send the last answer before the close
			s.drain(time.Second)
			return
		}
	}
}

// drain waits (up to limit) for the queue to be written.
func (s *session) drain(limit time.Duration) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		s.qmu.Lock()
		n := len(s.queue)
		s.qmu.Unlock()
		if n == 0 {
			time.Sleep(5 * time.Millisecond) // the writer's last Write
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// process answers one request; an error ends the session. Security
// events about a request follow its answer, as Asterisk's (asynchronous)
// ones reach the session after it.
func (s *session) process(msg *Message) error {
	name := msg.Get("Action")
	req := &Request{Message: msg, Name: name, s: s}
	if name == "" {
		req.Error("Missing action in request")
		s.reportSecurity(security.Event{Type: security.RequestBadFormat, RequestType: "Action: NONE"})
		return nil
	}
	s.mu.Lock()
	authed, write := s.authed, s.writePerm
	s.mu.Unlock()
	lname := strings.ToLower(name)
	if !authed && lname != "login" && lname != "logoff" && lname != "challenge" {
		req.Error("Permission denied")
		s.reportSecurity(security.Event{Type: security.RequestNotAllowed, RequestType: "Action: " + name})
		return nil
	}
	if !authed && (lname == "login" || lname == "challenge") {
		// allowmultiplelogin=no: a second session of the user is refused
		// before it can try a password (manager.c's process_message).
		if u := s.m.Config().User(msg.Get("Username")); u != nil && !u.AllowMultiLogin && s.m.loggedIn(u.Name, s) {
			s.reportSecurity(security.Event{Type: security.SessionLimit, AccountID: u.Name})
			s.pause()
			req.Error("Login Already In Use")
			return errClose
		}
	}
	a := s.m.action(name)
	if a == nil {
		req.Error(fmt.Sprintf("Invalid/unknown command: %s. Use Action: ListCommands to show available commands.", name))
		s.reportSecurity(security.Event{Type: security.RequestBadFormat, RequestType: "Action: " + name})
		return nil
	}
	if a.Perm != 0 && write&a.Perm == 0 {
		req.Error("Permission denied")
		s.reportSecurity(security.Event{Type: security.RequestNotAllowed, RequestType: "Action: " + name})
		return nil
	}
	return a.Handler(req)
}

// reportSecurity fills the fields every AMI security event has and
// reports it.
func (s *session) reportSecurity(ev security.Event) {
	ev.Service = "AMI"
	if ev.AccountID == "" {
		ev.AccountID = s.username()
	}
	ev.SessionID = fmt.Sprintf("%p", s)
	ev.SessionTV = s.start
	// the listener's address, as manager.c reports it
	if a := s.m.Addr(); a != nil {
		if la, err := netip.ParseAddrPort(a.String()); err == nil {
			ev.Local = security.Addr{AddrPort: la, Transport: security.TCP}
		}
	}
	ev.Remote = security.Addr{AddrPort: s.addr, Transport: security.TCP}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if sec := s.m.opts.Security; sec != nil {
		sec.Report(&ev)
	}
	s.m.SecurityEvent(&ev)
}

// newChallenge is the random number the Challenge action hands out, as
// Asterisk's (a decimal ast_random()).
func newChallenge() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<31-1))
	if err != nil {
		return "0"
	}
	return n.String()
}

// login authenticates the session as manager.c's authenticate(): the
// specific NOTICE and security event of the failure, then "failed to
// authenticate as" for every failure (fail2ban's filter reads that one).
// An empty Username fails without a word.
func (s *session) login(req *Request) bool {
	cfg := s.m.Config()
	name := req.Get("Username")
	if name == "" {
		return false
	}
	log := s.m.opts.Log
	ok := false
	u := cfg.User(name)
	s.mu.Lock()
	challenge := s.challenge
	s.mu.Unlock()
	switch {
	case u == nil:
		s.reportSecurity(security.Event{Type: security.InvalidAccountID, AccountID: name})
		log.Notice("%s tried to authenticate with nonexistent user '%s'\n", s.host(), name)
	case !u.Allowed(s.addr.Addr()):
		s.reportSecurity(security.Event{Type: security.FailedACL, AccountID: name})
		log.Notice("%s failed to pass IP ACL as '%s'\n", s.host(), name)
	case strings.EqualFold(req.Get("AuthType"), "MD5"):
		key := req.Get("Key")
		if key != "" && challenge != "" && u.Secret != "" {
			sum := md5.Sum([]byte(challenge + u.Secret))
			expected := hex.EncodeToString(sum[:])
			if key == expected {
				ok = true
			} else {
				s.reportSecurity(security.Event{Type: security.ChallengeResponseFailed, AccountID: name,
					Challenge: challenge, Response: key, ExpectedResponse: expected})
			}
		}
	case u.Secret != "":
		if req.Get("Secret") == u.Secret {
			ok = true
		} else {
			s.reportSecurity(security.Event{Type: security.InvalidPassword, AccountID: name})
		}
	}
	if !ok {
		log.Notice("%s failed to authenticate as '%s'\n", s.host(), name)
		return false
	}
	s.mu.Lock()
	s.user = u
	s.authed = true
	s.readPerm, s.writePerm = u.Read, u.Write
	s.events = PermAll
	if m, ok := eventMask(req.Get("Events")); ok {
		s.events = m
	}
	s.filters = append([]*Filter(nil), u.Filters...)
	s.mu.Unlock()
	if u.DisplayConnects {
		log.Verbose(2, "Manager '%s' logged on from %s\n", u.Name, s.host())
	}
	return true
}

// pause is manager.c's sleep(1) before refusing a login, cut short when
// the session ends.
func (s *session) pause() {
	select {
	case <-time.After(s.m.opts.FailedLoginDelay):
	case <-s.done:
	}
}

// logoffLine prints "logged off" for a session that was logged in.
func (s *session) logoffLine() {
	s.mu.Lock()
	u := s.user
	s.mu.Unlock()
	if u != nil && u.DisplayConnects {
		s.m.opts.Log.Verbose(2, "Manager '%s' logged off from %s\n", u.Name, s.host())
	}
}

// deliver queues an event of class p whose text is text (its Event line
// first) if the session wants it.
func (s *session) deliver(p Perm, text []byte) {
	s.mu.Lock()
	ok := s.authed && s.readPerm&p != 0 && s.events&p != 0
	filters := s.filters
	s.mu.Unlock()
	if !ok || !passFilters(filters, string(text)) {
		return
	}
	if s.send(text) {
		select {
		case s.eventWake <- struct{}{}:
		default:
		}
	}
}
