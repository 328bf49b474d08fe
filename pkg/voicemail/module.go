package voicemail

import (
	"context"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// SpoolDir is astspooldir: the spool is SpoolDir/voicemail.
	SpoolDir string
	// Host is the host name in mail addresses (gethostname when "").
	Host string
}

// Module is app_voicemail: voicemail.conf's mailboxes, the spool, the
// applications and functions, MWI counts, the e-mail and the CLI.
type Module struct {
	log   pbx.Logger
	spool *Spool
	host  string
	cfg   atomic.Pointer[Config]
	eng   atomic.Pointer[pbx.Engine]

	// wg counts the goroutines the module owns (mail senders, the
	// poller); stop ends the poller.
	wg       sync.WaitGroup
	stopOnce sync.Once
	stop     chan struct{}
	reloadCh chan struct{}
	pollMu   sync.Mutex
	last     map[string]pbx.MailboxCounts // pollmailboxes: counts seen last

	pwMu      sync.Mutex
	passwords map[string]string // changed by their owners since the load
}

// New creates the module with its first configuration.
func New(opts Options, cfg *Config) *Module {
	host := opts.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	m := &Module{log: opts.Log, host: host, spool: NewSpool(strings.TrimRight(opts.SpoolDir, "/") + "/voicemail"),
		stop: make(chan struct{}), reloadCh: make(chan struct{}, 1), last: map[string]pbx.MailboxCounts{},
		passwords: map[string]string{}}
	m.SetConfig(cfg)
	return m
}

// Spool is the module's spool.
func (m *Module) Spool() *Spool { return m.spool }

// Config is the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig swaps in a (re)loaded voicemail.conf; calls in progress keep
// the mailbox they looked up. The poller picks the new frequency.
func (m *Module) SetConfig(cfg *Config) {
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	m.spool.SetFormats(cfg.General.Formats)
	m.cfg.Store(cfg)
	// The reloaded file holds the changed passwords now.
	m.pwMu.Lock()
	m.passwords = map[string]string{}
	m.pwMu.Unlock()
	select {
	case m.reloadCh <- struct{}{}:
	default:
	}
}

// Start installs the module on eng: the mailbox counts for MWI and, with
// pollmailboxes=yes, the poller that notices changes made by other
// programs in the spool.
func (m *Module) Start(eng *pbx.Engine) {
	m.eng.Store(eng)
	eng.SetMailboxProvider(m)
	m.wg.Add(1)
	go m.poll()
}

// Close stops the poller and waits for mails still being sent.
func (m *Module) Close() {
	m.stopOnce.Do(func() { close(m.stop) })
	if eng := m.eng.Load(); eng != nil {
		eng.SetMailboxProvider(nil)
	}
	m.wg.Wait()
}

// MailboxCounts implements pbx.MailboxProvider: New counts INBOX and
// Urgent, as app_voicemail's MWI does; UrgentNew is Urgent alone.
func (m *Module) MailboxCounts(mailbox string) (pbx.MailboxCounts, bool) {
	cfg := m.Config()
	u := cfg.LookupID(mailbox)
	if u == nil {
		// MWI names an alias with its context, default when it has
		// none (messagecount's "box@context" key).
		box, ctx, _ := strings.Cut(mailbox, "@")
		if ctx == "" || ctx == "default" {
			if u = cfg.alias(box, "default"); u == nil {
				u = cfg.alias(box, "")
			}
		}
	}
	if u == nil {
		return pbx.MailboxCounts{}, false
	}
	return m.counts(u), true
}

func (m *Module) counts(u *User) pbx.MailboxCounts {
	urgent := m.spool.Count(u.Context, u.Mailbox, "Urgent")
	return pbx.MailboxCounts{
		New:       m.spool.Count(u.Context, u.Mailbox, "INBOX") + urgent,
		Old:       m.spool.Count(u.Context, u.Mailbox, "Old"),
		UrgentNew: urgent,
	}
}

// changed announces a mailbox's new counts (MWI) and runs externnotify.
func (m *Module) changed(u *User) {
	c := m.counts(u)
	m.pollMu.Lock()
	m.last[u.ID()] = c
	m.pollMu.Unlock()
	if eng := m.eng.Load(); eng != nil {
		eng.PublishMessageWaiting(u.ID())
		// An alias is a mailbox of its own to the phones that name it.
		for _, a := range m.Config().AliasesOf(u) {
			eng.PublishMessageWaiting(a)
		}
	}
	m.externNotify(u, c)
}

// externNotify runs externnotify as run_externnotify does: context,
// mailbox, new, old, urgent as arguments.
func (m *Module) externNotify(u *User, c pbx.MailboxCounts) {
	cmd := m.Config().General.ExternNotify
	if cmd == "" {
		return
	}
	line := strings.Join([]string{cmd, shellQuote(u.Context), shellQuote(u.Mailbox),
		itoa(c.New - c.UrgentNew), itoa(c.Old), itoa(c.UrgentNew)}, " ")
	m.background(func() {
		if err := runShell(context.Background(), line); err != nil {
			m.log.Warning("Unable to run externnotify '%s': %v\n", line, err)
		}
	})
}

// background runs f on a goroutine the module waits for at Close.
func (m *Module) background(f func()) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		f()
	}()
}

// poll is pollmailboxes: every pollfreq, compare each mailbox's counts
// with the last ones seen and announce the changes.
func (m *Module) poll() {
	defer m.wg.Done()
	m.PollOnce() // the counts changes are measured against
	for {
		g := m.Config().General
		var tick <-chan time.Time
		var t *time.Timer
		if g.PollMailboxes && g.PollFreq > 0 {
			t = time.NewTimer(g.PollFreq)
			tick = t.C
		}
		select {
		case <-m.stop:
		case <-m.reloadCh:
		case <-tick:
			m.PollOnce()
		}
		if t != nil {
			t.Stop()
		}
		select {
		case <-m.stop:
			return
		default:
		}
	}
}

// PollOnce compares every mailbox's counts with the last seen and
// publishes MWI for those that changed.
func (m *Module) PollOnce() {
	for _, u := range m.Config().Users {
		c := m.counts(u)
		m.pollMu.Lock()
		old, seen := m.last[u.ID()]
		m.last[u.ID()] = c
		m.pollMu.Unlock()
		if seen && old != c {
			if eng := m.eng.Load(); eng != nil {
				eng.PublishMessageWaiting(u.ID())
			}
		}
	}
}
