package harness

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RunResult is what one run of the gostrisk binary printed and returned.
type RunResult struct {
	Stdout   string
	Stderr   string
	ExitCode int  // -1 when the process was killed (timeout)
	TimedOut bool // the run exceeded its timeout and was killed
}

// Combined is stdout followed by stderr.
func (r RunResult) Combined() string { return r.Stdout + r.Stderr }

// RunBinary runs the gostrisk binary with args to completion, bounded by
// timeout, and reports its output and exit status. A non-zero exit status
// is not a test failure: callers assert on it.
func RunBinary(t testing.TB, timeout time.Duration, args ...string) RunResult {
	t.Helper()
	return RunBinaryIn(t, "", timeout, args...)
}

// RunBinaryIn is RunBinary with the working directory set to dir (so that
// relative paths in the arguments and output stay short and stable).
func RunBinaryIn(t testing.TB, dir string, timeout time.Duration, args ...string) RunResult {
	t.Helper()
	bin := Binary(t) // the first call builds: not part of the timeout
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A background daemon may inherit the pipes; do not wait for it to
	// close them once our own child has exited.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	res := RunResult{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.TimedOut, res.ExitCode = true, -1
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	case err != nil && !errors.Is(err, exec.ErrWaitDelay):
		t.Fatalf("run gostrisk %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// RXResult runs "gostrisk -C conf -rx cmd" and returns its streams and exit
// status separately, for tests that assert on either.
func (in *Instance) RXResult(command string) RunResult {
	in.t.Helper()
	return RunBinary(in.t, 10*time.Second, "-C", in.Conf, "-rx", command)
}

// CtlPath is the control socket of the harness's directory layout.
func (in *Instance) CtlPath() string { return in.Path("var", "run", "asterisk.ctl") }

// PidPath is the pid file of the harness's directory layout.
func (in *Instance) PidPath() string { return in.Path("var", "run", "asterisk.pid") }

// Pid reads the daemon's pid file; 0 when it is absent or unreadable.
func (in *Instance) Pid() int {
	b, err := os.ReadFile(in.PidPath())
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return n
}

// Exited reports whether the daemon started by StartDaemon has exited.
func (in *Instance) Exited() bool {
	if in.done == nil {
		return false
	}
	select {
	case <-in.done:
		return true
	default:
		return false
	}
}

// ExitCode is the foreground daemon's exit status once it has exited
// (-1 while it runs or when it was killed by a signal).
func (in *Instance) ExitCode() int {
	if !in.Exited() || in.cmd.ProcessState == nil {
		return -1
	}
	return in.cmd.ProcessState.ExitCode()
}

// WriteFile replaces one config file of the instance (e.g. before a reload).
func (in *Instance) WriteFile(name, content string) {
	in.t.Helper()
	if err := os.WriteFile(in.Path(name), []byte(content), 0o644); err != nil {
		in.t.Fatal(err)
	}
}

// ReadFile reads one file of the instance's directory.
func (in *Instance) ReadFile(name string) string {
	in.t.Helper()
	b, err := os.ReadFile(in.Path(name))
	if err != nil {
		in.t.Fatal(err)
	}
	return string(b)
}

// PollUntil calls cond every 50 ms until it returns true or timeout passes,
// and reports whether it did.
func PollUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
