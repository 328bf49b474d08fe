package manager

import "strings"

// Perm is a set of manager classes (Asterisk's EVENT_FLAG_* bits): what a
// user may read (events) and write (actions).
type Perm uint32

// The classes, with Asterisk's bit values.
const (
	PermSystem Perm = 1 << iota
	PermCall
	PermLog
	PermVerbose
	PermCommand
	PermAgent
	PermUser
	PermConfig
	PermDTMF
	PermReporting
	PermCDR
	PermDialplan
	PermOriginate
	PermAGI
	PermHookResponse
	PermCC
	PermAOC
	PermTest
	PermSecurity
	PermMessage
)

// PermAll is every class ("all").
const PermAll Perm = 1<<20 - 1

// permNames are the class names in Asterisk's order (authority_to_str
// prints them in it).
var permNames = []struct {
	p    Perm
	name string
}{
	{PermSystem, "system"}, {PermCall, "call"}, {PermLog, "log"}, {PermVerbose, "verbose"},
	{PermCommand, "command"}, {PermAgent, "agent"}, {PermUser, "user"}, {PermConfig, "config"},
	{PermDTMF, "dtmf"}, {PermReporting, "reporting"}, {PermCDR, "cdr"}, {PermDialplan, "dialplan"},
	{PermOriginate, "originate"}, {PermAGI, "agi"}, {PermCC, "cc"}, {PermAOC, "aoc"},
	{PermTest, "test"}, {PermSecurity, "security"}, {PermMessage, "message"},
}

// ParsePerm reads a read=/write= list ("system,call,log"); unknown names
// are returned so the loader can warn about them. "all" sets every
// class, "none" none.
func ParsePerm(s string) (p Perm, unknown []string) {
	for _, w := range strings.Split(s, ",") {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		switch w {
		case "all":
			p = PermAll
			continue
		case "none":
			continue
		}
		found := false
		for _, n := range permNames {
			if n.name == w {
				p |= n.p
				found = true
				break
			}
		}
		if !found {
			unknown = append(unknown, w)
		}
	}
	return p, unknown
}

// String is the class list as Asterisk prints it in an event's
// Privilege line: the names of the set classes, then "all" when any is
// set ("call,all"); "<none>" for none.
func (p Perm) String() string {
	if p == 0 {
		return "<none>"
	}
	var b strings.Builder
	for _, n := range permNames {
		if p&n.p != 0 {
			b.WriteString(n.name)
			b.WriteByte(',')
		}
	}
	b.WriteString("all")
	return b.String()
}

// UserString is a user's class list as "manager show user" prints it
// (user_authority_to_str): only the classes set, with "all" when every
// one is; "<none>" for none.
func (p Perm) UserString() string {
	var names []string
	for _, n := range permNames {
		if p&n.p == n.p {
			names = append(names, n.name)
		}
	}
	if p&PermAll == PermAll {
		names = append(names, "all")
	}
	if len(names) == 0 {
		return "<none>"
	}
	return strings.Join(names, ",")
}
