package apps

import (
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var ringingApp = &pbx.App{
	Name:        "Ringing",
	Synopsis:    "Indicate ringing tone.",
	Syntax:      "Ringing()",
	Description: "This application will request that the channel indicate a ringing tone to the user.",
	SeeAlso:     "Busy, Congestion, Progress, Playtones",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		indicate(ch, pbx.IndRinging)
		return pbx.Continue, nil
	},
}

var progressApp = &pbx.App{
	Name:        "Progress",
	Synopsis:    "Indicate progress.",
	Syntax:      "Progress()",
	Description: "This application will request that in-band progress information be provided to the calling channel.",
	SeeAlso:     "Busy, Congestion, Ringing, Playtones",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		indicate(ch, pbx.IndProgress)
		return pbx.Continue, nil
	},
}

var busyApp = &pbx.App{
	Name:        "Busy",
	Synopsis:    "Indicate the Busy condition.",
	Syntax:      "Busy([timeout])",
	Description: "This application will indicate the busy condition to the calling channel.",
	Arguments:   "timeout - If specified, the calling channel will be hung up after the specified number of seconds. Otherwise, this application will wait until the calling channel hangs up.",
	SeeAlso:     "Congestion, Progress, Playtones, Hangup",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return failIndication(ch, pbx.IndBusy, pbx.CauseBusy, data)
	},
}

var congestionApp = &pbx.App{
	Name:        "Congestion",
	Synopsis:    "Indicate the Congestion condition.",
	Syntax:      "Congestion([timeout])",
	Description: "This application will indicate the congestion condition to the calling channel.",
	Arguments:   "timeout - If specified, the calling channel will be hung up after the specified number of seconds. Otherwise, this application will wait until the calling channel hangs up.",
	SeeAlso:     "Busy, Progress, Playtones, Hangup",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		return failIndication(ch, pbx.IndCongestion, pbx.CauseCongestion, data)
	},
}

func indicate(ch *pbx.Channel, ind pbx.Indication) {
	if err := ch.Indicate(ind); err != nil {
		ch.Engine().Log().Warning("Unable to indicate %s on %s: %v\n", ind, ch.Name(), err)
	}
}

// failIndication signals busy or congestion, then waits for the caller
// to hang up (or the timeout) and ends the dialplan.
func failIndication(ch *pbx.Channel, ind pbx.Indication, cause int, data string) (pbx.Result, error) {
	if ch.State() != pbx.StateUp && ch.HangupCause() == 0 {
		ch.SetHangupCause(cause)
	}
	indicate(ch, ind)
	pbx.SleepOrHangup(ch, pbx.ParseDuration(firstArg(data), -1))
	return pbx.HangupResult, nil
}
