package funcs

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// moreCase is one expansion: vars and globals set first, in expanded
// on a channel (in context "sub" at exten "s" priority 1), want the
// result, warn the one warning or error logged ("" for none).
type moreCase struct {
	name    string
	vars    map[string]string
	globals map[string]string
	writes  [][2]string
	in      string
	want    string
	warn    string
}

const morePlan = `[sub]
exten => s,1,NoOp(start)
 same => n(lbl),Return(${EXTEN}:${PRIORITY}:${CONTEXT}:${V})
exten => 42,1,Return(answer is ${EXTEN})
[other]
exten => x,1,Set(A=${CONTEXT})
`

// newMoreEngine is newEngine with a dialplan and only the given sounds
// existing (nil: every sound exists).
func newMoreEngine(t *testing.T, sounds map[string]bool) (*pbx.Engine, *recLog) {
	t.Helper()
	cfg, diags := confparse.Parse("extensions.conf", []byte(morePlan), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan := pbx.FromDialplan(dp)
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Plan: func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	deps := Deps{DB: &memDB{m: map[string]string{}}}
	if sounds != nil {
		deps.SoundExists = func(_ *pbx.Channel, name string) bool { return sounds[name] }
	}
	if err := Register(e, deps); err != nil {
		t.Fatal(err)
	}
	return e, log
}

func runMore(t *testing.T, tests []moreCase, sounds map[string]bool) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, log := newMoreEngine(t, sounds)
			ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "sub", "s")
			defer ch.Hangup(0)
			ch.SetLocation("sub", "s", 1)
			for k, v := range tt.vars {
				ch.SetVar(k, v)
			}
			for k, v := range tt.globals {
				e.SetGlobalVar(k, v)
			}
			log.take()
			var warns []string
			for _, w := range tt.writes {
				if err := e.Assign(ch, w[0], w[1]); err != nil {
					warns = append(warns, err.Error())
				}
			}
			got := e.Substitute(ch, tt.in)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.in, got, tt.want)
			}
			warns = append(warns, warnings(log.take())...)
			switch {
			case tt.warn == "" && len(warns) > 0:
				t.Errorf("%s: unexpected warnings %q", tt.in, warns)
			case tt.warn != "" && (len(warns) != 1 || warns[0] != tt.warn):
				t.Errorf("%s: warnings %q, want [%q]", tt.in, warns, tt.warn)
			}
		})
	}
}

// TestPureFunctions: values and messages from func_math.c, func_cut.c,
// func_strings.c, func_odbc.c, func_env.c, func_aes.c, func_json.c and
// func_iconv.c for the same input.
func TestPureFunctions(t *testing.T) {
	runMore(t, []moreCase{
		{name: "ABS int", in: "${ABS(-42)}", want: "42"},
		{name: "ABS float", in: "${ABS(-2.5)}", want: "2.500000"},
		{name: "ABS bad", in: "${ABS(x)}", warn: "Bad or missing argument for number: x"},
		{name: "ABS missing", in: "${ABS()}", warn: "Bad or missing argument for number: (null)"},
		{name: "MIN", in: "${MIN(7,-3)}", want: "-3"},
		{name: "MIN float", in: "${MIN(1.5,2)}", want: "1.500000"},
		{name: "MIN only second", in: "${MIN(,9)}", want: "9"},
		{name: "MIN only first", in: "${MIN(4)}", want: "4"},
		{name: "MIN none", in: "${MIN()}", warn: "Missing argument for number(s)."},
		{name: "MAX", in: "${MAX(7,-3)}", want: "7"},
		{name: "MAX bad", in: "${MAX(7,z)}", warn: "'z' is not a valid number"},
		{name: "SORT", in: "${SORT(a:3,b:1.5,c:-2,d:1.5)}", want: "c,b,d,a"},
		{name: "SORT drops no colon", in: "${SORT(a:2,junk,b:1)}", want: "b,a"},
		{name: "SORT empty", in: "${SORT()}", want: ""},
		{name: "STRBETWEEN", vars: map[string]string{"N": "5551212"}, in: "${STRBETWEEN(N,w)}", want: "5w5w5w1w2w1w2"},
		{name: "STRBETWEEN one char", vars: map[string]string{"N": "5"}, in: "${STRBETWEEN(N,w)}", want: "5"},
		{name: "STRBETWEEN usage", in: "${STRBETWEEN(N)}", warn: "Usage: STRBETWEEN(<varname>,<insert-string>)"},
		{name: "SQL_ESC", in: "${SQL_ESC(O'Brien)}", want: "O''Brien"},
		{name: "SQL_ESC_BACKSLASHES", in: `${SQL_ESC_BACKSLASHES(a\b)}`, want: `a\\b`},
		{name: "BASENAME", in: "${BASENAME(/etc/asterisk/extensions.conf)}", want: "extensions.conf"},
		{name: "BASENAME trailing slash", in: "${BASENAME(/var/spool/)}", want: "spool"},
		{name: "BASENAME root", in: "${BASENAME(/)}", want: "/"},
		{name: "DIRNAME", in: "${DIRNAME(/etc/asterisk/extensions.conf)}", want: "/etc/asterisk"},
		{name: "DIRNAME trailing slash", in: "${DIRNAME(/var/spool/)}", want: "/var"},
		{name: "DIRNAME bare", in: "${DIRNAME(file)}", want: "."},
		{name: "DIRNAME top", in: "${DIRNAME(/file)}", want: "/"},
		// Cipher texts computed with openssl enc -aes-128-ecb -nopad on the
		// zero-padded text.
		{name: "AES_ENCRYPT", in: "${AES_ENCRYPT(0123456789abcdef,abc)}", want: "143GhCR4ITfgDEz7kCW0cw=="},
		{name: "AES_ENCRYPT two blocks", in: "${AES_ENCRYPT(0123456789abcdef,Hello\\, gostrisk!abc)}", want: "IGNfqDtkL1//5anL8QhW1teNxoQkeCE34AxM+5AltHM="},
		{name: "AES_DECRYPT", in: "${AES_DECRYPT(0123456789abcdef,IGNfqDtkL1//5anL8QhW1teNxoQkeCE34AxM+5AltHM=)}", want: "Hello, gostrisk!abc"},
		{name: "AES round trip", in: "${AES_DECRYPT(0123456789abcdef,${AES_ENCRYPT(0123456789abcdef,secret)})}", want: "secret"},
		{name: "AES short key", in: "${AES_ENCRYPT(short,abc)}", warn: "Syntax: AES_ENCRYPT(<key>,<data>) - <key> parameter must be exactly 16 characters!"},
		{name: "AES missing", in: "${AES_DECRYPT(0123456789abcdef)}", warn: "Syntax: AES_DECRYPT(<key>,<data>) - missing argument!"},
		{name: "JSON string", vars: map[string]string{"J": `{"city":"Paris","n":3}`}, in: "${JSON_DECODE(J,city)}", want: "Paris"},
		{name: "JSON int", vars: map[string]string{"J": `{"city":"Paris","n":3}`}, in: "${JSON_DECODE(J,n)}", want: "3"},
		{name: "JSON real", vars: map[string]string{"J": `{"x":0.1}`}, in: "${JSON_DECODE(J,x)}", want: "0.10000000000000001"},
		{name: "JSON bool null", vars: map[string]string{"J": `{"t":true,"f":false,"z":null}`}, in: "${JSON_DECODE(J,t)}${JSON_DECODE(J,f)}[${JSON_DECODE(J,z)}]", want: "10[]"},
		{name: "JSON nested", vars: map[string]string{"J": `{"a":{"b":[10,{"c":"deep"}]}}`}, in: "${JSON_DECODE(J,a.b.1.c)}", want: "deep"},
		{name: "JSON nested sep", vars: map[string]string{"J": `{"a":{"b":"x"}}`}, in: "${JSON_DECODE(J,a/b,/)}", want: "x"},
		{name: "JSON object dump", vars: map[string]string{"J": `{"a": {"z": 1, "b": [1, 2]}}`}, in: "${JSON_DECODE(J,a)}", want: `{"z":1,"b":[1,2]}`},
		{name: "JSON array count", vars: map[string]string{"J": `{"a":[1,2,3]}`}, in: "${JSON_DECODE(J,a,,c)}", want: "3"},
		{name: "JSON top array", vars: map[string]string{"J": `["x","y"]`}, in: "${JSON_DECODE(J,1)}", want: "y"},
		{name: "JSON missing key", vars: map[string]string{"J": `{"a":1}`}, in: "${JSON_DECODE(J,b)}", want: ""},
		{name: "JSON bad", vars: map[string]string{"J": `{oops`}, in: "${JSON_DECODE(J,a)}", warn: "Failed to parse as JSON: {oops"},
		{name: "JSON no key", in: "${JSON_DECODE(J)}", warn: "JSON_DECODE requires a key"},
		{name: "JSON bad sep", vars: map[string]string{"J": `{"a":{"b":"x"}}`}, in: "${JSON_DECODE(J,a.b,::)}", want: "x",
			warn: "Nesting separator '::' has length 2 and is invalid (must be a single character)"},
		{name: "ICONV utf8 to latin1", in: "${ICONV(UTF-8,ISO-8859-1,café)}", want: "caf\xe9"},
		{name: "ICONV latin1 to utf8", in: "${ICONV(latin1,utf8,caf\xe9)}", want: "café"},
		{name: "ICONV cp1252 euro", in: "${ICONV(UTF-8,WINDOWS-1252,5€)}", want: "5\x80"},
		{name: "ICONV translit", in: "${ICONV(UTF-8,ASCII//TRANSLIT,Ça coûte 5€)}", want: "Ca coute 5EUR"},
		{name: "ICONV ignore", in: "${ICONV(UTF-8,ASCII//IGNORE,né)}", want: "n"},
		{name: "ICONV illegal keeps prefix", in: "${ICONV(UTF-8,ASCII,né)}", want: "n", warn: "Iconv: illegal character."},
		{name: "ICONV unknown", in: "${ICONV(UTF-8,KLINGON,x)}", warn: "conversion from 'UTF-8' to 'KLINGON' not available. type 'iconv -l' in a shell to list the supported charsets."},
		{name: "ICONV few args", in: "${ICONV(UTF-8,ASCII)}", warn: "Syntax: ICONV(<in-charset>,<out-charset>,<text>) 2"},
	}, nil)
}

// TestVariableFunctions: func_logic.c, func_global.c, func_export.c,
// func_evalexten.c and app_stack.c's STACK_PEEK.
func TestVariableFunctions(t *testing.T) {
	runMore(t, []moreCase{
		{name: "VARIABLE_EXISTS set", vars: map[string]string{"X": ""}, in: "${VARIABLE_EXISTS(X)}", want: "1"},
		{name: "VARIABLE_EXISTS global", globals: map[string]string{"G": "1"}, in: "${VARIABLE_EXISTS(G)}", want: "1"},
		{name: "VARIABLE_EXISTS unset", in: "${VARIABLE_EXISTS(X)}", want: "0"},
		{name: "VARIABLE_EXISTS builtin", in: "${VARIABLE_EXISTS(EXTEN)}", want: "0"},
		{name: "DELETE", vars: map[string]string{"X": "1"}, writes: [][2]string{{"DELETE(X)", ""}}, in: "${VARIABLE_EXISTS(X)}", want: "0"},
		{name: "DELETE leaves global", vars: map[string]string{"X": "1"}, globals: map[string]string{"X": "g"}, writes: [][2]string{{"DELETE(X)", ""}}, in: "${X}", want: "g"},
		{name: "GLOBAL_EXISTS", globals: map[string]string{"G": ""}, vars: map[string]string{"C": "1"}, in: "${GLOBAL_EXISTS(G)}${GLOBAL_EXISTS(C)}", want: "10"},
		{name: "GLOBAL_DELETE", globals: map[string]string{"G": "1"}, writes: [][2]string{{"GLOBAL_DELETE(G)", ""}}, in: "${GLOBAL_EXISTS(G)}", want: "0"},
		{name: "EXPORT unknown", writes: [][2]string{{"EXPORT(SIP/nobody,X)", "1"}}, warn: "Channel 'SIP/nobody' not found! 'X' not set."},
		{name: "EXPORT no var", writes: [][2]string{{"EXPORT(SIP/nobody)", "1"}}, warn: "No variable name was provided to EXPORT function."},
		{name: "EVAL_EXTEN label", vars: map[string]string{"V": "v"}, in: "${EVAL_EXTEN(lbl)}", want: "s:2:sub:v"},
		{name: "EVAL_EXTEN exten", in: "${EVAL_EXTEN(42,1)}", want: "answer is 42"},
		{name: "EVAL_EXTEN context", in: "${EVAL_EXTEN(other,x,1)}", want: "A=other"},
		{name: "EVAL_EXTEN missing", in: "${EVAL_EXTEN(other,y,1)}", want: ""},
		{name: "EVAL_EXTEN empty", in: "${EVAL_EXTEN()}", warn: "The EVAL_EXTEN function requires an extension"},
		{name: "STACK_PEEK no stack", in: "${STACK_PEEK(1,e)}", warn: "STACK_PEEK called on a channel without a gosub stack"},
		{name: "STACK_PEEK suppressed", in: "${STACK_PEEK(1,e,1)}", want: ""},
		{name: "STACK_PEEK args", in: "${STACK_PEEK(1)}", warn: "STACK_PEEK requires parameters n and which"},
		{name: "STACK_PEEK zero", in: "${STACK_PEEK(0,e)}", warn: "STACK_PEEK must be called with a positive peek value"},
	}, nil)
}

// TestExportAndStackPeek: EXPORT writes a variable and a function on
// another channel; STACK_PEEK reads the Gosub frames innermost first.
func TestExportAndStackPeek(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	a := pbxtest.NewPhone(nil).NewChannel(e, "a", "sub", "s")
	b := pbxtest.NewPhone(nil).NewChannel(e, "b", "sub", "s")
	defer a.Hangup(0)
	defer b.Hangup(0)
	if err := e.Assign(a, "EXPORT("+b.Name()+",_FOO)", "bar"); err != nil {
		t.Fatal(err)
	}
	if err := e.Assign(a, "EXPORT("+b.Name()+",CDR(userfield))", "vip"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Var("FOO"); v != "bar" {
		t.Errorf("FOO on b = %q", v)
	}
	if got := e.Substitute(b, "${CDR(userfield)}"); got != "vip" {
		t.Errorf("CDR(userfield) on b = %q", got)
	}
	b.PushFrame(pbx.Frame{Context: "outer", Exten: "100", Priority: 4})
	b.PushFrame(pbx.Frame{Context: "mid", Exten: "s", Priority: 3, Nested: true})
	b.PushFrame(pbx.Frame{Context: "inner", Exten: "200", Priority: 2})
	for in, want := range map[string]string{
		"${STACK_PEEK(1,l)}": "inner,200,1", "${STACK_PEEK(2,c)}": "outer",
		"${STACK_PEEK(2,e)}": "100", "${STACK_PEEK(2,p)}": "3", "${STACK_PEEK(3,c,yes)}": "",
	} {
		if got := e.Substitute(b, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	if w := warnings(log.take()); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	e.Substitute(b, "${STACK_PEEK(3,c)}")
	if w := warnings(log.take()); len(w) != 1 || w[0] != "Stack peek of '3' is more stack frames than I have" {
		t.Errorf("too deep: %q", w)
	}
}

// TestSayFiles: the prompt lists say.c builds; alpha, phonetic and digits
// keep only existing prompts.
func TestSayFiles(t *testing.T) {
	sounds := map[string]bool{"letters/a": true, "letters/b": true, "digits/1": true, "digits/2": true,
		"letters/ascii195": false, "letters/dot": true, "phonetic/a_p": true, "phonetic/9_p": true, "digits/0": true,
		"digits/star": true, "letters/ascii-61": true}
	runMore(t, []moreCase{
		{name: "alpha", in: "${SAYFILES(Ab1.)}", want: "letters/a&letters/b&digits/1&letters/dot"},
		{name: "alpha missing skipped", in: "${SAYFILES(az)}", want: "letters/a"},
		{name: "alpha ascii fallback", in: "${SAYFILES(\xc3)}", want: "letters/ascii-61"},
		{name: "phonetic", in: "${SAYFILES(a9,phonetic)}", want: "phonetic/a_p&phonetic/9_p"},
		{name: "digits", in: "${SAYFILES(1*2x,digits)}", want: "digits/1&digits/star&digits/2"},
		{name: "number", in: "${SAYFILES(1234567,number)}", want: "digits/1&digits/million&digits/2&digits/hundred&digits/30&digits/4&digits/thousand&digits/5&digits/hundred&digits/60&digits/7"},
		{name: "number zero", in: "${SAYFILES(0,number)}", want: "digits/0"},
		{name: "number negative", in: "${SAYFILES(-15,number)}", want: "digits/minus&digits/15"},
		{name: "number bad", in: "${SAYFILES(12a,number)}", warn: "Invalid numeric argument: 12a"},
		{name: "ordinal", in: "${SAYFILES(21,ordinal)}", want: "digits/20&digits/h-1"},
		{name: "ordinal tens", in: "${SAYFILES(40,ordinal)}", want: "digits/h-40"},
		{name: "ordinal hundred", in: "${SAYFILES(300,ordinal)}", want: "digits/3&digits/h-hundred"},
		{name: "ordinal thousand", in: "${SAYFILES(2000,ordinal)}", want: "digits/2&digits/h-thousand"},
		{name: "ordinal big", in: "${SAYFILES(1001,ordinal)}", want: "digits/1&digits/thousand&digits/h-1"},
		{name: "money", in: "${SAYFILES(2.42,money)}", want: "digits/2&dollars&and&digits/40&digits/2&cents"},
		{name: "money one dollar", in: "${SAYFILES(1,money)}", want: "digits/1&letters/dollar"},
		{name: "money dollar and cent", in: "${SAYFILES(1.01,money)}", want: "digits/1&letters/dollar_&and&digits/1&cent"},
		{name: "money cents only", in: "${SAYFILES(.5,money)}", want: "digits/5&cents"},
		{name: "money zero", in: "${SAYFILES(0,money)}", want: "digits/0&cents"},
		{name: "bad type", in: "${SAYFILES(1,roman)}", warn: "Invalid say type specified: roman"},
		{name: "no argument", in: "${SAYFILES()}", warn: "SAYFILES requires an argument"},
	}, sounds)
}
