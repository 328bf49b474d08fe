package tests

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// versionShape is the shape of transcripts/core-show-version.txt.
var versionShape = regexp.MustCompile(`^Asterisk \S+ built by \S+ @ \S+ on a \S+ running \S+ on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n$`)

func TestDaemonCoreShowVersion(t *testing.T) {
	if !versionShape.MatchString(harness.Transcript(t, "core-show-version.txt")) {
		t.Fatal("the shape does not match Asterisk's own transcript")
	}
	in := harness.Start(t, harness.Options{})
	in.DumpOnFailure()
	res := in.RXResult("core show version")
	if res.ExitCode != 0 || res.Stderr != "" {
		t.Fatalf("exit %d, stderr %q", res.ExitCode, res.Stderr)
	}
	if !versionShape.MatchString(res.Stdout) {
		t.Errorf("core show version = %q, not of the shape %s", res.Stdout, versionShape)
	}
}

func TestDaemonRXWithoutDaemon(t *testing.T) {
	in := harness.Start(t, harness.Options{NoStart: true})
	for _, args := range [][]string{{"-rx", "core show version"}, {"-r"}} {
		res := harness.RunBinary(t, 10*time.Second, append([]string{"-C", in.Conf}, args...)...)
		want := fmt.Sprintf("Unable to connect to remote asterisk (does %s exist?)\n", in.CtlPath())
		if res.ExitCode == 0 {
			t.Errorf("%v with no daemon exited 0", args)
		}
		if got := res.Combined(); got != want {
			t.Errorf("%v with no daemon printed %q, want %q", args, got, want)
		}
	}
}

// TestDaemonTranscripts compares -rx output with Asterisk 18's on the
// reference configuration.
func TestDaemonTranscripts(t *testing.T) {
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	for _, tc := range []struct{ cmd, file string }{
		{"core show help core stop", "core-show-help-core-stop.txt"},
		{"dialplan show", "dialplan-show.txt"},
		{"dialplan show work", "dialplan-show-work.txt"},
		{"dialplan show sortant-ovh", "dialplan-show-sortant-ovh.txt"},
		{"dialplan show ovh-sip", "dialplan-show-ovh-sip.txt"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			got := in.MustRX(tc.cmd)
			if want := harness.Transcript(t, tc.file); got != want {
				t.Errorf("-rx %q differs from %s\n--- got\n%s--- want\n%s", tc.cmd, tc.file, got, want)
			}
		})
	}
	for _, tc := range []struct{ cmd, file string }{
		{"core show help sip show", "core-show-help-sip-show.txt"},
		{"core show help sip", "core-show-help-sip.txt"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			requireSIPDriver(t, in)
			got := in.MustRX(tc.cmd)
			if want := harness.Transcript(t, tc.file); got != want {
				t.Errorf("differs from %s\n--- got\n%s--- want\n%s", tc.file, got, want)
			}
		})
	}
}

// requireSIPDriver skips when the daemon has no chan_sip commands yet.
func requireSIPDriver(t *testing.T, in *harness.Instance) {
	t.Helper()
	if out, _ := in.RX("sip show peers"); strings.HasPrefix(out, "No such command") {
		t.Skip("the SIP driver is not wired into the daemon yet ('sip show peers' is not a command)")
	}
}

// brokenLine is a line Asterisk's config parser refuses (an unterminated
// category), and the message gostrisk gives for it.
const brokenLine = "[broken-category"

func TestDaemonReloadKeepsDialplanOnError(t *testing.T) {
	for _, cmd := range []string{"core reload", "dialplan reload", "reload", "module reload pbx_config.so"} {
		t.Run(cmd, func(t *testing.T) {
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
			in.DumpOnFailure()
			before := in.MustRX("dialplan show")
			good := in.ReadFile("extensions.conf")
			broken := good + "\n[gostrisk-new]\nexten => 7000,1,NoOp(never loaded)\n" + brokenLine + "\n"
			in.WriteFile("extensions.conf", broken)
			line := strings.Count(broken, "\n")
			out := in.MustRX(cmd)
			if prefix := fmt.Sprintf("extensions.conf:%d: error: ", line); !strings.Contains(out, prefix) {
				t.Errorf("-rx %q did not say why with %q:\n%s", cmd, prefix, out)
			}
			if strings.Contains(out, "Dialplan reloaded.") {
				t.Errorf("-rx %q claims success:\n%s", cmd, out)
			}
			if after := in.MustRX("dialplan show"); after != before {
				t.Errorf("dialplan changed after a failed %q\n--- before\n%s--- after\n%s", cmd, before, after)
			}
			// The daemon logs the reason too, for operators not at the CLI.
			if !harness.PollUntil(5*time.Second, func() bool {
				return strings.Contains(in.Output(), fmt.Sprintf("extensions.conf:%d:", line))
			}) {
				t.Errorf("the daemon's log does not name extensions.conf:%d", line)
			}
		})
	}
}

func TestDaemonDialplanReloadPicksUpChange(t *testing.T) {
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	if out := in.MustRX("dialplan show gostrisk-new"); !strings.Contains(out, "There is no existence of 'gostrisk-new' context") {
		t.Fatalf("context exists before the change:\n%s", out)
	}
	conf := in.ReadFile("extensions.conf") + "\n[gostrisk-new]\nexten => 7000,1,NoOp(added by a reload)\n"
	in.WriteFile("extensions.conf", conf)
	if out := in.MustRX("dialplan reload"); out != harness.Transcript(t, "dialplan-reload.txt") {
		t.Errorf("dialplan reload printed %q, want %q", out, harness.Transcript(t, "dialplan-reload.txt"))
	}
	line := strings.Count(conf, "\n")
	want := fmt.Sprintf("[ Context 'gostrisk-new' created by 'pbx_config' ]\n"+
		"  '7000' =>         1. NoOp(added by a reload)                    [extensions.conf:%d]\n\n"+
		"-= 1 extension (1 priority) in 1 context. =-\n", line)
	if got := in.MustRX("dialplan show gostrisk-new"); got != want {
		t.Errorf("dialplan show gostrisk-new after reload\n--- got\n%s--- want\n%s", got, want)
	}
}

func TestDaemonSIGHUPReloads(t *testing.T) {
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf()})
	in.DumpOnFailure()
	pid := in.Pid()
	if pid == 0 {
		t.Fatalf("no pid in %s", in.PidPath())
	}
	in.WriteFile("extensions.conf", in.ReadFile("extensions.conf")+"\n[gostrisk-hup]\nexten => 7001,1,NoOp(hup)\n")
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !harness.PollUntil(10*time.Second, func() bool {
		out, _ := in.RX("dialplan show gostrisk-hup")
		return strings.Contains(out, "NoOp(hup)")
	}) {
		t.Fatal("SIGHUP did not reload the dialplan within 10 s")
	}
	if in.Exited() {
		t.Fatal("SIGHUP stopped the daemon")
	}
}

func TestDaemonStopNow(t *testing.T) {
	in := harness.Start(t, harness.Options{})
	in.DumpOnFailure()
	st, err := os.Stat(in.CtlPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != 0o660 {
		t.Errorf("control socket mode %v, want srw-rw----", st.Mode())
	}
	if in.Pid() == 0 {
		t.Errorf("pid file %s missing or empty", in.PidPath())
	}
	res := in.RXResult("core stop now")
	if want := harness.Transcript(t, "core-stop-now.txt"); res.Stdout != want {
		t.Errorf("core stop now printed %q, want %q", res.Stdout, want)
	}
	if !in.Wait(10 * time.Second) {
		t.Fatal("the daemon still runs 10 s after core stop now")
	}
	if code := in.ExitCode(); code != 0 {
		t.Errorf("daemon exit status %d after core stop now, want 0", code)
	}
	for _, p := range []string{in.PidPath(), in.CtlPath()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind after stop (err=%v)", p, err)
		}
	}
}

// TestDaemonStartupBrokenConfig: a config the daemon cannot load stops the
// start-up with a non-zero status and the file:line of the problem.
func TestDaemonStartupBrokenConfig(t *testing.T) {
	var line int
	in := harness.Start(t, harness.Options{NoStart: true, Edit: func(f map[string]string) {
		f["extensions.conf"] += "\n" + brokenLine + "\n"
		line = strings.Count(f["extensions.conf"], "\n")
	}})
	res := harness.RunBinary(t, 20*time.Second, "-f", "-C", in.Conf)
	if res.TimedOut {
		t.Fatal("the daemon started on a broken config (still running after 20 s)")
	}
	if res.ExitCode == 0 {
		t.Errorf("start-up on a broken config exited 0")
	}
	if want := fmt.Sprintf("extensions.conf:%d: error: ", line); !strings.Contains(res.Combined(), want) {
		t.Errorf("start-up output does not contain %q:\n%s", want, res.Combined())
	}
	for _, p := range []string{in.PidPath(), in.CtlPath()} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind by a failed start-up", p)
		}
	}
}

// TestDaemonStartupPortInUse: a taken SIP port is a start-up failure.
func TestDaemonStartupPortInUse(t *testing.T) {
	in := harness.Start(t, harness.Options{NoStart: true})
	taken, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: in.SIPPort})
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cmd := exec.Command(in.Bin, "-f", "-C", in.Conf)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	reaped := false
	defer func() {
		if !reaped {
			cmd.Process.Kill()
			<-exited
		}
	}()
	booted := false
	deadline := time.After(15 * time.Second)
	for !booted {
		select {
		case err := <-exited:
			reaped = true
			if err == nil {
				t.Fatalf("exited 0 although the SIP port %d is taken:\n%s", in.SIPPort, out.String())
			}
			if !strings.Contains(out.String(), fmt.Sprint(in.SIPPort)) {
				t.Errorf("the start-up error does not name the port %d:\n%s", in.SIPPort, out.String())
			}
			return
		case <-deadline:
			t.Fatal("neither ready nor exited within 15 s")
		case <-time.After(100 * time.Millisecond):
			if o, err := in.RX("core waitfullybooted"); err == nil && strings.Contains(o, "fully booted") {
				booted = true
			}
		}
	}
	requireSIPDriver(t, in)
	t.Errorf("the daemon booted although the SIP port %d is taken", in.SIPPort)
}

// TestDaemonBackground: without -f, gostrisk returns once the detached
// daemon answers, and core stop now ends it.
func TestDaemonBackground(t *testing.T) {
	in := harness.Start(t, harness.Options{NoStart: true})
	t.Cleanup(func() {
		// Stop the detached daemon even when an assertion failed: it is
		// not our child, so find it by its pid file.
		if pid := in.Pid(); pid != 0 && syscall.Kill(pid, 0) == nil && !isZombie(pid) {
			in.RX("core stop now")
			if !harness.PollUntil(5*time.Second, func() bool { return syscall.Kill(pid, 0) != nil || isZombie(pid) }) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	res := harness.RunBinary(t, 40*time.Second, "-C", in.Conf)
	if res.ExitCode != 0 {
		t.Fatalf("background start exited %d:\n%s", res.ExitCode, res.Combined())
	}
	// The daemon answers as soon as the start command returns.
	if out := in.MustRX("core show version"); !versionShape.MatchString(out) {
		t.Errorf("core show version = %q", out)
	}
	var pid int
	harness.PollUntil(2*time.Second, func() bool { pid = in.Pid(); return pid != 0 })
	if pid == 0 {
		t.Fatalf("no pid file at %s after a background start", in.PidPath())
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("daemon pid %d not running: %v", pid, err)
	}
	if sid := procStatField(pid, 3); sid != fmt.Sprint(pid) {
		t.Errorf("daemon is not detached in its own session (session %q, pid %d)", sid, pid)
	}
	in.MustRX("core stop now")
	if !harness.PollUntil(10*time.Second, func() bool { return syscall.Kill(pid, 0) != nil || isZombie(pid) }) {
		t.Fatalf("daemon pid %d still runs 10 s after core stop now", pid)
	}
	for _, p := range []string{in.PidPath(), in.CtlPath()} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s left behind after stop", p)
		}
	}
}

// isZombie reports whether pid has exited but not been reaped yet.
func isZombie(pid int) bool {
	st := procStatField(pid, 0)
	return st == "" || st == "Z"
}

// procStatField returns field n (0 = state, 1 = ppid, 2 = pgrp,
// 3 = session) of /proc/<pid>/stat after the command name, or "".
func procStatField(pid, n int) string {
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "stat"))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if n >= len(f) {
		return ""
	}
	return f[n]
}
