package pbxtest

import (
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// FarEnd scripts the far end of a called fake channel, as a SIP phone
// would answer: 2 ms after the call it is busy, congested or rings;
// after Ring it answers; after Hold it hangs up, unless Stay. Fake
// technologies in tests run Play from their driver's Call.
type FarEnd struct {
	Busy, Congested bool
	Ring            time.Duration // before the answer; negative: rings for ever
	Hold            time.Duration // from the answer to the hang-up
	Stay            bool          // stays answered until the core hangs up
	Progress        bool          // reports progress (early media) after ringing
	OnAnswer        func()        // called just before answering
}

// Play runs the script on ch until it ends or ch is hung up. It blocks:
// the caller runs it in a goroutine it waits for.
func (f FarEnd) Play(ch *pbx.Channel) {
	wait := func(d time.Duration) bool {
		select {
		case <-time.After(d):
			return true
		case <-ch.Done():
			return false
		}
	}
	if !wait(2 * time.Millisecond) {
		return
	}
	switch {
	case f.Busy:
		ch.Busy()
		return
	case f.Congested:
		ch.Congestion()
		return
	}
	ch.Ringing()
	if f.Progress {
		ch.Progress()
	}
	if f.Ring < 0 || !wait(f.Ring) {
		return
	}
	if f.OnAnswer != nil {
		f.OnAnswer()
	}
	ch.Answered()
	if !f.Stay && wait(f.Hold) {
		ch.HungUp(pbx.CauseNormalClearing)
	}
}
