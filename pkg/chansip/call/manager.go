package call

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip/extern"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// Logger is what the Manager logs through; pkg/logger's *Logger and the
// pbx engine's logger satisfy it.
type Logger interface {
	Verbose(level int, format string, args ...any)
	Notice(format string, args ...any)
	Warning(format string, args ...any)
}

// Deps are the Manager's collaborators, injected by the SIP driver.
type Deps struct {
	// Client sends requests (INVITE, CANCEL, BYE, ACK) from the driver's
	// listening socket.
	Client *sipgo.Client
	Engine *pbx.Engine

	// RTP hands out media ports; MediaIP is where legs bind, the SIP bind
	// address. When it names one address SDP advertises it; when it is a
	// wildcard (bindaddr=0.0.0.0) SDP advertises Route's answer for the
	// far end. RTPConfig supplies strictrtp and probation.
	RTP       *rtp.Allocator
	RTPConfig rtp.Config
	MediaIP   netip.Addr

	// Local is the SIP address (the driver's UDP socket) put in Contact
	// and, without fromdomain, in From; a wildcard is replaced there by
	// Route's answer for the far end, as for MediaIP.
	Local netip.AddrPort
	// Route is the local address the system routes from to reach a far
	// end at remote (chan_sip's ast_ouraddrfor). Nil asks the kernel
	// through a connected UDP socket; tests give a fixed table.
	Route func(remote netip.Addr) netip.Addr
	// LocalFor, when set, is the listening address of another transport
	// ("TCP", "TLS") for the Contact of dialogs that use it; Local serves
	// UDP and any transport it has no answer for.
	LocalFor func(transport string) (netip.AddrPort, bool)

	Log Logger
	// NoExtension, when set, is told of each new INVITE answered 404
	// because its extension does not exist (chan_sip reports those as
	// security events).
	NoExtension func(req *sip.Request)
	// CDR receives one record per call, before the call's resources are
	// released; nil discards them.
	CDR func(*cdr.Record)

	// Peer finds a configured peer by name (case-insensitive), nil when
	// none; Peers lists them all (for number@host dial strings).
	Peer  func(name string) *sipconf.Peer
	Peers func() []*sipconf.Peer
	// Contact is the registered contact of a dynamic peer: the URI it
	// registered and the address requests go to.
	Contact func(peer string) (uri string, addr netip.AddrPort, ok bool)
	// Path is the route set a dynamic peer's registration recorded from
	// its Path headers (supportpath=yes, RFC 3327): requests to the peer
	// go through it. nil or empty: straight to the contact.
	Path    func(peer string) []string
	General func() *sipconf.General
	// Unreachable, when set, says a qualified peer stopped answering
	// OPTIONS: its device is UNAVAILABLE, as chan_sip reports it.
	Unreachable func(peer string) bool

	// PickupExten is features.conf's pickupexten (*8): a call to it runs
	// Pickup on the new channel (group pickup, which then owns it)
	// instead of the dialplan. Either nil: no pickup extension.
	PickupExten func() string
	Pickup      func(ch *pbx.Channel)

	// UserAgent goes into User-Agent / Server headers and the SDP s= line.
	UserAgent string
	// Allow is the driver's Allow header (the methods it serves); nil:
	// chan_sip's full list.
	Allow func() string

	// OtherDialogs lists the driver's own dialogs (REGISTER, OPTIONS,
	// outbound registrations) so that `sip show channels` shows them too.
	OtherDialogs func() []ChannelInfo

	// Linger is how long a finished dialog stays listed; 0 means 32 s
	// (chan_sip's DEFAULT_TRANS_TIMEOUT).
	Linger time.Duration
	// T1 is the SIP round-trip estimate for 2xx retransmissions; 0 means
	// 500 ms.
	T1 time.Duration
	// SessionTimerUnit is the length of a session-timer second (RFC 4028
	// intervals); 0 means a second. Tests shorten it.
	SessionTimerUnit time.Duration
}

// Manager runs the SIP calls of one driver.
type Manager struct {
	d      Deps
	log    Logger
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	dialogs map[string]*dialog // by Call-ID
	inUse   map[string]int     // calls per peer name (lower case)
	timers  map[*dialog]*time.Timer

	ext   extern.Cache
	ports portsReport
}

type nopLogger struct{}

func (nopLogger) Verbose(int, string, ...any) {}
func (nopLogger) Notice(string, ...any)       {}
func (nopLogger) Warning(string, ...any)      {}

// NewManager builds a Manager. Register its Technology with the engine
// and its Commands with the CLI.
func NewManager(d Deps) *Manager {
	if d.Log == nil {
		d.Log = nopLogger{}
	}
	if d.Linger == 0 {
		d.Linger = 32 * time.Second
	}
	if d.T1 == 0 {
		d.T1 = 500 * time.Millisecond
	}
	if d.Peer == nil {
		d.Peer = func(string) *sipconf.Peer { return nil }
	}
	if d.General == nil {
		d.General = func() *sipconf.General { return nil }
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Manager{
		d:       d,
		log:     d.Log,
		ctx:     ctx,
		cancel:  cancel,
		dialogs: map[string]*dialog{},
		inUse:   map[string]int{},
		timers:  map[*dialog]*time.Timer{},
	}
}

// errClosed is returned once Close has started.
var errClosed = errors.New("call: manager closed")

// goTracked runs f on a goroutine the Manager waits for in Close. It
// reports false (and does not run f) once the Manager is closing.
func (m *Manager) goTracked(f func()) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	m.wg.Add(1)
	m.mu.Unlock()
	go func() {
		defer m.wg.Done()
		f()
	}()
	return true
}

// enter counts a caller of a blocking entry point (HandleInvite) so Close
// waits for it; it fails once the Manager is closing.
func (m *Manager) enter() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.wg.Add(1)
	return true
}

// HangupAll asks every call to hang up, as `channel request hangup all`
// does for SIP channels.
func (m *Manager) HangupAll() {
	for _, d := range m.live() {
		if ch := d.channel(); ch != nil {
			ch.SoftHangup(pbx.CauseNormalClearing)
		}
	}
}

// Close hangs up every call, stops every goroutine the Manager started and
// waits for them; the dialplans of inbound calls end through the engine
// context they were started with.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.mu.Unlock()
	m.HangupAll()
	// Give the owners of the channels a moment to send their BYEs before
	// the transactions are cancelled.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && m.activeCalls() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	m.mu.Lock()
	m.closed = true
	for d, t := range m.timers {
		t.Stop()
		delete(m.timers, d)
	}
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
	for _, d := range m.live() {
		d.release()
	}
	m.mu.Lock()
	m.dialogs = map[string]*dialog{}
	m.mu.Unlock()
}

func (m *Manager) activeCalls() int {
	n := 0
	for _, d := range m.live() {
		if !d.isEnded() {
			n++
		}
	}
	return n
}

// live returns the listed dialogs.
func (m *Manager) live() []*dialog {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*dialog, 0, len(m.dialogs))
	for _, d := range m.dialogs {
		out = append(out, d)
	}
	return out
}

func (m *Manager) add(d *dialog) {
	m.mu.Lock()
	if old, ok := m.dialogs[d.callID]; ok {
		if t := m.timers[old]; t != nil {
			t.Stop()
			delete(m.timers, old)
		}
	}
	m.dialogs[d.callID] = d
	m.mu.Unlock()
}

func (m *Manager) find(callID string) *dialog {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dialogs[callID]
}

// dialogOf is the dialog a request's Call-ID names, or nil.
func (m *Manager) dialogOf(req *sip.Request) *dialog {
	h := req.CallID()
	if h == nil {
		return nil
	}
	return m.find(h.Value())
}

// forget removes a finished dialog from the list, at once or after the
// linger time.
func (m *Manager) forget(d *dialog, linger bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dialogs[d.callID] != d {
		return
	}
	if !linger || m.closed {
		delete(m.dialogs, d.callID)
		return
	}
	if m.timers[d] != nil {
		return
	}
	m.timers[d] = time.AfterFunc(m.d.Linger, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.dialogs[d.callID] == d {
			delete(m.dialogs, d.callID)
		}
		delete(m.timers, d)
	})
}

// useSlot takes a call-limit slot of a peer; it fails when the peer is at
// its call-limit.
func (m *Manager) useSlot(p *sipconf.Peer) bool {
	if p == nil {
		return true
	}
	k := strings.ToLower(p.Name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.CallLimit > 0 && m.inUse[k] >= p.CallLimit {
		return false
	}
	m.inUse[k]++
	return true
}

func (m *Manager) freeSlot(p *sipconf.Peer) {
	if p == nil {
		return
	}
	k := strings.ToLower(p.Name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.inUse[k] > 1 {
		m.inUse[k]--
	} else {
		delete(m.inUse, k)
	}
}

// InUse returns how many calls a peer has, for `sip show inuse` and
// `sip show peer`.
func (m *Manager) InUse(peer string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inUse[strings.ToLower(peer)]
}

// busy reports whether a new call to p would exceed its busylevel.
func (m *Manager) busy(p *sipconf.Peer) bool {
	if p == nil || p.BusyLevel <= 0 {
		return false
	}
	return m.InUse(p.Name) >= p.BusyLevel
}

// --- identifiers ---

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// newTag is a chan_sip-shaped tag: "as" and eight hex digits.
func newTag() string { return "as" + randHex(8) }

// newCallID is 32 hex digits at our host, as chan_sip builds Call-IDs.
func newCallID(host string) string {
	return randHex(32) + "@" + host
}

func (m *Manager) userAgent() string {
	if m.d.UserAgent != "" {
		return m.d.UserAgent
	}
	return "gostrisk"
}

// sortChannels orders `sip show channels` rows newest first, the order
// chan_sip's dialog container returns a call's two legs in.
func sortChannels(rows []ChannelInfo) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Created.After(rows[j].Created) })
}

// parseAddrPort reads "ip:port" as sipgo reports sources.
func parseAddrPort(s string) netip.AddrPort {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("call: %s: %w", op, err)
}

// chanSIPAllow is chan_sip's Allow list, for a manager built without the
// driver's (tests).
const chanSIPAllow = "INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE"

// allow is the Allow header of our INVITEs and answers: the methods the
// driver serves.
func (m *Manager) allow() string {
	if m.d.Allow != nil {
		return m.d.Allow()
	}
	return chanSIPAllow
}
