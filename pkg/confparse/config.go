package confparse

import (
	"fmt"
	"regexp"
	"strings"
)

// Variable is one "name = value" or "name => value" line of a category.
type Variable struct {
	Name      string
	Value     string
	Object    bool   // written with "=>" (Asterisk's object flag)
	File      string // file the line came from, relative to the config dir when inside it
	Line      int    // 1-based line number in File
	Inherited bool   // copied from a base category by "(base)" inheritance
}

// Pos returns "file:line" for messages.
func (v *Variable) Pos() string { return fmt.Sprintf("%s:%d", v.File, v.Line) }

// Category is one "[name]" section. Duplicate names are kept as separate
// categories, in file order, as Asterisk keeps them.
type Category struct {
	Name     string
	Template bool     // declared with "(!)": used as a base only, skipped by Browse
	Bases    []string // categories this one inherits from, in order
	Vars     []*Variable
	File     string
	Line     int

	// nextSame links categories of the same name (ASCII case-folded) in
	// file order; sameTail is kept on the first of them.
	nextSame, sameTail *Category
}

// Pos returns "file:line" of the category header.
func (c *Category) Pos() string { return fmt.Sprintf("%s:%d", c.File, c.Line) }

// Get returns the effective value of a variable: the last one with that name
// (ASCII case-insensitive), so that a category's own line overrides an
// inherited one. (Asterisk's ast_variable_retrieve returns the first; the
// typed configs built on this package apply lines in order, which makes the
// last one win as it does for chan_sip options.)
func (c *Category) Get(name string) (string, bool) {
	if v := c.Var(name); v != nil {
		return v.Value, true
	}
	return "", false
}

// Var is Get returning the variable itself (for its position).
func (c *Category) Var(name string) *Variable {
	for i := len(c.Vars) - 1; i >= 0; i-- {
		if asciiEqualFold(c.Vars[i].Name, name) {
			return c.Vars[i]
		}
	}
	return nil
}

// All returns every variable with that name, in order.
func (c *Category) All(name string) []*Variable {
	var out []*Variable
	for _, v := range c.Vars {
		if asciiEqualFold(v.Name, name) {
			out = append(out, v)
		}
	}
	return out
}

// Config is a parsed configuration file with everything it included. It is
// meant to be read, not changed, once Load returns: lookups use an index
// built while parsing.
type Config struct {
	File       string // top-level file name as loaded
	Categories []*Category
	// Files lists every file read, in the order they were read, named as
	// in positions (a #exec shows as "#exec <command>").
	Files []string

	// index maps an ASCII-lowercased name to the first category of that
	// name; nil for a Config built by hand.
	index map[string]*Category
}

func (c *Config) append(cat *Category) {
	c.Categories = append(c.Categories, cat)
	if c.index == nil {
		return
	}
	key := asciiLower(cat.Name)
	if first := c.index[key]; first != nil {
		first.sameTail.nextSame = cat
		first.sameTail = cat
		return
	}
	cat.sameTail = cat
	c.index[key] = cat
}

// eachNamed calls fn with the categories of that name in file order until
// fn returns true, and returns that category.
func (c *Config) eachNamed(name string, fn func(*Category) bool) *Category {
	if c.index != nil {
		for cat := c.index[asciiLower(name)]; cat != nil; cat = cat.nextSame {
			if fn(cat) {
				return cat
			}
		}
		return nil
	}
	for _, cat := range c.Categories {
		if asciiEqualFold(cat.Name, name) && fn(cat) {
			return cat
		}
	}
	return nil
}

// Browse returns the categories an Asterisk module would walk: every
// non-template category, duplicates included, in file order.
func (c *Config) Browse() []*Category {
	out := make([]*Category, 0, len(c.Categories))
	for _, cat := range c.Categories {
		if !cat.Template {
			out = append(out, cat)
		}
	}
	return out
}

// Category returns the first non-template category with that name, matched
// case-insensitively (ASCII only) as ast_category_get does, or nil.
func (c *Config) Category(name string) *Category {
	return c.eachNamed(name, func(cat *Category) bool { return !cat.Template })
}

// categoryGet finds a category the way a header's "(+filter)" or "(base)"
// does in Asterisk: the first one, in file order, with that name (any name
// when empty) that matches filter. An empty filter matches non-templates
// only; "TEMPLATES=include" admits templates, "TEMPLATES=restrict" only
// templates; any other "name=value" term (terms separated by sep) needs a
// variable whose name and value match those POSIX regular expressions.
func (p *parser) categoryGet(name, filter string, sep byte, file string, line int) *Category {
	match := func(cat *Category) bool { return !cat.Template }
	if filter != "" {
		terms := parseFilter(filter, sep)
		match = func(cat *Category) bool { return p.matchFilter(cat, terms, file, line) }
	}
	if name != "" {
		return p.cfg.eachNamed(name, match)
	}
	for _, cat := range p.cfg.Categories {
		if match(cat) {
			return cat
		}
	}
	return nil
}

type filterTerm struct {
	name, value string
	hasValue    bool
}

func parseFilter(filter string, sep byte) []filterTerm {
	var terms []filterTerm
	for _, t := range strings.Split(filter, string(sep)) {
		n, v, ok := strings.Cut(t, "=")
		if ok {
			// A second '=' ends the value.
			v, _, _ = strings.Cut(v, "=")
		}
		terms = append(terms, filterTerm{name: strip(n), value: strip(v), hasValue: ok})
	}
	return terms
}

func (p *parser) matchFilter(cat *Category, terms []filterTerm, file string, line int) bool {
	found, templateOK := 0, false
	for _, t := range terms {
		if !t.hasValue {
			break
		}
		if t.name == "TEMPLATES" {
			switch {
			case asciiEqualFold(t.value, "include"):
				templateOK = templateOK || cat.Template
				found++
			case asciiEqualFold(t.value, "restrict"):
				if !cat.Template {
					return false
				}
				found++
				templateOK = true
			}
			continue
		}
		rn, err := regexp.CompilePOSIX(t.name)
		if err != nil {
			p.add(Warning, file, line, "Regular expression '%s' failed to compile: %v", t.name, err)
			return false
		}
		rv, err := regexp.CompilePOSIX(t.value)
		if err != nil {
			p.add(Warning, file, line, "Regular expression '%s' failed to compile: %v", t.value, err)
			return false
		}
		for _, v := range cat.Vars {
			if rn.MatchString(v.Name) && rv.MatchString(v.Value) {
				found++
				break
			}
		}
	}
	return found == len(terms) && (!cat.Template || templateOK)
}

// asciiLower lowercases ASCII letters only, as strcasecmp compares; it
// returns s itself when there is nothing to change.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}

// asciiEqualFold is strcasecmp(a, b) == 0.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Severity of a Diagnostic.
type Severity int

const (
	Warning Severity = iota
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Diagnostic is a warning or error tied to a file and line.
type Diagnostic struct {
	File     string
	Line     int
	Severity Severity
	Message  string
}

func (d Diagnostic) String() string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", d.File, d.Line, d.Severity, d.Message)
	}
	return fmt.Sprintf("%s: %s: %s", d.File, d.Severity, d.Message)
}

// Error makes a Diagnostic usable as an error.
func (d Diagnostic) Error() string { return d.String() }

// Diagnostics is a list of findings with helpers.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Err returns the first error as an error value, or nil.
func (ds Diagnostics) Err() error {
	for _, d := range ds {
		if d.Severity == Error {
			return d
		}
	}
	return nil
}

// Warnf appends a warning at file:line. Loaders of module configs take it
// as their warn function (warn := diags.Warnf) so that every module words
// its diagnostics the same way.
func (ds *Diagnostics) Warnf(file string, line int, format string, args ...any) {
	*ds = append(*ds, Diagnostic{File: file, Line: line, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}
