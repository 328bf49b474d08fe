package pbx

import "time"

// Asterisk 18's CDR engine writes one record per bridged pair: when a
// transfer takes a channel out of its bridge, its record with the old
// party ends there and a new one starts (the transferee's record
// continuing with the new party). A dialed leg that gets a dialplan of
// its own that way (its caller transferred it) writes its own records
// from then on.

type ownCDRKey struct{}

// splitCDR ends ch's running record at now, naming the party it was
// bridged with, and starts the next one for where the channel goes.
func (c *Channel) splitCDR(party string, dst, dcontext string) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cdr.Disabled {
		return
	}
	done := c.cdr
	done.Forks = nil
	if done.DstChannel == "" {
		done.DstChannel = party
	}
	done.End = now
	done.finish(now, CauseNormalClearing)
	forks := append(c.cdr.Forks, done)
	next := CDR{AMAFlags: c.cdr.AMAFlags, Start: now, Src: c.cdr.Src, Dst: dst, DContext: dcontext,
		LastApp: c.cdr.LastApp, LastData: c.cdr.LastData, Forks: forks,
		// The transferee's record continues with its new party, not with
		// the one its Dial named (DIALEDPEERNAME).
		partyNext: true}
	if c.state == StateUp {
		next.Answer = now
	}
	c.cdr = next
}

// adoptCDR starts the own record of a dialed leg that a transfer gave a
// dialplan: it begins now, at the place it was sent.
func (c *Channel) adoptCDR(dst, dcontext string) {
	now := time.Now()
	c.mu.Lock()
	c.cdr = CDR{AMAFlags: c.cdr.AMAFlags, Start: now, Src: c.caller.Num, Dst: dst, DContext: dcontext}
	if c.state == StateUp {
		c.cdr.Answer = now
	}
	c.mu.Unlock()
	c.SetDatastore(ownCDRKey{}, true)
}

// OwnsCDR reports whether a dialed leg writes its own CDR records (a
// transfer gave it a dialplan of its own).
func (c *Channel) OwnsCDR() bool { return c.Datastore(ownCDRKey{}) != nil }

// cdrAfterBridge applies the record rules once a bridge ended because
// one party was taken out of it alive (a transfer, a redirect).
func cdrAfterBridge(left, other *Channel) {
	loc, ok := left.pendingRedirect()
	if left.redirect.runs.Load() {
		dst, dctx := "", ""
		if ok {
			dst, dctx = loc.exten, loc.context
		} else {
			dctx, dst, _ = left.Location()
		}
		left.splitCDR(other.Name(), dst, dctx)
		return
	}
	if ok {
		left.adoptCDR(loc.exten, loc.context)
		return
	}
	if left.Datastore(handedOverKey{}) != nil {
		left.SetDatastore(handedOverKey{}, nil)
		left.adoptHandedOverCDR()
	}
}

// handedOverKey marks a dialed leg that Handover is taking to a new party
// as a transferee (an attended transfer by REFER with Replaces, or
// atxfer when the transferer was the caller).
type handedOverKey struct{}

// adoptHandedOverCDR starts the own record of a dialed leg taken out of
// its bridge to be bridged with a new party: Asterisk 18 writes the
// transferee's record with that party, the leg's fields being what Dial
// gave it (the dialed extension and context, AppDial).
func (c *Channel) adoptHandedOverCDR() {
	df, _ := c.Datastore(dialedFromKey{}).(dialedFrom)
	now := time.Now()
	c.mu.Lock()
	c.cdr = CDR{AMAFlags: c.cdr.AMAFlags, Start: now, Src: c.caller.Num, Dst: df.exten, DContext: df.context,
		LastApp: "AppDial", LastData: "(Outgoing Line)", partyNext: true}
	if c.state == StateUp {
		c.cdr.Answer = now
	}
	c.mu.Unlock()
	c.SetDatastore(ownCDRKey{}, true)
}

// pendingRedirect peeks at an AsyncGoto target not yet taken.
func (c *Channel) pendingRedirect() (location, bool) {
	c.redirect.mu.Lock()
	defer c.redirect.mu.Unlock()
	if c.redirect.pending == nil {
		return location{}, false
	}
	return *c.redirect.pending, true
}
