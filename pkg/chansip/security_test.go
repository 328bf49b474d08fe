package chansip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/logger"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// secRec records the security events a driver reports.
type secRec struct {
	mu       sync.Mutex
	disabled bool
	reported int // calls to Report, even when disabled
	evs      []security.Event
}

func (s *secRec) Enabled() bool { return !s.disabled }

func (s *secRec) Report(e *security.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reported++
	s.evs = append(s.evs, *e)
}

// take waits for n events, then a little longer for any extra one, and
// returns them all.
func (s *secRec) take(t *testing.T, n int) []security.Event {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s.mu.Lock()
		got := len(s.evs)
		s.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.evs
	s.evs = nil
	return out
}

// secSIPConf is testSIPConf's peers with a TCP-only one, and the general
// settings a case chooses.
func secSIPConf(general string) string {
	conf := strings.Replace(testSIPConf, "alwaysauthreject=yes\n", general, 1)
	return conf + "\n[tcponly]\ntype=friend\nhost=dynamic\nsecret=test\ntransport=tcp\n"
}

func startSecDriver(t *testing.T, general string, rec *secRec) *Driver {
	t.Helper()
	d, err := New(Options{Config: loadConf(t, secSIPConf(general)), Store: newMemStore(), Version: "18.26.4",
		Engine: pbx.New(pbx.Config{}), Security: rec})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return d
}

// secReq describes one request of a case.
type secReq struct {
	method   string // REGISTER or INVITE
	user     string // From user (and To user of a REGISTER)
	ruri     string // Request-URI; "" = sip:<server> (REGISTER), sip:6001@<server> (INVITE)
	authUser string // answer the previous challenge as this user ("" = no Authorization)
	password string
	via      string // Via sent-by; "" = the phone's address
	noReply  bool   // the answer goes elsewhere (Via without rport, NAT off)
}

var reSessionID = regexp.MustCompile(`^0x7f[0-9a-f]{9}0$`)

// TestSecurityEvents: each REGISTER and new INVITE is reported as chan_sip
// reports it (see security.go), with the common fields filled as chan_sip
// fills them.
func TestSecurityEvents(t *testing.T) {
	type want struct {
		typ     security.Type
		account string // "FROM" = the From URI
		acl     string
		extra   string // a field the event must have: Response/ExpectedResponse/AttemptedTransport/UsingPassword
	}
	two := func(m, user, pw string) []secReq {
		return []secReq{{method: m, user: user}, {method: m, user: user, authUser: user, password: pw}}
	}
	for _, tc := range []struct {
		name    string
		general string // replaces alwaysauthreject=yes in [general]
		reqs    []secReq
		want    []want
	}{
		{"REGISTER success", "alwaysauthreject=yes\n", two("REGISTER", "6000", "test"),
			[]want{{typ: security.ChallengeSent, account: "6000"}, {typ: security.SuccessfulAuth, account: "6000", extra: "UsingPassword=1"}}},
		{"REGISTER wrong password", "alwaysauthreject=yes\n", two("REGISTER", "6000", "nope"),
			[]want{{typ: security.ChallengeSent, account: "6000"}, {typ: security.InvalidPassword, account: "6000"}}},
		{"REGISTER unknown user, alwaysauthreject", "alwaysauthreject=yes\n", two("REGISTER", "9999", "x"),
			[]want{{typ: security.ChallengeSent, account: "9999"}, {typ: security.InvalidPassword, account: "9999"}}},
		{"REGISTER unknown user", "alwaysauthreject=no\n", []secReq{{method: "REGISTER", user: "9999"}},
			[]want{{typ: security.InvalidAccountID, account: "9999"}}},
		{"REGISTER digest user mismatch", "alwaysauthreject=yes\n",
			[]secReq{{method: "REGISTER", user: "6000"}, {method: "REGISTER", user: "6000", authUser: "asadek", password: "test"}},
			[]want{{typ: security.ChallengeSent, account: "6000"},
				{typ: security.ChallengeResponseFailed, account: "6000", extra: "Response=asadek ExpectedResponse=asadek"}}},
		{"REGISTER ACL denied", "alwaysauthreject=yes\n", two("REGISTER", "acl", "test"),
			[]want{{typ: security.FailedACL, account: "acl", acl: "device_must_match_acl"},
				{typ: security.FailedACL, account: "acl", acl: "device_must_match_acl"}}},
		{"REGISTER not dynamic", "alwaysauthreject=no\n", []secReq{{method: "REGISTER", user: "static"}},
			[]want{{typ: security.FailedACL, account: "static", acl: "peer_not_dynamic"}}},
		{"REGISTER wrong transport", "alwaysauthreject=yes\n", []secReq{{method: "REGISTER", user: "tcponly", noReply: true}},
			[]want{{typ: security.InvalidTransport, account: "tcponly", extra: "AttemptedTransport=UDP"}}},
		{"INVITE success, then no such extension", "alwaysauthreject=yes\n", two("INVITE", "6000", "test"),
			[]want{{typ: security.ChallengeSent, account: "FROM"}, {typ: security.SuccessfulAuth, account: "6001", extra: "UsingPassword=1"},
				{typ: security.FailedACL, account: "6001", acl: "no_extension_match"}}},
		{"INVITE wrong password", "alwaysauthreject=yes\n", two("INVITE", "6000", "nope"),
			[]want{{typ: security.ChallengeSent, account: "FROM"}, {typ: security.InvalidPassword, account: "6001"}}},
		{"INVITE digest user mismatch", "alwaysauthreject=yes\n",
			[]secReq{{method: "INVITE", user: "6000"}, {method: "INVITE", user: "6000", authUser: "asadek", password: "test"}},
			[]want{{typ: security.ChallengeSent, account: "FROM"},
				{typ: security.ChallengeResponseFailed, account: "FROM", extra: "Response=asadek ExpectedResponse=asadek"}}},
		{"INVITE unknown caller, alwaysauthreject", "alwaysauthreject=yes\n", two("INVITE", "9999", "x"),
			[]want{{typ: security.ChallengeSent, account: "FROM"}, {typ: security.InvalidPassword, account: "6001"}}},
		{"INVITE unknown caller", "alwaysauthreject=no\n", []secReq{{method: "INVITE", user: "9999"}},
			[]want{{typ: security.InvalidPassword, account: "6001"}}},
		{"INVITE ACL denied", "alwaysauthreject=no\n", []secReq{{method: "INVITE", user: "acl"}},
			[]want{{typ: security.FailedACL, account: "6001", acl: "device_must_match_acl"}}},
		{"INVITE to a URI without user", "alwaysauthreject=no\n", []secReq{{method: "INVITE", user: "9999", ruri: "sip:SERVER"}},
			[]want{{typ: security.InvalidPassword, account: "SERVER"}}},
		{"RemoteAddress with NAT off: the Via's port", "alwaysauthreject=no\nnat=no\n",
			[]secReq{{method: "REGISTER", user: "9999", via: "127.0.0.1:5999", noReply: true}},
			[]want{{typ: security.InvalidAccountID, account: "9999"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &secRec{}
			d := startSecDriver(t, tc.general, rec)
			server := d.LocalAddr()
			p := newPhone(t, server)
			callID := fmt.Sprintf("sec-%d@test", time.Now().UnixNano())
			var challenge string
			for i, r := range tc.reqs {
				if r.authUser != "" && challenge == "" {
					t.Fatalf("request %d answers a challenge that never came", i)
				}
				p.send(buildSecReq(t, p, r, callID, i+1, challenge))
				if r.noReply {
					continue
				}
				res := recvFinal(t, p)
				challenge = res.headers["www-authenticate"]
				if r.method == "INVITE" {
					p.send(ackFor(p, r, res, callID, i+1))
				}
			}
			got := rec.take(t, len(tc.want))
			if len(got) != len(tc.want) {
				t.Fatalf("%d events, want %d:\n%s", len(got), len(tc.want), eventsText(got))
			}
			from := fmt.Sprintf("sip:%s@%s", tc.reqs[0].user, server.Addr())
			wantRemote := p.addr()
			if v := tc.reqs[0].via; v != "" {
				wantRemote = netip.MustParseAddrPort(v)
			}
			// Events are reported once the answer is out, so those of two
			// requests of a dialog may come in either order.
			session := got[0].SessionID
			used := make([]bool, len(got))
			for i, w := range tc.want {
				account := strings.ReplaceAll(w.account, "SERVER", server.String())
				if account == "FROM" {
					account = from
				}
				j := -1
				for k, e := range got {
					if !used[k] && e.Type == w.typ && e.AccountID == account && e.ACLName == w.acl {
						j = k
						break
					}
				}
				if j < 0 {
					t.Errorf("no event %s AccountID=%q ACLName=%q in:\n%s", w.typ, account, w.acl, eventsText(got))
					continue
				}
				used[j] = true
				e := got[j]
				text := e.String()
				for _, kv := range strings.Fields(w.extra) {
					k, v, _ := strings.Cut(kv, "=")
					if !strings.Contains(text, ","+k+`="`+v+`"`) {
						t.Errorf("event %d: no %s=%q in %s", i, k, v, text)
					}
				}
				if e.Service != "SIP" || e.Local != (security.Addr{AddrPort: server, Transport: security.UDP}) ||
					e.Remote != (security.Addr{AddrPort: wantRemote, Transport: security.UDP}) {
					t.Errorf("event %d: service %q local %s remote %s, want SIP, UDP %s, UDP %s", i, e.Service, e.Local, e.Remote, server, wantRemote)
				}
				if !reSessionID.MatchString(e.SessionID) || e.SessionID != session {
					t.Errorf("event %d: SessionID %q, want the dialog's pointer-shaped id %q", i, e.SessionID, session)
				}
				if time.Since(e.Time) > time.Minute || e.Time.After(time.Now()) {
					t.Errorf("event %d: EventTV %v", i, e.Time)
				}
				checkChallengeFields(t, i, e, tc.reqs, tc.general)
			}
		})
	}
}

// checkChallengeFields: ChallengeSent names the nonce it sent, and the
// failures of an answered challenge name the nonce and hash answered.
func checkChallengeFields(t *testing.T, i int, e security.Event, reqs []secReq, general string) {
	t.Helper()
	answered := false
	for _, r := range reqs {
		answered = answered || r.authUser != ""
	}
	switch e.Type {
	case security.ChallengeSent:
		if len(e.Challenge) < 8 {
			t.Errorf("event %d: ChallengeSent without its nonce: %s", i, e.String())
		}
	case security.InvalidPassword:
		if !e.WithChallenge {
			t.Errorf("event %d: InvalidPassword without Challenge, ReceivedChallenge, ReceivedHash: %s", i, e.String())
		}
		if !answered {
			if e.Challenge != "" || e.ReceivedChallenge != "" || e.ReceivedHash != "" {
				t.Errorf("event %d: unchallenged caller with challenge fields: %s", i, e.String())
			}
			return
		}
		if e.Challenge == "" || e.ReceivedChallenge != e.Challenge || len(e.ReceivedHash) != 32 {
			t.Errorf("event %d: want our nonce, the same received, and a 32-digit hash: %s", i, e.String())
		}
	case security.ChallengeResponseFailed:
		if e.Challenge == "" {
			t.Errorf("event %d: ChallengeResponseFailed without the nonce: %s", i, e.String())
		}
	}
}

func eventsText(evs []security.Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// buildSecReq writes request r of a case; cseq numbers the requests of
// the dialog, challenge is the last WWW-Authenticate received.
func buildSecReq(t *testing.T, p *phone, r secReq, callID string, cseq int, challenge string) string {
	t.Helper()
	server := p.to
	me := p.addr()
	ruri := r.ruri
	switch {
	case ruri != "":
		ruri = strings.ReplaceAll(ruri, "SERVER", server.String())
	case r.method == "REGISTER":
		ruri = "sip:" + server.String()
	default:
		ruri = "sip:6001@" + server.String()
	}
	to := r.user
	if r.method == "INVITE" {
		to = "6001"
	}
	via, rport := me.String(), ";rport"
	if r.via != "" {
		via, rport = r.via, ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", r.method, ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-sec-%d-%d%s\r\n", via, cseq, time.Now().UnixNano(), rport)
	fmt.Fprintf(&b, "From: \"Caller <x>\" <sip:%s@%s>;tag=sec1\r\n", r.user, server.Addr())
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", to, server.Addr())
	fmt.Fprintf(&b, "Call-ID: %s\r\nCSeq: %d %s\r\n", callID, cseq, r.method)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s>\r\nMax-Forwards: 70\r\n", r.user, me)
	if r.authUser != "" {
		ans, err := digest.Answer(challenge, r.method, ruri, r.authUser, r.password, 1)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "Authorization: %s\r\n", ans)
	}
	if r.method == "REGISTER" {
		b.WriteString("Expires: 60\r\nContent-Length: 0\r\n\r\n")
		return b.String()
	}
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	fmt.Fprintf(&b, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	return b.String()
}

// recvFinal reads answers until a final one.
func recvFinal(t *testing.T, p *phone) *response {
	t.Helper()
	for {
		res := p.recv()
		if res.code >= 200 {
			return res
		}
	}
}

func ackFor(p *phone, r secReq, res *response, callID string, cseq int) string {
	return fmt.Sprintf("ACK sip:6001@%s SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		p.to, res.headers["via"], res.headers["from"], res.headers["to"], callID, cseq)
}

// TestSecurityEventsDisabled: with no channel taking the security level,
// no event is even built.
func TestSecurityEventsDisabled(t *testing.T) {
	rec := &secRec{disabled: true}
	d := startSecDriver(t, "alwaysauthreject=yes\n", rec)
	p := newPhone(t, d.LocalAddr())
	first, second := p.registerAuth(regOpts{user: "6000", authUser: "6000", password: "nope"})
	if first.code != 401 || second == nil || second.code != 403 {
		t.Fatalf("answers %v, %v; want 401 then 403", first.code, second)
	}
	time.Sleep(50 * time.Millisecond)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.reported != 0 {
		t.Errorf("%d events reported to a disabled reporter", rec.reported)
	}
}

func TestInBrackets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"6000" <sip:6000@127.0.0.5>;tag=abc`, "sip:6000@127.0.0.5"},
		{`<sip:6000@127.0.0.5;transport=udp>`, "sip:6000@127.0.0.5;transport=udp"},
		{`"a <b> \"c" <sip:x@y>`, "sip:x@y"},
		{`Bob <sip:bob@h`, "sip:bob@h"},
		{` sip:6000@h;tag=1 `, "sip:6000@h;tag=1"},
		{``, ``},
	} {
		if got := inBrackets(tc.in); got != tc.want {
			t.Errorf("inBrackets(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkRegisterDigestSecurityLog is BenchmarkRegisterDigest with a
// real logger writing messages to a file, as the bench configuration
// does, with and without security events (each registration then logs
// ChallengeSent and SuccessfulAuth). cpu-us/op is the process's CPU time
// (client included) per registration, steadier than the wall time on a
// shared machine.
func BenchmarkRegisterDigestSecurityLog(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("security=%v", on), func(b *testing.B) {
			const peers = 1000
			dir := b.TempDir()
			lcfg, diags := confparse.Parse("logger.conf", []byte("[logfiles]\nmessages => notice,warning,error,security\n"), confparse.Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			l, err := logger.New(logger.Options{LogDir: dir, Config: lcfg})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { l.Close() })
			opts := Options{Config: loadConf(b, benchPeers(peers)), Log: l, Store: newMemStore(), Version: "18.26.4"}
			if on {
				opts.Security = security.NewLog(l, nil)
			}
			d, err := New(opts)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(d.Stop)
			cpu0 := cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				p := newRawPhone(b, d.LocalAddr())
				i := 0
				for pb.Next() {
					i++
					if err := p.registerOnce(fmt.Sprintf("p%d", i%peers), 2*i); err != nil {
						b.Error(err)
						return
					}
				}
			})
			l.Sync()
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e3, "cpu-us/op")
			if st, err := os.Stat(filepath.Join(dir, "messages")); err == nil {
				b.ReportMetric(float64(st.Size())/float64(b.N), "log-B/op")
			}
		})
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestSecurityEventAddresses: LocalAddress is the listener of the
// request's transport, with a wildcard bind replaced by the address the
// caller is routed to, and both addresses name the transport.
func TestSecurityEventAddresses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		transport string
		bind      string
	}{
		{"UDP, wildcard bind", "UDP", "0.0.0.0:0"},
		{"TCP", "TCP", "127.0.0.1:0"},
		{"TCP, wildcard bind", "TCP", "0.0.0.0:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &secRec{}
			cfg := loadConf(t, secSIPConf("alwaysauthreject=no\ntcpenable=yes\n"))
			cfg.General.UDPBind = netip.MustParseAddrPort(tc.bind)
			cfg.General.TCPBind = netip.MustParseAddrPort(tc.bind)
			d, err := New(Options{Config: cfg, Store: newMemStore(), Version: "18.26.4", Security: rec})
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer d.Stop()
			listen, ok := d.ListenAddr(tc.transport)
			if !ok {
				t.Fatalf("no %s listener", tc.transport)
			}
			server := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), listen.Port())
			network := strings.ToLower(tc.transport) + "4"
			var c net.Conn
			if tc.transport == "UDP" {
				c, err = net.DialUDP(network, nil, net.UDPAddrFromAddrPort(server))
			} else {
				c, err = net.DialTimeout(network, server.String(), 3*time.Second)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			me := netip.MustParseAddrPort(c.LocalAddr().String())
			msg := fmt.Sprintf("REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=z9hG4bK-addr1;rport\r\n"+
				"From: <sip:9999@127.0.0.1>;tag=a1\r\nTo: <sip:9999@127.0.0.1>\r\nCall-ID: addr-1@test\r\n"+
				"CSeq: 1 REGISTER\r\nContact: <sip:9999@%s>\r\nMax-Forwards: 70\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n",
				server, tc.transport, me, me)
			if _, err := c.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			got := rec.take(t, 1)
			if len(got) != 1 || got[0].Type != security.InvalidAccountID {
				t.Fatalf("events:\n%s\nwant one InvalidAccountID", eventsText(got))
			}
			tr := secTransport(tc.transport)
			if want := (security.Addr{AddrPort: server, Transport: tr}); got[0].Local != want {
				t.Errorf("LocalAddress %s, want %s", got[0].Local, want)
			}
			if want := (security.Addr{AddrPort: me, Transport: tr}); got[0].Remote != want {
				t.Errorf("RemoteAddress %s, want %s", got[0].Remote, want)
			}
		})
	}
}

// secFormat is a reporter that formats every event and keeps nothing,
// for the fuzz targets: whatever a request holds, its events must print
// on one line.
type secFormat struct{}

func (secFormat) Enabled() bool { return true }

func (secFormat) Report(e *security.Event) {
	if err := e.Validate(); err != nil {
		panic(err)
	}
	if s := e.String(); strings.ContainsAny(s, "\r\n") {
		panic("security event spans lines: " + s)
	}
}
