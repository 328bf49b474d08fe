package pbx

import "strconv"

// This file holds what the dialplan functions of pkg/funcs need from the
// engine beyond its variables and channels: GLOBAL_DELETE, STACK_PEEK and
// EVAL_EXTEN.

// UnsetGlobalVar removes a global variable (GLOBAL_DELETE, DELETE without
// a channel).
func (e *Engine) UnsetGlobalVar(name string) {
	e.globals.mu.Lock()
	e.globals.list = e.globals.list.set(name, "", true)
	e.globals.mu.Unlock()
}

// StackFrames returns a copy of the channel's Gosub frames, innermost
// first.
func (c *Channel) StackFrames() []Frame {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]Frame, len(c.stack))
	for i := range c.stack {
		out[len(c.stack)-1-i] = c.stack[i]
	}
	return out
}

// SubstituteAt expands s for ch as if the channel were at
// context,exten,priority: ${CONTEXT}, ${EXTEN} and ${PRIORITY} read that
// location (pbx_substitute_variables_helper_full_location, EVAL_EXTEN).
func (e *Engine) SubstituteAt(ch *Channel, s, context, exten string, priority int) string {
	if e.subst == nil {
		return s
	}
	return e.subst(s, locationEnv{channelEnv{e, ch}, context, exten, priority})
}

type locationEnv struct {
	channelEnv
	context, exten string
	priority       int
}

func (env locationEnv) Var(name string) (string, bool) {
	switch name {
	case "CONTEXT":
		return env.context, true
	case "EXTEN":
		return env.exten, true
	case "PRIORITY":
		return strconv.Itoa(env.priority), true
	}
	return env.channelEnv.Var(name)
}

type holdInterceptKey struct{}

// SetHoldIntercept turns HOLD_INTERCEPT on or off for c: while on, a hold
// or unhold of the party c is bridged with is not acted on for c (no
// music, nothing passed on); a Hold or Unhold event names c instead,
// for whoever handles it (func_holdintercept.c's framehook).
func (c *Channel) SetHoldIntercept(on bool) {
	if on {
		c.SetDatastore(holdInterceptKey{}, true)
	} else {
		c.SetDatastore(holdInterceptKey{}, nil)
	}
}

// HoldIntercepted reports whether HOLD_INTERCEPT is set on c.
func (c *Channel) HoldIntercepted() bool { return c.Datastore(holdInterceptKey{}) != nil }

// PublishHoldIntercepted publishes the Hold (held) or Unhold event of an
// intercepted hold, naming c.
func (c *Channel) PublishHoldIntercepted(held bool, class string) {
	if c.eng == nil {
		return
	}
	if held {
		c.eng.bus.Publish(BusEvent{Type: BusHold, Channel: c, MusicClass: class})
	} else {
		c.eng.bus.Publish(BusEvent{Type: BusUnhold, Channel: c})
	}
}

// InheritedDatastore is a datastore value that channels dialed from its
// channel get a copy of (Asterisk's datastore inheritance, e.g. FEATURE's
// with inherit=yes): Inherit returns the child's value, nil for none.
type InheritedDatastore interface {
	Inherit() any
}

// inheritDatastores copies the parent's inherited datastores to c, as
// Dial does with ast_channel_datastore_inherit.
func (c *Channel) inheritDatastores(parent *Channel) {
	parent.mu.RLock()
	var keys, vals []any
	for k, v := range parent.stores {
		if in, ok := v.(InheritedDatastore); ok {
			keys, vals = append(keys, k), append(vals, in)
		}
	}
	parent.mu.RUnlock()
	for i, k := range keys {
		if v := vals[i].(InheritedDatastore).Inherit(); v != nil {
			c.SetDatastore(k, v)
		}
	}
}
