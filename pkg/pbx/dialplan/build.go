package dialplan

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// builder carries the state of one load, as pbx_config's loader does.
type builder struct {
	d     *Dialplan
	diags confparse.Diagnostics
	vars  map[string]string // globals, for substitution in names
	order []*context        // creation order
}

// Build turns extensions.conf (and users.conf, which may be nil) into a
// dialplan, the way Asterisk 18's pbx_config loads them. Problems come back
// as diagnostics worded as Asterisk logs them, with Asterisk's severity;
// like Asterisk, Build skips the offending line and keeps the rest, so the
// returned Dialplan is always usable.
func Build(ext *confparse.Config, users *confparse.Config) (*Dialplan, confparse.Diagnostics) {
	b := &builder{
		d: &Dialplan{
			byName:  map[string]*context{},
			general: General{AutoFallthrough: true, UsersContext: "default"},
			now:     time.Now,
		},
		vars: map[string]string{},
	}
	if ext != nil {
		b.loadExtensions(ext)
	}
	if users != nil {
		b.loadUsers(users)
	}
	b.finish()
	return b.d, b.diags
}

func (b *builder) warn(file string, line int, format string, args ...any) {
	b.diags = append(b.diags, confparse.Diagnostic{File: file, Line: line, Severity: confparse.Warning, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) error(file string, line int, format string, args ...any) {
	b.diags = append(b.diags, confparse.Diagnostic{File: file, Line: line, Severity: confparse.Error, Message: fmt.Sprintf(format, args...)})
}

// first is ast_variable_retrieve on one category: the first line wins.
func first(cat *confparse.Category, name string) (string, bool) {
	if cat == nil {
		return "", false
	}
	for _, v := range cat.Vars {
		if strings.EqualFold(v.Name, name) {
			return v.Value, true
		}
	}
	return "", false
}

func (b *builder) context(name string) *context {
	if c, ok := b.d.byName[name]; ok {
		return c
	}
	c := &context{name: name, registrar: Registrar, byKey: map[string]*extension{}}
	b.d.byName[name] = c
	b.order = append(b.order, c)
	return c
}

func (b *builder) loadExtensions(cfg *confparse.Config) {
	g := &b.d.general
	gen := cfg.Category("general")
	if v, ok := first(gen, "static"); ok {
		g.Static = confparse.True(v)
	}
	if v, ok := first(gen, "writeprotect"); ok {
		g.WriteProtect = confparse.True(v)
	}
	if v, ok := first(gen, "autofallthrough"); ok {
		g.AutoFallthrough = confparse.True(v)
	}
	if v, ok := first(gen, "extenpatternmatchnew"); ok {
		g.ExtenPatternMatchNew = confparse.True(v)
	}
	if v, ok := first(gen, "clearglobalvars"); ok {
		g.ClearGlobalVars = confparse.True(v)
	}
	if v, ok := first(gen, "overrideswitch"); ok {
		g.OverrideSwitch = v
	}
	if v, ok := first(gen, "userscontext"); ok {
		g.UsersContext = v
	}
	if gen != nil {
		// pbx_config ignores anything else in [general] without a word;
		// say it, so a misspelt option does not go unnoticed.
		for _, v := range gen.Vars {
			switch strings.ToLower(v.Name) {
			case "static", "writeprotect", "autofallthrough", "extenpatternmatchnew", "clearglobalvars", "overrideswitch", "userscontext":
			default:
				b.warn(v.File, v.Line, "Unknown option '%s' in [general] of extensions.conf, ignored", v.Name)
			}
		}
	}

	cats := cfg.Browse()
	// Every [globals] section counts, in order, before any context.
	for _, cat := range cats {
		if !strings.EqualFold(cat.Name, "globals") {
			continue
		}
		for _, v := range cat.Vars {
			b.d.globals = append(b.d.globals, Global{Name: v.Name, Value: v.Value, File: v.File, Line: v.Line})
			b.vars[v.Name] = b.subst(v.Value, nil)
		}
	}
	for _, cat := range cats {
		if strings.EqualFold(cat.Name, "general") || strings.EqualFold(cat.Name, "globals") {
			continue
		}
		b.loadContext(cat)
	}
}

func (b *builder) loadContext(cat *confparse.Category) {
	con := b.context(cat.Name)
	lastExt := ""
	lastPri := -2
	for _, v := range cat.Vars {
		file := v.File
		if file == "" {
			file = "extensions.conf"
		}
		name := strings.ToLower(v.Name)
		switch {
		case strings.HasPrefix(name, "same"):
			if lastExt == "" {
				b.error(file, v.Line, "No previous pattern in the first entry of context '%s' to match '%s' at line %d of %s!", cat.Name, v.Name, v.Line, file)
				continue
			}
			b.addLine(con, v, file, lastExt, v.Value, &lastPri)
		case name == "exten":
			ext, rest := splitExten(v.Value)
			real := b.subst(ext, nil)
			lastExt = real
			b.addLine(con, v, file, real, rest, &lastPri)
		case name == "include":
			val := b.subst(v.Value, nil)
			inc := newInclude(val)
			inc.file, inc.line = file, v.Line
			dup := false
			for _, i := range con.includes {
				if strings.EqualFold(i.Name, inc.Name) {
					dup = true
					break
				}
			}
			if dup {
				b.warn(file, v.Line, "Context '%s' already included in '%s' context on include at line %d of %s", v.Value, cat.Name, v.Line, file)
				continue
			}
			con.includes = append(con.includes, inc)
		case name == "ignorepat":
			val := b.subst(v.Value, nil)
			dup := false
			for _, p := range con.ignorepats {
				if strings.EqualFold(p, val) {
					dup = true
					break
				}
			}
			if dup {
				b.warn(file, v.Line, "Unable to include ignorepat '%s' in context '%s' at line %d of %s", v.Value, cat.Name, v.Line, file)
				continue
			}
			con.ignorepats = append(con.ignorepats, val)
		case name == "switch" || name == "lswitch" || name == "eswitch":
			val := v.Value
			if name == "switch" {
				val = b.subst(val, nil)
			}
			sw := Switch{Eval: name == "eswitch"}
			sw.Name, sw.Data, _ = strings.Cut(val, "/")
			dup := false
			for _, s := range con.switches {
				if strings.EqualFold(s.Name, sw.Name) && strings.EqualFold(s.Data, sw.Data) {
					dup = true
					break
				}
			}
			if dup {
				b.warn(file, v.Line, "Unable to include switch '%s' in context '%s' at line %d of %s", v.Value, cat.Name, v.Line, file)
				continue
			}
			con.switches = append(con.switches, sw)
		case name == "autohints":
			con.autohints = confparse.True(v.Value)
		default:
			b.warn(file, v.Line, "==!!== Unknown directive: %s at line %d of %s -- IGNORING!!!", v.Name, v.Line, file)
		}
	}
}

// splitExten cuts the extension name off an "exten =>" value. A ',' inside
// a character set does not end the name, and '\' protects the next byte.
func splitExten(s string) (ext, rest string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '\\':
			i++
		case ',':
			if depth == 0 {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// addLine handles the part of an exten/same line after the name:
// "priority[(label)][+offset],App(data)".
func (b *builder) addLine(con *context, v *confparse.Variable, file, realExt, rest string, lastPri *int) {
	ext, cid, matchCID := realExt, "", false
	if i := strings.IndexByte(ext, '/'); i >= 0 {
		ext, cid, matchCID = ext[:i], shrinkPhone(ext[i+1:]), true
	}
	pri, appl, _ := strings.Cut(rest, ",")
	pri = strings.TrimSpace(pri)
	label := ""
	if i := strings.IndexByte(pri, '('); i >= 0 {
		l := pri[i+1:]
		pri = pri[:i]
		j := strings.IndexByte(l, ')')
		if j < 0 {
			b.error(file, v.Line, "Label missing trailing ')' at line %d of %s", v.Line, file)
			return
		}
		label = l[:j]
	}
	plus, hasPlus := "", false
	if i := strings.IndexByte(pri, '+'); i >= 0 {
		pri, plus, hasPlus = pri[:i], pri[i+1:], true
	}
	var ipri int
	switch {
	case pri == "hint":
		ipri = PriorityHint
	case pri == "next" || pri == "n":
		if *lastPri <= -2 {
			b.error(file, v.Line, "Can't use 'next' priority on the first entry at line %d of %s!", v.Line, file)
			return
		}
		ipri = *lastPri + 1
	case pri == "same" || pri == "s":
		if *lastPri <= -2 {
			b.error(file, v.Line, "Can't use 'same' priority on the first entry at line %d of %s!", v.Line, file)
			return
		}
		ipri = *lastPri
	default:
		n, ok := scanInt(pri)
		if !ok {
			n = con.findLabelWhileBuilding(cleanName(ext, true), pri, cid, matchCID)
			if n < 1 {
				b.error(file, v.Line, "Invalid priority/label '%s' at line %d of %s", pri, v.Line, file)
				return
			}
		} else if n < 1 {
			b.error(file, v.Line, "Invalid priority '%s' at line %d of %s", pri, v.Line, file)
			return
		}
		ipri = n
	}

	app, data, closed := splitApp(appl)
	if !closed {
		b.error(file, v.Line, "No closing parenthesis found? '%s(%s' at line %d of %s", app, data, v.Line, file)
	}
	app = skipBlanks(app)

	if ipri == 0 {
		// "n" right after a hint gives priority 0, which Asterisk drops
		// without a word; say so.
		b.warn(file, v.Line, "Priority 0 for '%s' is not registered (a 'n' priority right after a hint?) at line %d of %s", ext, v.Line, file)
		return
	}
	if hasPlus {
		ipri += atoi(plus)
	}
	*lastPri = ipri
	if ext == "_." || ext == "_!" {
		b.warn(file, v.Line, "The use of '%s' for an extension is strongly discouraged and can have unexpected behavior.  Please use '_X%c' instead at line %d of %s", ext, ext[1], v.Line, file)
	}
	p := &Priority{Context: con.name, CID: cid, MatchCID: matchCID, Number: ipri, Label: label, App: app, Data: data, File: path.Base(file), Line: v.Line}
	if !b.add(con, ext, p, file, v.Line) {
		b.warn(file, v.Line, "Unable to register extension at line %d of %s", v.Line, file)
	}
}

// splitApp separates "App(data)": the name ends at the first '(' and the
// data at the last ')'. Without '(' the whole text is the application
// (Asterisk 18 no longer splits "App,arg"), and a '(' after "${" or "$["
// belongs to an expression, not to an argument list.
func splitApp(s string) (app, data string, closed bool) {
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return s, "", true
	}
	app = s[:i]
	if strings.Contains(app, "${") || strings.Contains(app, "$[") {
		return s, "", true
	}
	data = s[i+1:]
	j := strings.LastIndexByte(data, ')')
	if j < 0 {
		return app, data, false
	}
	return app, data[:j], true
}

// skipBlanks drops leading control characters and blanks.
func skipBlanks(s string) string {
	i := 0
	for i < len(s) && s[i] < 33 {
		i++
	}
	return s[i:]
}

// scanInt reads a leading decimal integer as C's sscanf("%d") does.
func scanInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	j := 0
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	k := j
	for k < len(s) && k-j < 30 && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, false
	}
	n, err := strconv.Atoi(s[:k])
	if err != nil {
		return 0, false
	}
	return n, true
}

// atoi is C's atoi: a leading integer or 0.
func atoi(s string) int {
	n, _ := scanInt(s)
	return n
}

// findLabelWhileBuilding resolves "exten => 100,label+1,..." against what
// the context holds so far, in Asterisk's order.
func (c *context) findLabelWhileBuilding(exten, label, cid string, haveCID bool) int {
	var best *extension
	for _, e := range c.byKey {
		if matchExten(e.exten, exten, modeMatch) == 0 {
			continue
		}
		if e.matchCID && !cidMatches(e.cid, cid) {
			continue
		}
		if e.labels[label] == nil {
			continue
		}
		if best == nil || extCmpFull(e, best) < 0 {
			best = e
		}
	}
	if best == nil {
		return -1
	}
	return best.labels[label].Number
}

// add registers one priority, with pbx.c's rules for duplicates. It
// reports false when the priority was refused.
func (b *builder) add(con *context, rawExt string, p *Priority, file string, line int) bool {
	if rawExt == "" {
		b.error(file, line, "You have to be kidding-- add exten '' to context %s? Figure out a name and call me back. Action ignored.", con.name)
		return false
	}
	if p.Number == PriorityHint && strings.Contains(p.App, "${") && !strings.HasPrefix(rawExt, "_") {
		p.App = b.subst(p.App, map[string]string{"EXTEN": rawExt, "CONTEXT": con.name})
	}
	p.Exten = cleanName(rawExt, false)
	exten := cleanName(rawExt, true)
	if p.MatchCID {
		p.CID = cleanName(p.CID, true)
	}
	key := extKey(exten, p.MatchCID, p.CID)
	e := con.byKey[key]
	if e == nil {
		e = &extension{name: p.Exten, exten: exten, matchCID: p.MatchCID, cid: p.CID, labels: map[string]*Priority{}}
		con.byKey[key] = e
		con.exts = append(con.exts, e)
	}
	return b.addPriority(con, e, p, file, line)
}

func (b *builder) addPriority(con *context, e *extension, p *Priority, file string, line int) bool {
	repeated := false
	at := len(e.prios)
	for i, q := range e.prios {
		if q.Label != "" && p.Label != "" && q.Number != p.Number && q.Label == p.Label {
			if q.Exten != p.Exten {
				b.warn(file, line, "Extension '%s' priority %d in '%s', label '%s' already in use at aliased extension '%s' priority %d", p.Exten, p.Number, con.name, p.Label, q.Exten, q.Number)
			} else {
				b.warn(file, line, "Extension '%s' priority %d in '%s', label '%s' already in use at priority %d", p.Exten, p.Number, con.name, p.Label, q.Number)
			}
			repeated = true
		}
		if q.Number >= p.Number {
			at = i
			break
		}
	}
	if repeated {
		p.Label = ""
	}
	if at < len(e.prios) && e.prios[at].Number == p.Number {
		q := e.prios[at]
		if q.Exten != p.Exten {
			b.warn(file, line, "Unable to register extension '%s' priority %d in '%s', already in use by aliased extension '%s'", p.Exten, p.Number, con.name, q.Exten)
		} else {
			b.warn(file, line, "Unable to register extension '%s' priority %d in '%s', already in use", p.Exten, p.Number, con.name)
		}
		return false
	}
	e.prios = append(e.prios, nil)
	copy(e.prios[at+1:], e.prios[at:])
	e.prios[at] = p
	if p.Label != "" {
		e.labels[p.Label] = p
	}
	return true
}

// loadUsers generates, in the users context, what pbx_config makes of
// users.conf: for every user with a device (hassip, hasiax, hash323,
// dahdichan; options fall back to [general]) and hasexten not false,
//
//	exten => <user>,hint,SIP/<user>[&IAX2/<user>...]
//	exten => <user>,1,Dial(${HINT})            ; or, with hasvoicemail,
//	exten => <user>,1,Gosub(<user>,stdexten(${HINT}))
//	exten => <alt>,1,Goto(<user>,1)            ; for each alternateexts
//
// shown by "dialplan show" as created by [pbx_config] without a file.
func (b *builder) loadUsers(cfg *confparse.Config) {
	gen := cfg.Category("general")
	option := func(cat *confparse.Category, name string) (string, bool) {
		if v, ok := first(cat, name); ok {
			return v, true
		}
		return first(gen, name)
	}
	var con *context
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			continue
		}
		user := cat.Name
		iface := ""
		appendIface := func(s string) {
			if len(s)+len(iface) < 256-2 {
				if iface != "" {
					iface += "&"
				}
				iface += s
			}
		}
		if v, _ := option(cat, "hassip"); confparse.True(v) {
			appendIface("SIP/" + user)
		}
		if v, _ := option(cat, "hasiax"); confparse.True(v) {
			appendIface("IAX2/" + user)
		}
		if v, _ := option(cat, "hash323"); confparse.True(v) {
			appendIface("H323/" + user)
		}
		if v, ok := option(cat, "hasexten"); ok && !confparse.True(v) {
			continue
		}
		vm, _ := option(cat, "hasvoicemail")
		dahdi, ok := first(cat, "dahdichan")
		if !ok {
			dahdi, _ = first(gen, "dahdichan")
		}
		for _, ch := range strings.Split(dahdi, ",") {
			if dahdi == "" {
				break
			}
			lo, hi := dahdiRange(ch)
			for x := lo; x <= hi; x++ {
				appendIface(fmt.Sprintf("DAHDI/%d", x))
			}
		}
		if iface == "" {
			continue
		}
		if con == nil {
			con = b.context(b.d.general.UsersContext)
		}
		file := cat.File
		if file == "" {
			file = "users.conf"
		}
		gp := func(ext string, n int, app, data string) {
			p := &Priority{Context: con.name, Number: n, App: app, Data: data}
			b.add(con, ext, p, file, cat.Line)
		}
		gp(user, PriorityHint, iface, "")
		if confparse.True(vm) {
			gp(user, 1, "Gosub", user+",stdexten(${HINT})")
		} else {
			gp(user, 1, "Dial", "${HINT}")
		}
		if alt, _ := first(cat, "alternateexts"); alt != "" {
			for _, a := range strings.Split(alt, ",") {
				gp(a, 1, "Goto", user+",1")
			}
		}
	}
}

// dahdiRange reads "3" or "1-4" (reversed ranges are swapped).
func dahdiRange(s string) (int, int) {
	if a, bs, ok := strings.Cut(s, "-"); ok {
		lo, ok1 := scanInt(a)
		hi, ok2 := scanInt(bs)
		if ok1 && ok2 {
			if hi < lo {
				lo, hi = hi, lo
			}
			return lo, hi
		}
	}
	if n, ok := scanInt(s); ok {
		return n, n
	}
	return 0, 0
}

// finish sorts every context, builds the match indexes, orders contexts
// newest first, and checks includes.
func (b *builder) finish() {
	d := b.d
	for i := len(b.order) - 1; i >= 0; i-- {
		d.contexts = append(d.contexts, b.order[i])
	}
	for _, c := range d.contexts {
		sort.SliceStable(c.exts, func(i, j int) bool { return extCmpFull(c.exts[i], c.exts[j]) < 0 })
		c.idx = buildIndex(c.exts)
	}
	for _, c := range d.contexts {
		if len(c.includes) >= maxStack {
			// Point at the include that crossed the limit.
			last := c.includes[maxStack-1]
			b.warn(last.file, last.line, "Context %s contains too many includes (%d). Maximum is %d.", c.name, len(c.includes), maxStack)
		}
		for _, inc := range c.includes {
			if _, ok := d.byName[inc.Context]; !ok {
				b.warn(inc.file, inc.line, "Context '%s' tries to include nonexistent context '%s'", c.name, inc.Context)
				break
			}
		}
	}
}

// subst replaces ${NAME} with a global variable (empty when unset), as
// Asterisk does at load time without a channel. Function calls and
// expressions are left for run time.
func (b *builder) subst(s string, extra map[string]string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var out strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		depth, j := 1, i+2
		for ; j < len(s) && depth > 0; j++ {
			switch {
			case s[j] == '{' && s[j-1] == '$':
				depth++
			case s[j] == '}':
				depth--
			}
		}
		if depth > 0 {
			out.WriteString(s)
			return out.String()
		}
		name := s[i+2 : j-1]
		out.WriteString(s[:i])
		if strings.ContainsAny(name, "(:$[") {
			out.WriteString(s[i:j])
		} else if v, ok := extra[name]; ok {
			out.WriteString(v)
		} else {
			out.WriteString(b.vars[name])
		}
		s = s[j:]
	}
}
