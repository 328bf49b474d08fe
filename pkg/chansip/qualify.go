package chansip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// peerRuntime is a peer's state that is not configuration and not its
// registration: qualify results and advertised options.
type peerRuntime struct {
	mu         sync.Mutex
	lastMs     int // 0 unknown, -1 unreachable, > 0 last round trip
	sipOptions []string
	nextPoke   time.Time // zero: not scheduled
	inFlight   bool
}

// chan_sip's qualify timing: how soon to retry a peer that did not answer
// or answered too slowly (DEFAULT_FREQ_NOTOK).
const freqNotOK = 10 * time.Second

func (d *Driver) runtime(name string) *peerRuntime {
	d.peersMu.Lock()
	defer d.peersMu.Unlock()
	return d.peers[name]
}

// syncPeers makes the runtime table match the configuration: new peers
// get a fresh entry scheduled for a first qualify, removed ones go, the
// rest keep their state.
func (d *Driver) syncPeers(cfg *sipconf.Config) {
	d.peersMu.Lock()
	defer d.peersMu.Unlock()
	keep := make(map[string]bool, len(cfg.Peers))
	gap := time.Duration(cfg.General.QualifyGap) * time.Millisecond
	start := d.now()
	n := 0
	for _, p := range cfg.Peers {
		keep[p.Name] = true
		rt := d.peers[p.Name]
		if rt == nil {
			rt = &peerRuntime{}
			d.peers[p.Name] = rt
		}
		rt.mu.Lock()
		if p.Qualify == 0 {
			rt.lastMs, rt.nextPoke = 0, time.Time{}
		} else if rt.nextPoke.IsZero() {
			// chan_sip spreads the first qualify of all peers by
			// qualifygap so a big config does not burst.
			rt.nextPoke = start.Add(time.Duration(n) * gap)
			n++
		}
		rt.mu.Unlock()
	}
	for name := range d.peers {
		if !keep[name] {
			delete(d.peers, name)
		}
	}
}

// resetQualify forgets the qualify result of a peer that went away
// (unregistered or expired): its status is unknown again.
func (d *Driver) resetQualify(name string) {
	if rt := d.runtime(name); rt != nil {
		rt.mu.Lock()
		rt.lastMs = 0
		rt.mu.Unlock()
	}
}

// requestPoke asks the qualify loop to qualify a peer now.
func (d *Driver) requestPoke(name string) {
	if rt := d.runtime(name); rt != nil {
		rt.mu.Lock()
		rt.nextPoke = d.now()
		rt.mu.Unlock()
	}
	select {
	case d.pokeNow <- name:
	default:
	}
}

// qualifyLoop sends OPTIONS to the peers that are due. One loop owns the
// schedule; each OPTIONS transaction runs in a goroutine the loop's
// WaitGroup tracks.
func (d *Driver) qualifyLoop(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.pokeNow:
		}
		cfg := d.cfg.Load()
		now := d.now()
		for _, p := range cfg.Peers {
			if p.Qualify == 0 {
				continue
			}
			rt := d.runtime(p.Name)
			if rt == nil {
				continue
			}
			rt.mu.Lock()
			due := !rt.inFlight && !rt.nextPoke.IsZero() && !now.Before(rt.nextPoke)
			if due {
				rt.inFlight = true
			}
			rt.mu.Unlock()
			if !due {
				continue
			}
			inflight.Add(1)
			go func(p *sipconf.Peer, rt *peerRuntime) {
				defer inflight.Done()
				d.poke(ctx, p, rt)
			}(p, rt)
		}
	}
}

// poke qualifies one peer and logs its status changes with chan_sip's
// wording.
func (d *Driver) poke(ctx context.Context, p *sipconf.Peer, rt *peerRuntime) {
	freq := time.Duration(p.QualifyFreq) * time.Second
	if freq <= 0 {
		freq = 60 * time.Second
	}
	addr, ok := d.peerAddr(p)
	if !ok {
		rt.mu.Lock()
		rt.inFlight = false
		rt.nextPoke = d.now().Add(freq)
		rt.mu.Unlock()
		return
	}
	maxms := p.Qualify
	// chan_sip gives up on an OPTIONS after twice the allowed round trip.
	pctx, cancel := context.WithTimeout(ctx, 2*time.Duration(maxms)*time.Millisecond)
	start := time.Now()
	err := d.sendOptions(pctx, p, addr)
	elapsed := int(time.Since(start) / time.Millisecond)
	cancel()
	if ctx.Err() != nil {
		rt.mu.Lock()
		rt.inFlight = false
		rt.mu.Unlock()
		return
	}
	// A change of reachability changes the peer's device state; it is
	// published once rt.mu is released (the state reads it back).
	notify := false
	defer func() {
		if notify {
			d.publishDeviceState(p.Name)
		}
	}()
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.inFlight = false
	if err != nil {
		if rt.lastMs > -1 {
			d.log.Notice("Peer '%s' is now UNREACHABLE!  Last qualify: %d", p.Name, rt.lastMs)
			notify = true
			d.publishPeerStatus(p.Name, "Unreachable", "Time", "-1")
		}
		rt.lastMs = -1
		rt.nextPoke = d.now().Add(freqNotOK)
		return
	}
	if elapsed < 1 {
		elapsed = 1
	}
	was := rt.lastMs
	changed := was <= 0 || (was > maxms) != (elapsed > maxms)
	if changed {
		state := "Reachable"
		if elapsed > maxms {
			state = "Lagged"
		}
		d.log.Notice("Peer '%s' is now %s. (%dms / %dms)", p.Name, state, elapsed, maxms)
		notify = was < 0 // unreachable -> reachable
		d.publishPeerStatus(p.Name, state)
	}
	rt.lastMs = elapsed
	if elapsed > maxms {
		rt.nextPoke = d.now().Add(freqNotOK)
	} else {
		rt.nextPoke = d.now().Add(freq)
	}
}

var errNoAnswer = errors.New("no answer")

// sendOptions sends one OPTIONS to the peer and waits for any final
// response: any answer proves the peer alive, as in chan_sip.
func (d *Driver) sendOptions(ctx context.Context, p *sipconf.Peer, addr netip.AddrPort) error {
	if d.client == nil {
		return errors.New("not started")
	}
	cfg := d.cfg.Load()
	us := d.advertisedAddr(addr.Addr())
	user := p.DefaultUser
	host := peerURIHost(p, addr)
	uri := "sip:" + host
	if user != "" {
		uri = "sip:" + user + "@" + host
	}
	var path []string
	if r := d.regs.get(p.Name); r != nil && r.Contact != "" {
		uri, path = r.Contact, d.pathOf(p.Name)
	}
	var recipient sip.Uri
	if err := sip.ParseUri(uri, &recipient); err != nil {
		return fmt.Errorf("peer %s: uri %q: %w", p.Name, uri, err)
	}
	req := sip.NewRequest(sip.OPTIONS, recipient)
	req.SetDestination(addr.String())
	fromUser := cfg.General.CallerID
	if p.FromUser != "" {
		fromUser = p.FromUser
	}
	fromHost := hostPort(us)
	if p.FromDomain != "" {
		fromHost = p.FromDomain
	}
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
		Host: us.Addr().String(), Port: int(us.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	from := &sip.FromHeader{DisplayName: "", Address: sip.Uri{Scheme: "sip", User: fromUser, Host: fromHost}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	req.AppendHeader(from)
	toAddr := recipient
	toAddr.UriParams = nil
	req.AppendHeader(&sip.ToHeader{Address: toAddr, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Contact", "<sip:"+fromUser+"@"+hostPort(us)+">"))
	callid := sip.CallIDHeader(fmt.Sprintf("%08x%08x", newID(), newID()))
	req.AppendHeader(&callid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 102, MethodName: sip.OPTIONS})
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	req.AppendHeader(sip.NewHeader("User-Agent", cfg.General.EffectiveUserAgent(d.opts.Version)))
	req.AppendHeader(dateHeader(d.now()))
	req.AppendHeader(sip.NewHeader("Allow", d.allowHeader()))
	req.AppendHeader(sip.NewHeader("Supported", supportedHeader))
	req.AppendHeader(sip.NewHeader("Accept", acceptHeader))
	req.SetBody(nil)
	// Through the registration's Path, as chan_sip's poke copies it.
	call.ApplyRoutes(req, path, recipient)
	d.debugTransmit(req, p.NAT.ForceRport)
	tx, err := d.client.TransactionRequest(ctx, req)
	if err != nil {
		return err
	}
	defer tx.Terminate()
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode >= 200 {
				return nil
			}
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return err
			}
			return errNoAnswer
		case <-ctx.Done():
			return errNoAnswer
		}
	}
}
