package confparse

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// MaxLineLength is the longest line Asterisk reads (its buffer is 8192 bytes
// including the terminating NUL); longer lines are skipped with a warning.
const MaxLineLength = 8191

// maxIncludeDepth stops #include cycles.
const maxIncludeDepth = 32

// Options control how a file is loaded.
type Options struct {
	// Dir is the config directory: relative file names and #include
	// patterns are resolved against it.
	Dir string
	// ExecIncludes allows #exec, as execincludes=yes in asterisk.conf does.
	ExecIncludes bool
}

type parser struct {
	opts  Options
	cfg   *Config
	cat   *Category
	diags Diagnostics
	depth int
}

// Load reads a config file (relative to opts.Dir unless absolute) with every
// file it includes. The Config is returned even when there are errors, so a
// checker can report everything; callers must treat diags.HasErrors() as a
// failed load.
func Load(name string, opts Options) (*Config, Diagnostics) {
	p := &parser{opts: opts, cfg: &Config{File: name}}
	data, err := os.ReadFile(p.resolve(name))
	if err != nil {
		p.diags = append(p.diags, Diagnostic{File: name, Severity: Error, Message: fmt.Sprintf("Unable to open %s: %v", name, unwrapPathErr(err))})
		return p.cfg, p.diags
	}
	p.parseData(name, data)
	return p.cfg, p.diags
}

// Parse parses data as the file name (used in positions); #include is
// resolved against opts.Dir.
func Parse(name string, data []byte, opts Options) (*Config, Diagnostics) {
	p := &parser{opts: opts, cfg: &Config{File: name}}
	p.parseData(name, data)
	return p.cfg, p.diags
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (p *parser) resolve(name string) string {
	if filepath.IsAbs(name) || p.opts.Dir == "" {
		return name
	}
	return filepath.Join(p.opts.Dir, name)
}

// display gives the name shown in positions: relative to the config dir when
// the file lives there, as Asterisk shows "extensions.conf:2".
func (p *parser) display(path string) string {
	if p.opts.Dir == "" || !filepath.IsAbs(path) {
		return path
	}
	if rel, err := filepath.Rel(p.opts.Dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

func (p *parser) warn(file string, line int, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: file, Line: line, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) fail(file string, line int, format string, args ...any) {
	p.diags = append(p.diags, Diagnostic{File: file, Line: line, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// parseData processes one file. It returns false on a fatal error, which
// (as in Asterisk) stops reading that file.
func (p *parser) parseData(file string, data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	commentDepth := 0
	lineno := 0
	for len(data) > 0 {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		lineno++
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > MaxLineLength {
			begin := raw
			if len(begin) > 32 {
				begin = begin[:32]
			}
			p.warn(file, lineno, "Line %d too long, skipping. It begins with: %s", lineno, begin)
			continue
		}
		var text string
		text, commentDepth = stripComments(raw, commentDepth)
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if !p.processLine(file, lineno, text) {
			return false
		}
	}
	if commentDepth > 0 {
		p.warn(file, lineno, "Unterminated comment detected beginning on line %d", lineno)
	}
	return true
}

// stripComments removes ';' comments and ';-- --;' blocks (nested) from one
// line, turning "\;" into ";". depth is the block nesting carried between
// lines.
func stripComments(raw []byte, depth int) (string, int) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if depth > 0 {
			switch {
			case c == ';' && i+2 < len(raw) && raw[i+1] == '-' && raw[i+2] == '-':
				depth++
				i += 2
			case c == '-' && i+2 < len(raw) && raw[i+1] == '-' && raw[i+2] == ';':
				depth--
				i += 2
			}
			continue
		}
		if c == '\\' && i+1 < len(raw) && raw[i+1] == ';' {
			b.WriteByte(';')
			i++
			continue
		}
		if c == ';' {
			if i+2 < len(raw) && raw[i+1] == '-' && raw[i+2] == '-' {
				depth++
				i += 2
				continue
			}
			break
		}
		b.WriteByte(c)
	}
	return b.String(), depth
}

func (p *parser) processLine(file string, lineno int, text string) bool {
	switch text[0] {
	case '[':
		return p.category(file, lineno, text)
	case '#':
		return p.directive(file, lineno, text)
	}
	return p.variable(file, lineno, text)
}

func (p *parser) category(file string, lineno int, text string) bool {
	end := strings.IndexByte(text, ']')
	if end < 0 {
		p.fail(file, lineno, "parse error: no closing ']', line %d of %s", lineno, file)
		return false
	}
	name := strings.TrimSpace(text[1:end])
	cat := &Category{Name: name, File: file, Line: lineno}
	rest := strings.TrimSpace(text[end+1:])
	if !strings.HasPrefix(rest, "(") {
		p.cfg.Categories = append(p.cfg.Categories, cat)
		p.cat = cat
		return true
	}
	closeIdx := strings.IndexByte(rest, ')')
	if closeIdx < 0 {
		p.fail(file, lineno, "parse error: no closing ')', line %d of %s", lineno, file)
		return false
	}
	for _, opt := range strings.Split(rest[1:closeIdx], ",") {
		opt = strings.TrimSpace(opt)
		switch opt {
		case "":
		case "!":
			cat.Template = true
		case "+":
			existing := p.cfg.lookup(name)
			if existing == nil {
				p.fail(file, lineno, "Category addition requested, but category '%s' does not exist, line %d of %s", name, lineno, file)
				return false
			}
			p.cat = existing
			return true
		default:
			base := p.cfg.lookup(opt)
			if base == nil {
				p.fail(file, lineno, "Inheritance requested, but category '%s' does not exist, line %d of %s", opt, lineno, file)
				return false
			}
			cat.Bases = append(cat.Bases, base.Name)
			for _, v := range base.Vars {
				inherited := *v
				inherited.Inherited = true
				cat.Vars = append(cat.Vars, &inherited)
			}
		}
	}
	p.cfg.Categories = append(p.cfg.Categories, cat)
	p.cat = cat
	return true
}

func (p *parser) directive(file string, lineno int, text string) bool {
	word, arg, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexByte(word, '\t'); i >= 0 {
		word, arg = word[:i], word[i+1:]+" "+arg
	}
	arg = strings.TrimSpace(arg)
	if len(arg) >= 2 && (arg[0] == '"' && arg[len(arg)-1] == '"' || arg[0] == '<' && arg[len(arg)-1] == '>') {
		arg = arg[1 : len(arg)-1]
	}
	switch strings.ToLower(word) {
	case "include", "tryinclude":
		if arg == "" {
			p.fail(file, lineno, "Directive '#%s' needs an argument (filename) at line %d of %s", word, lineno, file)
			return false
		}
		return p.include(file, lineno, arg, strings.EqualFold(word, "tryinclude"))
	case "exec", "tryexec":
		if !p.opts.ExecIncludes {
			p.warn(file, lineno, "Cannot perform #exec unless execincludes option is enabled in asterisk.conf (options section)!")
			return true
		}
		if arg == "" {
			p.fail(file, lineno, "Directive '#%s' needs an argument (filename) at line %d of %s", word, lineno, file)
			return false
		}
		return p.execInclude(file, lineno, arg, strings.EqualFold(word, "tryexec"))
	}
	p.warn(file, lineno, "Unknown directive '#%s' at line %d of %s", word, lineno, file)
	return true
}

func (p *parser) include(file string, lineno int, pattern string, try bool) bool {
	if p.depth >= maxIncludeDepth {
		p.fail(file, lineno, "#include nesting deeper than %d levels (a loop?) at line %d of %s", maxIncludeDepth, lineno, file)
		return false
	}
	matches, err := filepath.Glob(p.resolve(pattern))
	if err != nil {
		p.fail(file, lineno, "Bad #include pattern '%s' at line %d of %s: %v", pattern, lineno, file, err)
		return false
	}
	if len(matches) == 0 {
		if try {
			return true
		}
		p.fail(file, lineno, "Unable to include '%s' at line %d of %s: no such file", pattern, lineno, file)
		return false
	}
	sort.Strings(matches)
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			if try {
				continue
			}
			p.fail(file, lineno, "Unable to include '%s' at line %d of %s: %v", pattern, lineno, file, unwrapPathErr(err))
			return false
		}
		p.depth++
		ok := p.parseData(p.display(m), data)
		p.depth--
		if !ok {
			return false
		}
	}
	return true
}

func (p *parser) execInclude(file string, lineno int, command string, try bool) bool {
	out, err := exec.Command("/bin/sh", "-c", command).Output()
	if err != nil && !try {
		p.fail(file, lineno, "#exec '%s' failed at line %d of %s: %v", command, lineno, file, err)
		return false
	}
	p.depth++
	defer func() { p.depth-- }()
	return p.parseData("exec:"+command, out)
}

func (p *parser) variable(file string, lineno int, text string) bool {
	eq := strings.IndexByte(text, '=')
	if eq < 0 {
		p.warn(file, lineno, "No '=' (equal sign) in line %d of %s", lineno, file)
		return true
	}
	if p.cat == nil {
		p.fail(file, lineno, "parse error: No category context for line %d of %s", lineno, file)
		return false
	}
	name := text[:eq]
	value := text[eq+1:]
	object := false
	if strings.HasPrefix(value, ">") {
		object = true
		value = value[1:]
	}
	appendTo := false
	if strings.HasSuffix(name, "+") {
		appendTo = true
		name = name[:len(name)-1]
	}
	name = strings.TrimSpace(name)
	value = strings.TrimSpace(value)
	if name == "" {
		p.warn(file, lineno, "Variable with no name (value '%s') in line %d of %s", value, lineno, file)
		return true
	}
	if appendTo {
		for i := len(p.cat.Vars) - 1; i >= 0; i-- {
			if p.cat.Vars[i].Name == name {
				p.cat.Vars[i].Value += value
				return true
			}
		}
	}
	p.cat.Vars = append(p.cat.Vars, &Variable{Name: name, Value: value, Object: object, File: file, Line: lineno})
	return true
}
