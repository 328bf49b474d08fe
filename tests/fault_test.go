package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// benchScenario is a scenario of bench/ (shared with make bench).
func benchScenario(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(harness.RepoRoot(), "bench", name)
}

// writeInf writes a sipp injection file and returns its path.
func writeInf(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "inf.csv")
	if err := os.WriteFile(p, []byte("SEQUENTIAL\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// callLoad registers 6000 as a sipp callee and returns a function that
// runs calls calls from 6001 at rate/s, each held holdMs, and returns the
// caller's result once the callee is done too.
func callLoad(t *testing.T, in *harness.Instance, calls, rate, holdMs int) func() (harness.SippResult, harness.SippResult) {
	t.Helper()
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	timeout := time.Duration(calls/rate+holdMs/1000+20) * time.Second
	uas := harness.Sipp{Scenario: benchScenario(t, "call-uas.xml"), LocalPort: uasPort, Calls: calls, Timeout: timeout}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: benchScenario(t, "call-uac.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Calls: calls, Rate: rate, Timeout: timeout,
		Inf:   writeInf(t, "6001;[authentication username=6001 password=test];6000"),
		Extra: []string{"-d", strconv.Itoa(holdMs), "-l", strconv.Itoa(calls + 10)}}
	waitUAC := uac.Start(t)
	return func() (harness.SippResult, harness.SippResult) {
		res := waitUAC()
		return res, waitUAS()
	}
}

// TestFaultReloadUnderLoad: "core reload" every 2 s while calls are set
// up and torn down fails none of them. Short form 10 s at 10 calls/s;
// GOSTRISK_LONG=1 runs 60 s at 50 calls/s as the issue asks.
func TestFaultReloadUnderLoad(t *testing.T) {
	harness.RequireSipp(t)
	seconds, rate := pick(10, 60), pick(10, 50)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		attackConf(0)(f)
		// Two legs of two ports per call up: the harness's 200 ports
		// carry 50 legs, too few for 50 calls/s held a second.
		widenRTP(f, 8*rate)
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	wait := callLoad(t, in, seconds*rate, rate, 1000)
	reloads := 0
	for deadline := time.Now().Add(time.Duration(seconds) * time.Second); time.Now().Before(deadline); reloads++ {
		time.Sleep(2 * time.Second)
		if out, err := in.RX("core reload"); err != nil {
			t.Fatalf("core reload: %v\n%s", err, out)
		}
	}
	uac, uas := wait()
	if uac.ExitCode != 0 {
		t.Fatalf("%d calls at %d/s with %d reloads: caller exit %d\n%s\n%s", seconds*rate, rate, reloads, uac.ExitCode, uac.Output, uac.ErrLog)
	}
	if uas.ExitCode != 0 {
		t.Fatalf("callee exit %d\n%s", uas.ExitCode, uas.ErrLog)
	}
	t.Logf("%d calls at %d/s, %d reloads, no failure", seconds*rate, rate, reloads)
}

// TestFaultStopGracefully: "core stop gracefully" with calls up lets them
// finish, then exits, and every call has its CDR.
func TestFaultStopGracefully(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		attackConf(0)(f)
		f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_csv.so", "load = cdr_csv.so")
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	const calls = 5
	wait := callLoad(t, in, calls, 10, 3000)
	if !harness.PollUntil(5*time.Second, func() bool {
		out, _ := in.RX("core show channels")
		return strings.Contains(out, fmt.Sprintf("%d active calls", calls))
	}) {
		out, _ := in.RX("core show channels")
		t.Fatalf("the calls did not come up:\n%s", out)
	}
	if out, err := in.RX("core stop gracefully"); err != nil {
		t.Fatalf("core stop gracefully: %v\n%s", err, out)
	}
	if in.Wait(time.Second) {
		t.Fatal("the daemon exited at once, with calls up")
	}
	uac, _ := wait()
	if uac.ExitCode != 0 {
		t.Errorf("calls did not finish normally after core stop gracefully: caller exit %d\n%s", uac.ExitCode, uac.ErrLog)
	}
	if !in.Wait(10 * time.Second) {
		t.Fatal("the daemon still runs 10 s after its last call ended")
	}
	data, err := os.ReadFile(in.Path("var", "log", "cdr-csv", "Master.csv"))
	if err != nil {
		t.Fatalf("no CDR file: %v", err)
	}
	if n := strings.Count(string(data), `"ANSWERED"`); n != calls {
		t.Errorf("%d answered CDRs for %d calls:\n%s", n, calls, data)
	}
}

// TestFaultRestartKeepsRegistrations: 1,000 phones register, the daemon
// stops and starts again, and all 1,000 are still registered where they
// were (from astdb).
func TestFaultRestartKeepsRegistrations(t *testing.T) {
	harness.RequireSipp(t)
	const peers = 1000
	var inf []string
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		attackConf(0)(f)
		var b strings.Builder
		b.WriteString(f["sip.conf"])
		b.WriteString("\n[phone](!)\ntype=friend\nhost=dynamic\ncontext=work\n\n")
		for i := range peers {
			n := 100000 + i
			fmt.Fprintf(&b, "[%d](phone)\nsecret=pw%d\n", n, n)
			inf = append(inf, fmt.Sprintf("%d;[authentication username=%d password=pw%d]", n, n, n))
		}
		f["sip.conf"] = b.String()
	}})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	reg := harness.Sipp{Scenario: benchScenario(t, "reg-1000.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Calls: peers, Rate: 500, Inf: writeInf(t, inf...), Timeout: 30 * time.Second,
		Extra: []string{"-l", "2000"}}
	if res := reg.Run(t); res.ExitCode != 0 {
		t.Fatalf("registering %d peers: sipp exit %d\n%s", peers, res.ExitCode, res.ErrLog)
	}
	before := registeredPeers(in.MustRX("sip show peers"))
	if len(before) != peers {
		t.Fatalf("%d peers registered before the restart, want %d", len(before), peers)
	}
	if out, err := in.RX("core stop now"); err != nil {
		t.Fatalf("core stop now: %v\n%s", err, out)
	}
	if !in.Wait(10 * time.Second) {
		t.Fatal("the daemon did not stop")
	}
	in.StartDaemon()
	after := registeredPeers(in.MustRX("sip show peers"))
	if len(after) != peers {
		t.Fatalf("%d of %d peers registered after the restart", len(after), peers)
	}
	for name, addr := range before {
		if after[name] != addr {
			t.Errorf("%s at %s before the restart, %q after", name, addr, after[name])
		}
	}
}

var reRTPStartLine = regexp.MustCompile(`(?m)^rtpstart\s*=\s*(\d+)`)

// widenRTP makes rtp.conf's range at least n ports (the harness checked
// only its first 200 were free; the rest are very likely free too).
func widenRTP(f map[string]string, n int) {
	m := reRTPStartLine.FindStringSubmatch(f["rtp.conf"])
	if m == nil || n <= 200 {
		return
	}
	start, _ := strconv.Atoi(m[1])
	f["rtp.conf"] = regexp.MustCompile(`(?m)^rtpend\s*=.*$`).ReplaceAllString(f["rtp.conf"], "rtpend="+strconv.Itoa(start+n-1))
}

// rePeerLine is one "sip show peers" line of a generated peer: name, host,
// and the port column.
var rePeerLine = regexp.MustCompile(`(?m)^(1\d{5})\S*\s+(\d+\.\d+\.\d+\.\d+)\s.*?\s(\d+)\s+(?:Unmonitored|OK|UNKNOWN|UNREACHABLE|LAGGED)`)

// registeredPeers maps each generated peer with an address to host:port.
func registeredPeers(out string) map[string]string {
	m := map[string]string{}
	for _, g := range rePeerLine.FindAllStringSubmatch(out, -1) {
		m[g[1]] = g[2] + ":" + g[3]
	}
	return m
}
