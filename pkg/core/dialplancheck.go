package core

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/queue"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

// asteriskModules maps Asterisk 18's application names (lower case, as
// applications are found case-insensitively) and function names (as
// written: functions are found by their exact name) to their module.
var asteriskAppModule, asteriskFuncModule = func() (map[string]string, map[string]string) {
	apps, funcs := map[string]string{}, map[string]string{}
	for mod, names := range asteriskApps {
		for _, n := range names {
			apps[strings.ToLower(n)] = mod
		}
	}
	for mod, names := range asteriskFunctions {
		for _, n := range names {
			funcs[n] = mod
		}
	}
	return apps, funcs
}()

// pruneNoload unregisters the applications and functions whose Asterisk
// module modules.conf does not load, as Asterisk would not have them. The
// core's own ("" module) cannot be unloaded. It returns what it removed:
// "app:<lower-case name>" or "func:<NAME>" -> module.
func pruneNoload(eng *pbx.Engine, mods Modules) map[string]string {
	removed := map[string]string{}
	for _, a := range eng.Apps() {
		if mod := asteriskAppModule[strings.ToLower(a.Name)]; mod != "" && !mods.Enabled(mod) {
			eng.UnregisterApp(a.Name)
			removed["app:"+strings.ToLower(a.Name)] = mod
		}
	}
	for _, f := range eng.Functions() {
		if mod := asteriskFuncModule[f.Name]; mod != "" && !mods.Enabled(mod) {
			eng.UnregisterFunction(f.Name)
			removed["func:"+f.Name] = mod
		}
	}
	return removed
}

// quietLog is the logger of the engine "gostrisk check" builds: nothing it
// would say at registration is news to the check.
type quietLog struct{}

func (quietLog) Verbose(int, string, ...any) {}
func (quietLog) Notice(string, ...any)       {}
func (quietLog) Warning(string, ...any)      {}

// Catalogue is what the dialplan can use in this build: an engine with
// every application and function registered by the daemon's own code
// (Daemon.registerDialplan) under snap's modules.conf, and what noload took
// away. Nothing is started.
type Catalogue struct {
	Engine *pbx.Engine
	NoLoad map[string]string // see pruneNoload
}

// NewCatalogue builds the Catalogue of snap without starting anything.
func NewCatalogue(snap *Snapshot) (*Catalogue, error) {
	d := &Daemon{conf: snap.Ast}
	eng := pbx.New(pbx.Config{Logger: quietLog{}})
	if snap.Modules.Enabled("res_musiconhold.so") {
		d.moh = moh.New(moh.Options{Log: quietLog{}, DataDir: snap.Ast.Directories.DataDir}, snap.MOH)
	}
	d.newConferenceModules(snap, quietLog{})
	d.vm = voicemail.New(voicemail.Options{Log: quietLog{}, SpoolDir: snap.Ast.Directories.SpoolDir}, snap.VM)
	if snap.Modules.Enabled("app_queue.so") {
		d.queue = queue.New(queue.Options{Log: quietLog{}}, snap.Queues)
	}
	d.newParking(snap, quietLog{})
	d.newFollowMe(snap, quietLog{})
	d.newAgentPool(snap, quietLog{})
	d.newAMD(snap)
	d.newPickup(quietLog{})
	removed, err := d.registerDialplan(eng, snap)
	if err != nil {
		return nil, err
	}
	return &Catalogue{Engine: eng, NoLoad: removed}, nil
}

// DialplanReport is what CheckDialplan found: one warning per use of a
// missing application or function, and the distinct names.
type DialplanReport struct {
	Diags     confparse.Diagnostics
	Apps      []string // unavailable applications, sorted
	Functions []string // unavailable functions, sorted
}

// CheckDialplan walks every priority of the dialplan (users.conf's
// generated ones included) and reports each application and function it
// uses that cat does not have, with file:line and extension/priority, and
// While loops without their EndWhile.
func CheckDialplan(dp *dialplan.Dialplan, cat *Catalogue) DialplanReport {
	var r DialplanReport
	if dp == nil || cat == nil {
		return r
	}
	apps, funcs := map[string]bool{}, map[string]bool{}
	// [globals] values are substituted when the dialplan loads, so the
	// functions they call run then.
	for _, g := range dp.Globals() {
		for _, name := range functionsRead(g.Value) {
			if msg, missing := cat.unavailable(dialplanUse{name: name}); missing {
				r.Diags = append(r.Diags, confparse.Diagnostic{File: g.File, Line: g.Line, Severity: confparse.Warning,
					Message: fmt.Sprintf("%s (used by [globals] %s)", msg, g.Name)})
				funcs[name] = true
			}
		}
	}
	for _, ctx := range dp.Contexts() {
		prios := dp.Priorities(ctx)
		for _, p := range prios {
			if p.Number == dialplan.PriorityHint {
				continue
			}
			for _, u := range usesOf(p.App, p.Data) {
				if msg, missing := cat.unavailable(u); missing {
					r.Diags = append(r.Diags, priorityDiag(p, msg))
					if u.app {
						apps[u.name] = true
					} else {
						funcs[u.name] = true
					}
				}
			}
		}
		r.Diags = append(r.Diags, checkWhile(prios)...)
	}
	// By file and line: an admin fixes the file from the top.
	sort.SliceStable(r.Diags, func(i, j int) bool {
		a, b := r.Diags[i], r.Diags[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	r.Apps, r.Functions = sortedKeys(apps), sortedKeys(funcs)
	return r
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// priorityDiag is a warning at a priority's line, naming the priority.
func priorityDiag(p dialplan.Priority, msg string) confparse.Diagnostic {
	file := p.File
	if file == "" {
		file = "users.conf" // generated from a users.conf user
	}
	return confparse.Diagnostic{File: file, Line: p.Line, Severity: confparse.Warning,
		Message: fmt.Sprintf("%s (used by %s@%s priority %d)", msg, p.Exten, p.Context, p.Number)}
}

// unavailable says whether the build lacks u, and how to say so.
func (c *Catalogue) unavailable(u dialplanUse) (string, bool) {
	if u.app {
		if _, ok := c.Engine.App(u.name); ok {
			return "", false
		}
		if mod, ok := c.NoLoad["app:"+strings.ToLower(u.name)]; ok {
			return fmt.Sprintf("application '%s' is not available in gostrisk: modules.conf does not load %s", u.name, mod), true
		}
		if _, ok := asteriskAppModule[strings.ToLower(u.name)]; !ok {
			return fmt.Sprintf("application '%s' is not available in gostrisk, nor in Asterisk 18", u.name), true
		}
		return fmt.Sprintf("application '%s' is not available in gostrisk", u.name), true
	}
	if _, ok := c.Engine.Function(u.name); ok {
		return "", false
	}
	if mod, ok := c.NoLoad["func:"+u.name]; ok {
		return fmt.Sprintf("function '%s' is not available in gostrisk: modules.conf does not load %s", u.name, mod), true
	}
	if _, ok := asteriskFuncModule[u.name]; !ok {
		return fmt.Sprintf("function '%s' is not available in gostrisk, nor in Asterisk 18", u.name), true
	}
	return fmt.Sprintf("function '%s' is not available in gostrisk", u.name), true
}

// dialplanUse is an application or a function a priority uses.
type dialplanUse struct {
	app  bool
	name string
}

// usesOf lists, without repeats, what one priority uses: its application,
// the applications ExecIf, ExecIfTime, Exec and TryExec run, the functions
// read in ${...} and inside $[...], and those Set and MSet write. Names
// built at run time (${APP}(...)) cannot be known and are left out.
func usesOf(app, data string) []dialplanUse {
	var out []dialplanUse
	seen := map[dialplanUse]bool{}
	add := func(u dialplanUse) {
		if u.name != "" && !seen[u] && plainName(u.name) {
			seen[u] = true
			out = append(out, u)
		}
	}
	add(dialplanUse{app: true, name: app})
	for _, a := range nestedApps(app, data) {
		add(dialplanUse{app: true, name: a})
	}
	for _, f := range functionsWritten(app, data) {
		add(dialplanUse{name: f})
	}
	for _, f := range functionsRead(data) {
		add(dialplanUse{name: f})
	}
	return out
}

// plainName: a name of letters, digits, '_' and '-' (no substitution).
func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// appCall returns the application name of "App(args)" (or "App").
func appCall(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// nestedApps are the applications an application runs from its data.
func nestedApps(app, data string) []string {
	switch strings.ToLower(app) {
	case "exec", "tryexec":
		return []string{appCall(data)}
	case "execif", "execiftime":
		// ExecIf(expr?app(args)[:app(args)]): the false branch starts at
		// the last ':' outside parentheses; ExecIfTime(times,...?app(args)).
		q := strings.IndexByte(data, '?')
		if q < 0 {
			return nil
		}
		rest := data[q+1:]
		out := []string{appCall(cutAtFalse(rest, app))}
		if i := lastTopLevel(rest, ':'); i >= 0 && strings.EqualFold(app, "ExecIf") {
			out = append(out, appCall(rest[i+1:]))
		}
		return out
	}
	return nil
}

func cutAtFalse(s, app string) string {
	if !strings.EqualFold(app, "ExecIf") {
		return s
	}
	if i := lastTopLevel(s, ':'); i >= 0 {
		return s[:i]
	}
	return s
}

// lastTopLevel is the index of the last c outside parentheses, or -1.
func lastTopLevel(s string, c byte) int {
	depth, at := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case c:
			if depth == 0 {
				at = i
			}
		}
	}
	return at
}

// functionsWritten are the functions Set(NAME(args)=value) and
// MSet(a=1,NAME(x)=2) assign to.
func functionsWritten(app, data string) []string {
	var names []string
	switch strings.ToLower(app) {
	case "set":
		names = []string{data}
	case "mset":
		names = strings.Split(data, ",")
	default:
		return nil
	}
	var out []string
	for _, n := range names {
		eq := strings.IndexByte(n, '=')
		if eq < 0 {
			continue
		}
		lhs := strings.TrimSpace(n[:eq])
		if open := strings.IndexByte(lhs, '('); open > 0 && strings.HasSuffix(lhs, ")") {
			out = append(out, strings.TrimSpace(lhs[:open]))
		}
	}
	return out
}

// functionsRead finds NAME( right after every "${" (nested ones too), and
// the NAME(...) calls inside $[...] that are not the expression parser's
// own math functions.
func functionsRead(s string) []string {
	var out []string
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		switch s[i+1] {
		case '{':
			j := i + 2
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			if j > i+2 && j < len(s) && s[j] == '(' {
				out = append(out, s[i+2:j])
			}
		case '[':
			out = append(out, exprCalls(s[i+2:])...)
		}
	}
	return out
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// exprCalls returns the upper-case NAME( calls of the $[...] body that
// starts s, up to its closing bracket, skipping quoted strings and the
// ${...} references (functionsRead sees those).
func exprCalls(s string) []string {
	var out []string
	depth := 1
	for i := 0; i < len(s) && depth > 0; i++ {
		c := s[i]
		switch {
		case c == '"':
			if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
				i += j + 1
			}
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '{' && i > 0 && s[i-1] == '$':
			// skip the name: functionsRead reports ${NAME(...)}
			for i+1 < len(s) && isNameByte(s[i+1]) {
				i++
			}
		case c >= 'A' && c <= 'Z' && (i == 0 || !isNameByte(s[i-1])):
			j := i
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			if j < len(s) && s[j] == '(' && !expr.IsBuiltin(s[i:j]) {
				out = append(out, s[i:j])
			}
			i = j - 1
		}
	}
	return out
}

// checkWhile reports While priorities without an EndWhile after them in
// the same extension, and EndWhile without While: app_while would look for
// the end of the loop in vain at run time.
func checkWhile(prios []dialplan.Priority) confparse.Diagnostics {
	var diags confparse.Diagnostics
	var open []dialplan.Priority
	flush := func() {
		for _, p := range open {
			diags = append(diags, priorityDiag(p, "While without a matching EndWhile in the same extension"))
		}
		open = open[:0]
	}
	for i, p := range prios {
		if i > 0 && (p.Exten != prios[i-1].Exten || p.CID != prios[i-1].CID || p.MatchCID != prios[i-1].MatchCID) {
			flush()
		}
		switch strings.ToLower(p.App) {
		case "while":
			open = append(open, p)
		case "endwhile":
			if len(open) == 0 {
				diags = append(diags, priorityDiag(p, "EndWhile without a While before it in the same extension"))
			} else {
				open = open[:len(open)-1]
			}
		}
	}
	flush()
	return diags
}
