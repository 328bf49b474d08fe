package tests

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// scenario writes a variant of the reference REGISTER scenario: user
// registers (To/From/Contact), authUser/password answer the challenge,
// expires is the Expires header and final the status expected last.
func scenario(t *testing.T, user, authUser, password, expires string, final int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "chansip", "reg-6000.xml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = strings.ReplaceAll(s, "[authentication username=6000 password=test]",
		fmt.Sprintf("[authentication username=%s password=%s]", authUser, password))
	s = strings.ReplaceAll(s, "sip:6000@", "sip:"+user+"@")
	s = strings.ReplaceAll(s, "Expires: 3600", "Expires: "+expires)
	s = strings.ReplaceAll(s, `<recv response="200"/>`, fmt.Sprintf(`<recv response="%d"/>`, final))
	p := filepath.Join(t.TempDir(), "reg.xml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runSipp(t *testing.T, in *harness.Instance, sf string, localPort, calls int) {
	t.Helper()
	s := harness.Sipp{Scenario: sf, Target: fmt.Sprintf("127.0.0.1:%d", in.SIPPort), LocalPort: localPort,
		Calls: calls, Rate: 100, Timeout: 20 * time.Second}
	if res := s.Run(t); res.ExitCode != 0 {
		t.Fatalf("sipp %s exited %d\n%s\n%s", filepath.Base(sf), res.ExitCode, res.Output, res.ErrLog)
	}
}

// regScenario is the reference scenario's absolute path (sipp runs in a
// directory of its own).
func regScenario(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "chansip", "reg-6000.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rePeerPort masks the source port of 6000's line in "sip show peers".
var rePeerPort = regexp.MustCompile(`(?m)^(6000/asadek\s+127\.0\.0\.1\s+D\s+Auto \(No\)\s+No\s+)\d+\s+`)

func maskPeers(s string) string { return rePeerPort.ReplaceAllString(s, "${1}PORT ") }

// waitPeers polls "sip show peers" until the trunk's first qualify has
// failed, as it had when Asterisk's transcripts were taken.
func waitPeers(t *testing.T, in *harness.Instance) string {
	t.Helper()
	var out string
	for deadline := time.Now().Add(8 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		out = in.MustRX("sip show peers")
		if strings.Contains(out, "UNREACHABLE") {
			break
		}
	}
	return out
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "chansip", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestChanSIPRegister(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	port := harness.FreePort(t)

	t.Run("wrong password", func(t *testing.T) {
		runSipp(t, in, scenario(t, "6000", "6000", "nope", "3600", 403), port, 1)
	})
	t.Run("unknown user", func(t *testing.T) {
		runSipp(t, in, scenario(t, "9999", "9999", "test", "3600", 403), port, 1)
	})
	t.Run("digest username asadek", func(t *testing.T) {
		runSipp(t, in, scenario(t, "6000", "asadek", "test", "3600", 403), port, 1)
	})
	if out := in.MustRX("sip show peers"); strings.Contains(out, "6000/asadek               127.0.0.1") {
		t.Fatalf("a failed registration registered:\n%s", out)
	}
	t.Run("register 6000", func(t *testing.T) {
		runSipp(t, in, regScenario(t), port, 1)
		got := maskPeers(waitPeers(t, in))
		if want := maskPeers(readTestdata(t, "sip-show-peers.after-register-6000.txt")); got != want {
			t.Errorf("sip show peers\n--- got\n%s--- want\n%s", got, want)
		}
		got = in.MustRX("sip show peer 6000")
		want := readTestdata(t, "sip-show-peer-6000.after-register-6000.txt")
		mask := regexp.MustCompile(`(Expire       : )\d+|127\.0\.0\.1:\d+`)
		m := func(s string) string { return mask.ReplaceAllString(s, "${1}X") }
		if m(got) != m(want) {
			t.Errorf("sip show peer 6000\n--- got\n%s--- want\n%s", got, want)
		}
		if !strings.Contains(got, fmt.Sprintf("Addr->IP     : 127.0.0.1:%d\n", port)) {
			t.Errorf("address not the sipp port %d:\n%s", port, got)
		}
	})
	t.Run("messages log", func(t *testing.T) {
		log := waitLog(t, in, "Username/auth name mismatch")
		for _, re := range []string{
			`(?m)^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] NOTICE\[\d+\] [a-z_]+\.go: Registration from '<sip:6000@127\.0\.0\.1>' failed for '127\.0\.0\.1:\d+' - Wrong password$`,
			`(?m)^\[.*\] NOTICE\[\d+\] [a-z_]+\.go: Registration from '<sip:9999@127\.0\.0\.1>' failed for '127\.0\.0\.1:\d+' - No matching peer found$`,
			`(?m)^\[.*\] WARNING\[\d+\] [a-z_]+\.go: username mismatch, have <6000>, digest has <asadek>$`,
			`(?m)^\[.*\] NOTICE\[\d+\] [a-z_]+\.go: Registration from '<sip:6000@127\.0\.0\.1>' failed for '127\.0\.0\.1:\d+' - Username/auth name mismatch$`,
		} {
			if !regexp.MustCompile(re).MatchString(log) {
				t.Errorf("messages lacks %s:\n%s", re, log)
			}
		}
	})
	t.Run("restart keeps the registration", func(t *testing.T) {
		in.Kill()
		in.StartDaemon()
		out := in.MustRX("sip show peers")
		if !strings.Contains(out, "6000/asadek               127.0.0.1") || !strings.Contains(out, strconv.Itoa(port)) {
			t.Errorf("after restart:\n%s", out)
		}
		db := in.MustRX("database show SIP")
		row := fmt.Sprintf("127.0.0.1:%d:3600:asadek:sip:6000@127.0.0.1:%d;transport=UDP", port, port)
		if !strings.Contains(db, "/SIP/Registry/6000") || !strings.Contains(db, row) {
			t.Errorf("astdb:\n%s\nwant a row %q", db, row)
		}
	})
	t.Run("Expires 0", func(t *testing.T) {
		runSipp(t, in, scenario(t, "6000", "6000", "test", "0", 200), port, 1)
		out := in.MustRX("sip show peers")
		if !strings.Contains(out, "6000/asadek               (Unspecified)") {
			t.Errorf("still registered:\n%s", out)
		}
		if db := in.MustRX("database show SIP"); strings.Contains(db, "/SIP/Registry/6000") {
			t.Errorf("astdb row left:\n%s", db)
		}
	})
	t.Run("re-register", func(t *testing.T) {
		runSipp(t, in, regScenario(t), port, 1)
		if out := in.MustRX("sip show peers"); !strings.Contains(out, "6000/asadek               127.0.0.1") {
			t.Errorf("not registered again:\n%s", out)
		}
	})
}

// waitLog waits until the messages log holds substr and returns it.
func waitLog(t *testing.T, in *harness.Instance, substr string) string {
	t.Helper()
	path := in.Path("var", "log", "messages")
	var s string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		s = string(b)
		if strings.Contains(s, substr) {
			return s
		}
	}
	t.Fatalf("%s never got %q:\n%s", path, substr, s)
	return ""
}

// TestChanSIPRestoreAsteriskAstdb starts on an astdb.sqlite3 written the
// way Asterisk writes it, holding the reference registration.
func TestChanSIPRestoreAsteriskAstdb(t *testing.T) {
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), NoStart: true})
	in.DumpOnFailure()
	dir := in.Path("var", "lib")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "astdb.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key))",
		"INSERT INTO astdb VALUES('/SIP/Registry/6000', '127.0.0.1:5061:3600:asadek:sip:6000@127.0.0.1:5061;transport=UDP')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	in.StartDaemon()
	requireSIPDriver(t, in)
	got := waitPeers(t, in)
	if want := readTestdata(t, "sip-show-peers.after-register-6000.txt"); got != want {
		t.Errorf("sip show peers\n--- got\n%s--- want\n%s", got, want)
	}
}

// TestChanSIPFail2ban checks that fail2ban's stock asterisk filter matches
// every failed registration the daemon logs.
func TestChanSIPFail2ban(t *testing.T) {
	const filter = "/etc/fail2ban/filter.d/asterisk.conf"
	regexBin, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed (make test-deps installs fail2ban)")
	}
	if _, err := os.Stat(filter); err != nil {
		t.Skip("no " + filter)
	}
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	const n = 50
	port := harness.FreePort(t)
	runSipp(t, in, scenario(t, "6000", "6000", "nope", "3600", 403), port, n)
	runSipp(t, in, scenario(t, "9999", "9999", "test", "3600", 403), port, n)
	runSipp(t, in, scenario(t, "6000", "asadek", "test", "3600", 403), port, n)
	var log string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		b, _ := os.ReadFile(in.Path("var", "log", "messages"))
		log = string(b)
		if strings.Count(log, "Username/auth name mismatch") >= n {
			break
		}
	}
	counts := map[string]int{}
	for _, reason := range []string{"Wrong password", "No matching peer found", "Username/auth name mismatch"} {
		counts[reason] = strings.Count(log, "failed for '127.0.0.1:"+strconv.Itoa(port)+"' - "+reason)
		if counts[reason] < n {
			t.Errorf("%d %q lines, want at least %d", counts[reason], reason, n)
		}
	}
	failures := strings.Count(log, "Registration from '")
	out, err := exec.Command(regexBin, in.Path("var", "log", "messages"), filter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Lines: \d+ lines, \d+ ignored, (\d+) matched`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("fail2ban-regex output:\n%s", out)
	}
	if matched, _ := strconv.Atoi(m[1]); matched != failures {
		t.Errorf("fail2ban matched %d lines of %d failures\n%s", matched, failures, out)
	}
}
