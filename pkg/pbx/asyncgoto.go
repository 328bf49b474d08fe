package pbx

import (
	"errors"
	"time"
)

// Interim implementation of the merger's AsyncGoto (announced for main;
// drop this file for main's when merging): Asterisk's ast_async_goto.

// runningKey marks a channel whose dialplan Run executes.
type runningKey struct{}

// asyncGotoKey holds the target an AsyncGoto left for the executor.
type asyncGotoKey struct{}

type gotoTarget struct {
	context, exten string
	priority       int
}

// ErrChannelGone is AsyncGoto's error for a channel that is hanging up.
var ErrChannelGone = errors.New("channel is hanging up")

// AsyncGoto sends the channel to context/exten/priority: a channel running
// its dialplan leaves the application it is in and continues there; a
// channel without a dialplan of its own (a dialed leg in a bridge) leaves
// its bridge and a dialplan is started on it there.
func (c *Channel) AsyncGoto(context, exten string, priority int) error {
	if c.Gone() || c.HangupRequested() {
		return ErrChannelGone
	}
	if priority < 1 {
		priority = 1
	}
	if c.Datastore(runningKey{}) != nil {
		c.SetDatastore(asyncGotoKey{}, gotoTarget{context, exten, priority})
		c.Interrupt()
		return nil
	}
	e := c.eng
	if e == nil {
		return errors.New("channel has no engine")
	}
	c.Interrupt()
	e.Spawn(func() {
		// The bridge gives the channel up asynchronously; its owner
		// clears BridgeID once it let go.
		deadline := time.Now().Add(5 * time.Second)
		for c.BridgeID() != "" && time.Now().Before(deadline) && !c.HangupRequested() {
			time.Sleep(5 * time.Millisecond)
		}
		if c.HangupRequested() {
			c.Hangup(CauseNormalClearing)
			return
		}
		c.ClearInterrupt()
		c.SetLocation(context, exten, priority)
		e.Run(c.Ctx(), c, context, exten, priority)
	})
	return nil
}

// takeAsyncGoto returns and clears the target AsyncGoto left, if any.
func (c *Channel) takeAsyncGoto() (gotoTarget, bool) {
	v := c.Datastore(asyncGotoKey{})
	if v == nil {
		return gotoTarget{}, false
	}
	c.SetDatastore(asyncGotoKey{}, nil)
	c.ClearInterrupt()
	return v.(gotoTarget), true
}
