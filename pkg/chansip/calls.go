package chansip

import (
	"fmt"
	"net/netip"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// startCalls builds the call manager on the bound socket, registers the SIP
// technology with the engine and routes INVITE and in-dialog requests to it.
func (d *Driver) startCalls(cfg *sipconf.Config, local netip.AddrPort) error {
	if d.opts.Engine == nil {
		return nil
	}
	rc := d.opts.RTP
	if rc.Start == 0 && rc.End == 0 {
		rc = rtp.DefaultConfig()
	}
	alloc, err := rtp.NewAllocator(rc.Start, rc.End)
	if err != nil {
		return fmt.Errorf("chansip: rtp.conf: %w", err)
	}
	// RTP binds where SIP does, as chan_sip does: with bindaddr=0.0.0.0 the
	// legs take the wildcard too and each dialog advertises the address
	// the kernel routes from towards its far end. rtpbindaddr= moves them
	// (e.g. SIP on :: and RTP on one IPv4 address).
	mediaIP := local.Addr()
	if cfg.General.RTPBind.IsValid() {
		mediaIP = cfg.General.RTPBind
	}
	m := call.NewManager(call.Deps{
		Client: d.client, Engine: d.opts.Engine,
		RTP: alloc, RTPConfig: rc, MediaIP: mediaIP, Local: local,
		// Not d.ourAddrFor: that takes d.mu, which Start and Stop hold
		// while the manager starts and hangs up its calls.
		Route: func(remote netip.Addr) netip.Addr {
			return routedAddr(local, netip.AddrPortFrom(remote, sipconf.StandardSIPPort)).Addr()
		},
		Log: d.log, CDR: d.opts.CDR,
		Peer:  func(name string) *sipconf.Peer { return d.cfg.Load().Peer(name) },
		Peers: func() []*sipconf.Peer { return d.cfg.Load().Peers },
		Contact: func(peer string) (string, netip.AddrPort, bool) {
			r := d.regs.get(peer)
			if r == nil {
				return "", netip.AddrPort{}, false
			}
			return r.Contact, r.Addr, true
		},
		Path:        d.pathOf, // path.go
		General:     func() *sipconf.General { return &d.cfg.Load().General },
		Unreachable: d.unreachable, // devstate.go
		UserAgent:   cfg.General.EffectiveUserAgent(d.opts.Version),
		Allow:       d.allowHeader,
		LocalFor:    d.ListenAddr,

		NoExtension: d.reportNoExtension, // security events (security.go)
		PickupExten: d.opts.PickupExten, Pickup: d.opts.Pickup,
	})
	if err := d.opts.Engine.RegisterTechnology(m.Technology()); err != nil {
		m.Close()
		return fmt.Errorf("chansip: %w", err)
	}
	d.calls.Store(m)
	d.serve(sip.INVITE, d.handleInvite)
	d.routeSubscriptions() // subscribe.go
	d.routeNotifyPublish() // notify_in.go
	d.routePRACK()         // prack.go
	for _, method := range []sip.RequestMethod{sip.ACK, sip.BYE, sip.CANCEL, sip.INFO, sip.UPDATE, sip.REFER} {
		d.serve(method, d.handleInDialog)
	}
	return d.startMessages()
}
