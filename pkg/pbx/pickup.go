package pbx

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Call groups and pickup groups (chan_sip's callgroup, pickupgroup,
// namedcallgroup, namedpickupgroup): a channel may pick up a ringing one
// when one of its pickup groups is one of the other's call groups.

// Groups are a channel's numbered groups (bits 0-63) and named ones.
type Groups struct {
	Call, Pickup           uint64
	NamedCall, NamedPickup []string
}

// GroupsDriver is implemented by drivers whose channels have groups
// (chan_sip takes them from the peer).
type GroupsDriver interface {
	Groups() Groups
}

// ParseGroups reads a group list as ast_get_group does: numbers 0-63 and
// ranges, separated by commas ("1,3-5"). Bad items are skipped.
func ParseGroups(s string) uint64 {
	var g uint64
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(item, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				continue
			}
		}
		for i := max(a, 0); i <= b && i < 64; i++ {
			g |= 1 << uint(i)
		}
	}
	return g
}

// ParseNamedGroups reads a named group list ("sales,support").
func ParseNamedGroups(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Groups returns the channel's groups (none when its driver has none).
func (c *Channel) Groups() Groups {
	if g, ok := c.driver.(GroupsDriver); ok {
		return g.Groups()
	}
	return Groups{}
}

// mayPickUp reports whether picker's pickup groups meet target's call
// groups.
func mayPickUp(picker, target Groups) bool {
	if picker.Pickup&target.Call != 0 {
		return true
	}
	for _, a := range picker.NamedPickup {
		for _, b := range target.NamedCall {
			if a == b {
				return true
			}
		}
	}
	return false
}

// pickupState is what a pickup leaves on its target: the channel that
// takes its place for the Dial that rings it.
type pickupState struct {
	mu sync.Mutex
	by *Channel
}

type pickupKey struct{}

// ErrNotPickable is PickUp's answer for a channel that does not ring (or
// is being picked up already).
var ErrNotPickable = errors.New("channel cannot be picked up")

// CanPickUp reports whether c is a dialed leg that rings and is not
// being picked up: Asterisk's ast_can_pickup.
func (c *Channel) CanPickUp() bool {
	return c.rings() && c.Datastore(pickupKey{}) == nil
}

type dialedFromKey struct{}

// dialedFrom is where the Dial that created a leg ran.
type dialedFrom struct{ context, exten string }

// SetDialedFrom records, on a leg Dial creates, the context and extension
// its caller dialed from: directed pickup (Pickup(exten@context)) finds
// ringing legs by them, as Asterisk's dialcontext and exten.
func (c *Channel) SetDialedFrom(context string, caller *Channel) {
	_, exten, _ := caller.Location()
	c.SetDatastore(dialedFromKey{}, dialedFrom{context, exten})
}

// FindPickupByExten returns the longest ringing leg dialed from
// exten@context, nil when none.
func (e *Engine) FindPickupByExten(picker *Channel, exten, context string) *Channel {
	var best *Channel
	for _, ch := range e.Channels() {
		df, ok := ch.Datastore(dialedFromKey{}).(dialedFrom)
		if ch == picker || !ok || df.exten != exten || df.context != context || !ch.CanPickUp() {
			continue
		}
		if best == nil || ch.Created().Before(best.Created()) {
			best = ch
		}
	}
	return best
}

// PickUp answers picker and gives it the place of the ringing target in
// the Dial that rings it: that Dial sees an answer, hangs target up
// (answered elsewhere) and bridges its caller with picker, which it then
// owns. The picker's own owner waits for picker's Done.
func (c *Channel) PickUp(picker *Channel) error {
	st := &pickupState{by: picker}
	ok := false
	c.UpdateDatastore(pickupKey{}, func(old any) any {
		if old != nil {
			return old
		}
		ok = true
		return st
	})
	if !ok || !c.rings() {
		if ok {
			c.SetDatastore(pickupKey{}, nil)
		}
		return ErrNotPickable
	}
	if err := picker.Answer(); err != nil {
		c.SetDatastore(pickupKey{}, nil)
		return err
	}
	picker.SetConnected(c.Connected())
	c.post(Event{Kind: EventAnswer})
	return nil
}

// rings is CanPickUp without the check that no pickup is under way
// (PickUp has just claimed it).
func (c *Channel) rings() bool {
	if !c.Outbound() || c.HangupRequested() || c.Gone() {
		return false
	}
	switch c.State() {
	case StateRinging, StateRing, StateDown:
		return true
	}
	return false
}

// PickedUpBy returns the channel that picked c up, nil when none: Dial
// asks it when a leg reports its answer.
func (c *Channel) PickedUpBy() *Channel {
	if st, ok := c.Datastore(pickupKey{}).(*pickupState); ok {
		return st.by
	}
	return nil
}

// FindPickupTarget returns the ringing channel picker may pick up by
// group, the longest ringing first, nil when none.
func (e *Engine) FindPickupTarget(picker *Channel) *Channel {
	pg := picker.Groups()
	if pg.Pickup == 0 && len(pg.NamedPickup) == 0 {
		return nil
	}
	var cands []*Channel
	for _, ch := range e.Channels() {
		if ch == picker || !ch.CanPickUp() || !mayPickUp(pg, ch.Groups()) {
			continue
		}
		cands = append(cands, ch)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Created().Before(cands[j].Created()) })
	if len(cands) == 0 {
		return nil
	}
	return cands[0]
}
