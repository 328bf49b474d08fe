package confparse

import (
	"fmt"
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
}

// Pos returns "file:line" of the category header.
func (c *Category) Pos() string { return fmt.Sprintf("%s:%d", c.File, c.Line) }

// Get returns the effective value of a variable: the last one with that name
// (case-insensitive), so that a category's own line overrides an inherited one.
func (c *Category) Get(name string) (string, bool) {
	if v := c.Var(name); v != nil {
		return v.Value, true
	}
	return "", false
}

// Var is Get returning the variable itself (for its position).
func (c *Category) Var(name string) *Variable {
	for i := len(c.Vars) - 1; i >= 0; i-- {
		if strings.EqualFold(c.Vars[i].Name, name) {
			return c.Vars[i]
		}
	}
	return nil
}

// All returns every variable with that name, in order.
func (c *Category) All(name string) []*Variable {
	var out []*Variable
	for _, v := range c.Vars {
		if strings.EqualFold(v.Name, name) {
			out = append(out, v)
		}
	}
	return out
}

// Config is a parsed configuration file with everything it included.
type Config struct {
	File       string // top-level file name as loaded
	Categories []*Category
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
// case-insensitively as ast_category_get does, or nil.
func (c *Config) Category(name string) *Category {
	for _, cat := range c.Categories {
		if !cat.Template && strings.EqualFold(cat.Name, name) {
			return cat
		}
	}
	return nil
}

// Lookup returns the category (template or not) with that name that a new
// header would refer to: the most recent one.
func (c *Config) lookup(name string) *Category {
	for i := len(c.Categories) - 1; i >= 0; i-- {
		if strings.EqualFold(c.Categories[i].Name, name) {
			return c.Categories[i]
		}
	}
	return nil
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
