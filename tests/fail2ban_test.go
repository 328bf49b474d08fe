package tests

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/logger"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// fail2banFilter is the stock asterisk filter of Debian's fail2ban package.
const fail2banFilter = "/etc/fail2ban/filter.d/asterisk.conf"

// chanSIPFailures are the lines chan_sip logs at NOTICE for the attacks
// fail2ban's asterisk jail bans, with Asterisk 18's exact wording.
var chanSIPFailures = []string{
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Wrong password",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - No matching peer found",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Username/auth name mismatch",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Device does not match ACL",
	"Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Peer is not supposed to register",
	"Call from '6001' (UDP:127.0.0.1:5062) to extension '9999' rejected because extension not found in context 'work'.",
}

// fail2banSummary is fail2ban-regex's count line.
var fail2banSummary = regexp.MustCompile(`Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed`)

// messagesLogger finds fail2ban-regex and the stock filter (skipping
// when fail2ban is not installed) and gives a logger whose "messages"
// file channel in logDir takes the levels of the sample logger.conf.
func messagesLogger(t *testing.T) (f2b, logDir string, log *logger.Logger) {
	t.Helper()
	f2b, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed (make test-deps installs fail2ban)")
	}
	if _, err := os.Stat(fail2banFilter); err != nil {
		t.Skipf("fail2ban's asterisk filter is missing: %v", err)
	}
	logDir = t.TempDir()
	conf, diags := confparse.Parse("logger.conf",
		[]byte("[general]\n[logfiles]\nmessages => notice,warning,error,security\n"), confparse.Options{Dir: logDir})
	if diags.HasErrors() {
		t.Fatalf("logger.conf: %v", diags)
	}
	log, err = logger.New(logger.Options{LogDir: logDir, Config: conf})
	if err != nil {
		t.Fatal(err)
	}
	return f2b, logDir, log
}

// TestFail2banMatchesMessagesLog writes chan_sip's failure lines through
// pkg/logger into a "messages" file channel, as the daemon does, and has
// fail2ban's own tool match them with the stock filter.
func TestFail2banMatchesMessagesLog(t *testing.T) {
	f2b, logDir, log := messagesLogger(t)
	for _, line := range chanSIPFailures {
		log.Notice("%s", line)
	}
	// The same lines from within a call carry Asterisk's [C-xxxxxxxx] tag.
	for _, line := range chanSIPFailures {
		log.WithCallID(0x2a).Notice("%s", line)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(logDir, "messages")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	want := 2 * len(chanSIPFailures)
	if n := strings.Count(text, "\n"); n != want {
		t.Fatalf("messages holds %d lines, want %d:\n%s", n, want, text)
	}
	if !strings.Contains(text, "][C-0000002a] ") {
		t.Errorf("no call-tagged line in messages:\n%s", text)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, f2b, path, fail2banFilter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	m := fail2banSummary.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("no summary in fail2ban-regex's output:\n%s", out)
	}
	lines, _ := strconv.Atoi(m[1])
	matched, _ := strconv.Atoi(m[3])
	if lines != want || matched != want || m[2] != "0" || m[4] != "0" {
		t.Errorf("fail2ban-regex: %s, want %d lines, 0 ignored, %d matched, 0 missed\nlog:\n%s\noutput:\n%s",
			m[0], want, want, text, out)
	}
}

// TestFail2banMatchesSecurityEvents writes security events through
// pkg/security into a "messages" channel, as res_security_log does, and
// has fail2ban-regex match them with the stock filter: every failure
// event is one failure of the caller's address (whatever the transport
// and IP version, and whatever a caller puts in the fields it controls),
// and the informational events are no failure at all.
func TestFail2banMatchesSecurityEvents(t *testing.T) {
	f2b, logDir, log := messagesLogger(t)
	sec := security.NewLog(log, nil)
	at := func(s string, tr security.Transport) security.Addr {
		return security.Addr{AddrPort: netip.MustParseAddrPort(s), Transport: tr}
	}
	local := at("127.0.0.5:5060", security.UDP)
	// A caller may choose its user name, nonce and hash: here each tries
	// to end its field and name another address.
	const forged = `x",RemoteAddress="IPV4/UDP/10.66.66.66/5060",Z="`
	events := []struct {
		ev   security.Event
		host string // the failure's host; "" = must not match
	}{
		{security.Event{Type: security.InvalidPassword, AccountID: "6000", Remote: at("192.0.2.10:5091", security.UDP),
			WithChallenge: true, Challenge: "435b85da", ReceivedChallenge: "435b85da", ReceivedHash: "2ea19b086a6aec35d15e2b1690942434"}, "192.0.2.10"},
		{security.Event{Type: security.InvalidPassword, AccountID: "6001", Remote: at("192.0.2.11:5060", security.TCP), WithChallenge: true}, "192.0.2.11"},
		{security.Event{Type: security.ChallengeResponseFailed, AccountID: "sip:6000@127.0.0.5", Remote: at("192.0.2.12:5061", security.TLS),
			Challenge: "1", Response: "asadek", ExpectedResponse: "asadek"}, "192.0.2.12"},
		{security.Event{Type: security.InvalidAccountID, AccountID: "9999", Remote: at("[2001:db8::13]:5060", security.UDP)}, "2001:db8::13"},
		{security.Event{Type: security.FailedACL, AccountID: "6000", Remote: at("192.0.2.14:5060", security.UDP), ACLName: "device_must_match_acl"}, "192.0.2.14"},
		{security.Event{Type: security.FailedACL, AccountID: "static", Remote: at("192.0.2.15:5060", security.UDP), ACLName: "peer_not_dynamic"}, "192.0.2.15"},
		{security.Event{Type: security.FailedACL, AccountID: "9999", Remote: at("192.0.2.16:5060", security.UDP), ACLName: "no_extension_match"}, "192.0.2.16"},
		{security.Event{Type: security.InvalidPassword, AccountID: forged, Remote: at("192.0.2.17:5060", security.UDP),
			WithChallenge: true, Challenge: "n", ReceivedChallenge: forged, ReceivedHash: forged + "\nSECURITY[1] x: " + forged}, "192.0.2.17"},
		{security.Event{Type: security.ChallengeResponseFailed, AccountID: forged, Remote: at("192.0.2.18:5060", security.UDP),
			Challenge: forged, Response: forged, ExpectedResponse: "\xff\"\x00"}, "192.0.2.18"},
		{security.Event{Type: security.ChallengeSent, AccountID: "6000", Remote: at("198.51.100.1:5060", security.UDP), Challenge: "435b85da"}, ""},
		{security.Event{Type: security.SuccessfulAuth, AccountID: "6000", Remote: at("198.51.100.2:5060", security.UDP), UsingPassword: true}, ""},
	}
	want := map[string]int{}
	for i, e := range events {
		e.ev.Service, e.ev.SessionID, e.ev.Local = "SIP", fmt.Sprintf("0x7f72900%05x", i*16), local
		sec.Report(&e.ev)
		if e.host != "" {
			want[e.host]++
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(logDir, "messages")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != len(events) {
		t.Fatalf("messages holds %d lines for %d events:\n%s", n, len(events), b)
	}
	got := map[string]int{}
	for _, m := range fail2banMatches(t, f2b, path) {
		got[m.host]++
	}
	if !maps.Equal(got, want) {
		t.Errorf("fail2ban's failures per host %v, want %v\nmessages:\n%s", got, want, b)
	}
}
