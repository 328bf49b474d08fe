package chansip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/extern"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// Logger is the part of *logger.Logger the driver writes to. The logger
// finds the file and function of its direct caller, so the driver calls
// these methods itself rather than through a wrapper.
type Logger interface {
	Notice(format string, args ...any)
	Warning(format string, args ...any)
	Error(format string, args ...any)
	Verbose(level int, format string, args ...any)
	Debug(level int, format string, args ...any)
}

// Options configure a Driver. Config is required; everything else has a
// usable zero value.
type Options struct {
	Config   *sipconf.Config
	Log      Logger           // nil: discard
	Store    Store            // astdb; nil: registrations are not persisted
	Registry *cli.Registry    // where the "sip ..." commands go; nil: none
	Now      func() time.Time // nil: time.Now
	// Version is the Asterisk-compatible version ("18.26.4") used in the
	// default User-Agent / Server header and by "sip show settings".
	Version string
	// Reload is what "sip reload" runs: the daemon re-reads sip.conf and
	// users.conf and calls Driver.Reload. nil: "sip reload" re-applies the
	// running configuration.
	Reload func() error

	// Calls: the engine that runs dialplans for inbound calls and knows
	// the SIP technology; nil disables calls (registrar only).
	Engine *pbx.Engine
	// RTP is rtp.conf; media ports come from its range.
	RTP rtp.Config
	// CDR receives one record per call; nil discards them.
	CDR func(*cdr.Record)
	// PickupExten and Pickup: features.conf's pickupexten and the group
	// pickup a call to it runs (call.Deps).
	PickupExten func() string
	Pickup      func(ch *pbx.Channel)

	// Resolver looks up registrar hosts (A, and SRV with srvlookup=yes),
	// externhost and peers' host= names; nil: the system resolver.
	Resolver Resolver

	// ConfigDir is astetcdir: where "sip notify" reads sip_notify.conf and
	// the CLI finds sip.conf's raw register/mwi lines. "": the working
	// directory.
	ConfigDir string

	// Security receives chan_sip's security events (see security.go);
	// nil: none are reported.
	Security SecurityReporter
}

// Driver is the SIP channel driver: transports, registrar, qualify and
// the "sip" CLI commands.
type Driver struct {
	opts Options
	log  Logger
	now  func() time.Time

	cfg   atomic.Pointer[sipconf.Config]
	regs  *registrations
	debug atomic.Pointer[debugFilter]

	peersMu sync.Mutex
	peers   map[string]*peerRuntime // by peer name as configured

	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	tp     *transports
	fast   atomic.Pointer[udpFastPath] // REGISTER and OPTIONS over UDP without sipgo; nil when stopped
	flow   *flowControl                // requests in progress per TCP/TLS connection (flowctl.go)
	allow  allowList                   // methods served, for Allow (allow.go)

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	pokeNow chan string // names of peers to qualify at once

	calls atomic.Pointer[call.Manager]

	outregs *outRegs // outbound registrations; nil before Start
	ext     extern.Cache
	hosts   atomic.Pointer[peerHosts]
	byAddr  atomic.Pointer[addrPeers] // static peers, for matching INVITEs by address

	more moreState      // history, TCP sessions, scheduler report (cli_more.go)
	subs *subscriptions // SUBSCRIBE dialogs (subscribe.go)
	mwi  mwiState       // unsolicited MWI and LastMsgsSent (mwi.go)
	// remoteMWI: the "mwi =>" subscriptions (mwi_out.go); nil before Start.
	remoteMWI atomic.Pointer[remoteMWI]
	sec       secState // security events (security.go)
}

// callManager is the call machinery, nil before Start or without an engine.
func (d *Driver) callManager() *call.Manager { return d.calls.Load() }

// nonceLifetime matches how long chan_sip keeps a dialog (and so its
// nonce) after a challenge: 32 s, Timer B at the default T1.
const nonceLifetime = 32 * time.Second

// New builds a driver from a loaded configuration. It opens no socket:
// Start does. Registrations are restored from the store here so that
// "sip show peers" is right from the first moment.
func New(opts Options) (*Driver, error) {
	if opts.Config == nil {
		return nil, errors.New("chansip: no configuration")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = discard{}
	}
	d := &Driver{
		opts:    opts,
		log:     opts.Log,
		now:     opts.Now,
		regs:    newRegistrations(opts.Store),
		flow:    newFlowControl(),
		peers:   make(map[string]*peerRuntime),
		pokeNow: make(chan string, 64),
	}
	d.regs.changed = d.registrationChanged // devstate.go
	d.subs = newSubscriptions()
	d.debug.Store(&debugFilter{})
	d.cfg.Store(opts.Config)
	d.syncPeers(opts.Config)
	d.restoreRegistrations(opts.Config)
	d.resolvePeerHosts(opts.Config)
	if opts.Registry != nil {
		if err := d.registerCLI(opts.Registry); err != nil {
			return nil, fmt.Errorf("chansip: cli: %w", err)
		}
	}
	return d, nil
}

// Config is the running configuration snapshot.
func (d *Driver) Config() *sipconf.Config { return d.cfg.Load() }

// restoreRegistrations loads /SIP/Registry rows of the dynamic peers, as
// chan_sip's reg_source_db does when it builds a peer.
func (d *Driver) restoreRegistrations(cfg *sipconf.Config) {
	now := d.now()
	for _, p := range cfg.Peers {
		if !p.Dynamic || !p.IsPeer() || d.regs.get(p.Name) != nil {
			continue
		}
		r, err := d.regs.restore(p.Name, now)
		if err != nil {
			d.log.Warning("SIP/Registry/%s: %v", p.Name, err)
			continue
		}
		if r != nil && r.UserAgent == "" {
			d.log.Debug(1, "SIP Seeding peer from astdb: '%s' at %s for %d", p.Name, r.Addr, r.Expiry)
		}
	}
}

// Start binds the sockets (so an address in use is a start-up error) and
// then serves in the background until Stop or ctx ends.
func (d *Driver) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return errors.New("chansip: already started")
	}
	cfg := d.cfg.Load()
	if err := d.setupStack(cfg); err != nil {
		return err
	}
	tp, err := listen(cfg.General)
	if err != nil {
		d.ua.Close()
		return err
	}
	// sip set debug shows every datagram the socket sends, whichever
	// layer (registrar, calls, sipgo's retransmissions) wrote it.
	tp.udp = &tracedPacketConn{PacketConn: tp.udp, sent: d.debugSent}
	d.tp = tp
	tp.conns.configure(d.log, func() *sipconf.General { return &d.cfg.Load().General })
	client, err := sipgo.NewClient(d.ua,
		sipgo.WithClientHostname(tp.udpAddr.Addr().String()),
		sipgo.WithClientPort(int(tp.udpAddr.Port())),
		sipgo.WithClientConnectionAddr(tp.udpAddr.String()))
	if err != nil {
		tp.close()
		d.ua.Close()
		return fmt.Errorf("chansip: client: %w", err)
	}
	d.client = client
	// Requests to a phone that connected over TCP/TLS go back over its
	// connection (it is usually behind NAT).
	d.routeOverConnections(client, tp)
	if err := d.startCalls(cfg, tp.udpAddr); err != nil {
		tp.close()
		d.ua.Close()
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	d.started = true
	// Before the sockets serve: a SUBSCRIBE's notifier runs under ctx.
	d.startSubscriptions(ctx) // subscribe.go, mwi.go
	d.fast.Store(newUDPFastPath(tp.udp))
	tp.serve(d.srv, &d.wg, d.log)
	d.waitListening(tp.udpAddr)
	d.wg.Add(2)
	go func() {
		defer d.wg.Done()
		d.housekeeping(ctx)
	}()
	go func() {
		defer d.wg.Done()
		d.qualifyLoop(ctx)
	}()
	d.outregs = newOutRegs(d, wallClock{now: d.now})
	d.outregs.apply(cfg)
	d.startRemoteMWI(ctx, cfg)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		<-ctx.Done()
		d.outregs.close()
	}()
	go func() {
		// Stop closes the sockets; a cancelled parent context must too.
		<-ctx.Done()
		d.shutdown()
	}()
	return nil
}

// waitListening returns once sipgo has taken the UDP socket into its pool:
// it does so on the serving goroutine, and a request sent before that would
// not leave from the bound port.
func (d *Driver) waitListening(addr netip.AddrPort) {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := d.srv.TransportLayer().GetConnection("udp", addr.String()); err == nil && c != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	d.log.Warning("SIP UDP transport on %s not ready after 2 s", addr)
}

// Stop closes the sockets and waits for every goroutine the driver
// started. Registrations stay in the store for the next start.
func (d *Driver) Stop() {
	d.mu.Lock()
	cancel := d.cancel
	o := d.outregs
	d.mu.Unlock()
	if o != nil {
		// Un-REGISTER while the socket is still open.
		o.close()
	}
	if cancel != nil {
		cancel()
	}
	d.shutdown()
	d.wg.Wait()
}

func (d *Driver) shutdown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopped {
		return
	}
	d.stopped = true
	if m := d.calls.Load(); m != nil {
		// Hang up calls while the socket can still carry their BYEs.
		m.Close()
	}
	d.fast.Store(nil)
	d.flow.close()
	d.tp.close()
	d.ua.Close()
}

// Reload swaps in a new configuration: peers that are gone lose their
// registration, peers that remain keep it, new peers start fresh (or from
// the store). Listening addresses are not re-bound, as chan_sip does not
// while calls run; a changed bind address needs a restart.
func (d *Driver) Reload(cfg *sipconf.Config) error {
	if cfg == nil {
		return errors.New("chansip: reload: no configuration")
	}
	old := d.cfg.Swap(cfg)
	for _, p := range old.Peers {
		np := cfg.Peer(p.Name)
		if np == nil || np.Name != p.Name || !np.Dynamic {
			if d.regs.get(p.Name) != nil {
				d.regs.remove(p.Name)
			}
		}
	}
	d.syncPeers(cfg)
	d.restoreRegistrations(cfg)
	d.resolvePeerHosts(cfg)
	d.mu.Lock()
	o := d.outregs
	d.mu.Unlock()
	if o != nil {
		o.apply(cfg)
	}
	if r := d.remoteMWI.Load(); r != nil {
		r.apply(cfg)
	}
	select {
	case d.pokeNow <- "":
	default:
	}
	return nil
}

// View is the runtime state as the "sip show" listings print it.
func (d *Driver) View() *sipshow.View {
	cfg := d.cfg.Load()
	v := &sipshow.View{
		Config:   cfg,
		Peers:    make(map[string]sipshow.PeerState, len(cfg.Peers)),
		Registry: make([]sipshow.RegistryState, len(cfg.Registrations)),
		Now:      d.now(),
		Version:  d.opts.Version,
	}
	d.mu.Lock()
	o := d.outregs
	d.mu.Unlock()
	if o != nil {
		v.Registry = o.states(len(cfg.Registrations))
	} else {
		for i := range v.Registry {
			v.Registry[i] = sipshow.RegistryState{State: sipshow.RegRequestSent}
		}
	}
	for _, p := range cfg.Peers {
		v.Peers[p.Name] = d.peerState(p)
	}
	return v
}

func (d *Driver) peerState(p *sipconf.Peer) sipshow.PeerState {
	var st sipshow.PeerState
	if r := d.regs.get(p.Name); r != nil {
		st.Addr = r.Addr
		st.Expires = r.Expires
		st.UserAgent = r.UserAgent
		st.FullContact = r.Contact
		st.Transport = transportOf(r.Transport)
		st.Path = r.Path
	}
	if rt := d.runtime(p.Name); rt != nil {
		rt.mu.Lock()
		st.LastMs = rt.lastMs
		st.SIPOptions = rt.sipOptions
		rt.mu.Unlock()
	}
	st.NewMessages, st.OldMessages = d.lastMsgsSent(p) // mwi.go
	return st
}

// PeerAddr is where requests to a peer go: its registration, else its
// static address. ok is false for an unknown or unregistered peer.
func (d *Driver) PeerAddr(name string) (netip.AddrPort, bool) {
	cfg := d.cfg.Load()
	p := cfg.Peer(name)
	if p == nil {
		return netip.AddrPort{}, false
	}
	return d.peerAddr(p)
}

func (d *Driver) peerAddr(p *sipconf.Peer) (netip.AddrPort, bool) {
	if r := d.regs.get(p.Name); r != nil {
		return r.Addr, true
	}
	if !p.Dynamic && p.Addr.IsValid() {
		if p.Addr.Port() == 0 {
			port := p.Port
			if port == 0 {
				port = 5060
			}
			return netip.AddrPortFrom(p.Addr.Addr(), uint16(port)), true
		}
		return p.Addr, true
	}
	return netip.AddrPort{}, false
}

func transportOf(s string) sipconf.Transport {
	switch s {
	case "TCP":
		return sipconf.TCP
	case "TLS":
		return sipconf.TLS
	case "WS":
		return sipconf.WS
	case "WSS":
		return sipconf.WSS
	case "UDP":
		return sipconf.UDP
	}
	return 0
}

// housekeeping expires registrations and used nonces. One ticker serves
// all peers: a timer per registration would cost a goroutine-timer each
// at the thousands of registrations the registrar is built for.
func (d *Driver) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, r := range d.regs.expired(d.now()) {
			d.log.Debug(1, "Registration for '%s' expired", r.Peer)
			d.resetQualify(r.Peer)
		}
		d.regs.nonces.expire(d.now())
		if d.regs.nonces.used.overflowed() {
			d.log.Warning("More than %d digest answers in %v: challenging the rest again until the nonces expire",
				usedShards*usedPerShard, nonceBucket)
		}
	}
}

type discard struct{}

func (discard) Notice(string, ...any)       {}
func (discard) Warning(string, ...any)      {}
func (discard) Error(string, ...any)        {}
func (discard) Verbose(int, string, ...any) {}
func (discard) Debug(int, string, ...any)   {}
