package realtime

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setAllThreads sets SCHED_RR on every task in /proc/self/task, again until
// a pass finds none it has not set: the Go runtime may start a thread from
// one not yet changed while the first pass runs.
func setAllThreads() error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_RR, Priority: Priority}
	done := map[int]bool{}
	for pass := 0; pass < 10; pass++ {
		entries, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("unable to set high priority: %w", err)
		}
		fresh := 0
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := unix.SchedSetAttr(tid, &attr, 0); err != nil {
				if err == unix.ESRCH { // the thread ended meanwhile
					continue
				}
				return fmt.Errorf("unable to set high priority (SCHED_RR %d): %w", Priority, err)
			}
			done[tid] = true
			fresh++
		}
		if fresh == 0 {
			return nil
		}
	}
	return nil
}

// setNormal puts process pid back to SCHED_OTHER at nice 0.
func setNormal(pid int) error {
	attr := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_NORMAL}
	return unix.SchedSetAttr(pid, &attr, 0)
}

// policyOf is pid's scheduling policy and priority (for the tests).
func policyOf(pid int) (policy, priority uint32, err error) {
	attr, err := unix.SchedGetAttr(pid, 0)
	if err != nil {
		return 0, 0, err
	}
	return attr.Policy, attr.Priority, nil
}
