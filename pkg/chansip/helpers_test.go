package chansip

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// testSIPConf is the reference setup's sip.conf (peer 6000 with
// username=asadek), plus peers for the other registrar branches.
const testSIPConf = `[general]
context=default
bindaddr=127.0.0.1
defaultexpiry=1800
minexpiry=60
maxexpiry=3600
allowguest=no
alwaysauthreject=yes
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

[static]
type=friend
host=127.0.0.1
secret=test

[acl]
type=friend
host=dynamic
secret=test
deny=0.0.0.0/0.0.0.0

[nat]
type=friend
host=dynamic
secret=test
nat=force_rport
`

// memStore is an in-memory astdb.
type memStore struct {
	mu sync.Mutex
	m  map[string]string
}

func newMemStore() *memStore { return &memStore{m: map[string]string{}} }

func (s *memStore) Put(f, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m["/"+f+"/"+k] = v
	return nil
}

func (s *memStore) Get(f, k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m["/"+f+"/"+k]
	return v, ok
}

func (s *memStore) Del(f, k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, "/"+f+"/"+k)
	return nil
}

// logRec records log lines as "LEVEL: message".
type logRec struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRec) add(level, format string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+fmt.Sprintf(format, args...))
}
func (l *logRec) Notice(f string, a ...any)         { l.add("NOTICE", f, a) }
func (l *logRec) Warning(f string, a ...any)        { l.add("WARNING", f, a) }
func (l *logRec) Error(f string, a ...any)          { l.add("ERROR", f, a) }
func (l *logRec) Verbose(n int, f string, a ...any) { l.add(fmt.Sprintf("VERBOSE%d", n), f, a) }
func (l *logRec) Debug(int, string, ...any)         {}

func (l *logRec) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

func (l *logRec) waitFor(t *testing.T, substr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, s := range l.lines {
			if strings.Contains(s, substr) {
				l.mu.Unlock()
				return
			}
		}
		l.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q; have %q", substr, l.take())
}

func loadConf(t testing.TB, text string) *sipconf.Config {
	t.Helper()
	raw, diags := confparse.Parse("sip.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatalf("sip.conf: %v", diags)
	}
	cfg, diags := sipconf.Load(raw, nil)
	if diags.HasErrors() {
		t.Fatalf("sipconf: %v", diags)
	}
	cfg.General.UDPBind = netip.MustParseAddrPort("127.0.0.1:0")
	return cfg
}

type testEnv struct {
	d     *Driver
	log   *logRec
	store *memStore
	reg   *cli.Registry
	addr  netip.AddrPort
	e     *pbx.Engine // startPlanDriver's engine
}

func startDriver(t testing.TB, cfg *sipconf.Config, store *memStore) *testEnv {
	t.Helper()
	if store == nil {
		store = newMemStore()
	}
	env := &testEnv{log: &logRec{}, store: store, reg: cli.NewRegistry()}
	d, err := New(Options{Config: cfg, Log: env.log, Store: store, Registry: env.reg, Version: "18.26.4"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	env.d = d
	env.addr = d.LocalAddr()
	return env
}

func (e *testEnv) rx(t testing.TB, line string) string {
	t.Helper()
	var b bytes.Buffer
	if err := e.reg.Execute(nil, line, &b); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return b.String()
}

// phone is a minimal UAC on a UDP socket: it writes requests as given and
// reads responses raw.
type phone struct {
	t    testing.TB
	conn *net.UDPConn
	to   netip.AddrPort
	n    int
}

func newPhone(t testing.TB, to netip.AddrPort) *phone {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &phone{t: t, conn: c, to: to}
}

func (p *phone) addr() netip.AddrPort { return p.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

type response struct {
	code    int
	raw     string
	headers map[string]string
}

func (p *phone) send(msg string) {
	p.t.Helper()
	if _, err := p.conn.WriteToUDPAddrPort([]byte(msg), p.to); err != nil {
		p.t.Fatal(err)
	}
}

func (p *phone) recv() *response {
	p.t.Helper()
	buf := make([]byte, 65535)
	p.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, _, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		p.t.Fatalf("no response: %v", err)
	}
	raw := string(buf[:n])
	r := &response{raw: raw, headers: map[string]string{}}
	lines := strings.Split(raw, "\r\n")
	fmt.Sscanf(lines[0], "SIP/2.0 %d", &r.code)
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			r.headers[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	return r
}

// regOpts describe one REGISTER.
type regOpts struct {
	user      string // To/From user (the peer)
	authUser  string // digest username ("" = no Authorization)
	password  string
	challenge string // WWW-Authenticate to answer
	expires   string // Expires header value ("" = none)
	contact   string // full Contact value ("" = <sip:user@phone>)
	callID    string
	cseq      int
	viaHost   string // "" = the phone's address
	noRport   bool
	userAgent string
	supported string
	path      []string // Path header values, one header each
}

func (p *phone) register(o regOpts) *response {
	p.t.Helper()
	p.n++
	if o.callID == "" {
		o.callID = fmt.Sprintf("call-%d@test", p.n)
	}
	if o.cseq == 0 {
		o.cseq = 1
	}
	me := p.addr()
	via := me.String()
	if o.viaHost != "" {
		via = o.viaHost
	}
	rport := ";rport"
	if o.noRport {
		rport = ""
	}
	contact := o.contact
	if contact == "" {
		contact = fmt.Sprintf("<sip:%s@%s;transport=UDP>", o.user, me)
	}
	uri := "sip:" + p.to.String()
	var b strings.Builder
	fmt.Fprintf(&b, "REGISTER %s SIP/2.0\r\n", uri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-%d-%d%s\r\n", via, p.n, time.Now().UnixNano(), rport)
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=ft%d\r\n", o.user, p.to.Addr(), p.n)
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", o.user, p.to.Addr())
	fmt.Fprintf(&b, "Call-ID: %s\r\n", o.callID)
	fmt.Fprintf(&b, "CSeq: %d REGISTER\r\n", o.cseq)
	fmt.Fprintf(&b, "Contact: %s\r\n", contact)
	if o.authUser != "" {
		ans, err := digest.Answer(o.challenge, "REGISTER", uri, o.authUser, o.password, 1)
		if err != nil {
			p.t.Fatal(err)
		}
		fmt.Fprintf(&b, "Authorization: %s\r\n", ans)
	}
	b.WriteString("Max-Forwards: 70\r\n")
	if o.expires != "" {
		fmt.Fprintf(&b, "Expires: %s\r\n", o.expires)
	}
	if o.userAgent != "" {
		fmt.Fprintf(&b, "User-Agent: %s\r\n", o.userAgent)
	}
	if o.supported != "" {
		fmt.Fprintf(&b, "Supported: %s\r\n", o.supported)
	}
	for _, v := range o.path {
		fmt.Fprintf(&b, "Path: %s\r\n", v)
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	p.send(b.String())
	return p.recv()
}

// registerAuth does the two-step exchange and returns both responses. The
// answer to the challenge keeps the Call-ID, as RFC 3261 8.1.3.5 asks: the
// nonce is bound to it.
func (p *phone) registerAuth(o regOpts) (first, second *response) {
	p.t.Helper()
	if o.callID == "" {
		o.callID = fmt.Sprintf("call-%d@test", p.n+1)
	}
	authUser, password := o.authUser, o.password
	o.authUser = ""
	first = p.register(o)
	if first.code != 401 {
		return first, nil
	}
	o.authUser, o.password = authUser, password
	o.challenge = first.headers["www-authenticate"]
	o.cseq++
	return first, p.register(o)
}

var (
	reNonce = regexp.MustCompile(`nonce="[^"]*"`)
	reTag   = regexp.MustCompile(`tag=[^;\r\n>]*`)
	reDate  = regexp.MustCompile(`Date: [^\r\n]*`)
	reBr    = regexp.MustCompile(`branch=[^;\r\n]*`)
)

// normalize masks what differs between two otherwise identical responses.
func normalize(raw string, phoneAddr netip.AddrPort) string {
	s := reNonce.ReplaceAllString(raw, `nonce="N"`)
	s = reTag.ReplaceAllString(s, "tag=T")
	s = reDate.ReplaceAllString(s, "Date: D")
	s = reBr.ReplaceAllString(s, "branch=B")
	s = strings.ReplaceAll(s, fmt.Sprint(phoneAddr.Port()), "PORT")
	return s
}
