package pbx

import (
	"context"
	"time"
)

// OriginateOutcome is how the first leg of an originated call ended,
// numbered as Asterisk numbers it (the control frame that decided it),
// which is what the manager's OriginateResponse Reason: shows.
type OriginateOutcome int

const (
	OriginateFailed     OriginateOutcome = 0 // no answer and no ringing
	OriginateHangup     OriginateOutcome = 1
	OriginateRinging    OriginateOutcome = 3 // rang until the timeout
	OriginateAnswered   OriginateOutcome = 4
	OriginateBusy       OriginateOutcome = 5
	OriginateCongestion OriginateOutcome = 8
)

// Status is the outcome as the Originate application's ORIGINATE_STATUS.
func (o OriginateOutcome) Status() string {
	switch o {
	case OriginateHangup:
		return "HANGUP"
	case OriginateRinging:
		return "RINGING"
	case OriginateAnswered:
		return "SUCCESS"
	case OriginateBusy:
		return "BUSY"
	case OriginateCongestion:
		return "CONGESTION"
	}
	return "FAILED"
}

// WaitOriginated follows a channel that is being called until it
// answers, fails or timeout passes; ctx ending counts as a hangup. The
// Originate application and the manager's Originate action share it.
func WaitOriginated(ctx context.Context, out *Channel, timeout time.Duration) OriginateOutcome {
	wake := make(chan struct{}, 1)
	stop := out.Watch(wake)
	defer stop()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	last := OriginateFailed
	for {
		select {
		case <-ctx.Done():
			return OriginateHangup
		case <-timer.C:
			return last
		case <-wake:
		}
		for _, ev := range out.TakeEvents() {
			switch ev.Kind {
			case EventAnswer:
				return OriginateAnswered
			case EventRinging:
				last = OriginateRinging
			case EventBusy:
				return OriginateBusy
			case EventCongestion:
				return OriginateCongestion
			case EventHangup:
				return OriginateHangup
			}
		}
	}
}
