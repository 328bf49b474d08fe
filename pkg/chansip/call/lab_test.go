package call

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

const testSIPConf = `[general]
context=default
directmedia=no
allowguest=no
disallow=all
allow=alaw
allow=ulaw

[6000]
type=friend
host=dynamic
allow=ulaw
fullname = Sadek Adel
username=asadek
secret=test
context=work

[6001]
type=friend
host=dynamic
allow=ulaw
fullname = Choucheh Sadek
username=choucheh
secret=test
context=work

[6002]
type=friend
host=dynamic
secret=test
context=work
call-limit=1
`

const testExtensions = `[work]
exten => _6XXX,1,Dial(SIP/${EXTEN},20)
 same => n,NoOp(DIALSTATUS=${DIALSTATUS})
 same => n,Hangup()

[featdial]
exten => _6XXX,1,Dial(SIP/${EXTEN},20,tT)
 same => n,Hangup()

[headers]
exten => _6XXX,1,SIPAddHeader(X-First: one)
 same => n,SIPAddHeader("X-Second:two")
 same => n,SIPAddHeader(P-Gone: yes)
 same => n,SIPAddHeader(NoColonHere)
 same => n,SIPRemoveHeader(p-gone:)
 same => n,Dial(SIP/${EXTEN},1)

[cdrapps]
exten => _6XXX,1,SetAMAFlags(billing)
 same => n,ForkCDR()
 same => n,Dial(SIP/${EXTEN},1)
exten => _7XXX,1,NoCDR()
 same => n,Dial(SIP/6000,1)

[avail]
exten => _6XXX,1,ChanIsAvail(SIP/nobody&SIP/${EXTEN})
 same => n,NoOp(AVAIL=${AVAILCHAN}|${AVAILORIGCHAN}|${AVAILSTATUS})
 same => n,Hangup()

[orig]
exten => _6XXX,1,Originate(SIP/${EXTEN},exten,origdest,s,1)
 same => n,NoOp(ORIGINATE_STATUS=${ORIGINATE_STATUS})
 same => n,Hangup()
[origdest]
exten => s,1,Wait(0.05)
 same => n,Hangup()

[short]
exten => _6XXX,1,Dial(SIP/${EXTEN},1)
 same => n,NoOp(DIALSTATUS=${DIALSTATUS})
 same => n,Hangup()

[tone]
exten => _X.,1,Answer()
 same => n,Milliwatt()
`

// recLog keeps log lines with Asterisk's verbose prefixes.
type recLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, strings.TrimSuffix(s, "\n"))
	l.mu.Unlock()
}

func (l *recLog) Verbose(level int, format string, args ...any) {
	prefix := map[int]string{2: "  == ", 3: "    -- ", 4: "       > "}[level]
	l.add(prefix + fmt.Sprintf(format, args...))
}
func (l *recLog) Notice(format string, args ...any) { l.add("NOTICE: " + fmt.Sprintf(format, args...)) }
func (l *recLog) Warning(format string, args ...any) {
	l.add("WARNING: " + fmt.Sprintf(format, args...))
}

func (l *recLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *recLog) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, x := range l.lines {
		if x == s {
			return true
		}
	}
	return false
}

// lab is gostrisk's call side on a loopback port: a sipgo server routing
// requests to a Manager the way the driver does, a real dialplan and apps.
type lab struct {
	t     *testing.T
	e     *pbx.Engine
	log   *recLog
	m     *Manager
	alloc *rtp.Allocator
	ua    *sipgo.UserAgent
	srv   *sipgo.Server
	conn  net.PacketConn
	addr  netip.AddrPort
	cfg   *sipconf.Config
	srvWG sync.WaitGroup
	mu    sync.Mutex
	dpCtx string // context inbound calls run in; "" = the peer's
	// onInvite replaces the default INVITE routing when set.
	onInvite func(*sip.Request, sip.ServerTransaction)
	cts      map[string]netip.AddrPort
	cdrs     []*cdr.Record
	closed   bool
}

func freeRTPRange(t *testing.T) (int, int) {
	t.Helper()
	// A range below the kernel's ephemeral ports (32768 and up by
	// default), so that the phones' own sockets, bound to port 0 after the
	// range is chosen, cannot land in it; checked free by binding every
	// port of it, and random so parallel packages rarely pick the same.
	const width = 40
	for range 200 {
		start := 10000 + 2*rand.IntN(10000)
		if portsFree(start, start+width) {
			return start, start + width
		}
	}
	t.Fatal("no free RTP range below the ephemeral ports")
	return 0, 0
}

// portsFree reports whether every UDP port of [lo, hi] on 127.0.0.1 can
// be bound now.
func portsFree(lo, hi int) bool {
	var held []net.PacketConn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for p := lo; p <= hi; p++ {
		c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		held = append(held, c)
	}
	return true
}

func newLab(t *testing.T) *lab {
	t.Helper()
	return newLabConf(t, testSIPConf)
}

// newLabConf is newLab with another sip.conf.
func newLabConf(t *testing.T, sipConf string) *lab {
	t.Helper()
	return newLabDeps(t, sipConf, nil)
}

// newLabDeps is newLabConf with the Manager's Deps adjusted by edit
// before it starts (nil: as the driver would set them for 127.0.0.1).
func newLabDeps(t *testing.T, sipConf string, edit func(*lab, *Deps)) *lab {
	t.Helper()
	l := &lab{t: t, log: &recLog{}, cts: map[string]netip.AddrPort{}}
	sc, diags := confparse.Parse("sip.conf", []byte(sipConf), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := sipconf.Load(sc, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	l.cfg = cfg
	ec, diags := confparse.Parse("extensions.conf", []byte(testExtensions), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ec, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan := pbx.FromDialplan(dp)
	l.e = pbx.New(pbx.Config{
		Logger:     l.log,
		Plan:       func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) },
	})
	bridge.Install(l.e, bridge.Options{})
	if err := apps.Register(l.e); err != nil {
		t.Fatal(err)
	}
	start, end := freeRTPRange(t)
	alloc, err := rtp.NewAllocator(start, end)
	if err != nil {
		t.Fatal(err)
	}
	l.alloc = alloc

	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.conn = conn
	l.addr = netip.MustParseAddrPort(conn.LocalAddr().String())
	l.ua, err = sipgo.NewUA(sipgo.WithUserAgent("gostrisk-test"))
	if err != nil {
		t.Fatal(err)
	}
	l.srv, err = sipgo.NewServer(l.ua)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sipgo.NewClient(l.ua, sipgo.WithClientHostname("127.0.0.1"),
		sipgo.WithClientPort(int(l.addr.Port())), sipgo.WithClientConnectionAddr(l.addr.String()))
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{
		Client: client, Engine: l.e, RTP: alloc,
		RTPConfig: rtp.Config{Strict: rtp.StrictYes, Probation: 4, ReplayProtection: true},
		MediaIP:   netip.MustParseAddr("127.0.0.1"), Local: l.addr, Log: l.log,
		CDR: func(r *cdr.Record) {
			l.mu.Lock()
			l.cdrs = append(l.cdrs, r)
			l.mu.Unlock()
		},
		Peer:  cfg.Peer,
		Peers: func() []*sipconf.Peer { return cfg.Peers },
		Contact: func(peer string) (string, netip.AddrPort, bool) {
			l.mu.Lock()
			defer l.mu.Unlock()
			a, ok := l.cts[peer]
			if !ok {
				return "", netip.AddrPort{}, false
			}
			return fmt.Sprintf("sip:%s@%s", peer, a), a, true
		},
		General:   func() *sipconf.General { return &cfg.General },
		UserAgent: "Asterisk PBX 18.26.4",
		Linger:    time.Second,
		T1:        50 * time.Millisecond,
	}
	if edit != nil {
		edit(l, &deps)
	}
	l.m = NewManager(deps)
	if err := l.e.RegisterTechnology(l.m.Technology()); err != nil {
		t.Fatal(err)
	}
	l.route()
	l.srvWG.Add(1)
	go func() {
		defer l.srvWG.Done()
		_ = l.srv.ServeUDP(conn)
	}()
	waitListening(t, l.ua, l.addr)
	t.Cleanup(l.close)
	return l
}

// route dispatches requests as the SIP driver does: a new INVITE from a
// known peer (matched here by From user, authentication being the
// driver's job) goes to HandleInvite, the rest to HandleInDialog.
func (l *lab) route() {
	inDialog := func(req *sip.Request, tx sip.ServerTransaction) {
		if !l.m.HandleInDialog(req, tx) && !req.IsAck() {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		}
	}
	l.srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		l.mu.Lock()
		hook := l.onInvite
		l.mu.Unlock()
		if hook != nil {
			hook(req, tx)
			return
		}
		if tag, _ := req.To().Params.Get("tag"); tag != "" {
			inDialog(req, tx)
			return
		}
		p := l.cfg.Peer(req.From().Address.User)
		if p == nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
			return
		}
		ctx := p.Context
		l.mu.Lock()
		if l.dpCtx != "" {
			ctx = l.dpCtx
		}
		l.mu.Unlock()
		l.m.HandleInvite(req, tx, p, ctx)
	})
	l.srv.OnAck(inDialog)
	l.srv.OnBye(inDialog)
	l.srv.OnCancel(inDialog)
	l.srv.OnInfo(inDialog)
	l.srv.OnRequest(sip.UPDATE, inDialog)
}

func (l *lab) close() {
	if l.closed {
		return
	}
	l.closed = true
	l.m.Close()
	l.e.Wait()
	_ = l.ua.Close()
	_ = l.conn.Close()
	l.srvWG.Wait()
}

func (l *lab) register(peer string, at netip.AddrPort) {
	l.mu.Lock()
	l.cts[peer] = at
	l.mu.Unlock()
}

func (l *lab) records() []*cdr.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*cdr.Record(nil), l.cdrs...)
}

// waitListening waits until sipgo has the listening socket in its pool,
// so that requests leave from it rather than from a new socket.
func waitListening(t *testing.T, ua *sipgo.UserAgent, addr netip.AddrPort) {
	t.Helper()
	waitFor(t, "listener "+addr.String(), 2*time.Second, func() bool {
		c, err := ua.TransportLayer().GetConnection("udp", addr.String())
		return err == nil && c != nil
	})
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// phone is a SIP endpoint (a sipgo UA on its own port) with a media
// socket.
type phone struct {
	t      *testing.T
	name   string
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	conn   net.PacketConn
	addr   netip.AddrPort
	media  *net.UDPConn
	wg     sync.WaitGroup

	mode      string // as UAS: "answer", "busy", "ring", "early" (183 with SDP, 200 on answerNow), "fork" (answer, then a second 200 as another branch of a forking proxy)
	answerNow chan struct{}
	mu        sync.Mutex
	// answerBody, when set, builds the SDP of the phone's 200 (or 183) to
	// an INVITE instead of sdpBody(0).
	answerBody func(inv *sip.Request) []byte
	reinvites  []*sip.Request
	// glare is how many re-INVITEs the phone answers 491 first.
	glare   int
	invites []*sip.Request
	byes    []*sip.Request
	cancels int
	toTag   string
	invTx   sip.ServerTransaction
	stop    chan struct{}
	// extra are headers the phone's next INVITE carries; reject422 is
	// how many INVITEs it answers 422 (Min-SE: 150) first (timers_test).
	extra     []sip.Header
	reject422 int
}

func newPhone(t *testing.T, name, mode string) *phone {
	t.Helper()
	return newPhoneAt(t, name, mode, "127.0.0.1")
}

// newPhoneAt is a phone bound to another loopback address (NAT tests).
func newPhoneAt(t *testing.T, name, mode, ip string) *phone {
	t.Helper()
	p := &phone{t: t, name: name, mode: mode, stop: make(chan struct{}), answerNow: make(chan struct{})}
	var err error
	p.conn, err = net.ListenPacket("udp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = netip.MustParseAddrPort(p.conn.LocalAddr().String())
	p.media, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(ip), 0)))
	if err != nil {
		t.Fatal(err)
	}
	p.ua, _ = sipgo.NewUA(sipgo.WithUserAgent("phone-" + name))
	p.srv, _ = sipgo.NewServer(p.ua)
	p.client, _ = sipgo.NewClient(p.ua, sipgo.WithClientHostname(ip),
		sipgo.WithClientPort(int(p.addr.Port())), sipgo.WithClientConnectionAddr(p.addr.String()))
	p.srv.OnInvite(p.onInvite)
	// UPDATE with SDP (directmedia=update) is answered like a re-INVITE.
	p.srv.OnRequest(sip.UPDATE, p.onReInvite)
	p.srv.OnAck(func(*sip.Request, sip.ServerTransaction) {})
	p.srv.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		p.mu.Lock()
		p.byes = append(p.byes, req)
		p.mu.Unlock()
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		_ = p.srv.ServeUDP(p.conn)
	}()
	waitListening(t, p.ua, p.addr)
	t.Cleanup(p.close)
	return p
}

func (p *phone) close() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	_ = p.ua.Close()
	_ = p.conn.Close()
	_ = p.media.Close()
	p.wg.Wait()
}

func (p *phone) mediaPort() int { return p.media.LocalAddr().(*net.UDPAddr).Port }

func (p *phone) sdpBody(pts ...int) []byte {
	var fmts, maps []string
	for _, pt := range pts {
		fmts = append(fmts, fmt.Sprint(pt))
		switch pt {
		case 0:
			maps = append(maps, "a=rtpmap:0 PCMU/8000\r\n")
		case 8:
			maps = append(maps, "a=rtpmap:8 PCMA/8000\r\n")
		case 3:
			maps = append(maps, "a=rtpmap:3 GSM/8000\r\n")
		}
	}
	ip := p.addr.Addr().String()
	return []byte("v=0\r\no=user1 53655765 2353687637 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\n" +
		"m=audio " + fmt.Sprint(p.mediaPort()) + " RTP/AVP " + strings.Join(fmts, " ") + "\r\n" + strings.Join(maps, ""))
}

// onInvite plays the called phone.
func (p *phone) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if tag, _ := req.To().Params.Get("tag"); tag != "" {
		p.onReInvite(req, tx)
		return
	}
	p.mu.Lock()
	p.invites = append(p.invites, req)
	p.toTag = "uas" + p.name
	p.invTx = tx
	mode, answerBody := p.mode, p.answerBody
	p.mu.Unlock()
	respond := func(code int, reason string, body []byte) {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		res.To().Params.Add("tag", "uas"+p.name)
		res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: p.name, Host: p.addr.Addr().String(), Port: int(p.addr.Port())}})
		if body != nil {
			res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			res.SetBody(body)
		}
		_ = tx.Respond(res)
	}
	tx.OnCancel(func(*sip.Request) {
		p.mu.Lock()
		p.cancels++
		p.mu.Unlock()
	})
	switch mode {
	case "busy":
		respond(486, "Busy Here", nil)
		return
	}
	p.mu.Lock()
	r422 := p.reject422 > 0
	if r422 {
		p.reject422--
	}
	p.mu.Unlock()
	if r422 {
		res := sip.NewResponseFromRequest(req, 422, "Session Interval Too Small", nil)
		res.AppendHeader(sip.NewHeader("Min-SE", "150"))
		_ = tx.Respond(res)
		return
	}
	body := p.sdpBody(0)
	if answerBody != nil {
		body = answerBody(req)
	}
	if mode == "early" {
		respond(183, "Session Progress", body)
		select {
		case <-p.answerNow:
		case <-tx.Done():
			return
		case <-p.stop:
			return
		}
	} else {
		respond(180, "Ringing", nil)
	}
	if mode == "ring" {
		select {
		case <-tx.Done():
		case <-p.stop:
		}
		return
	}
	time.Sleep(20 * time.Millisecond)
	respond(200, "OK", body)
	// 2xx retransmission is the UA's business; one send is enough on
	// loopback. Wait for the ACK so the transaction stays alive.
	select {
	case <-time.After(time.Second):
	case <-tx.Acks():
	case <-p.stop:
	}
	if mode == "fork" {
		// The other branch answers once this one is confirmed, so the
		// call surely takes this one.
		p.forkedAnswer(req, body)
	}
}

// forkedAnswer sends what a second phone behind a forking proxy sends
// when it answers too: a 200 to the same INVITE with its own To tag and
// Contact, written on the wire as the proxy would pass it.
func (p *phone) forkedAnswer(req *sip.Request, body []byte) {
	res := sip.NewResponseFromRequest(req, 200, "OK", body)
	res.To().Params.Add("tag", "fork"+p.name)
	res.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "fork" + p.name, Host: p.addr.Addr().String(), Port: int(p.addr.Port())}})
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	dst, err := net.ResolveUDPAddr("udp", req.Source())
	if err != nil {
		p.t.Errorf("forked answer: %v", err)
		return
	}
	// Retransmitted until the BYE comes, as the answering phone does
	// until its 200 is acknowledged.
	for i := 0; i < 10 && !slices.Contains(p.byeTags(), "fork"+p.name); i++ {
		if _, err := p.conn.WriteTo([]byte(res.String()), dst); err != nil {
			p.t.Errorf("forked answer: %v", err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// byeTags lists the To tags of the BYEs the phone received.
func (p *phone) byeTags() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var tags []string
	for _, b := range p.byes {
		tag, _ := b.To().Params.Get("tag")
		tags = append(tags, tag)
	}
	return tags
}

// onReInvite answers an in-dialog INVITE with the direction RFC 3264
// gives (sendonly -> recvonly) and records it.
func (p *phone) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	p.mu.Lock()
	p.reinvites = append(p.reinvites, req)
	glare := p.glare > 0
	if glare {
		p.glare--
	}
	p.mu.Unlock()
	if glare {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 491, "Request Pending", nil))
		return
	}
	dir := sdp.SendRecv
	if d, err := sdp.Parse(req.Body()); err == nil && d.Audio != nil {
		dir = d.Audio.Direction.Answer()
	}
	body := strings.TrimSuffix(string(p.sdpBody(0)), "\r\n") + "\r\na=" + dir.String() + "\r\n"
	res := sip.NewResponseFromRequest(req, 200, "OK", []byte(body))
	res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	_ = tx.Respond(res)
}

func (p *phone) reinviteList() []*sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*sip.Request(nil), p.reinvites...)
}

// call is an INVITE the phone placed.
type outgoing struct {
	p       *phone
	req     *sip.Request
	tx      sip.ClientTransaction
	prov    []int
	final   *sip.Response
	lab     *lab
	ackSent *sip.Request
}

func (p *phone) invite(l *lab, exten string, pts ...int) *outgoing {
	p.t.Helper()
	return p.inviteBody(l, exten, p.sdpBody(pts...))
}

// inviteBody places a call with the given SDP offer.
func (p *phone) inviteBody(l *lab, exten string, body []byte) *outgoing {
	p.t.Helper()
	req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: exten, Host: "127.0.0.1", Port: int(l.addr.Port())})
	from := &sip.FromHeader{DisplayName: "Choucheh Sadek", Address: sip.Uri{Scheme: "sip", User: p.name, Host: p.addr.Addr().String()}}
	from.Params.Add("tag", "uac"+p.name)
	to := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: exten, Host: "127.0.0.1"}}
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: p.name, Host: p.addr.Addr().String(), Port: int(p.addr.Port())}})
	req.AppendHeader(sip.NewHeader("User-Agent", "SIPp-"+p.name))
	p.mu.Lock()
	for _, h := range p.extra {
		req.AppendHeader(h)
	}
	p.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	req.SetDestination(l.addr.String())
	tx, err := p.client.TransactionRequest(context.Background(), req)
	if err != nil {
		p.t.Fatal(err)
	}
	return &outgoing{p: p, req: req, tx: tx, lab: l}
}

// waitFinal collects provisional responses until the final one.
func (o *outgoing) waitFinal(d time.Duration) *sip.Response {
	o.p.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case res := <-o.tx.Responses():
			if res.IsProvisional() {
				o.prov = append(o.prov, res.StatusCode)
				continue
			}
			o.final = res
			return res
		case <-o.tx.Done():
			o.p.t.Fatalf("INVITE transaction ended without a final response: %v\nlog:\n%s", o.tx.Err(), o.lab.log)
		case <-timeout:
			o.p.t.Fatalf("no final response to INVITE after %v; provisional %v\nlog:\n%s", d, o.prov, o.lab.log)
		}
	}
}

// waitProvisional waits for a provisional response with the given code.
func (o *outgoing) waitProvisional(code int, d time.Duration) {
	o.p.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case res := <-o.tx.Responses():
			if res.IsProvisional() {
				o.prov = append(o.prov, res.StatusCode)
				if res.StatusCode == code {
					return
				}
				continue
			}
			o.p.t.Fatalf("final %d before %d", res.StatusCode, code)
		case <-timeout:
			o.p.t.Fatalf("no %d after %v\nlog:\n%s", code, d, o.lab.log)
		}
	}
}

func (o *outgoing) inDialog(method sip.RequestMethod, cseq uint32) *sip.Request {
	target := o.req.Recipient
	if ct := o.final.Contact(); ct != nil {
		target = ct.Address
	}
	r := sip.NewRequest(method, target)
	r.AppendHeader(sip.HeaderClone(o.req.From()))
	r.AppendHeader(sip.HeaderClone(o.final.To()))
	r.AppendHeader(sip.HeaderClone(o.req.CallID()))
	r.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: method})
	r.SetDestination(o.lab.addr.String())
	return r
}

// answered waits for the final response, fails the test unless it is a
// 200, and acknowledges it.
func (o *outgoing) answered() *sip.Response {
	o.p.t.Helper()
	res := o.waitFinal(5 * time.Second)
	if res.StatusCode != 200 {
		o.p.t.Fatalf("final %d; log:\n%s", res.StatusCode, o.lab.log)
	}
	o.ack()
	return res
}

func (o *outgoing) ack() {
	o.p.t.Helper()
	ack := o.inDialog(sip.ACK, o.req.CSeq().SeqNo)
	if err := o.p.client.WriteRequest(ack); err != nil {
		o.p.t.Fatal(err)
	}
}

func (o *outgoing) bye() *sip.Response {
	o.p.t.Helper()
	bye := o.inDialog(sip.BYE, o.req.CSeq().SeqNo+1)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := o.p.client.Do(ctx, bye)
	if err != nil {
		o.p.t.Fatalf("BYE: %v", err)
	}
	return res
}

func (o *outgoing) cancel() {
	o.p.t.Helper()
	c := newCancel(o.req)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := o.p.client.Do(ctx, c, sipgo.ClientRequestBuild)
	if err != nil || res.StatusCode != 200 {
		o.p.t.Fatalf("CANCEL: %v %v", res, err)
	}
}

// hangupAsCallee sends BYE from the called phone on its last INVITE.
func (p *phone) hangupAsCallee(l *lab) *sip.Response {
	p.t.Helper()
	p.mu.Lock()
	inv := p.invites[len(p.invites)-1]
	tag := p.toTag
	p.mu.Unlock()
	bye := sip.NewRequest(sip.BYE, inv.Contact().Address)
	from := &sip.FromHeader{DisplayName: inv.To().DisplayName, Address: inv.To().Address}
	from.Params.Add("tag", tag)
	to := &sip.ToHeader{DisplayName: inv.From().DisplayName, Address: inv.From().Address, Params: inv.From().Params.Clone()}
	bye.AppendHeader(from)
	bye.AppendHeader(to)
	bye.AppendHeader(sip.HeaderClone(inv.CallID()))
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.BYE})
	bye.SetDestination(l.addr.String())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := p.client.Do(ctx, bye)
	if err != nil {
		p.t.Fatalf("callee BYE: %v", err)
	}
	return res
}

func (p *phone) byeCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.byes)
}

func (p *phone) cancelCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancels
}

func (p *phone) lastInvite() *sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.invites) == 0 {
		return nil
	}
	return p.invites[len(p.invites)-1]
}

// rtpPacket is a minimal RTP packet with a recognisable sequence number.
func rtpPacket(seq uint16, ssrc uint32) []byte {
	b := make([]byte, 12+160)
	b[0] = 0x80
	b[1] = 0 // PCMU
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], uint32(seq)*160)
	binary.BigEndian.PutUint32(b[8:], ssrc)
	return b
}

// mediaTarget is where an SDP body says to send RTP.
func mediaTarget(t *testing.T, body []byte) netip.AddrPort {
	t.Helper()
	d, err := sdp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := d.Audio.Remote()
	if !ok {
		t.Fatalf("no media address in %q", body)
	}
	return a
}

// relay sends packets from one phone to a gostrisk port and checks they
// reach the other phone with SSRC and sequence intact.
func relay(t *testing.T, from *phone, to netip.AddrPort, at *phone, ssrc uint32) {
	t.Helper()
	buf := make([]byte, 1500)
	for seq := uint16(1); seq <= 20; seq++ {
		if _, err := from.media.WriteToUDPAddrPort(rtpPacket(seq, ssrc), to); err != nil {
			t.Fatal(err)
		}
		_ = at.media.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _, err := at.media.ReadFromUDPAddrPort(buf)
		if err != nil {
			continue // strict RTP may still be learning
		}
		if n == 12+160 && binary.BigEndian.Uint32(buf[8:]) == ssrc {
			return
		}
	}
	t.Fatalf("no RTP with SSRC %x reached %s through %s", ssrc, at.name, to)
}

func freePort(t *testing.T) uint16 {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// setContext makes inbound calls run in dpCtx from now on (the lab's
// server goroutines read it under l.mu).
func (l *lab) setContext(dpCtx string) {
	l.mu.Lock()
	l.dpCtx = dpCtx
	l.mu.Unlock()
}

// invitesSeen lists the new INVITEs the phone got.
func (p *phone) invitesSeen() []*sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*sip.Request(nil), p.invites...)
}

// doRequest sends an in-dialog request from the phone and returns its
// final answer.
func doRequest(t *testing.T, p *phone, req *sip.Request) *sip.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res, err := p.client.Do(ctx, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Method, err)
	}
	return res
}
