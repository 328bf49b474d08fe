package apps

import (
	"errors"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// ReadDigits reads ch's keys from a goroutine of its own while something
// else waits (members or legs ring: Queue, Dial's d); stop ends it and
// waits for it. Without media the goroutine just waits for stop.
func ReadDigits(ch *pbx.Channel) (<-chan rune, func()) {
	out := make(chan rune, 4)
	dl := make(chan time.Time)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for {
			fr, err := ch.ReadDigitsUntil(dl)
			if err != nil {
				if errors.Is(err, pbx.ErrNoMedia) {
					<-dl
				}
				return
			}
			if fr.Digit != 0 && fr.Kind == media.DTMFEnd {
				select {
				case out <- fr.Digit:
				case <-dl:
					return
				}
			}
		}
	}()
	return out, func() {
		close(dl)
		<-done
	}
}
