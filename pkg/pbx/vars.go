package pbx

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// variable is one channel or global variable. name has no leading
// underscores; inherit says how many it was set with (1: copied to the
// channels this one dials, 2: copied on and on).
type variable struct {
	name    string
	value   string
	inherit int
}

// varList keeps variables newest first, the order Asterisk lists them in.
type varList []variable

func splitInherit(name string) (string, int) {
	switch {
	case strings.HasPrefix(name, "__"):
		return name[2:], 2
	case strings.HasPrefix(name, "_"):
		return name[1:], 1
	}
	return name, 0
}

func (l varList) get(name string) (string, bool) {
	name, _ = splitInherit(name)
	for _, v := range l {
		if v.name == name {
			return v.value, true
		}
	}
	return "", false
}

// set replaces or removes (when del) a variable; a new value goes first.
func (l varList) set(name, value string, del bool) varList {
	bare, inh := splitInherit(name)
	out := l[:0:0]
	for _, v := range l {
		if v.name != bare {
			out = append(out, v)
		}
	}
	if del {
		return out
	}
	return append(varList{{name: bare, value: value, inherit: inh}}, out...)
}

// Var returns a channel variable (not the built-ins; see Env).
func (c *Channel) Var(name string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.vars.get(name)
}

// SetVar sets a channel variable; a leading _ or __ marks it inherited by
// the channels Dial creates from this one. An empty value is stored, as
// Set(FOO=) does in Asterisk.
func (c *Channel) SetVar(name, value string) {
	c.mu.Lock()
	c.vars = c.vars.set(name, value, false)
	c.mu.Unlock()
	if c.eng != nil && c.eng.bus.Wants(BusVarSet) {
		c.eng.bus.Publish(BusEvent{Type: BusVarSet, Channel: c, Variable: name, Value: value})
	}
}

// UnsetVar removes a channel variable.
func (c *Channel) UnsetVar(name string) {
	c.mu.Lock()
	c.vars = c.vars.set(name, "", true)
	c.mu.Unlock()
}

// Vars returns the channel variables newest first as NAME=value, with the
// inheritance underscores, as `core show channel` lists them.
func (c *Channel) Vars() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]string, 0, len(c.vars))
	for _, v := range c.vars {
		out = append(out, strings.Repeat("_", v.inherit)+v.name+"="+v.value)
	}
	return out
}

// InheritVars copies the parent's inheritable variables: __VAR stays
// __VAR, _VAR becomes a plain VAR on the child.
func (c *Channel) InheritVars(parent *Channel) {
	parent.mu.RLock()
	var inh []variable
	for i := len(parent.vars) - 1; i >= 0; i-- { // oldest first keeps the order
		if v := parent.vars[i]; v.inherit > 0 {
			inh = append(inh, v)
		}
	}
	parent.mu.RUnlock()
	c.mu.Lock()
	for _, v := range inh {
		name := v.name
		if v.inherit == 2 {
			name = "__" + name
		}
		c.vars = c.vars.set(name, v.value, false)
	}
	c.mu.Unlock()
	c.inheritDatastores(parent) // funcsupport.go
}

// globals are the dialplan's global variables.
type globals struct {
	mu   sync.RWMutex
	list varList
}

// Global is one global variable.
type Global struct{ Name, Value string }

// GlobalVar returns a global variable.
func (e *Engine) GlobalVar(name string) (string, bool) {
	e.globals.mu.RLock()
	defer e.globals.mu.RUnlock()
	return e.globals.list.get(name)
}

// SetGlobalVar sets (or with an empty value, keeps empty) a global variable.
func (e *Engine) SetGlobalVar(name, value string) {
	e.globals.mu.Lock()
	e.globals.list = e.globals.list.set(name, value, false)
	e.globals.mu.Unlock()
}

// Globals returns the global variables, most recently set first.
func (e *Engine) Globals() []Global {
	e.globals.mu.RLock()
	defer e.globals.mu.RUnlock()
	out := make([]Global, 0, len(e.globals.list))
	for _, v := range e.globals.list {
		out = append(out, Global{v.name, v.value})
	}
	return out
}

// ReplaceGlobals drops every global variable and sets the given ones in
// order, as a dialplan (re)load does with [globals]: each value is
// substituted first, so a global may use the ones set before it.
func (e *Engine) ReplaceGlobals(gs []Global) {
	e.globals.mu.Lock()
	e.globals.list = nil
	e.globals.mu.Unlock()
	for _, g := range gs {
		e.SetGlobalVar(g.Name, e.Substitute(nil, g.Value))
	}
}

// Env is what expression substitution reads: variables and functions. It
// has the same method set as pbx/expr.Env.
type Env interface {
	Var(name string) (string, bool)
	Func(name, args string) (string, error)
}

// channelEnv resolves names for one channel.
type channelEnv struct {
	e  *Engine
	ch *Channel
}

// Env returns the substitution environment of a channel: built-in
// variables, then channel variables, then globals, and the registered
// functions.
func (e *Engine) Env(ch *Channel) Env { return channelEnv{e, ch} }

func (env channelEnv) Var(name string) (string, bool) {
	ch := env.ch
	if ch != nil {
		if v, ok := env.builtin(name); ok {
			return v, true
		}
		if v, ok := ch.Var(name); ok {
			return v, true
		}
	}
	return env.e.GlobalVar(name)
}

func (env channelEnv) builtin(name string) (string, bool) {
	ch := env.ch
	switch name {
	case "EXTEN":
		_, x, _ := ch.Location()
		return x, true
	case "CONTEXT":
		c, _, _ := ch.Location()
		return c, true
	case "PRIORITY":
		_, _, p := ch.Location()
		return strconv.Itoa(p), true
	case "CHANNEL":
		return ch.Name(), true
	case "UNIQUEID":
		return ch.UniqueID(), true
	case "EPOCH":
		return strconv.FormatInt(time.Now().Unix(), 10), true
	case "HANGUPCAUSE":
		return strconv.Itoa(ch.HangupCause()), true
	case "LANGUAGE":
		return ch.Language(), true
	case "ACCOUNTCODE":
		return ch.AccountCode(), true
	case "DIALSTATUS":
		// an unset DIALSTATUS reads as empty, not as a global
		v, _ := ch.Var("DIALSTATUS")
		return v, true
	}
	return "", false
}

func (env channelEnv) Func(name, args string) (string, error) {
	return env.e.ReadFunction(env.ch, name, args)
}

// Substitute expands ${...} and $[...] in s for a channel.
func (e *Engine) Substitute(ch *Channel, s string) string {
	if e.subst == nil || !strings.Contains(s, "$") {
		return s
	}
	return e.subst(s, e.Env(ch))
}
