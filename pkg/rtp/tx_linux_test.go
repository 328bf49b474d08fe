//go:build linux

package rtp

import (
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestSendRingFromAnyThread: the pacer's send ring may be entered from
// whatever thread its goroutine runs on (it is not locked to one), which a
// single-issuer ring refuses (EEXIST). Each thread's send must go out and
// complete.
func TestSendRingFromAnyThread(t *testing.T) {
	if !useUring.Load() {
		t.Skip("io_uring not used here")
	}
	ring, err := newSendUring(8, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer ring.close()
	ph := newPhone(t)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	to := ph.addr()
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()}); err != nil {
		t.Fatal(err)
	}
	payloads := [][]byte{[]byte("from thread one"), []byte("from thread two")}
	for i, p := range payloads {
		done := make(chan error)
		go func() {
			// A thread of its own, let go of dirty (not reused) so the
			// next send surely comes from another one.
			runtime.LockOSThread()
			sqe, err := ring.sqe()
			if err != nil {
				done <- err
				return
			}
			sqe.opcode = uringOpSend
			sqe.fd = int32(fd)
			sqe.addr = uint64(uintptr(unsafe.Pointer(&p[0])))
			sqe.len = uint32(len(p))
			sqe.opFlags = unix.MSG_DONTWAIT
			sqe.userData = uint64(i)
			done <- ring.enter(0)
		}()
		if err := <-done; err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		if got := ph.mustRecv(); string(got) != string(p) {
			t.Fatalf("received %q, want %q", got, p)
		}
	}
	head, tail := *ring.cqHead, loadAcquire(ring.cqTail)
	if tail-head != uint32(len(payloads)) {
		t.Fatalf("%d completions, want %d", tail-head, len(payloads))
	}
	for ; head != tail; head++ {
		if c := ring.cqes[head&ring.cqMask]; c.res != int32(len(payloads[c.userData])) {
			t.Errorf("send %d completed with %d", c.userData, c.res)
		}
	}
}

// TestSendRingChainWaitsForItsTime: sends chained behind a tick's timeout
// leave when the tick comes, not when the pacer queued them, and the leg's
// socket stays open for them even if the leg closes in between.
func TestSendRingChainWaitsForItsTime(t *testing.T) {
	r := openTxRing()
	if r == nil {
		t.Skip("io_uring not used here")
	}
	defer r.close()
	alloc := testAllocator(t, 1)
	sink := newPhone(t)
	l := newTestLeg(t, alloc, LegOptions{})
	l.SetRemote(sink.addr())
	s := ulawSession(t, l)
	const hold = 60 * time.Millisecond
	start := time.Now()
	r.startChain(monotonicNow() + int64(hold))
	s.mu.Lock()
	for _, p := range []string{"first", "second"} {
		if !r.queue(s, []byte(p), l.target.Load()) {
			s.mu.Unlock()
			t.Fatal("send not queued")
		}
	}
	s.mu.Unlock()
	r.endChain()
	r.flush()
	// The leg goes away while its sends wait in the kernel.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"first", "second"} {
		pkt, from, ok := sink.recv(2 * time.Second)
		if !ok {
			t.Fatalf("%q never arrived", want)
		}
		if got := time.Since(start); got < hold-5*time.Millisecond {
			t.Fatalf("%q arrived after %v, before its tick (%v)", pkt, got, hold)
		}
		if string(pkt) != want || int(from.Port()) != l.Port() {
			t.Fatalf("received %q from port %d, want %q from %d", pkt, from.Port(), want, l.Port())
		}
	}
	// Reaped, the sends let go of the socket: the port is free again.
	for deadline := time.Now().Add(2 * time.Second); r.busy() || l.pp.refs.Load() != 0; time.Sleep(time.Millisecond) {
		r.flush()
		if time.Now().After(deadline) {
			t.Fatalf("socket still held: busy %v, refs %d", r.busy(), l.pp.refs.Load())
		}
	}
}

// TestSendRingEmptyChain: a chain no send joined is taken back, and leaves
// nothing on the ring.
func TestSendRingEmptyChain(t *testing.T) {
	r := openTxRing()
	if r == nil {
		t.Skip("io_uring not used here")
	}
	defer r.close()
	tail := r.ring.tail
	r.startChain(monotonicNow() + int64(time.Second))
	r.endChain()
	if r.ring.tail != tail {
		t.Fatalf("ring tail %d, want %d: the empty chain's timeout stayed", r.ring.tail, tail)
	}
}
