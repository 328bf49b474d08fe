package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var hangupApp = &pbx.App{
	Name:        "Hangup",
	Synopsis:    "Hang up the calling channel.",
	Syntax:      "Hangup([causecode])",
	Description: "This application will hang up the calling channel.",
	Arguments:   "causecode - If a causecode is given the channel's hangup cause will be set to the given value.",
	SeeAlso:     "Answer, Busy, Congestion",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data = strings.TrimSpace(data); data != "" {
			if cause, ok := pbx.ParseCause(data); ok && cause > 0 {
				ch.SetHangupCause(cause)
			} else {
				ch.Engine().Log().Warning("Invalid cause given to Hangup(): \"%s\"\n", data)
			}
		}
		return pbx.HangupResult, nil
	},
}
