package apps

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The CDR applications change the record pbx keeps per channel
// (pbx.CDR), which the SIP driver writes with cdr_csv when the call ends.

var noCDRApp = &pbx.App{
	Name:     "NoCDR",
	Synopsis: "Tell Asterisk to not maintain a CDR for this channel.",
	Syntax:   "NoCDR()",
	Description: "This application will tell Asterisk not to maintain a CDR for the current channel. This does NOT mean that information is not tracked; rather, if the channel is hung up no CDRs will be created for that channel.\n\n" +
		"If a subsequent call to ResetCDR occurs, all non-finalized CDRs created for the channel will be enabled.\n\n" +
		"This application is deprecated. Please use the CDR_PROP function to disable CDRs on a channel.",
	SeeAlso: "ResetCDR, CDR_PROP",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		ch.UpdateCDR(func(r *pbx.CDR) { r.Disabled = true })
		return pbx.Continue, nil
	},
}

var resetCDRApp = &pbx.App{
	Name:     "ResetCDR",
	Synopsis: "Resets the Call Data Record.",
	Syntax:   "ResetCDR([options])",
	Description: "This application causes the Call Data Record to be reset. Depending on the flags passed in, this can have several effects. " +
		"With no options, a reset does the following:\n\n1. The start time is set to the current time.\n\n2. If the channel is answered, the answer time is set to the current time.\n\n3. All variables are wiped from the CDR. Note that this step can be prevented with the v option.\n\n" +
		"On the other hand, if the e option is specified, the effects of the NoCDR application will be lifted. CDRs will be re-enabled for this channel.",
	Arguments: "options - v: Save the CDR variables during the reset. e: Enable the CDRs for this channel only (negate effects of NoCDR).",
	SeeAlso:   "ForkCDR, NoCDR, CDR_PROP",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		now := time.Now()
		up := ch.State() == pbx.StateUp
		keepVars := strings.ContainsRune(data, 'v')
		enable := strings.ContainsRune(data, 'e')
		ch.UpdateCDR(func(r *pbx.CDR) {
			if enable {
				r.Disabled = false
			}
			reset := func(x *pbx.CDR) {
				if x.Disposition != "" && !x.End.IsZero() {
					return // finalised by ForkCDR(e)
				}
				x.Start, x.End, x.Answer = now, time.Time{}, time.Time{}
				if up {
					x.Answer = now
				}
				if !keepVars {
					x.Vars = nil // the CDR variables; userfield is no variable
				}
			}
			reset(r)
			for i := range r.Forks {
				reset(&r.Forks[i])
			}
		})
		return pbx.Continue, nil
	},
}

var forkCDRApp = &pbx.App{
	Name:     "ForkCDR",
	Synopsis: "Forks the current Call Data Record for this channel.",
	Syntax:   "ForkCDR([options])",
	Description: "Causes the Call Data Record engine to fork a new CDR starting from the time the application is executed. " +
		"The forked CDR will be linked to the end of the CDRs associated with the channel.",
	Arguments: "options - a: If the channel is answered, set the answer time on the forked CDR to the current time. " +
		"e: End (finalize) the original CDR. r: Reset the start and answer times on the forked CDR. " +
		"v: Do not copy CDR variables and attributes from the original CDR to the forked CDR.",
	SeeAlso: "ResetCDR, CDR_PROP",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		now := time.Now()
		up := ch.State() == pbx.StateUp
		has := func(o rune) bool { return strings.ContainsRune(data, o) }
		ch.UpdateCDR(func(r *pbx.CDR) {
			orig := *r
			orig.Forks = nil
			if has('e') {
				orig.End = now
				orig.Disposition = disposition(orig)
			}
			r.Forks = append(r.Forks, orig)
			if has('a') && up {
				r.Answer = now
			}
			if has('r') {
				r.Start = now
				if up {
					r.Answer = now
				}
			}
			if has('v') {
				r.Vars = nil
			}
		})
		return pbx.Continue, nil
	},
}

// disposition is the outcome of a record finalised while its channel is
// still up (ForkCDR e).
func disposition(r pbx.CDR) string {
	if !r.Answer.IsZero() {
		return "ANSWERED"
	}
	return "NO ANSWER"
}

var setAMAFlagsApp = &pbx.App{
	Name:     "SetAMAFlags",
	Synopsis: "Set the AMA Flags.",
	Syntax:   "SetAMAFlags([flag])",
	Description: "This application will set the channel's AMA Flags for billing purposes.\n\n" +
		"This application is deprecated. Please use the CHANNEL function instead.",
	Arguments: "flag",
	SeeAlso:   "CDR, CHANNEL",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		log.Warning("The SetAMAFlags application is deprecated. Please use the CHANNEL function instead.\n")
		if data == "" {
			log.Warning("No parameter passed to SetAMAFlags\n")
			return pbx.Continue, nil
		}
		flag := amaFlagName(data)
		ch.UpdateCDR(func(r *pbx.CDR) { r.AMAFlags = flag })
		return pbx.Continue, nil
	},
}

// amaFlagName is the CDR spelling of an AMA flag given by name or by
// Asterisk's number (1 OMIT, 2 BILLING, 3 DOCUMENTATION); anything else
// is "Unknown", as ast_channel_amaflags2string prints it.
func amaFlagName(s string) string {
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		n, _, _ := scanInt(s)
		switch n {
		case 1:
			return "OMIT"
		case 2:
			return "BILLING"
		case 3:
			return "DOCUMENTATION"
		}
		return "Unknown"
	}
	switch strings.ToLower(s) {
	case "default", "documentation":
		return "DOCUMENTATION"
	case "omit":
		return "OMIT"
	case "billing":
		return "BILLING"
	}
	return "Unknown"
}

// scanInt reads a leading decimal number as sscanf("%d") does.
func scanInt(s string) (int, string, bool) {
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[:j])
	return n, s[j:], err == nil
}
