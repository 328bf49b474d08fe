package apps

import (
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Dial's identity options, as app_dial applies them to each new outbound
// channel:
//
//   - o[(x)]: the called channel's own caller ID is the caller's (or x)
//     instead of the dialed extension;
//   - f(x): the identity sent to the called party (the connected line,
//     which chan_sip puts in From) is x; u(x) sets its presentation. f
//     without x applies to call forwards only, which gostrisk's SIP
//     driver does not follow (a 3xx ends the attempt), so it changes
//     nothing, nor do s(x) (a caller ID tag: chan_sip sends none), i and z
//     (forwards), I (no connected-line updates are passed on during Dial),
//     j (one audio stream) and E (no MF/SF digits).
func applyIdentityOptions(caller, out *pbx.Channel, opts map[byte]string) {
	if x, ok := opts['o']; ok {
		id := caller.CallerID()
		if x != "" {
			id.Name, id.Num = pbx.ParseCallerID(x)
		}
		out.UpdateCallerID(func(c *pbx.CallerID) { c.Name, c.Num = id.Name, id.Num })
	}
	if x := opts['f']; x != "" {
		id := out.Connected()
		id.Name, id.Num = pbx.ParseCallerID(x)
		out.SetConnected(id)
		if pres, ok := opts['u']; ok && pres != "" {
			out.SetConnectedPresentation(pres)
		}
	}
}

// startRingTone is r(tone): the caller hears the tone of its tone zone
// (indications.conf) and gets progress instead of ringing. When the zone
// has no such tone it warns as app_dial does and reports false: the
// caller then gets ringing, as with a bare r.
func startRingTone(caller *pbx.Channel, tone string) bool {
	list, ok := toneByName(caller, tone)
	if !ok {
		caller.Engine().Log().Warning("Unable to start playtone '%s'\n", tone)
		return false
	}
	caller.StartGenerator(toneGenerator(list))
	indicate(caller, pbx.IndProgress)
	return true
}
