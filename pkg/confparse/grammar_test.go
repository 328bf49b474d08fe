package confparse

import (
	"fmt"
	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dump renders a Config and its Diagnostics in a stable text form for golden
// files: every category with its flags and position, every variable with
// its position and flags, then the diagnostics. dir is replaced by $DIR.
func dump(cfg *Config, diags Diagnostics, dir string) string {
	var b strings.Builder
	clean := func(s string) string {
		if dir != "" {
			s = strings.ReplaceAll(s, dir, "$DIR")
		}
		return s
	}
	fmt.Fprintf(&b, "files: %s\n", clean(strings.Join(cfg.Files, ", ")))
	for _, c := range cfg.Categories {
		fmt.Fprintf(&b, "[%s] %s", c.Name, clean(c.Pos()))
		if c.Template {
			b.WriteString(" template")
		}
		if len(c.Bases) > 0 {
			fmt.Fprintf(&b, " bases=%s", strings.Join(c.Bases, ","))
		}
		b.WriteString("\n")
		for _, v := range c.Vars {
			op := "="
			if v.Object {
				op = "=>"
			}
			fmt.Fprintf(&b, "  %q %s %q  %s", v.Name, op, v.Value, clean(v.Pos()))
			if v.Inherited {
				b.WriteString(" inherited")
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("--\n")
	for _, d := range diags {
		b.WriteString(clean(d.String()))
		b.WriteString("\n")
	}
	return b.String()
}

// grammarCase is one config set: files written to a fresh config dir, then
// main.conf loaded from it.
type grammarCase struct {
	name  string
	files map[string]string
	opts  Options
	// load overrides the file name given to Load.
	load string
}

func grammarCases() []grammarCase {
	long := func(n int) string { return strings.Repeat("x", n) }
	return []grammarCase{
		{name: "basic", files: map[string]string{"main.conf": "[general]\ncontext = default\nbindport=5060\n\n[6000]\ntype=friend\n"}},
		{name: "comments", files: map[string]string{"main.conf": "; full line\n[general] ; after header\na=1;trailing\nb = 2 ; spaced\n;[hidden]\nc=3\n"}},
		{name: "escaped_semicolon", files: map[string]string{"main.conf": "[g]\nsecret=ab\\;cd ; real comment\npath=a\\\\;b\nx=\\;start\n"}},
		{name: "block_comment", files: map[string]string{"main.conf": "[g]\na=1\n;-- this\nb=2\nis all --; c=3\nd=4 ;-- inline --; e\nf=5\n"}},
		{name: "block_nested", files: map[string]string{"main.conf": "[g]\n;-- outer\n;-- inner --;\nstill=comment\n--;\nafter=1\n"}},
		{name: "dash_rule_not_block", files: map[string]string{"main.conf": "[g]\n;---------------- separator\na=1\n;----- --;\nb=2\n"}},
		{name: "block_end_same_line_keeps_rest", files: map[string]string{"main.conf": "[g]\nx=1 ;-- a --;--; --;y\nz=2\n"}},
		{name: "unmatched_block_end", files: map[string]string{"main.conf": "[g]\na=b--;c\nlost=1\n;--\nback=1\n"}},
		{name: "unterminated_block", files: map[string]string{"main.conf": "[g]\na=1\n;-- open\nb=2\n"}},
		{name: "include_basic", files: map[string]string{
			"main.conf":   "[general]\na=1\n#include \"inc.conf\"\nb=2\n[after]\nc=3\n",
			"inc.conf":    "d=4\n[fromInc]\ne=5\n",
			"unused.conf": "[never]\n",
		}},
		{name: "include_quoting", files: map[string]string{
			"main.conf": "[g]\n#include <a.conf>\n#include \"b.conf\"\n#include c.conf\n#tryinclude \"d.conf\n",
			"a.conf":    "a=1\n", "b.conf": "b=1\n", "c.conf": "c=1\n",
		}},
		{name: "include_glob", files: map[string]string{
			"main.conf":     "[g]\n#include sip.d/*.conf\n#include {x,y}.conf\n",
			"sip.d/b.conf":  "[b]\nb=1\n",
			"sip.d/a.conf":  "[a]\na=1\n",
			"sip.d/.h.conf": "[hidden]\n",
			"sip.d/c.txt":   "[txt]\n",
			"x.conf":        "[x]\n", "y.conf": "[y]\n",
		}},
		{name: "include_glob_shares_state", files: map[string]string{
			"main.conf": "#include d/*.conf\n",
			"d/1.conf":  "[one]\na=1\n;-- open\n",
			"d/2.conf":  "hidden=1\n--;\nb=2\n",
		}},
		{name: "include_missing", files: map[string]string{"main.conf": "[g]\na=1\n#include nope.conf\nb=2\n"}},
		{name: "tryinclude_missing", files: map[string]string{"main.conf": "[g]\n#tryinclude nope.conf\n#tryinclude nope*.conf\nb=2\n"}},
		{name: "include_error_inside", files: map[string]string{
			"main.conf": "[g]\n#include bad.conf\nafter=1\n",
			"bad.conf":  "x=1\n[broken\ny=2\n",
		}},
		{name: "include_loop", files: map[string]string{"main.conf": "[g]\n#include main.conf\nv=1\n"}},
		{name: "include_twice", files: map[string]string{"main.conf": "[g]\n#include a.conf\n#include a.conf\n", "a.conf": "a=1\n"}},
		{name: "include_continues_outer_category", files: map[string]string{
			"main.conf": "[outer]\n#include a.conf\nmine=1\n#include b.conf\n",
			"a.conf":    "ina=1\n[acat]\nina2=1\n",
			"b.conf":    "inb=1\n",
		}},
		{name: "include_not_regular", files: map[string]string{"main.conf": "[g]\n#include sub\n", "sub/x.conf": "x=1\n"}},
		{name: "include_no_argument", files: map[string]string{"main.conf": "[g]\n#include\n#include   \n#exec\na=1\n"}, opts: Options{ExecIncludes: true}},
		{name: "exec_refused", files: map[string]string{"main.conf": "[g]\n#exec echo a=1\nb=2\n"}},
		{name: "exec_allowed", files: map[string]string{"main.conf": "[g]\n#exec \"printf 'a=1\\n[e]\\nb=2\\n' && echo oops >&2 && exit 3\"\nc=3\n"}, opts: Options{ExecIncludes: true}},
		{name: "unknown_directive", files: map[string]string{"main.conf": "[g]\n#tryexec ls\n#foo bar\n#INCLUDE a.conf\n", "a.conf": "a=1\n"}},
		{name: "template", files: map[string]string{"main.conf": "[tmpl](!)\nhost=dynamic\ncontext=work\n[6000](tmpl)\nsecret=x\ncontext=home\n[6001](tmpl)\n"}},
		{name: "inherit_order", files: map[string]string{"main.conf": "[a](!)\na=1\nx=a\n[b](!,a)\nb=1\nx=b\n[c](b,a)\nc=1\n"}},
		{name: "inherit_first_of_duplicates", files: map[string]string{"main.conf": "[base]\nv=first\n[base]\nv=second\n[user](base)\n"}},
		{name: "inherit_missing", files: map[string]string{"main.conf": "[user](nope)\na=1\n[next]\n"}},
		{name: "inherit_space_not_trimmed", files: map[string]string{"main.conf": "[t](!)\na=1\n[u](!, t)\n"}},
		{name: "inherit_empty_name", files: map[string]string{"main.conf": "[first]\nf=1\n[u]()\n"}},
		{name: "addition", files: map[string]string{"main.conf": "[g]\na=1\n[g]\nb=1\n[other]\n[g](+)\nc=1\n"}},
		{name: "addition_missing", files: map[string]string{"main.conf": "[g](+)\na=1\n"}},
		{name: "addition_not_to_template", files: map[string]string{"main.conf": "[t](!)\na=1\n[t](+)\nb=1\n"}},
		{name: "addition_filter", files: map[string]string{"main.conf": "[p]\ntype=peer\n[p]\ntype=user\n[p](+type=us.r)\nadded=1\n"}},
		{name: "addition_with_bases", files: map[string]string{"main.conf": "[t](!)\nfromt=1\n[g]\na=1\n[g](t,+)\nb=1\n"}},
		{name: "duplicates_kept", files: map[string]string{"main.conf": "[6000]\na=1\n[6000]\na=2\n[6000]\n"}},
		{name: "object_and_equals", files: map[string]string{"main.conf": "[ctx]\nexten => 100,1,Answer()\nsame=>n,Hangup()\ninclude=>other\nregister => u:p@h/100\nweird = > x\n"}},
		{name: "append", files: map[string]string{"main.conf": "[g]\nallow=ulaw\nallow+=,alaw\nallow += gsm\nnew+=fresh\nAllow+=case\nempty=\nempty+=  late\n"}},
		{name: "append_inherited", files: map[string]string{"main.conf": "[t](!)\nv=a\n[u](t)\nv+=b\n"}},
		{name: "whitespace_and_quotes", files: map[string]string{"main.conf": "  [g]  \n\t a \t=\t b c \t\nq = \"quoted; not\" \nfullname = \"Sadek Adel\"\n\x0bv=\x0b1\x0c\n"}},
		{name: "case_insensitive_names", files: map[string]string{"main.conf": "[General]\nA=1\n[base](!)\nx=1\n[u](BASE)\n[GENERAL](+)\nb=2\n"}},
		{name: "crlf", files: map[string]string{"main.conf": "[g]\r\na = 1\r\n;c\r\nb=2 ; x\r\n"}},
		{name: "bom", files: map[string]string{"main.conf": "\xef\xbb\xbf[g]\na=1\n"}},
		{name: "missing_bracket", files: map[string]string{"main.conf": "[g]\na=1\n[broken\nb=2\n"}},
		{name: "missing_paren", files: map[string]string{"main.conf": "[g](!\na=1\n"}},
		{name: "text_after_bracket", files: map[string]string{"main.conf": "[g] (!)\na=1\n"}},
		{name: "var_before_category", files: map[string]string{"main.conf": "a=1\n[g]\n"}},
		{name: "line_without_equals", files: map[string]string{"main.conf": "[g]\njustaword\nb=2\n"}},
		{name: "line_without_equals_before_category", files: map[string]string{"main.conf": "word\n[g]\n"}},
		{name: "no_variable_name", files: map[string]string{"main.conf": "[g]\n=value\n  = v2\n"}},
		{name: "escaped_name", files: map[string]string{"main.conf": "[g]\n\\[x]=1\n\\#y=2\n\\==3\n"}},
		{name: "invalid_escape", files: map[string]string{"main.conf": "[g]\n\\ x=1\nnever=1\n"}},
		{name: "line_too_long", files: map[string]string{"main.conf": "[g]\nok=" + long(8187) + "\nlong=" + long(8187) + "\nafter=1\nhuge=" + long(3*8191) + "\nlast=1\n"}},
		{name: "line_exactly_two_chunks", files: map[string]string{"main.conf": "[g]\n" + "v=" + long(8191*2-3) + "\nnext=1\n"}},
		{name: "long_category_name", files: map[string]string{"main.conf": "[" + long(100) + "]\na=1\n"}},
		{name: "no_trailing_newline", files: map[string]string{"main.conf": "[g]\na=1"}},
		{name: "empty_file", files: map[string]string{"main.conf": ""}},
		{name: "missing_top_file", files: map[string]string{"other.conf": "[x]\n"}},
		{name: "top_level_glob", files: map[string]string{"a.conf": "[a]\n", "b.conf": "[b]\n"}, load: "*.conf"},
		{name: "nest_limit", files: map[string]string{"main.conf": "[g]\na=1 " + strings.Repeat(";-- ", 129) + "\n" + strings.Repeat("--; ", 129) + "\nb=2\n"}},
		{name: "nul_byte", files: map[string]string{"main.conf": "[g]\na=1\x00b=2\nc=3\n"}},
	}
}

func TestGrammar(t *testing.T) {
	for _, tc := range grammarCases() {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			opts := tc.opts
			opts.Dir = dir
			load := tc.load
			if load == "" {
				load = "main.conf"
			}
			cfg, diags := Load(load, opts)
			got := dump(cfg, diags, dir)
			checkGolden(t, filepath.Join("testdata", "golden", tc.name+".golden"), got)
		})
	}
}

// writeFiles creates files (paths relative to dir, subdirectories made).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		path := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(files[n]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	goldenfile.Check(t, path, got)
}
