package rtp

import (
	"sync"
	"time"
)

// pacerTick is the pacer's resolution: a session's packets go out at the
// first tick at or after their slot. Go's timers wake with about this
// precision anyway (the runtime's poller sleeps in whole milliseconds).
const pacerTick = time.Millisecond

// wheelSize is the timing wheel's length in ticks. It must exceed the
// longest wait a session asks for (a ptime of up to 300 ms, a DTMF
// continuation of 50 ms); sessions due later than one turn stay in their
// bucket until their turn comes.
const wheelSize = 1024

// pacer sends the queued frames of many sessions, each at its slot, from
// one goroutine: a timing wheel of one bucket per millisecond, visited
// once per tick while any session is scheduled. A thousand sessions cost
// one timer wake-up a millisecond, not a goroutine and a ticker each.
type pacer struct {
	t0 time.Time // ticks and slots count from here (monotonic clock)

	mu        sync.Mutex
	wheel     [wheelSize][]*Session // guarded by mu
	scheduled int                   // guarded by mu: sessions in the wheel
	cur       int64                 // guarded by mu: next tick to visit
	wake      chan struct{}         // a session was scheduled into an empty wheel
	quit      chan struct{}
	done      chan struct{}

	// Owned by the loop goroutine.
	due []*Session
	sc  sendScratch
}

func newPacer() *pacer {
	p := &pacer{
		t0:   time.Now(),
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
		sc:   newSendScratch(),
	}
	go p.run()
	return p
}

// now is the pacer's clock: nanoseconds since t0.
func (p *pacer) now() int64 { return int64(time.Since(p.t0)) }

// tickOf is the first tick at or after slot (ns since t0).
func tickOf(slot int64) int64 {
	return (slot + int64(pacerTick) - 1) / int64(pacerTick)
}

// schedule puts s into the bucket of its slot. The caller holds s.mu (so
// the session's state and its place in the wheel agree) and has checked
// s is not in the wheel.
func (p *pacer) schedule(s *Session, slot int64) {
	p.mu.Lock()
	if p.scheduled == 0 {
		// An empty wheel has nothing to visit in between: skip the ticks
		// it slept through rather than walking them.
		if nt := p.now() / int64(pacerTick); nt > p.cur {
			p.cur = nt
		}
	}
	t := tickOf(slot)
	if t < p.cur {
		t = p.cur
	}
	s.dueTick = t
	b := &p.wheel[t%wheelSize]
	*b = append(*b, s)
	p.scheduled++
	first := p.scheduled == 1
	p.mu.Unlock()
	if first {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// quietSlot picks, for a session starting a talkspurt, the slot between
// earliest and earliest+period whose tick has the fewest sessions due:
// sessions started together (a thousand playbacks after a reload) are
// spread over the period instead of all sending in the same millisecond.
// The first packet of a talkspurt may go out up to one period later;
// after it the session keeps its phase.
func (p *pacer) quietSlot(earliest int64, period time.Duration) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	first := tickOf(earliest)
	if first < p.cur {
		first = p.cur
	}
	n := int64(period / pacerTick)
	if n < 1 {
		n = 1
	}
	if n > wheelSize {
		n = wheelSize
	}
	best, bestLen := first, len(p.wheel[first%wheelSize])
	for t := first + 1; t < first+n && bestLen > 0; t++ {
		if l := len(p.wheel[t%wheelSize]); l < bestLen {
			best, bestLen = t, l
		}
	}
	slot := best * int64(pacerTick)
	if slot < earliest {
		slot = earliest
	}
	return slot
}

func (p *pacer) stop() {
	close(p.quit)
	<-p.done
}

func (p *pacer) run() {
	defer close(p.done)
	p.sc.tx = openTxRing()
	defer p.sc.tx.close()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		p.mu.Lock()
		if p.scheduled == 0 {
			p.mu.Unlock()
			if p.sc.tx.busy() {
				// Sends still wait in the kernel: reap them once they
				// are out, which lets go of their sockets.
				timer.Reset(pacerTick)
				select {
				case <-timer.C:
				case <-p.wake:
				case <-p.quit:
					return
				}
				p.sc.tx.flush()
				continue
			}
			select {
			case <-p.wake:
				continue
			case <-p.quit:
				return
			}
		}
		now := p.now()
		nowTick := now / int64(pacerTick)
		if p.cur > nowTick {
			wait := time.Duration(p.cur*int64(pacerTick) - now)
			p.mu.Unlock()
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-p.quit:
				return
			}
			continue
		}
		// Visit every tick up to now (more than one when the loop woke
		// late), taking the sessions due.
		p.due = p.due[:0]
		for ; p.cur <= nowTick; p.cur++ {
			b := &p.wheel[p.cur%wheelSize]
			keep := (*b)[:0]
			for _, s := range *b {
				if s.dueTick <= p.cur {
					p.due = append(p.due, s)
					p.scheduled--
				} else {
					keep = append(keep, s)
				}
			}
			clear((*b)[len(keep):])
			*b = keep
		}
		p.mu.Unlock()
		for i, s := range p.due {
			s.service(p, &p.sc, now)
			p.due[i] = nil
		}
		p.sc.tx.flush()
	}
}
