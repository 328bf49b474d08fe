package chansip

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is chan_sip's unsolicited MWI (sip_send_mwi_to_peer): a peer
// with mailbox= is sent a message-summary NOTIFY when it registers and
// whenever one of its mailboxes changes (BusMessageWaiting), in its MWI
// subscription's dialog when it has one, else out of dialog. "sip show
// peer" shows the last counts sent (LastMsgsSent).

// mwiWorkers bound the NOTIFYs in flight: each waits up to Timer F for
// its answer, and a mailbox change for many peers must not start a
// goroutine per peer.
const mwiWorkers = 4

// mwiState is the MWI side of the driver.
type mwiState struct {
	mu      sync.Mutex
	sent    map[string]pbx.MailboxCounts // peer -> counts last sent
	queued  map[string]bool              // peers waiting in queue
	queue   chan string
	started bool
}

// lastMsgsSent is what "sip show peer" prints as LastMsgsSent: the counts
// of the last NOTIFY; a peer with a mailbox that none went to yet shows
// chan_sip's -1 (32767/65535), one without a mailbox 0/0.
func (d *Driver) lastMsgsSent(p *sipconf.Peer) (int, int) {
	d.mwi.mu.Lock()
	c, ok := d.mwi.sent[p.Name]
	d.mwi.mu.Unlock()
	if ok {
		return min(c.New, 0x7fff), min(c.Old, 0xffff)
	}
	if p.Mailbox != "" {
		return 32767, 65535
	}
	return 0, 0
}

// noteMessagesSent records the counts a NOTIFY carried to peer.
func (d *Driver) noteMessagesSent(peer string, c pbx.MailboxCounts) {
	if peer == "" {
		return
	}
	d.mwi.mu.Lock()
	if d.mwi.sent == nil {
		d.mwi.sent = map[string]pbx.MailboxCounts{}
	}
	d.mwi.sent[peer] = c
	d.mwi.mu.Unlock()
}

// startMWI follows the bus's MessageWaiting events and runs the senders.
func (d *Driver) startMWI(ctx context.Context) {
	eng := d.opts.Engine
	if eng == nil {
		return
	}
	d.mwi.mu.Lock()
	d.mwi.queue = make(chan string, 4096)
	d.mwi.queued = map[string]bool{}
	d.mwi.started = true
	d.mwi.mu.Unlock()
	sub := eng.Bus().SubscribeTo(pbx.BusMessageWaiting)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer sub.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.Ready():
				for _, ev := range sub.Take() {
					if ev.Type == pbx.BusMessageWaiting {
						d.mailboxChanged(ev.Value)
					}
				}
			}
		}
	}()
	for i := 0; i < mwiWorkers; i++ {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case peer := <-d.mwi.queue:
					d.mwi.mu.Lock()
					delete(d.mwi.queued, peer)
					d.mwi.mu.Unlock()
					d.sendMWI(ctx, peer)
				}
			}
		}()
	}
}

// mailboxChanged queues the peers one of whose mailboxes is mailbox
// ("box" and "box@default" are the same mailbox).
func (d *Driver) mailboxChanged(mailbox string) {
	want := normMailbox(mailbox)
	for _, p := range d.cfg.Load().Peers {
		for _, mb := range strings.Split(p.Mailbox, ",") {
			if mb = strings.TrimSpace(mb); mb != "" && normMailbox(mb) == want {
				d.queueMWI(p.Name)
				break
			}
		}
	}
}

func normMailbox(mb string) string {
	mb = strings.ToLower(strings.TrimSpace(mb))
	if !strings.Contains(mb, "@") {
		mb += "@default"
	}
	return mb
}

// queueMWI asks for an MWI NOTIFY to peer (once, however many changes
// arrive before it goes).
func (d *Driver) queueMWI(peer string) {
	p := d.cfg.Load().Peer(peer)
	if p == nil || p.Mailbox == "" {
		return
	}
	d.mwi.mu.Lock()
	defer d.mwi.mu.Unlock()
	if !d.mwi.started || d.mwi.queued[p.Name] {
		return
	}
	select {
	case d.mwi.queue <- p.Name:
		d.mwi.queued[p.Name] = true
	default: // full: the next change or registration sends it
	}
}

// sendMWI sends peer its counts: in its MWI subscription when it has one,
// else out of dialog to where the peer is (nothing when it is nowhere).
func (d *Driver) sendMWI(ctx context.Context, peer string) {
	d.subs.mu.Lock()
	s := d.subs.mwi[peer]
	d.subs.mu.Unlock()
	if s != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		s.poke()
		return
	}
	cfg := d.cfg.Load()
	p := cfg.Peer(peer)
	if p == nil || p.Mailbox == "" {
		return
	}
	addr, ok := d.peerAddr(p)
	if !ok {
		return // no address: LastMsgsSent stays as it was
	}
	c := d.mailboxCounts(p.Mailbox)
	us := d.advertisedAddr(addr.Addr())
	uri := "sip:" + p.Name + "@" + hostPort(addr)
	transport := "UDP"
	if r := d.regs.get(p.Name); r != nil {
		if r.Contact != "" {
			uri = r.Contact
		}
		if r.Transport != "" {
			transport = r.Transport
		}
	}
	var target sip.Uri
	if err := sip.ParseUri(strings.Trim(uri, "<>"), &target); err != nil {
		d.log.Debug(1, "MWI to %s: contact %q: %v", p.Name, uri, err)
		return
	}
	domain := p.FromDomain
	if domain == "" {
		domain = cfg.General.FromDomain
	}
	if domain == "" {
		domain = sipconf.URIHost(us.Addr().String())
	}
	vmexten := p.VMExten
	if vmexten == "" {
		vmexten = cfg.General.VMExten
	}
	fromUser := cfg.General.CallerID
	if p.FromUser != "" {
		fromUser = p.FromUser
	}
	s = &subscription{kind: subMWI, peer: p.Name, target: target, dest: addr, tport: transport,
		key:     subKey{callID: fmt.Sprintf("%08x%08x@%s", newID(), newID(), us.Addr())},
		fromHdr: fmt.Sprintf("\"%s\" <sip:%s@%s>", fromUser, fromUser, hostPort(us)),
		toHdr:   "<" + uriNoParams(target) + ">", ourTag: newTag()}
	req := d.buildSubNotify(s, 102, "", mwiBody(c, vmexten, domain, us.Port(), transport, false))
	req.RemoveHeader("Subscription-State")          // unsolicited: no subscription
	call.ApplyRoutes(req, d.pathOf(p.Name), target) // the registration's Path
	d.debugTransmit(req, false)
	d.noteMessagesSent(p.Name, c)
	tctx, cancel := context.WithTimeout(ctx, notifyTimeout)
	defer cancel()
	tx, err := d.client.TransactionRequest(tctx, req)
	if err != nil {
		d.log.Debug(1, "MWI to %s: %v", p.Name, err)
		return
	}
	defer tx.Terminate()
	finalResponse(tctx, tx)
}
