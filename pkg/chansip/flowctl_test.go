package chansip

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// tcpReq is a request as sipgo hands one over from a TCP connection.
func tcpReq(src string) *sip.Request {
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Host: "127.0.0.1"})
	req.SetTransport("TCP")
	req.SetSource(src)
	return req
}

// TestFlowControlOrders: the handler may start, hand over or even finish
// a request before the reading goroutine's hook counts it; in every order
// nothing stays counted or remembered.
func TestFlowControlOrders(t *testing.T) {
	for _, order := range []string{
		"admit start done",
		"start admit done",
		"start done admit",
		"admit start detach done",
		"start admit detach done",
		"start detach admit done",
		"start detach done admit",
	} {
		t.Run(order, func(t *testing.T) {
			f := newFlowControl()
			req := tcpReq("127.0.0.1:4000")
			var steps []string
			for _, s := range strings.Fields(order) {
				steps = append(steps, s)
				switch s {
				case "admit":
					f.admit(req)
				case "start":
					f.start(req)
				case "detach":
					f.detach(req)
				case "done":
					f.done(req)
				}
			}
			if st := f.stats(); st != (flowStats{}) {
				t.Errorf("after %v: %+v left", steps, st)
			}
		})
	}
}

// TestFlowControlUDPUncounted: datagrams are not flow-controlled (the
// kernel drops what the readers cannot take).
func TestFlowControlUDPUncounted(t *testing.T) {
	f := newFlowControl()
	f.window = 1
	req := tcpReq("127.0.0.1:4000")
	req.SetTransport("UDP")
	for range 3 {
		f.admit(req) // would block at the second if counted
	}
	f.start(req)
	f.done(req)
	if st := f.stats(); st != (flowStats{}) {
		t.Errorf("UDP counted: %+v", st)
	}
}

// admitAsync runs admit on its own goroutine, as sipgo's reader does, and
// returns a channel closed when admit returns.
func admitAsync(f *flowControl, req *sip.Request) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.admit(req)
	}()
	return done
}

func returned(c chan struct{}, within time.Duration) bool {
	select {
	case <-c:
		return true
	case <-time.After(within):
		return false
	}
}

// TestFlowControlWindow: a connection's reader waits once window requests
// are in progress, and goes on when one is done; another connection is
// not held.
func TestFlowControlWindow(t *testing.T) {
	f := newFlowControl()
	f.window = 3
	var reqs []*sip.Request
	for i := range 3 {
		reqs = append(reqs, tcpReq("127.0.0.1:4000"))
		f.start(reqs[i])
		if i < 2 {
			if !returned(admitAsync(f, reqs[i]), time.Second) {
				t.Fatalf("request %d held below the window", i)
			}
		}
	}
	third := admitAsync(f, reqs[2])
	if returned(third, 100*time.Millisecond) {
		t.Fatal("the reader went on with the window full")
	}
	other := tcpReq("127.0.0.1:4001")
	if !returned(admitAsync(f, other), time.Second) {
		t.Fatal("another connection is held by this one's window")
	}
	f.done(reqs[0])
	if !returned(third, time.Second) {
		t.Fatal("the reader still waits after a request was done")
	}
	for _, r := range append(reqs[1:], other) {
		f.done(r)
	}
	if st := f.stats(); st != (flowStats{}) {
		t.Errorf("left: %+v", st)
	}
}

// TestFlowControlLease: a request no handler takes (sipgo answered it
// itself) stops counting after the lease, and the reader goes on.
func TestFlowControlLease(t *testing.T) {
	f := newFlowControl()
	f.window = 1
	f.lease = 80 * time.Millisecond
	req := tcpReq("127.0.0.1:4000")
	c := admitAsync(f, req)
	if returned(c, 20*time.Millisecond) {
		t.Fatal("the reader went on with the window full")
	}
	if !returned(c, 2*time.Second) {
		t.Fatal("an unclaimed request holds the reader past the lease")
	}
	if st := f.stats(); st.total != 0 {
		t.Errorf("still counted: %+v", st)
	}
	// A handler that starts late, after the lease, leaves marks that are
	// forgotten in turn.
	f.start(req)
	f.done(req)
	time.Sleep(f.lease)
	f.done(tcpReq("127.0.0.1:4000")) // a mark that sweeps the old ones
	time.Sleep(f.lease)
	f.done(tcpReq("127.0.0.1:4000"))
	if st := f.stats(); st.early > 1 {
		t.Errorf("early marks pile up: %+v", st)
	}
}

// TestFlowControlStartedNotLeased: a request whose handler runs (it may
// be blocked writing to a peer that does not read) keeps counting past
// the lease, so such a connection stays held.
func TestFlowControlStartedNotLeased(t *testing.T) {
	f := newFlowControl()
	f.window = 1
	f.lease = 40 * time.Millisecond
	req := tcpReq("127.0.0.1:4000")
	f.start(req)
	c := admitAsync(f, req)
	if returned(c, 5*f.lease) {
		t.Fatal("a running request stopped counting after the lease")
	}
	f.done(req)
	if !returned(c, time.Second) {
		t.Fatal("the reader still waits after done")
	}
}

// TestFlowControlGlobalLimit: all connections together are held at the
// limit, and a request done on one connection lets another go on.
func TestFlowControlGlobalLimit(t *testing.T) {
	f := newFlowControl()
	f.limit = 2
	a := tcpReq("127.0.0.1:4000")
	f.start(a)
	if !returned(admitAsync(f, a), time.Second) {
		t.Fatal("held below the limit")
	}
	b := tcpReq("127.0.0.1:4001")
	f.start(b)
	cb := admitAsync(f, b)
	if returned(cb, 100*time.Millisecond) {
		t.Fatal("went on at the global limit")
	}
	f.done(a)
	if !returned(cb, time.Second) {
		t.Fatal("the other connection still waits after a request was done")
	}
	f.done(b)
	if st := f.stats(); st != (flowStats{}) {
		t.Errorf("left: %+v", st)
	}
}

// TestFlowControlGlobalOwnDone: a reader waiting in line for the global
// limit whose own request ends goes on, and leaves nothing behind.
func TestFlowControlGlobalOwnDone(t *testing.T) {
	f := newFlowControl()
	f.limit = 2
	a := tcpReq("127.0.0.1:4000")
	f.start(a)
	if !returned(admitAsync(f, a), time.Second) {
		t.Fatal("held below the limit")
	}
	b := tcpReq("127.0.0.1:4001")
	f.start(b)
	cb := admitAsync(f, b)
	if returned(cb, 100*time.Millisecond) {
		t.Fatal("went on at the global limit")
	}
	f.done(b)
	if !returned(cb, time.Second) {
		t.Fatal("the reader still waits after its own request ended")
	}
	f.done(a)
	if st := f.stats(); st != (flowStats{}) {
		t.Errorf("left: %+v", st)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.queue) != 0 {
		t.Errorf("%d connections still in line", len(f.queue))
	}
}

// TestFlowControlClose: stopping the driver lets waiting readers go.
func TestFlowControlClose(t *testing.T) {
	f := newFlowControl()
	f.window = 1
	req := tcpReq("127.0.0.1:4000")
	f.start(req)
	c := admitAsync(f, req)
	if returned(c, 50*time.Millisecond) {
		t.Fatal("went on with the window full")
	}
	f.close()
	if !returned(c, time.Second) {
		t.Fatal("close left the reader waiting")
	}
	f.admit(tcpReq("127.0.0.1:4000")) // after close: never waits
}
