package pbx

// A caller's Dial cancels the legs it rings when the caller hangs up. An
// attended transfer's consultation is the exception: when the transferer
// hangs up while the target rings, Asterisk's blond transfer keeps the
// target ringing for the transferee. The module running the consultation
// sets a RingingTaker on the transferer; Dial offers it the one leg it
// rings before cancelling it.

// RingingTaker takes over a ringing leg whose caller hung up; false
// leaves it to Dial, which cancels it.
type RingingTaker func(leg *Channel) bool

type ringingTakerKey struct{}

// SetRingingTaker sets (nil: removes) the channel's RingingTaker.
func (c *Channel) SetRingingTaker(f RingingTaker) {
	if f == nil {
		c.SetDatastore(ringingTakerKey{}, nil)
		return
	}
	c.SetDatastore(ringingTakerKey{}, f)
}

// TakeRingingLeg offers leg to the channel's RingingTaker: true when it
// took it (the leg is no longer the caller's Dial's).
func (c *Channel) TakeRingingLeg(leg *Channel) bool {
	f, ok := c.Datastore(ringingTakerKey{}).(RingingTaker)
	return ok && f(leg)
}
