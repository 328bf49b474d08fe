//go:build linux

package cli

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestServeSurvivesDescriptorExhaustion: an accept that fails because the
// process has no descriptor left (EMFILE) does not end the control socket;
// the console that was waiting is served once descriptors come back.
func TestServeSurvivesDescriptorExhaustion(t *testing.T) {
	_, path := startServer(t, ServerOptions{Hostname: "pbx"})
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	// A new descriptor takes the lowest free number, and must be below
	// the soft limit: with the limit at the second free number, the
	// client's socket gets the first and the server's accept fails.
	open := map[int]bool{}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	for _, e := range ents {
		// The listing's own descriptor is closed by now.
		if _, err := os.Readlink("/proc/self/fd/" + e.Name()); err != nil {
			continue
		}
		if n, err := strconv.Atoi(e.Name()); err == nil {
			open[n] = true
		}
	}
	var free []int
	for n := 0; len(free) < 2; n++ {
		if !open[n] {
			free = append(free, n)
		}
	}
	low := rl
	low.Cur = uint64(free[1])
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer restore()

	type result struct {
		c   *Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Dial(path)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the console was served with no descriptor left for the server: %+v", r)
	case <-time.After(300 * time.Millisecond): // the server is failing and retrying
	}
	restore()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("Dial after descriptors came back: %v", r.err)
		}
		defer r.c.Close()
		if out, ok, err := r.c.Exec("sip show peer 6000"); err != nil || !ok || out != "ran sip|show|peer|6000\n" {
			t.Errorf("Exec = %q, %v, %v", out, ok, err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the control socket no longer accepts after an EMFILE")
	}
}
