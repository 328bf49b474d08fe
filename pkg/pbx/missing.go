package pbx

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// MissingUse counts the calls a running dialplan made to one application
// or function this build does not have. "gostrisk check" finds them in the
// configuration; these counts say which of them calls really reach, and
// how often, so an admin knows what to fix first.
type MissingUse struct {
	Name  string
	Count int64
	// Last is where the last call came from, as "exten@context:priority".
	Last string
}

// missingUses is the engine's table of missing applications and functions.
type missingUses struct {
	mu    sync.Mutex
	apps  map[string]*MissingUse // by lower-case name
	funcs map[string]*MissingUse // by name as written
}

func (m *missingUses) add(app bool, name, context, exten string, prio int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	tab, key := &m.funcs, name
	if app {
		tab, key = &m.apps, strings.ToLower(name)
	}
	if *tab == nil {
		*tab = map[string]*MissingUse{}
	}
	u := (*tab)[key]
	if u == nil {
		u = &MissingUse{Name: name}
		(*tab)[key] = u
	}
	u.Count++
	if context != "" || exten != "" {
		u.Last = fmt.Sprintf("%s@%s:%d", exten, context, prio)
	}
}

func (m *missingUses) list(app bool) []MissingUse {
	m.mu.Lock()
	tab := m.funcs
	if app {
		tab = m.apps
	}
	out := make([]MissingUse, 0, len(tab))
	for _, u := range tab {
		out = append(out, *u)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// MissingApps returns the applications the dialplan called that are not
// registered, with how many times, sorted by name.
func (e *Engine) MissingApps() []MissingUse { return e.missing.list(true) }

// MissingFunctions returns the functions the dialplan read or wrote that
// are not registered, with how many times, sorted by name.
func (e *Engine) MissingFunctions() []MissingUse { return e.missing.list(false) }

// errorLogger is the logger's optional ERROR level (pkg/logger has it).
type errorLogger interface {
	Error(format string, args ...any)
}

// missingFunction logs Asterisk's line for a call to a function nobody
// registered (pbx_functions.c logs it at ERROR) and counts it.
func (e *Engine) missingFunction(ch *Channel, name string) {
	if el, ok := e.log.(errorLogger); ok {
		el.Error("Function %s not registered\n", name)
	} else {
		e.log.Warning("Function %s not registered\n", name)
	}
	var dpc, exten string
	var prio int
	if ch != nil {
		dpc, exten, prio = ch.Location()
	}
	e.missing.add(false, name, dpc, exten, prio)
}

// notRegisteredError is ReadFunction's error for a function nobody
// registered. missingFunction has logged Asterisk's line already, so the
// substitution does not warn about it again (AlreadyLogged).
type notRegisteredError struct{ name string }

func (e notRegisteredError) Error() string       { return "function " + e.name + " not registered" }
func (e notRegisteredError) AlreadyLogged() bool { return true }
