package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

var answerApp = &pbx.App{
	Name:        "Answer",
	Synopsis:    "Answer a channel if ringing.",
	Syntax:      "Answer([delay[,options]])",
	Description: "If the call has not been answered, this application will answer it. Otherwise, it has no effect on the call.",
	Arguments:   "delay - Asterisk will wait this number of milliseconds before returning to the dialplan after answering the call.\noptions - i: Answer the channel immediately without waiting for media.",
	SeeAlso:     "Hangup",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if err := ch.Answer(); err != nil {
			ch.Engine().Log().Warning("Failed to answer %s: %v\n", ch.Name(), err)
			return pbx.HangupResult, nil
		}
		if d := pbx.ParseDuration(firstArg(data), 0) / 1000; d > 0 {
			if !pbx.SleepOrHangup(ch, d) {
				return pbx.HangupResult, nil
			}
		}
		return pbx.Continue, nil
	},
}

func firstArg(data string) string {
	return pbx.SplitArgs(data, ',')[0]
}
