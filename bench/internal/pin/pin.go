// Package pin holds what the benchmark programs share: running themselves
// again pinned to CPUs, and reading their own CPU time.
package pin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Reexec runs this program again under taskset with the same arguments
// and env set to 1, so every thread the Go runtime starts inherits the
// affinity (sched_setaffinity from Go would pin the calling thread only).
// It returns the exit status to exit with.
func Reexec(name, taskset, cpus, env string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	cmd := exec.Command(taskset, append([]string{"-c", cpus, self}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env+"=1")
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	return 0
}

// CPUTime is the user and system CPU this process has used so far.
func CPUTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
