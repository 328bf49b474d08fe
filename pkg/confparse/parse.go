package confparse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// MaxLineLength is the longest line (without its newline) Asterisk reads: it
// reads through an 8192-byte buffer, so a line of 8191 bytes or more does
// not fit with its newline and is skipped whole with a warning.
const MaxLineLength = 8190

// lineBuf is the size of Asterisk's line buffer, terminating NUL included.
const lineBuf = 8192

// MaxIncludeLevel is Asterisk's limit on #include nesting below the file
// being loaded.
const MaxIncludeLevel = 10

// maxNestedComments is the deepest ';--' nesting Asterisk tracks.
const maxNestedComments = 128

// maxCategoryName is the size of Asterisk's category name buffer (NUL
// included): longer names are cut to 79 bytes.
const maxCategoryName = 80

// ExecTimeout bounds a #exec command, which Asterisk would wait for forever.
const ExecTimeout = 30 * time.Second

// Options control how a file is loaded.
type Options struct {
	// Dir is the config directory: relative file names and #include
	// patterns are resolved against it.
	Dir string
	// ExecIncludes allows #exec, as execincludes=yes in asterisk.conf does.
	ExecIncludes bool

	// maxLoads overrides DefaultMaxFileLoads (tests use a small budget).
	maxLoads int
}

// DefaultMaxFileLoads bounds how many files one Load reads. Includes that
// glob several files at every level multiply (Asterisk would read them all,
// for as long as it takes); past this budget the load fails instead.
const DefaultMaxFileLoads = 100000

// loadResult mirrors the three outcomes of Asterisk's file loader: no file
// at all, loaded, or stopped by a parse error.
type loadResult int

const (
	loadNone loadResult = iota
	loadOK
	loadInvalid
)

// loadState is what one load of a name (one #include line, or the top-level
// file) carries from line to line. Asterisk keeps it across every file a
// glob matches, so an open ';--' block or the current category runs on from
// one matched file into the next.
type loadState struct {
	cat     *Category
	comment int   // ';--' nesting; negative after an unmatched '--;'
	nest    []int // line where each open block began
	// nestFull is set once the nesting limit has been reported.
	nestFull bool
}

type parser struct {
	opts  Options
	cfg   *Config
	diags Diagnostics

	// current is the category a newly started file continues
	// (Asterisk's cfg->current): the last one created or added to.
	current *Category
	// level is Asterisk's include_level, with its accounting: a file
	// stopped by an error does not give its level back.
	level int
	// depth is the real nesting, 0 for the file being loaded; it decides
	// whether an error fails the whole load.
	depth int
	// included counts #include arguments seen, for Asterisk's
	// "Same File included more than once!" warning.
	included map[string]int

	scratch []byte
	slab    []Variable
	catSlab []Category
	openErr error
	loads   int
	aborted bool
}

// Load reads a config file (relative to opts.Dir unless absolute; a glob
// pattern is allowed, as in Asterisk) with every file it includes. The
// Config is returned even when there are errors, so a checker can report
// everything; callers must treat diags.HasErrors() as a failed load.
func Load(name string, opts Options) (*Config, Diagnostics) {
	p := newParser(name, opts)
	if p.internalLoad(name, nil, "", Position{File: name}) == loadNone {
		msg := fmt.Sprintf("Unable to open %s", name)
		if p.openErr != nil {
			msg += ": " + p.openErr.Error()
		} else {
			msg += ": no such file"
		}
		p.diags = append(p.diags, Diagnostic{File: name, Severity: Error, Message: msg})
	}
	return p.cfg, p.diags
}

// Parse parses data as the file name (used in positions); #include is
// resolved against opts.Dir.
func Parse(name string, data []byte, opts Options) (*Config, Diagnostics) {
	p := newParser(name, opts)
	p.internalLoad(name, data, name, Position{File: name})
	return p.cfg, p.diags
}

// Position is a file and line, used for diagnostics about an include.
type Position struct {
	File string
	Line int
}

func newParser(name string, opts Options) *parser {
	return &parser{
		opts:     opts,
		cfg:      &Config{File: name, index: map[string]*Category{}},
		included: map[string]int{},
	}
}

func (p *parser) add(sev Severity, file string, line int, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: file, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) warn(file string, line int, format string, args ...any) {
	p.add(Warning, file, line, format, args...)
}

// invalid records a problem that makes Asterisk stop reading the current
// file. Only in the file being loaded does that fail the load: an included
// file stopped this way is abandoned and its includer carries on.
func (p *parser) invalid(file string, line int, format string, args ...any) {
	sev := Error
	if p.depth > 0 {
		sev = Warning
	}
	p.add(sev, file, line, format, args...)
}

// internalLoad mirrors Asterisk's include-level check around a load. data
// is nil to read name from disk, or the output of a #exec.
func (p *parser) internalLoad(name string, data []byte, display string, from Position) loadResult {
	if p.level == MaxIncludeLevel+1 {
		p.warn(from.File, from.Line, "Maximum Include level (%d) exceeded", MaxIncludeLevel)
		return loadNone
	}
	p.level++
	var res loadResult
	if data != nil {
		if !p.charge(from) {
			p.level--
			return loadInvalid
		}
		st := &loadState{cat: p.current}
		p.cfg.Files = append(p.cfg.Files, display)
		res = loadOK
		if !p.parseData(display, data, st) {
			res = loadInvalid
		}
		p.unterminated(display, st)
	} else {
		res = p.textFileLoad(name, from)
	}
	if res != loadInvalid {
		p.level--
	}
	return res
}

// textFileLoad reads every file the name or glob matches, in order.
func (p *parser) textFileLoad(name string, from Position) loadResult {
	st := &loadState{cat: p.current}
	count := 0
	for _, path := range p.expand(p.resolve(name)) {
		info, err := os.Stat(path)
		if err != nil {
			p.openErr = unwrapPathErr(err)
			continue
		}
		if !info.Mode().IsRegular() {
			p.warn(from.File, from.Line, "'%s' is not a regular file, ignoring", p.display(path))
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			p.openErr = unwrapPathErr(err)
			continue
		}
		if !p.charge(from) {
			return loadInvalid
		}
		count++
		display := p.display(path)
		p.cfg.Files = append(p.cfg.Files, display)
		ok := p.parseData(display, data, st)
		p.unterminated(display, st)
		if !ok {
			return loadInvalid
		}
	}
	if count == 0 {
		return loadNone
	}
	return loadOK
}

// charge counts one more file read against the budget; false means the
// load has been abandoned.
func (p *parser) charge(from Position) bool {
	if p.aborted {
		return false
	}
	budget := p.opts.maxLoads
	if budget <= 0 {
		budget = DefaultMaxFileLoads
	}
	if p.loads++; p.loads > budget {
		p.aborted = true
		p.add(Error, from.File, from.Line, "More than %d files read while loading %s (an #include loop through a glob?), giving up", budget, p.cfg.File)
		return false
	}
	return true
}

func (p *parser) unterminated(file string, st *loadState) {
	if st.comment > 0 && st.comment <= len(st.nest) {
		p.warn(file, st.nest[st.comment-1], "Unterminated comment detected beginning on line %d", st.nest[st.comment-1])
	}
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (p *parser) resolve(name string) string {
	if filepath.IsAbs(name) || p.opts.Dir == "" {
		return name
	}
	// Not filepath.Join: Asterisk pastes "dir/name", and an empty name
	// must stay the directory itself (then refused as not a regular file).
	return strings.TrimSuffix(p.opts.Dir, "/") + "/" + name
}

// display gives the name shown in positions: relative to the config dir when
// the file lives there, as Asterisk shows "extensions.conf:2".
func (p *parser) display(path string) string {
	if p.opts.Dir == "" {
		return path
	}
	dir := strings.TrimSuffix(p.opts.Dir, "/") + "/"
	if rest, ok := strings.CutPrefix(path, dir); ok && rest != "" {
		return rest
	}
	return path
}

// parseData reads one file's bytes the way Asterisk's fgets loop does and
// feeds each line to processLine. It returns false when a line made the
// file invalid, which stops reading it.
func (p *parser) parseData(file string, data []byte, st *loadState) bool {
	s := string(data)
	if len(p.cfg.Categories) == 0 && len(p.cfg.index) == 0 {
		// Size the index for the file's headers up front.
		if n := strings.Count(s, "\n["); n > 8 {
			p.cfg.index = make(map[string]*Category, n+1)
		}
	}
	pos, newlines := 0, 0
	for pos < len(s) && !p.aborted {
		lineno := newlines + 1
		start := pos
		chunk, next := fgets(s, pos)
		pos = next
		if strings.HasSuffix(chunk, "\n") {
			newlines++
		}
		line := cstring(chunk)
		if len(line) == lineBuf-1 && line[lineBuf-2] != '\n' {
			p.warn(file, lineno, "Line %d too long, skipping. It begins with: %s...", lineno, line[:32])
			for pos < len(s) {
				chunk, pos = fgets(s, pos)
				if strings.HasSuffix(chunk, "\n") {
					newlines++
				}
				c := cstring(chunk)
				if len(c) != lineBuf-1 || c[lineBuf-2] == '\n' {
					break
				}
			}
			continue
		}
		if start == 0 {
			line = strings.TrimPrefix(line, "\xef\xbb\xbf")
		}
		text, process := p.stripComments(file, lineno, line, st)
		if !process {
			continue
		}
		text = strip(text)
		if text == "" {
			continue
		}
		if !p.processLine(file, lineno, text, st) {
			if p.aborted {
				return false
			}
			p.warn(file, lineno, "Rest of %s skipped: Asterisk stops reading a file at its first error", file)
			return false
		}
	}
	return true
}

// fgets returns the next read of an 8192-byte fgets from pos: through the
// next newline, or 8191 bytes, whichever comes first.
func fgets(s string, pos int) (string, int) {
	end := len(s)
	if end-pos > lineBuf-1 {
		end = pos + lineBuf - 1
	}
	if i := strings.IndexByte(s[pos:end], '\n'); i >= 0 {
		end = pos + i + 1
	}
	return s[pos:end], end
}

// cstring cuts s at its first NUL, as C string functions see it.
func cstring(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// strip trims what ast_strip trims: every byte below 33 at both ends.
func strip(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] < 33 {
		i++
	}
	for j > i && s[j-1] < 33 {
		j--
	}
	return s[i:j]
}

// stripComments applies Asterisk's comment rules to one line: ';' ends the
// line, "\;" is a literal ';', ';--' opens a block (but ';---' is a plain
// comment), '--;' closes one, and text after the close on the same line is
// joined to the text before the open. process is false when the whole line
// lies inside a block.
func (p *parser) stripComments(file string, lineno int, line string, st *loadState) (string, bool) {
	semi := strings.IndexByte(line, ';')
	if semi < 0 {
		return line, st.comment == 0
	}
	// The common "text ; remark" needs no copy: a plain ';' that neither
	// is escaped nor opens or closes a block.
	if st.comment == 0 && !strings.HasPrefix(line[semi:], ";--") &&
		(semi == 0 || line[semi-1] != '\\' && line[semi-1] != '-') {
		return line[:semi], true
	}
	// Work on a NUL-terminated copy so the moves below match Asterisk's
	// in-place editing byte for byte.
	b := append(p.scratch[:0], line...)
	b = append(b, 0)
	defer func() { p.scratch = b[:0] }()
	proc := -1
	if st.comment == 0 {
		proc = 0
	}
	nb := 0
	for {
		i := bytes.IndexByte(b[nb:], ';')
		if i < 0 {
			break
		}
		cp := nb + i
		if nul := bytes.IndexByte(b[nb:], 0); nul >= 0 && nul < i {
			break
		}
		switch {
		case cp > nb && b[cp-1] == '\\':
			copy(b[cp-1:], b[cp:])
			b = b[:len(b)-1]
			nb = cp
		case b[cp+1] == '-' && b[cp+2] == '-' && b[cp+3] != '-':
			if st.comment >= maxNestedComments {
				// Asterisk spins forever here; report it once and
				// treat the opener as text inside the comment.
				if !st.nestFull {
					st.nestFull = true
					p.add(Error, file, lineno, "Maximum nest limit of %d reached.", maxNestedComments)
				}
				nb = cp + 3
				continue
			}
			b[cp] = 0
			nb = cp + 3
			st.comment++
			if st.comment > 0 {
				st.nest = append(st.nest[:st.comment-1], lineno)
			}
		case cp >= nb+2 && b[cp-1] == '-' && b[cp-2] == '-':
			st.comment--
			nb = cp + 1
			if st.comment < 0 {
				p.warn(file, lineno, "Comment end '--;' without a matching ';--' at line %d of %s: Asterisk ignores the lines that follow until a ';--'", lineno, file)
			}
			if st.comment == 0 {
				if proc >= 0 {
					old := proc + bytes.IndexByte(b[proc:], 0)
					n := bytes.IndexByte(b[nb:], 0) + 1
					copy(b[old:], b[nb:nb+n])
					b = b[:old+n]
					nb = old
				} else {
					proc = nb
				}
			}
		default:
			if st.comment == 0 {
				b[cp] = 0
				nb = cp
			} else {
				nb = cp + 1
			}
		}
	}
	if proc < 0 {
		return "", false
	}
	out := b[proc:]
	out = out[:bytes.IndexByte(out, 0)]
	return strip(string(out)), true
}

func (p *parser) processLine(file string, lineno int, text string, st *loadState) bool {
	switch text[0] {
	case '[':
		return p.category(file, lineno, text, st)
	case '#':
		return p.directive(file, lineno, text, st)
	}
	return p.variable(file, lineno, text, st)
}

func (p *parser) category(file string, lineno int, text string, st *loadState) bool {
	end := strings.IndexByte(text, ']')
	if end < 0 {
		p.invalid(file, lineno, "parse error: no closing ']', line %d of %s", lineno, file)
		return false
	}
	name := text[1:end]
	rest := text[end+1:]
	if len(name) > maxCategoryName-1 {
		p.warn(file, lineno, "Category name '%s' longer than %d bytes, cut to '%s' as Asterisk does", name, maxCategoryName-1, name[:maxCategoryName-1])
		name = name[:maxCategoryName-1]
	}
	newcat := p.newCategory()
	newcat.Name, newcat.File, newcat.Line = name, file, lineno
	st.cat = newcat
	if rest != "" && rest[0] != '(' {
		// Asterisk ignores it silently, which hides "[x] (!)" mistakes.
		p.warn(file, lineno, "Text '%s' after ']' ignored, line %d of %s", strip(rest), lineno, file)
	}
	if rest != "" && rest[0] == '(' {
		closeAt := strings.IndexByte(rest, ')')
		if closeAt < 0 {
			p.invalid(file, lineno, "parse error: no closing ')', line %d of %s", lineno, file)
			return false
		}
		for _, opt := range strings.Split(rest[1:closeAt], ",") {
			switch {
			case asciiEqualFold(opt, "!"):
				st.cat.Template = true
			case opt != "" && opt[0] == '+':
				target := p.categoryGet(name, opt[1:], '&', file, lineno)
				if target == nil {
					p.invalid(file, lineno, "Category addition requested, but category '%s' does not exist, line %d of %s", name, lineno, file)
					return false
				}
				st.cat = target
				if newcat != nil {
					p.current = target
					target.Template = target.Template || newcat.Template
					target.Vars = append(target.Vars, newcat.Vars...)
					newcat = nil
				}
			default:
				if opt == "" {
					p.warn(file, lineno, "Empty category name in '(...)', line %d of %s: Asterisk then inherits from the first category of the file", lineno, file)
				}
				base := p.categoryGet(opt, "TEMPLATES=include", ',', file, lineno)
				if base == nil {
					p.invalid(file, lineno, "Inheritance requested, but category '%s' does not exist, line %d of %s", opt, lineno, file)
					return false
				}
				p.inherit(st.cat, base)
			}
		}
	}
	if newcat != nil {
		p.cfg.append(newcat)
		p.current = newcat
	}
	return true
}

func (p *parser) inherit(cat, base *Category) {
	cat.Bases = append(cat.Bases, base.Name)
	if cap(cat.Vars)-len(cat.Vars) < len(base.Vars) {
		grown := make([]*Variable, len(cat.Vars), len(cat.Vars)+len(base.Vars)+8)
		copy(grown, cat.Vars)
		cat.Vars = grown
	}
	for _, v := range base.Vars {
		c := p.newVar()
		*c = *v
		c.Inherited = true
		cat.Vars = append(cat.Vars, c)
	}
}

// newCategory hands out Categories from a slab, as newVar does Variables.
func (p *parser) newCategory() *Category {
	if len(p.catSlab) == 0 {
		p.catSlab = make([]Category, 64)
	}
	c := &p.catSlab[0]
	p.catSlab = p.catSlab[1:]
	return c
}

// newVar hands out Variables from a slab: a config of thousands of peers
// then costs a few allocations instead of one per line.
func (p *parser) newVar() *Variable {
	if len(p.slab) == 0 {
		p.slab = make([]Variable, 256)
	}
	v := &p.slab[0]
	p.slab = p.slab[1:]
	return v
}

func (p *parser) directive(file string, lineno int, text string, st *loadState) bool {
	rest := text[1:]
	// Asterisk's word scan compares a signed char with 32, so a byte of
	// 0x80 or more ends the word as a space does (and is dropped).
	i := 0
	for i < len(rest) && rest[i] > 32 && rest[i] < 0x80 {
		i++
	}
	word := rest[:i]
	arg := ""
	if i < len(rest) {
		arg = strip(rest[i+1:])
	}
	include, try := false, false
	switch {
	case asciiEqualFold(word, "include"):
		include = true
	case asciiEqualFold(word, "tryinclude"):
		include, try = true, true
	case asciiEqualFold(word, "exec"):
		if !p.opts.ExecIncludes {
			p.warn(file, lineno, "Cannot perform #exec unless execincludes option is enabled in asterisk.conf (options section)!")
			return true
		}
	default:
		p.warn(file, lineno, "Unknown directive '#%s' at line %d of %s", word, lineno, file)
		return true
	}
	if arg == "" {
		what, kind := "exec", "/path/to/executable"
		if include {
			what, kind = "include / tryinclude", "filename"
		}
		p.warn(file, lineno, "Directive '#%s' needs an argument (%s) at line %d of %s", what, kind, lineno, file)
		return true
	}
	if q := arg[0]; q == '"' || q == '<' {
		closing := byte('"')
		if q == '<' {
			closing = '>'
		}
		if arg[len(arg)-1] == closing {
			if len(arg) == 1 {
				arg = ""
			} else {
				arg = arg[1 : len(arg)-1]
			}
		}
	}
	from := Position{File: file, Line: lineno}
	if !include {
		out, ok := p.runExec(file, lineno, arg)
		if !ok {
			return false
		}
		if p.nestedLoad("", out, "#exec "+arg, from) == loadNone {
			p.invalid(file, lineno, "The file '%s' was listed as a #include but it does not exist.", "#exec "+arg)
			return false
		}
		return true
	}
	if n, seen := p.included[arg]; seen {
		p.included[arg] = n + 1
		p.warn(file, lineno, "'%s', line %d:  Same File included more than once! This data will be saved in %s~~%d if saved back to disk.", file, lineno, arg, n+1)
	} else {
		p.included[arg] = 0
	}
	if p.nestedLoad(arg, nil, "", from) == loadNone && !try {
		p.invalid(file, lineno, "The file '%s' was listed as a #include but it does not exist.", arg)
		return false
	}
	return true
}

// nestedLoad is internalLoad one include deeper.
func (p *parser) nestedLoad(name string, data []byte, display string, from Position) loadResult {
	p.depth++
	defer func() { p.depth-- }()
	return p.internalLoad(name, data, display, from)
}

// runExec runs a #exec command as Asterisk does: stdout is the text to
// parse, each stderr line and a failing exit status are reported.
func (p *parser) runExec(file string, lineno int, command string) ([]byte, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), ExecTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := realtime.Run(cmd)
	for _, l := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
		if l != "" {
			p.warn(file, lineno, "#exec <%s>: %s", command, l)
		}
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		p.warn(file, lineno, "#exec <%s>: Exited with return value %d", command, exitErr.ExitCode())
	case err != nil:
		p.invalid(file, lineno, "#exec <%s>: Failed to execute: %v", command, err)
		return nil, false
	}
	if stdout.Len() == 0 {
		// An empty output is still a file that exists.
		return []byte{}, true
	}
	return stdout.Bytes(), true
}

func (p *parser) variable(file string, lineno int, text string, st *loadState) bool {
	if st.cat == nil {
		p.invalid(file, lineno, "parse error: No category context for line %d of %s", lineno, file)
		return false
	}
	cur := text
	esc := 0
	if cur[0] == '\\' {
		cur = cur[1:]
		// A signed char test in Asterisk: bytes of 0x80 and more count
		// as below 33 too.
		if cur == "" || cur[0] < 33 || cur[0] >= 0x80 {
			p.invalid(file, lineno, "Invalid escape in line %d of %s", lineno, file)
			return false
		}
		esc = 1
	}
	eq := strings.IndexByte(cur[esc:], '=')
	if eq < 0 {
		p.warn(file, lineno, "No '=' (equal sign) in line %d of %s", lineno, file)
		return true
	}
	eq += esc
	if eq > esc && cur[eq-1] == '+' {
		name := strip(cur[:eq-1])
		raw := cur[eq+1:]
		var replace *Variable
		for _, v := range st.cat.Vars {
			if v.Name == name {
				replace = v
			}
		}
		if replace == nil {
			p.addVar(file, lineno, st.cat, name, strip(raw), false)
			return true
		}
		// The text after "+=" is appended as written, leading blanks
		// included; only the ends of the result are trimmed.
		value := strip(replace.Value + raw)
		for _, v := range st.cat.Vars {
			if asciiEqualFold(v.Name, replace.Name) && asciiEqualFold(v.Value, replace.Value) {
				v.Value = value
				v.Inherited = false
				break
			}
		}
		return true
	}
	value := cur[eq+1:]
	object := false
	if value != "" && value[0] == '>' {
		object = true
		value = value[1:]
	}
	p.addVar(file, lineno, st.cat, strip(cur[:eq]), strip(value), object)
	return true
}

func (p *parser) addVar(file string, lineno int, cat *Category, name, value string, object bool) {
	if name == "" {
		p.warn(file, lineno, "No variable name in line %d of %s", lineno, file)
		return
	}
	v := p.newVar()
	*v = Variable{Name: name, Value: value, Object: object, File: file, Line: lineno}
	cat.Vars = append(cat.Vars, v)
}
