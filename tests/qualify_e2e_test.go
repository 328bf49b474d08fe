package tests

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// qsQualifyInstance starts gostrisk on the reference config with extra
// lines added to sip.conf: peerLines right under [6000]'s header, and
// tail appended at the end (new peers).
func qsQualifyInstance(t *testing.T, peerLines, tail string) *harness.Instance {
	t.Helper()
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
		sip := f["sip.conf"]
		if peerLines != "" {
			sip = strings.Replace(sip, "[6000]\n", "[6000]\n"+peerLines, 1)
		}
		f["sip.conf"] = sip + tail
	}})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	return in
}

// qsPeerLine is the line of "sip show peers" that starts with name.
func qsPeerLine(out, name string) string {
	for _, ln := range strings.Split(out, "\n") {
		if strings.HasPrefix(ln, name+" ") || strings.HasPrefix(ln, name+"/") {
			return ln
		}
	}
	return ""
}

// qsMessagesLog is the daemon's messages log so far.
func qsMessagesLog(in *harness.Instance) string {
	b, _ := os.ReadFile(in.Path("var", "log", "messages"))
	return string(b)
}

// qsWaitLogMatch waits until the messages log has a line matching re and
// returns the submatches of the first one.
func qsWaitLogMatch(t *testing.T, in *harness.Instance, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	var m []string
	if !harness.PollUntil(timeout, func() bool {
		m = re.FindStringSubmatch(qsMessagesLog(in))
		return m != nil
	}) {
		t.Fatalf("messages log has no line matching %s:\n%s", re, qsMessagesLog(in))
	}
	return m
}

var (
	// chan_sip's status column: "OK (N ms)" with the round trip.
	qsStatusOK    = regexp.MustCompile(`\sOK \((\d+) ms\)\s`)
	qsReachable   = regexp.MustCompile(`(?m)^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] NOTICE\[\d+\] [a-z_]+\.go: Peer '6000' is now Reachable\. \((\d+)ms / 2000ms\)$`)
	qsUnreachable = regexp.MustCompile(`(?m)^\[[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\] NOTICE\[\d+\] [a-z_]+\.go: Peer '6000' is now UNREACHABLE!  Last qualify: (\d+)$`)
)

// TestQualifyRegisteredPeer: 6000 (qualify=yes, qualifyfreq=2) registers
// from a sipp that answers OPTIONS (-aa), so it shows OK (N ms) and the
// Reachable NOTICE is logged; then that sipp ends, the next OPTIONS gets
// no answer within twice maxms and 6000 turns UNREACHABLE with chan_sip's
// NOTICE, naming the last round trip.
func TestQualifyRegisteredPeer(t *testing.T) {
	harness.RequireSipp(t)
	t.Parallel()
	in := qsQualifyInstance(t, "qualify=yes\nqualifyfreq=2\n", "")

	port := harness.FreePort(t)
	phone := harness.Sipp{Scenario: callScenario(t, "qs-reg-6000-answer-options.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), LocalPort: port,
		Extra: []string{"-aa"}, Timeout: 15 * time.Second}
	waitPhone := phone.Start(t)

	var peers string
	if !harness.PollUntil(3*time.Second, func() bool {
		peers = in.MustRX("sip show peers")
		return qsStatusOK.MatchString(qsPeerLine(peers, "6000/asadek"))
	}) {
		t.Fatalf("6000 never showed OK (N ms) while its phone answered OPTIONS:\n%s", peers)
	}
	line := qsPeerLine(peers, "6000/asadek")
	wantPrefix := fmt.Sprintf("6000/asadek               127.0.0.1                                D  Auto (No)  No             %-8d OK (", port)
	if !strings.HasPrefix(line, wantPrefix) {
		t.Errorf("sip show peers, 6000's line\n got %q\nwant prefix %q", line, wantPrefix)
	}
	// One peer is now monitored and online (6000), one monitored and
	// offline (the trunk), 6001 unmonitored and offline.
	if !strings.Contains(peers, "3 sip peers [Monitored: 1 online, 1 offline Unmonitored: 0 online, 1 offline]\n") {
		t.Errorf("sip show peers summary:\n%s", peers)
	}
	if peer := in.MustRX("sip show peer 6000"); !regexp.MustCompile(`(?m)^  Status       : OK \(\d+ ms\)\n`).MatchString(peer) ||
		!strings.Contains(peer, "  Qualify Freq : 2000 ms\n") {
		t.Errorf("sip show peer 6000 while reachable:\n%s", peer)
	}
	m := qsWaitLogMatch(t, in, qsReachable, 2*time.Second)
	if ms, _ := strconv.Atoi(m[1]); ms < 1 || ms > 2000 {
		t.Errorf("Reachable with a round trip of %d ms, want 1..2000", ms)
	}

	if res := waitPhone(); res.ExitCode != 0 {
		t.Fatalf("phone sipp exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	// The phone is gone: the next OPTIONS (at most 2 s later) times out
	// after 2 x 2000 ms.
	if !harness.PollUntil(10*time.Second, func() bool {
		peers = in.MustRX("sip show peers")
		return strings.Contains(qsPeerLine(peers, "6000/asadek"), " UNREACHABLE ")
	}) {
		t.Fatalf("6000 never turned UNREACHABLE after its phone stopped answering:\n%s", peers)
	}
	if !strings.Contains(peers, "3 sip peers [Monitored: 0 online, 2 offline Unmonitored: 0 online, 1 offline]\n") {
		t.Errorf("sip show peers summary once 6000 is unreachable:\n%s", peers)
	}
	m = qsWaitLogMatch(t, in, qsUnreachable, 2*time.Second)
	if ms, _ := strconv.Atoi(m[1]); ms < 1 {
		t.Errorf("UNREACHABLE names the last qualify %d ms, want the round trip it had while reachable", ms)
	}
	log := qsMessagesLog(in)
	if strings.Index(log, "Peer '6000' is now Reachable.") > strings.Index(log, "Peer '6000' is now UNREACHABLE!") {
		t.Errorf("status changes out of order in the messages log:\n%s", log)
	}
	if n := strings.Count(log, "Peer '6000' is now Reachable."); n != 1 {
		t.Errorf("%d Reachable lines for 6000, want 1 (a status change is logged once, not at every qualify):\n%s", n, log)
	}
}

// TestQualifyStaticPeer: a peer with a fixed host and port, a sipp there
// answering OPTIONS before gostrisk starts, is Reachable from the first
// qualify on; "sip qualify peer" probes it again on demand.
func TestQualifyStaticPeer(t *testing.T) {
	harness.RequireSipp(t)
	t.Parallel()
	port := harness.FreePort(t)
	uas := harness.Sipp{Scenario: callScenario(t, "qs-uas-options.xml"), LocalPort: port,
		Calls: 1000, Timeout: 15 * time.Second}
	uas.Start(t)
	// sipp has to hold the port before the daemon's first OPTIONS.
	time.Sleep(300 * time.Millisecond)

	in := qsQualifyInstance(t, "", fmt.Sprintf("\n[static-dev]\ntype=peer\nhost=127.0.0.1\nport=%d\nqualify=yes\nqualifyfreq=2\ncontext=work\n", port))

	var peers string
	if !harness.PollUntil(3*time.Second, func() bool {
		peers = in.MustRX("sip show peers")
		return qsStatusOK.MatchString(qsPeerLine(peers, "static-dev"))
	}) {
		t.Fatalf("static-dev never showed OK (N ms):\n%s", peers)
	}
	wantPrefix := fmt.Sprintf("static-dev                127.0.0.1                                   Auto (No)  No             %-8d OK (", port)
	if line := qsPeerLine(peers, "static-dev"); !strings.HasPrefix(line, wantPrefix) {
		t.Errorf("sip show peers, static-dev's line\n got %q\nwant prefix %q", line, wantPrefix)
	}
	qsWaitLogMatch(t, in, regexp.MustCompile(`(?m)NOTICE\[\d+\] [a-z_]+\.go: Peer 'static-dev' is now Reachable\. \(\d+ms / 2000ms\)$`), 2*time.Second)

	if out := in.MustRX("sip qualify peer static-dev"); strings.TrimSpace(out) != "" {
		t.Errorf("sip qualify peer printed %q, want nothing (chan_sip answers silently)", out)
	}
	if out := in.MustRX("sip show peer static-dev"); !regexp.MustCompile(`(?m)^  Status       : OK \(\d+ ms\)\n`).MatchString(out) ||
		!strings.Contains(out, fmt.Sprintf("  Addr->IP     : 127.0.0.1:%d\n", port)) {
		t.Errorf("sip show peer static-dev:\n%s", out)
	}
	if log := qsMessagesLog(in); strings.Contains(log, "Peer 'static-dev' is now UNREACHABLE") {
		t.Errorf("a peer that answers every OPTIONS was reported unreachable:\n%s", log)
	}
}
