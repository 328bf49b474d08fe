package realtime

import (
	"bytes"
	"errors"
	"os/exec"
	"sync/atomic"
)

// Priority is the SCHED_RR priority Asterisk gives itself with -p.
const Priority = 10

var enabled atomic.Bool

// Enabled reports whether Enable succeeded in this process.
func Enabled() bool { return enabled.Load() }

// Enable puts every thread of the process under SCHED_RR at Priority.
// Threads created afterwards inherit the policy from the thread that
// creates them. It needs CAP_SYS_NICE (or an RLIMIT_RTPRIO allowance);
// without it the error says so and nothing changes.
func Enable() error {
	if err := setAllThreads(); err != nil {
		return err
	}
	enabled.Store(true)
	return nil
}

// Start starts cmd and, when Enable succeeded, puts the child back to the
// normal policy. A child that already forked in the microseconds between
// its start and that reset keeps the priority for its own children; a
// script's first fork comes later than that.
func Start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if enabled.Load() {
		_ = setNormal(cmd.Process.Pid) // the child may have exited already
	}
	return nil
}

// Run is cmd.Run with Start's reset.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return cmd.Wait()
}

// Output is cmd.Output with Start's reset: standard output is returned, and
// standard error, when cmd does not take it, is in the *exec.ExitError.
func Output(cmd *exec.Cmd) ([]byte, error) {
	if cmd.Stdout != nil {
		return nil, errors.New("realtime: Stdout already set")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	captureErr := cmd.Stderr == nil
	if captureErr {
		cmd.Stderr = &stderr
	}
	err := Run(cmd)
	var ee *exec.ExitError
	if captureErr && errors.As(err, &ee) {
		ee.Stderr = stderr.Bytes()
	}
	return stdout.Bytes(), err
}
