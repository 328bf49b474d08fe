package pbx

import (
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// TapDirection says which way a tapped voice frame went.
type TapDirection uint8

// The directions of a channel's voice.
const (
	// TapRead is voice read from the far end (what the channel's party
	// says), in the native format.
	TapRead TapDirection = iota + 1
	// TapWrite is voice written to the far end (what the party hears),
	// in the native format.
	TapWrite
)

// Tap receives a copy of every voice frame a channel reads and writes in
// the core, Asterisk's audiohook spy: MixMonitor records a call with one.
// TapFrame is called on the reading or writing goroutine, so it must not
// block, and must not change the payload (it is shared).
type Tap interface {
	TapFrame(dir TapDirection, fr media.Frame)
}

// tapList is a channel's taps: read on every frame without a lock.
type tapList struct{ cowList[Tap] }

func (l *tapList) frame(dir TapDirection, fr media.Frame) {
	for _, t := range l.load() {
		t.TapFrame(dir, fr)
	}
}

// AddTap starts passing the channel's voice to t. A channel with a tap
// never stays in the driver's native relay, where the core sees no frame:
// the bridge it is in moves to frames (EventMediaChange tells it), and
// back when the last tap is removed. The returned function removes t.
func (c *Channel) AddTap(t Tap) (remove func()) {
	c.media.taps.add(t)
	c.post(Event{Kind: EventMediaChange})
	var once sync.Once
	return func() {
		once.Do(func() {
			c.media.taps.remove(t)
			c.post(Event{Kind: EventMediaChange})
		})
	}
}

// Tapped reports whether a tap listens to the channel.
func (c *Channel) Tapped() bool { return c.media.taps.load() != nil }
