package dialplan

import (
	"sort"
	"sync/atomic"
	"time"
)

// Registrar is the module name Asterisk shows as the creator of everything
// loaded from extensions.conf and users.conf.
const Registrar = "pbx_config"

// PriorityHint is the priority number of a hint ("exten => 100,hint,SIP/100").
const PriorityHint = -1

// maxStack bounds how many contexts one search may visit through includes
// (Asterisk's AST_PBX_MAX_STACK).
const maxStack = 512

// Priority is one step of an extension.
type Priority struct {
	Context string
	Exten   string // extension name as written, blanks removed ("_6XXX", "100")
	CID     string // caller ID pattern when MatchCID
	// MatchCID is set for "exten => 100/2000,..." lines; an empty CID with
	// MatchCID matches calls without a caller ID only.
	MatchCID bool
	Number   int    // PriorityHint for a hint
	Label    string // "n(label)"; empty when none
	App      string // application name; for a hint, the device list
	Data     string // raw arguments, variables not substituted
	File     string // base name of the file, empty when generated (users.conf)
	Line     int
}

// Include is an "include => ctx[,timespec]" line.
type Include struct {
	Name    string // as written after substitution, timespec included
	Context string // the included context
	Timing  string // "times,weekdays,mdays,months[,tz]", empty when always
	timing  *timing
	file    string
	line    int
}

// Switch is a "switch => Tech/data" (or lswitch/eswitch) line.
type Switch struct {
	Name string
	Data string
	Eval bool // eswitch: substitute variables in Data at each lookup
}

// Global is one variable of [globals], raw as written (pkg/pbx substitutes
// variables when it sets them, in order, as pbx_config does).
type Global struct {
	Name  string
	Value string
	File  string // where it is set, for diagnostics
	Line  int
}

// General holds extensions.conf's [general] options.
type General struct {
	Static               bool
	WriteProtect         bool
	ClearGlobalVars      bool
	AutoFallthrough      bool // default true
	ExtenPatternMatchNew bool
	OverrideSwitch       string
	UsersContext         string // default "default"
}

// extension is every priority of one name (and caller ID pattern) in a
// context; aliases that sort equal ("_[12]X", "_[21]X") share one.
type extension struct {
	name     string // first name registered, as "dialplan show" prints it
	exten    string // name without '-' decoration, used for matching
	matchCID bool
	cid      string
	prios    []*Priority // ascending; a hint (-1) comes first
	labels   map[string]*Priority
}

func (e *extension) priority(n int) *Priority {
	i := sort.Search(len(e.prios), func(i int) bool { return e.prios[i].Number >= n })
	if i < len(e.prios) && e.prios[i].Number == n {
		return e.prios[i]
	}
	return nil
}

type context struct {
	name       string
	registrar  string
	autohints  bool
	exts       []*extension // in Asterisk's order, see extLess
	byKey      map[string]*extension
	includes   []Include
	ignorepats []string
	switches   []Switch
	idx        index
	flat       atomic.Pointer[matchTree] // built on first plain match, see tree
}

// Dialplan is a loaded extensions.conf (plus what users.conf generates).
// It never changes once built, so any number of goroutines may read it.
type Dialplan struct {
	contexts []*context // as "dialplan show" lists them: newest first
	byName   map[string]*context
	globals  []Global
	general  General
	now      func() time.Time // clock for time-restricted includes
}

// HasContext reports whether a context exists (names are case-sensitive,
// as Asterisk's context table is).
func (d *Dialplan) HasContext(name string) bool { _, ok := d.byName[name]; return ok }

// Contexts returns the context names in "dialplan show" order.
func (d *Dialplan) Contexts() []string {
	out := make([]string, len(d.contexts))
	for i, c := range d.contexts {
		out[i] = c.name
	}
	return out
}

// Globals returns the [globals] variables in file order.
func (d *Dialplan) Globals() []Global { return append([]Global(nil), d.globals...) }

// General returns the [general] options.
func (d *Dialplan) General() General { return d.general }

// Includes returns the includes of a context in order.
func (d *Dialplan) Includes(context string) []Include {
	if c := d.byName[context]; c != nil {
		return append([]Include(nil), c.includes...)
	}
	return nil
}

// Switches returns the alternative switches of a context in order.
func (d *Dialplan) Switches(context string) []Switch {
	if c := d.byName[context]; c != nil {
		return append([]Switch(nil), c.switches...)
	}
	return nil
}

// IgnorePatterns returns the ignorepat values of a context in order.
func (d *Dialplan) IgnorePatterns(context string) []string {
	if c := d.byName[context]; c != nil {
		return append([]string(nil), c.ignorepats...)
	}
	return nil
}

// Priorities returns every priority of a context in "dialplan show"
// order; useful for tools and tests.
func (d *Dialplan) Priorities(context string) []Priority {
	c := d.byName[context]
	if c == nil {
		return nil
	}
	var out []Priority
	for _, e := range c.exts {
		for _, p := range e.prios {
			out = append(out, *p)
		}
	}
	return out
}

// Stats counts contexts, extensions (a name with its caller ID pattern)
// and priorities (hints included), as the "dialplan show" summary does.
func (d *Dialplan) Stats() (contexts, extensions, priorities int) {
	for _, c := range d.contexts {
		contexts++
		extensions += len(c.exts)
		for _, e := range c.exts {
			priorities += len(e.prios)
		}
	}
	return
}

// extLess is the order of extensions inside a context: extCmp on the
// names, then for equal names those with a caller ID pattern first, those
// ordered by extCmp on the pattern.
func extCmpFull(a, b *extension) int {
	if c := extCmp(a.exten, b.exten); c != 0 {
		return c
	}
	switch {
	case a.matchCID && b.matchCID:
		return extCmp(a.cid, b.cid)
	case a.matchCID:
		return -1
	case b.matchCID:
		return 1
	}
	return 0
}

func extKey(exten string, matchCID bool, cid string) string {
	if !matchCID {
		return sortKey(exten)
	}
	return sortKey(exten) + "\x00/" + sortKey(cid)
}
