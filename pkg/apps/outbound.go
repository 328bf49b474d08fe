package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

// PrepareOutbound gives a channel a module requested for caller what
// Dial gives its own (inherited variables, the caller as connected line,
// the dialed extension as caller ID when the driver set none, the
// caller's context), so queues and Dial present calls alike.
func PrepareOutbound(caller, out *pbx.Channel, dpContext, exten string) {
	prepareOutbound(caller, out, dpContext, exten)
}

// StartHoldMusic starts music on hold class ("" the channel's) on ch as
// Dial's m option does; false when no music can play.
func StartHoldMusic(ch *pbx.Channel, class string) bool { return startHoldMusic(ch, class) }

// StopHoldMusic stops it and gives the media back to the driver.
func StopHoldMusic(ch *pbx.Channel) { stopHoldMusic(ch) }

// SetFeatureFlags gives each party the DTMF features of Dial's (and
// Queue's) option letters: t, k, h, w, x for the called party, T, K, H,
// W, X for the caller.
func SetFeatureFlags(caller, peer *pbx.Channel, opts map[byte]string) {
	setDialFeatures(caller, peer, opts)
}

// RunSubroutine runs "[[context,]exten,]priority[(args)]" on ch as a
// subroutine and waits for its Return (Queue's b(), B() and gosub). It
// reports false when the target does not exist or ch hung up.
func RunSubroutine(ch *pbx.Channel, spec string) bool { return runSubroutine(ch, spec) }

// ContinueAfter starts the dialplan on peer, a called channel no dialplan
// owns, at a location resolved from caller's as Dial's F option does:
// target "[[context^]exten^]priority" or "" for the caller's next
// priority. The new run owns peer from then on (it hangs it up at its
// end); ctx is the caller's dialplan context (the engine's life). It
// reports false, leaving peer alone, when the location does not exist.
func ContinueAfter(caller, peer *pbx.Channel, target string) bool {
	return continueCallee(caller, peer, target, 0)
}
