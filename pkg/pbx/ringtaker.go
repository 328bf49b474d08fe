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

// RingingKey is what a key the caller presses while its Dial rings does:
// the attended transfer's atxferabort and atxfercomplete work while the
// target rings.
type RingingKey int

const (
	RingingKeyNone   RingingKey = iota // nothing (yet): Dial rings on
	RingingKeyCancel                   // Dial cancels its legs and returns CANCEL
	RingingKeyTake                     // the ringing leg goes to the RingingTaker, as when the caller hangs up
)

type ringingKeysKey struct{}

// SetRingingKeys sets (nil: removes) what the caller's keys do while its
// Dial rings; Dial reads the caller's keys only when one is set (or with
// its d option).
func (c *Channel) SetRingingKeys(f func(digit rune) RingingKey) {
	if f == nil {
		c.SetDatastore(ringingKeysKey{}, nil)
		return
	}
	c.SetDatastore(ringingKeysKey{}, f)
}

// RingingKeys returns the channel's SetRingingKeys function, nil when none.
func (c *Channel) RingingKeys() func(digit rune) RingingKey {
	f, _ := c.Datastore(ringingKeysKey{}).(func(digit rune) RingingKey)
	return f
}
