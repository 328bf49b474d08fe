//go:build linux

package realtime

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestEnable: every thread of the process ends up SCHED_RR 10, a program
// started through Output runs SCHED_OTHER, and a thread started after
// Enable inherits the policy. Needs CAP_SYS_NICE (root on the CI machine).
func TestEnable(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for SCHED_RR")
	}
	if err := Enable(); err != nil {
		t.Fatal(err)
	}
	// Put the test process back afterwards: other tests in the package
	// do not need it, and the policy is process-wide.
	t.Cleanup(func() {
		entries, _ := os.ReadDir("/proc/self/task")
		for _, e := range entries {
			tid, _ := strconv.Atoi(e.Name())
			_ = setNormal(tid)
		}
		enabled.Store(false)
	})
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		tid, _ := strconv.Atoi(e.Name())
		policy, prio, err := policyOf(tid)
		if err != nil {
			continue // ended meanwhile
		}
		if policy != unix.SCHED_RR || prio != Priority {
			t.Errorf("thread %d: policy %d priority %d, want SCHED_RR %d", tid, policy, prio, Priority)
		}
	}

	// Threads started after Enable inherit it: goroutines locked to
	// their threads, all waiting at once, need more threads than the
	// process had.
	const n = 8
	got := make(chan [2]uint32, n)
	release := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			policy, prio, _ := policyOf(0)
			got <- [2]uint32{policy, prio}
			<-release
		}()
	}
	for i := 0; i < n; i++ {
		if p := <-got; p[0] != unix.SCHED_RR || p[1] != Priority {
			t.Errorf("a goroutine's thread: policy %d priority %d, want SCHED_RR %d", p[0], p[1], Priority)
		}
	}
	close(release)

	// /proc/$$/sched gives the policy of the shell itself.
	out, err := Output(exec.Command("/bin/sh", "-c", "sleep 0.05; cat /proc/$$/sched | grep '^policy'"))
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(string(out)); len(f) != 3 || f[2] != "0" {
		t.Errorf("a program started through Output: %q, want policy 0 (SCHED_OTHER)", out)
	}
}
