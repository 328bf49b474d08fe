package chansip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipshow"
)

// outRegs runs the outbound registrations of the running configuration.
// It owns the goroutines that carry REGISTER transactions; close stops
// them.
type outRegs struct {
	d   *Driver
	env *regEnv

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	list   []*outReg // parallel to the running Config.Registrations
	closed bool
}

// unregisterWait bounds how long Stop waits for registrars to confirm an
// un-REGISTER: shutting down must not hang on a dead trunk.
const unregisterWait = 2 * time.Second

func newOutRegs(d *Driver, clock regClock) *outRegs {
	ctx, cancel := context.WithCancel(context.Background())
	o := &outRegs{d: d, ctx: ctx, cancel: cancel}
	o.env = &regEnv{
		clock:    clock,
		log:      d.log,
		general:  func() *sipconf.General { return &d.cfg.Load().General },
		peer:     func(name string) *sipconf.Peer { return d.cfg.Load().Peer(name) },
		transmit: o.transmit,
		changed:  d.publishRegistry,
	}
	return o
}

// apply starts the registrations of cfg, keeping the running state of
// lines that did not change and un-registering lines that went away.
func (o *outRegs) apply(cfg *sipconf.Config) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	old := map[string][]*outReg{}
	for _, r := range o.list {
		old[r.key] = append(old[r.key], r)
	}
	next := make([]*outReg, len(cfg.Registrations))
	var fresh []*outReg
	for i, conf := range cfg.Registrations {
		k := regKey(conf)
		if rs := old[k]; len(rs) > 0 {
			next[i], old[k] = rs[0], rs[1:]
			next[i].mu.Lock()
			next[i].conf = conf // File/Line may have moved
			next[i].mu.Unlock()
			continue
		}
		next[i] = newOutReg(o.env, conf)
		fresh = append(fresh, next[i])
	}
	o.list = next
	o.mu.Unlock()
	for _, rs := range old {
		for _, r := range rs {
			r.stop(true) // answered or not, nothing waits for it
		}
	}
	for _, r := range fresh {
		r.start()
	}
}

// states is "sip show registry"'s runtime column set, parallel to the
// running configuration's registrations.
func (o *outRegs) states(n int) []sipshow.RegistryState {
	o.mu.Lock()
	list := o.list
	o.mu.Unlock()
	out := make([]sipshow.RegistryState, n)
	for i := range out {
		if i < len(list) {
			out[i] = list[i].view()
		} else {
			out[i] = sipshow.RegistryState{State: sipshow.RegRequestSent}
		}
	}
	return out
}

// close un-registers what is registered (waiting a bounded time for the
// answers), then stops every timer and transaction.
func (o *outRegs) close() {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	list := o.list
	o.mu.Unlock()
	var waits []<-chan struct{}
	for _, r := range list {
		if ch := r.stop(true); ch != nil {
			waits = append(waits, ch)
		}
	}
	deadline := time.NewTimer(unregisterWait)
	defer deadline.Stop()
wait:
	for _, ch := range waits {
		select {
		case <-ch:
		case <-deadline.C:
			break wait
		}
	}
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.cancel()
	o.wg.Wait()
}

// transmit resolves the registrar, builds the REGISTER from the address
// it sees us at, and waits for the final response in a goroutine.
func (o *outRegs) transmit(r *outReg, m regMsg, gen int) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		return
	}
	o.wg.Add(1)
	o.mu.Unlock()
	conf := r.conf
	go func() {
		defer o.wg.Done()
		d := o.d
		dst, err := o.resolveRegistrar(conf)
		if err != nil {
			d.log.Warning("Probably a DNS error for registration to %s@%s, trying REGISTER again (after %d seconds)",
				conf.User, conf.Host, o.env.general().RegisterTimeout)
			return
		}
		if d.client == nil {
			return
		}
		local := d.advertisedAddr(dst.Addr())
		req, err := buildRegister(m, local, d.cfg.Load().General.EffectiveUserAgent(d.opts.Version))
		if err != nil {
			d.log.Warning("Registration to %s@%s: %v", conf.User, conf.Host, err)
			return
		}
		req.SetDestination(dst.String())
		d.debugTransmit(req, false)
		tx, err := o.request(req)
		if err != nil {
			// Over TCP/TLS this is where a refused connection or a failed
			// handshake (a registrar certificate tlscafile does not vouch
			// for) shows; the line stays in Request Sent and retries.
			d.log.Warning("Cannot send REGISTER for %s@%s to %s over %s: %v",
				conf.User, conf.Host, dst, conf.Transport, err)
			return
		}
		defer tx.Terminate()
		if res := finalResponse(o.ctx, tx); res != nil {
			r.onResponse(gen, res)
		}
	}()
}

// resolveRegistrar finds where a register line's REGISTER goes: an IP
// literal as written; a name through SRV (_sip._udp / _sip._tcp /
// _sips._tcp) when srvlookup=yes and the line gives no port of its own,
// else through A records.
func (o *outRegs) resolveRegistrar(c *sipconf.Register) (netip.AddrPort, error) {
	port := c.Port
	if port == 0 {
		port = defaultPort(c.Transport)
	}
	if a, err := netip.ParseAddr(c.Host); err == nil {
		return netip.AddrPortFrom(a.Unmap(), uint16(port)), nil
	}
	ctx, cancel := context.WithTimeout(o.ctx, dnsTimeout)
	defer cancel()
	res := o.d.resolver()
	host := c.Host
	// sipconf fills in the standard port when the line has none, so the
	// standard port stands for "no port given" here.
	if o.env.general().SRVLookup && port == defaultPort(c.Transport) {
		service, proto := "sip", "udp"
		switch c.Transport {
		case sipconf.TCP:
			proto = "tcp"
		case sipconf.TLS:
			service, proto = "sips", "tcp"
		}
		if _, srvs, err := res.LookupSRV(ctx, service, proto, c.Host); err == nil && len(srvs) > 0 {
			sort.SliceStable(srvs, func(i, j int) bool { return srvs[i].Priority < srvs[j].Priority })
			host, port = trimDot(srvs[0].Target), int(srvs[0].Port)
		}
	}
	addrs, err := res.LookupNetIP(ctx, o.env.general().LookupNetwork(), host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("resolve %s: %w", host, err)
	}
	first, ok := sipconf.FirstAddr(addrs)
	if !ok {
		return netip.AddrPort{}, errors.New("resolve " + host + ": no address")
	}
	return netip.AddrPortFrom(first, uint16(port)), nil
}

func trimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

// request starts the client transaction. Right after start-up sipgo may
// not have adopted the listening socket yet (ServeUDP runs in its own
// goroutine) and then fails to find a connection; a few short retries
// bridge that instead of losing the first REGISTER to registertimeout.
func (o *outRegs) request(req *sip.Request) (sip.ClientTransaction, error) {
	const tries, pause = 10, 50 * time.Millisecond
	var err error
	for i := 0; i < tries; i++ {
		var tx sip.ClientTransaction
		if tx, err = o.d.client.TransactionRequest(o.ctx, req.Clone()); err == nil {
			return tx, nil
		}
		select {
		case <-o.ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
	}
	return nil, err
}
