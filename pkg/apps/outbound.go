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
