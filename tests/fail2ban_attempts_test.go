package tests

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// attackKind is one way of failing to authenticate, tried from its own
// loopback address so that fail2ban's verdict can be checked per host.
type attackKind struct {
	name     string
	host     string // the attacker's address (127.0.0.0/8 is all loopback on Linux)
	method   string // REGISTER or INVITE
	user     string // To user of a REGISTER, From user of an INVITE
	authUser string // digest user answering the challenge
	password string
	callee   string // INVITE: the extension called ("" = 6000)
}

// attackKinds are the failed attempts fail2ban's asterisk jail must see:
// every one of them must produce a line its stock filter matches, naming
// the attacker's address.
var attackKinds = []attackKind{
	{"REGISTER wrong password", "127.0.0.2", "REGISTER", "6000", "6000", "guess", ""},
	{"REGISTER unknown user", "127.0.0.3", "REGISTER", "9999", "9999", "guess", ""},
	{"REGISTER ACL denied", "127.0.0.4", "REGISTER", "acl-phone", "acl-phone", "right", ""},
	{"REGISTER digest user mismatch", "127.0.0.5", "REGISTER", "6000", "asadek", "test", ""},
	{"REGISTER peer not dynamic", "127.0.0.6", "REGISTER", "static-phone", "static-phone", "right", ""},
	{"INVITE wrong password", "127.0.0.7", "INVITE", "6001", "6001", "guess", ""},
	{"INVITE unknown user", "127.0.0.8", "INVITE", "9999", "9999", "guess", ""},
	{"INVITE ACL denied", "127.0.0.10", "INVITE", "acl-phone", "acl-phone", "right", ""},
	{"INVITE digest user mismatch", "127.0.0.11", "INVITE", "6001", "choucheh", "test", ""},
}

// attemptConf is the sample setup without its trunk and outbound
// registration (the trunk's host is 127.0.0.1 with insecure=port, which
// would take every INVITE from 127.0.0.1 for the trunk's), plus a peer
// whose ACL refuses two attackers and a peer with a fixed address.
func attemptConf(alwaysAuthReject string) func(files map[string]string) {
	return func(files map[string]string) {
		attackConf(0)(files)
		s := regexp.MustCompile(`(?m)^alwaysauthreject\s*=.*$`).ReplaceAllString(files["sip.conf"], "alwaysauthreject="+alwaysAuthReject)
		s += "\n[acl-phone](ext)\ndeny=127.0.0.4/255.255.255.255\ndeny=127.0.0.10/255.255.255.255\n" +
			"\n[static-phone](ext)\nhost=127.0.0.9\n"
		files["sip.conf"] = s
	}
}

// attemptClient is a sipClient on a fresh socket of host: each attempt
// has its own source port, which the log lines carry, so every matched
// line can be traced to the attempt that caused it.
func attemptClient(t *testing.T, host string, port int) *sipClient {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Fatalf("binding %s (the test needs 127.0.0.0/8 on lo): %v", host, err)
	}
	t.Cleanup(func() { c.Close() })
	return &sipClient{t: t, conn: c, to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, buf: make([]byte, 65535)}
}

// attempt makes one authentication attempt as a password-guessing script
// does: the request, and when challenged, the request again with an
// answer as authUser. It returns the final answers' codes.
func attempt(c *sipClient, k attackKind) []int {
	c.t.Helper()
	callee := k.callee
	if callee == "" {
		callee = "6000"
	}
	o := reqOpts{method: k.method, user: k.user, callee: callee, cseq: 1,
		callID: fmt.Sprintf("f2b-%d-%d@test", c.seq, time.Now().UnixNano()), fromTag: fmt.Sprintf("f2b%d", c.seq)}
	final := func() *sipResp {
		for {
			r := c.recv(o.callID, 3*time.Second)
			if r == nil || r.code >= 200 {
				return r
			}
		}
	}
	c.send(c.build(o))
	first := final()
	if first == nil {
		return nil
	}
	codes := []int{first.code}
	if k.method == "INVITE" {
		c.ack(o, first)
	}
	if first.code != 401 {
		return codes
	}
	uri := fmt.Sprintf("sip:%s:%d", c.to.IP, c.to.Port)
	if k.method == "INVITE" {
		uri = fmt.Sprintf("sip:%s@%s:%d", o.callee, c.to.IP, c.to.Port)
	}
	ans, err := digest.Answer(first.headers["www-authenticate"], k.method, uri, k.authUser, k.password, 1)
	if err != nil {
		c.t.Fatalf("answering %q: %v", first.headers["www-authenticate"], err)
	}
	o.cseq, o.auth = 2, ans
	c.send(c.build(o))
	second := final()
	if second == nil {
		return codes
	}
	if k.method == "INVITE" {
		c.ack(o, second)
	}
	return append(codes, second.code)
}

// fail2banMatch is one line fail2ban-regex matched, with the host it found.
type fail2banMatch struct {
	host, line string
}

// fail2banMatches runs fail2ban-regex with the stock filter on path and
// returns every matched line with its host.
func fail2banMatches(t *testing.T, f2b, path string) []fail2banMatch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, f2b, "--raw", "-o", "<ip> <msg>", path, fail2banFilter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	var ms []fail2banMatch
	for _, l := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if l == "" {
			continue
		}
		host, line, ok := strings.Cut(l, " ")
		if !ok || !strings.HasPrefix(line, "[") {
			t.Fatalf("unexpected fail2ban-regex output line %q in:\n%s", l, out)
		}
		ms = append(ms, fail2banMatch{host: host, line: line})
	}
	return ms
}

// reSource finds the caller's address in a matched line: chan_sip's
// NOTICE ('127.0.0.2:40000') or a security event's RemoteAddress.
var reSource = regexp.MustCompile(`failed for '([0-9.]+):(\d+)'|RemoteAddress="IPV4/(?:UDP|TCP|TLS)/([0-9.]+)/(\d+)"`)

func matchSource(line string) (netip.AddrPort, bool) {
	m := reSource.FindStringSubmatch(line)
	if m == nil {
		return netip.AddrPort{}, false
	}
	ip, port := m[1], m[2]
	if ip == "" {
		ip, port = m[3], m[4]
	}
	ap, err := netip.ParseAddrPort(ip + ":" + port)
	return ap, err == nil
}

// TestFail2banEveryFailedAttempt drives the real daemon with failed
// REGISTER and INVITE attempts of every kind (wrong password, unknown
// user, ACL denied, digest user mismatch, peer not dynamic), with
// alwaysauthreject on and off, then runs fail2ban-regex with the stock
// asterisk filter on the real messages file. fail2ban counts one failure
// per matched line, and one attempt may be logged twice (chan_sip's
// NOTICE and the security event), so the property checked is per
// attempt: every attempt is matched at least once, and every line matched
// for it names the attacker's address. A legitimate phone's challenges
// and successful registration and call are logged (ChallengeSent,
// SuccessfulAuth) but never matched.
func TestFail2banEveryFailedAttempt(t *testing.T) {
	f2b, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed (make test-deps installs fail2ban)")
	}
	if _, err := os.Stat(fail2banFilter); err != nil {
		t.Skipf("fail2ban's asterisk filter is missing: %v", err)
	}
	attempts := pick(10, 100)
	for _, aar := range []string{"yes", "no"} {
		t.Run("alwaysauthreject="+aar, func(t *testing.T) {
			in := harness.Start(t, harness.Options{Edit: attemptConf(aar)})
			in.DumpOnFailure()
			requireSIPDriver(t, in)

			// Who tried what from where: attempt source -> kind.
			kindOf := map[netip.AddrPort]*attackKind{}
			for i := range attackKinds {
				k := &attackKinds[i]
				for range attempts {
					c := attemptClient(t, k.host, in.SIPPort)
					codes := attempt(c, *k)
					if len(codes) == 0 || codes[len(codes)-1] < 400 {
						t.Fatalf("%s: answers %v, want a refusal", k.name, codes)
					}
					kindOf[netip.MustParseAddrPort(c.addr())] = k
				}
			}
			// The legitimate phone: registers, then calls 6001 (not
			// registered, so the call fails, but not its authentication).
			phone := attemptClient(t, "127.0.0.1", in.SIPPort)
			legit := attackKind{name: "legitimate", host: "127.0.0.1", method: "REGISTER", user: "6000", authUser: "6000", password: "test"}
			if codes := attempt(phone, legit); len(codes) != 2 || codes[1] != 200 {
				t.Fatalf("the legitimate REGISTER got %v, want 401 then 200", codes)
			}
			caller := attemptClient(t, "127.0.0.1", in.SIPPort)
			call := attackKind{name: "legitimate call", host: "127.0.0.1", method: "INVITE", user: "6000", authUser: "6000", password: "test", callee: "6001"}
			if codes := attempt(caller, call); len(codes) != 2 || codes[1] == 401 || codes[1] == 403 {
				t.Fatalf("the legitimate INVITE got %v, want 401 then an answer that is not an authentication failure", codes)
			}

			messages := in.Path("var", "log", "messages")
			legitLines := func(text string) []string {
				var out []string
				for _, l := range strings.Split(text, "\n") {
					if strings.Contains(l, `RemoteAddress="IPV4/UDP/127.0.0.1/`) {
						out = append(out, l)
					}
				}
				return out
			}
			// Security events are logged once the answer is out: wait
			// until the last ones (the legitimate call's) are there.
			var text string
			harness.PollUntil(5*time.Second, func() bool {
				b, _ := os.ReadFile(messages)
				text = string(b)
				return strings.Count(strings.Join(legitLines(text), "\n"), "SecurityEvent=") >= 4
			})
			var sawChallenge, sawSuccess int
			for _, l := range legitLines(text) {
				if !strings.Contains(l, "] SECURITY[") || !strings.Contains(l, " res_security_log.c: SecurityEvent=") {
					t.Errorf("not a res_security_log line: %s", l)
				}
				switch {
				case strings.Contains(l, `SecurityEvent="ChallengeSent"`) && strings.Contains(l, `Severity="Informational"`):
					sawChallenge++
				case strings.Contains(l, `SecurityEvent="SuccessfulAuth"`) && strings.Contains(l, `UsingPassword="1"`):
					sawSuccess++
				}
			}
			if sawChallenge != 2 || sawSuccess != 2 {
				t.Errorf("legitimate phone: %d ChallengeSent and %d SuccessfulAuth lines, want 2 and 2 (REGISTER and INVITE):\n%s",
					sawChallenge, sawSuccess, strings.Join(legitLines(text), "\n"))
			}

			// The sample logger.conf sends security to messages only.
			if full, err := os.ReadFile(in.Path("var", "log", "full")); err != nil {
				t.Errorf("no full log: %v", err)
			} else if strings.Contains(string(full), "SecurityEvent=") {
				t.Errorf("security events in the full log, whose levels do not include security")
			}
			if strings.Contains(in.Output(), "SecurityEvent=") {
				t.Errorf("security events on the console, whose levels do not include security")
			}

			// Every attempt matched at least once, by its own address.
			var ms []fail2banMatch
			perAttempt := map[netip.AddrPort]int{}
			harness.PollUntil(5*time.Second, func() bool {
				ms = fail2banMatches(t, f2b, messages)
				clear(perAttempt)
				for _, m := range ms {
					if src, ok := matchSource(m.line); ok {
						perAttempt[src]++
					}
				}
				return len(perAttempt) >= len(kindOf)
			})
			perHost := map[string]int{}
			for _, m := range ms {
				perHost[m.host]++
				src, ok := matchSource(m.line)
				if !ok {
					t.Errorf("fail2ban matched a line naming no caller address (host %s): %s", m.host, m.line)
					continue
				}
				k := kindOf[src]
				switch {
				case k == nil:
					t.Errorf("fail2ban matched a line of no failed attempt (host %s): %s", m.host, m.line)
				case m.host != k.host || src.Addr().String() != k.host:
					t.Errorf("%s from %s: fail2ban found host %s in: %s", k.name, k.host, m.host, m.line)
				}
			}
			type tally struct{ attempts, missed, min, max int }
			byKind := map[string]*tally{}
			for src, k := range kindOf {
				tl := byKind[k.name]
				if tl == nil {
					tl = &tally{min: 1 << 30}
					byKind[k.name] = tl
				}
				n := perAttempt[src]
				tl.attempts++
				if n == 0 {
					tl.missed++
				}
				tl.min, tl.max = min(tl.min, n), max(tl.max, n)
			}
			names := make([]string, 0, len(byKind))
			for name := range byKind {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				tl := byKind[name]
				t.Logf("%-30s %d attempts, matched lines per attempt %d..%d", name, tl.attempts, tl.min, tl.max)
				if tl.missed > 0 {
					t.Errorf("%s: %d of %d attempts not matched by fail2ban's asterisk filter", name, tl.missed, tl.attempts)
				}
			}
			if n := perHost["127.0.0.1"]; n != 0 {
				t.Errorf("fail2ban counts %d failures for the legitimate phone's 127.0.0.1", n)
			}
			if t.Failed() {
				t.Logf("messages:\n%s", text)
			}
		})
	}
}
