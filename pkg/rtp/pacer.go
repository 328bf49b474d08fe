package rtp

import (
	"sync"
	"time"
)

// pacerTick is the pacer's resolution: a session's packets go out at the
// first tick at or after their slot. Go's timers wake with about this
// precision anyway (the runtime's poller sleeps in whole milliseconds).
const pacerTick = time.Millisecond

// pacerLead is how many ticks ahead the pacer prepares sends when its
// ring can hold them back until their tick (see txRing): a pacer woken up
// to this late still sends on time. The cost is as much added latency on
// every frame a session sends.
const pacerLead = 2

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
	t0    time.Time // ticks and slots count from here (monotonic clock)
	mono0 int64     // t0 as CLOCK_MONOTONIC nanoseconds, for the ring's timeouts

	mu        sync.Mutex
	wheel     [wheelSize][]*Session // guarded by mu
	scheduled int                   // guarded by mu: sessions in the wheel
	cur       int64                 // guarded by mu: next tick to visit
	wake      chan struct{}         // a session was scheduled into an empty wheel
	quit      chan struct{}
	done      chan struct{}

	// Owned by the loop goroutine.
	due []dueSession
	sc  sendScratch
}

// dueSession is a session taken from the wheel and the tick it is due at.
type dueSession struct {
	s    *Session
	tick int64
}

func newPacer() *pacer {
	p := &pacer{
		t0:    time.Now(),
		mono0: monotonicNow(),
		wake:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
		sc:    newSendScratch(),
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
	var lead int64
	if p.sc.tx.timed() && p.mono0 != 0 {
		lead = pacerLead
	}
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
		if p.cur > nowTick+lead {
			wait := time.Duration((p.cur-lead)*int64(pacerTick) - now)
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
		// late) and the lead's ticks ahead, taking the sessions due.
		p.due = p.due[:0]
		for ; p.cur <= nowTick+lead; p.cur++ {
			b := &p.wheel[p.cur%wheelSize]
			keep := (*b)[:0]
			for _, s := range *b {
				if s.dueTick <= p.cur {
					p.due = append(p.due, dueSession{s, p.cur})
					p.scheduled--
				} else {
					keep = append(keep, s)
				}
			}
			clear((*b)[len(keep):])
			*b = keep
		}
		p.mu.Unlock()
		// A tick still to come is served as of its time, its sends held
		// back by the kernel until then; the ones due already go now.
		chain := int64(-1)
		for i, d := range p.due {
			at := now
			if d.tick > nowTick {
				at = d.tick * int64(pacerTick)
				if d.tick != chain {
					p.sc.tx.startChain(p.mono0 + at)
					chain = d.tick
				}
			}
			d.s.service(p, &p.sc, at)
			p.due[i] = dueSession{}
		}
		p.sc.tx.endChain()
		p.sc.tx.flush()
	}
}
