package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

var waitApp = &pbx.App{
	Name:        "Wait",
	Synopsis:    "Waits for some time.",
	Syntax:      "Wait(seconds)",
	Description: "This application waits for a specified number of seconds.",
	Arguments:   "seconds - Can be passed with fractions of a second. For example, 1.5 will ask the application to wait for 1.5 seconds.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if !pbx.SleepOrHangup(ch, pbx.ParseDuration(firstArg(data), 0)) {
			return pbx.HangupResult, nil
		}
		return pbx.Continue, nil
	},
}
