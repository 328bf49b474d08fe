package main

import (
	"runtime"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// floor is what the machine itself allows: one thread that does nothing
// but sleep to absolute 1 ms deadlines (clock_nanosleep, TIMER_ABSTIME),
// on the sessions' CPU and with their scheduling policy, for the same
// window. A paced frame cannot be more punctual than this thread's
// wake-ups; on a VM whose virtual CPU is sometimes not run, neither is.
type floor struct {
	wakeups  int
	p99, max time.Duration
	over2ms  float64 // share of wake-ups later than 2 ms
	measured bool
}

func measureFloor(d time.Duration) floor {
	done := make(chan floor)
	go func() {
		// The thread ends with the goroutine (never unlocked), so no
		// other goroutine runs on it meanwhile.
		runtime.LockOSThread()
		var ts unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
		next := ts.Nano()
		end := next + int64(d)
		lat := make([]time.Duration, 0, int(d/time.Millisecond)+1)
		for next < end {
			next += int64(time.Millisecond)
			t := unix.NsecToTimespec(next)
			for unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &t, nil) == unix.EINTR {
			}
			_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
			lat = append(lat, time.Duration(ts.Nano()-next))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		f := floor{wakeups: len(lat), measured: true}
		if n := len(lat); n > 0 {
			f.p99, f.max = lat[n*99/100], lat[n-1]
			over := n - sort.Search(n, func(i int) bool { return lat[i] > 2*time.Millisecond })
			f.over2ms = float64(over) / float64(n)
		}
		done <- f
	}()
	return <-done
}
