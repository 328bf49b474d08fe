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

// TestSendRingHoldsTheSocket: a send queued on the ring holds its leg's
// socket: the leg closes before the ring is submitted, and the packet
// still leaves from the leg's port; once its completion is reaped the
// socket is let go of.
func TestSendRingHoldsTheSocket(t *testing.T) {
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
	s.mu.Lock()
	for _, p := range []string{"first", "second"} {
		if !r.queue(s, []byte(p), l.target.Load()) {
			s.mu.Unlock()
			t.Fatal("send not queued")
		}
	}
	s.mu.Unlock()
	if got := s.txInflight.Load(); got != 2 {
		t.Fatalf("%d sends in flight, want 2", got)
	}
	// The leg goes away while its sends wait on the ring.
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r.flush()
	for _, want := range []string{"first", "second"} {
		pkt, from, ok := sink.recv(2 * time.Second)
		if !ok {
			t.Fatalf("%q never arrived", want)
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
	if got := s.txInflight.Load(); got != 0 {
		t.Fatalf("%d sends in flight after the reap, want 0", got)
	}
}
