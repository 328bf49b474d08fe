package funcs

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// func_hangupcause: HANGUPCAUSE(channel,type) and HANGUPCAUSE_KEYS() read
// the cause codes the channel's Dial collected from its legs (see
// pbx.Channel.ReportCauseCode); the HangupCauseClear application
// (pkg/apps) clears them.

func hangupCauseFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "HANGUPCAUSE", Synopsis: "Gets per-channel hangupcause information from the channel.",
			Syntax:      "HANGUPCAUSE(channel,type)",
			Description: "Gets technology-specific or translated Asterisk cause code information from the channel for the specified channel that resulted from a dial.",
			Arguments: "channel - The name of the channel for which to retrieve cause information.\n" +
				"type - Parameter describing which type of information is requested. Types are:\n" +
				"    tech: Technology-specific cause information\n    ast: Translated Asterisk cause code",
			SeeAlso: "HANGUPCAUSE_KEYS, HangupCauseClear",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", nil
				}
				a := args(s)
				if len(a) != 2 {
					e.Log().Warning("The HANGUPCAUSE function must have 2 parameters, not %d\n", len(a))
					return "", nil
				}
				cc, ok := ch.CauseCodeOf(a[0])
				if !ok {
					e.Log().Warning("Unable to find information for channel %s\n", a[0])
					return "", nil
				}
				switch a[1] {
				case "ast":
					return pbx.CauseText(cc.Cause), nil
				case "tech":
					return cc.TechCause(), nil
				}
				e.Log().Warning("Information type not recognized (%s)\n", a[1])
				return "", nil
			}},
		{Name: "HANGUPCAUSE_KEYS", Synopsis: "Gets the list of channels for which hangup causes are available.",
			Syntax:      "HANGUPCAUSE_KEYS()",
			Description: "Returns a comma-separated list of channel names to be used with the HANGUPCAUSE function.",
			SeeAlso:     "HANGUPCAUSE, HangupCauseClear",
			Read: func(ch *pbx.Channel, _ string) (string, error) {
				if ch == nil {
					return "", nil
				}
				return strings.Join(ch.CauseCodeChannels(), ","), nil
			}},
	}
}
