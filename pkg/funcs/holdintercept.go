package funcs

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_holdintercept.c's HOLD_INTERCEPT: while set, the
// hold of the party a channel is bridged with plays it no music; a Hold
// (Unhold) event names the channel instead (pkg/bridge acts on it).

func holdInterceptFunc(e *pbx.Engine) pbx.Function {
	return pbx.Function{
		Name: "HOLD_INTERCEPT", Synopsis: "Intercepts hold frames on a channel and raises an event instead of passing the frame on",
		Syntax:      "HOLD_INTERCEPT(action)",
		Description: "Intercepts hold frames on a channel and raises an event instead of passing the frame on. action: remove (W/O: remove the interception) or set (W/O: enable the interception).",
		Write: func(ch *pbx.Channel, s, _ string) error {
			if ch == nil {
				return nil
			}
			switch {
			case s == "":
				return fmt.Errorf("HOLD_INTERCEPT requires an argument")
			case strings.EqualFold(s, "set"):
				if ch.HoldIntercepted() {
					e.Log().Warning("HOLD_INTERCEPT already set on '%s'\n", ch.Name())
					return nil
				}
				ch.SetHoldIntercept(true)
				return nil
			case strings.EqualFold(s, "remove"):
				if !ch.HoldIntercepted() {
					return fmt.Errorf("Cannot remove HOLD_INTERCEPT from %s: HOLD_INTERCEPT not currently enabled", ch.Name())
				}
				ch.SetHoldIntercept(false)
				return nil
			}
			return fmt.Errorf("HOLD_INTERCEPT: unknown option %s", s)
		},
	}
}
