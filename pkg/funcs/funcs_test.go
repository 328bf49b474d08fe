package funcs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

type recLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLog) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, strings.TrimSuffix(s, "\n"))
	l.mu.Unlock()
}
func (l *recLog) Verbose(level int, f string, a ...any) {
	l.add(fmt.Sprintf("VERBOSE%d: ", level) + fmt.Sprintf(f, a...))
}
func (l *recLog) Notice(f string, a ...any)  { l.add("NOTICE: " + fmt.Sprintf(f, a...)) }
func (l *recLog) Warning(f string, a ...any) { l.add("WARNING: " + fmt.Sprintf(f, a...)) }
func (l *recLog) Error(f string, a ...any)   { l.add("ERROR: " + fmt.Sprintf(f, a...)) }
func (l *recLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

type exprEnv struct{ env pbx.Env }

func (e exprEnv) Var(n string) (string, bool)      { return e.env.Var(n) }
func (e exprEnv) Func(n, a string) (string, error) { return e.env.Func(n, a) }
func (e exprEnv) Warn(msg string)                  { e.env.(expr.Warner).Warn(msg) }
func (e exprEnv) WarnFuncError(err error)          { e.env.(expr.FuncErrorWarner).WarnFuncError(err) }

type memDB struct {
	mu sync.Mutex
	m  map[string]string
}

func (d *memDB) Get(f, k string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.m[f+"/"+k]
	return v, ok
}
func (d *memDB) Put(f, k, v string) error { d.mu.Lock(); d.m[f+"/"+k] = v; d.mu.Unlock(); return nil }
func (d *memDB) Del(f, k string) error    { d.mu.Lock(); delete(d.m, f+"/"+k); d.mu.Unlock(); return nil }

type fakeSIP struct{}

func (fakeSIP) PeerItem(peer, item string) (string, bool, bool) {
	if peer != "6000" {
		return "", false, false
	}
	switch item {
	case "ip":
		return "127.0.0.1", true, true
	case "context":
		return "internal", true, true
	}
	return "", true, false
}
func (fakeSIP) IsLocalDomain(d string) (bool, bool) { return d == "pbx.example.com", true }

func newEngine(t *testing.T) (*pbx.Engine, *recLog, *memDB) {
	t.Helper()
	log := &recLog{}
	e := pbx.New(pbx.Config{Logger: log, Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	db := &memDB{m: map[string]string{}}
	err := Register(e, Deps{
		DB: db, SIP: func() SIP { return fakeSIP{} }, Version: "18.26.4",
		Resolver: &fakeResolver{}, NAPTR: fakeNAPTR{}, // no DNS from unit tests
		ModuleLoaded: func(n string) bool { return n == "chan_sip.so" },
		BuildInfo:    map[string]string{"BUILD_USER": "builder"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, log, db
}

// TestRead checks expansions against the values Asterisk 18's
// documentation and source give for the same input; warn is the warning
// that must be logged (the reference then expands to nothing).
func TestRead(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		in    string
		want  string
		warn  string
		after map[string]string // variables after the read
	}{
		{name: "FIELDQTY", vars: map[string]string{"L": "a-b-c-d"}, in: "${FIELDQTY(L,-)}", want: "4"},
		{name: "FIELDQTY empty", in: "${FIELDQTY(NOPE,-)}", want: "0"},
		{name: "FIELDQTY hex delim", vars: map[string]string{"L": "a b c"}, in: `${FIELDQTY(L,\\x20)}`, want: "3"},
		{name: "FIELDNUM", vars: map[string]string{"L": "ax-bx-cx"}, in: "${FIELDNUM(L,-,BX)}", want: "2"},
		{name: "FIELDNUM missing", vars: map[string]string{"L": "a-b"}, in: "${FIELDNUM(L,-,z)}", want: "0"},
		{name: "FIELDNUM usage", in: "${FIELDNUM(L,-)}", warn: "Usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)"},
		{name: "LISTFILTER", vars: map[string]string{"L": "SIP/1,SIP/2,SIP/1,SIP/3"}, in: "${LISTFILTER(L,\\,,SIP/1)}", want: "SIP/2,SIP/3"},
		{name: "LISTFILTER usage", in: "${LISTFILTER(L)}", warn: "Usage: LISTFILTER(<listname>,<delimiter>,<fieldvalue>)"},
		{name: "FILTER", in: "${FILTER(0-9,+33 (6) 12-34)}", want: "3361234"},
		{name: "FILTER set", in: "${FILTER(a-cx,abcdxyz)}", want: "abcx"},
		{name: "FILTER usage", in: "${FILTER(0-9)}", warn: "Usage: FILTER(<allowed-chars>,<string>)"},
		{name: "REGEX match", in: `${REGEX("^06[0-9]+$" 0612345678)}`, want: "1"},
		{name: "REGEX no match", in: `${REGEX("^07" 0612345678)}`, want: "0"},
		{name: "REGEX bad form", in: `${REGEX(abc)}`, warn: "Unexpected arguments: should have been in the form '\"<regex>\" <string>'"},
		{name: "QUOTE", in: `${QUOTE(a"b\c)}`, want: `"a\"b\\c"`},
		{name: "CSV_QUOTE", in: `${CSV_QUOTE(say "hi")}`, want: `"say ""hi"""`},
		{name: "TOUPPER", in: "${TOUPPER(Example é)}", want: "EXAMPLE é"},
		{name: "TOLOWER", in: "${TOLOWER(ExAmple)}", want: "example"},
		{name: "PASSTHRU", in: "${PASSTHRU(abc):1:1}", want: "b"},
		{name: "POP", vars: map[string]string{"L": "a,b,c"}, in: "${POP(L)}", want: "c", after: map[string]string{"L": "a,b"}},
		{name: "SHIFT", vars: map[string]string{"L": "a-b-c"}, in: "${SHIFT(L,-)}", want: "a", after: map[string]string{"L": "b-c"}},
		{name: "SHIFT last", vars: map[string]string{"L": "a"}, in: "${SHIFT(L)}", want: "a", after: map[string]string{"L": ""}},
		{name: "POP no var", in: "${POP()}", warn: "POP requires a variable name"},
		{name: "MATH float", in: "${MATH(3*8)}", want: "24.000000"},
		{name: "MATH int", in: "${MATH(10/4,i)}", want: "2"},
		{name: "MATH negative", in: "${MATH(-3+-4,int)}", want: "-7"},
		{name: "MATH hex", in: "${MATH(255+0,h)}", want: "ff"},
		{name: "MATH compare", in: "${MATH(3>=3)}", want: "TRUE"},
		{name: "MATH AND", in: "${MATH(12AND10,i)}", want: "8"},
		{name: "MATH div0", in: "${MATH(1/0,i)}", want: "0"},
		{name: "MATH no op", in: "${MATH(12)}", warn: "Supply all the parameters - just this once, please"},
		{name: "MATH bad number", in: "${MATH(a+1)}", warn: "'a' is not a valid number"},
		{name: "MATH bad type", in: "${MATH(1+1,z)}", warn: "Unknown type of result requested 'z'."},
		{name: "MATH empty", in: "${MATH()}", warn: "Syntax: MATH(<number1><op><number 2>[,<type_of_result>]) - missing argument!"},
		{name: "RAND fixed", in: "${RAND(7,7)}", want: "7"},
		{name: "URIENCODE", in: "${URIENCODE(a b/c?d=é)}", want: "a%20b%2Fc%3Fd%3D%C3%A9"},
		{name: "URIDECODE", in: "${URIDECODE(a%20b%2fc+d)}", want: "a b/c+d"},
		{name: "BASE64_ENCODE", in: "${BASE64_ENCODE(gostrisk)}", want: "Z29zdHJpc2s="},
		{name: "BASE64_DECODE", in: "${BASE64_DECODE(Z29zdHJpc2s=)}", want: "gostrisk"},
		{name: "BASE64 empty", in: "${BASE64_ENCODE()}", warn: "Syntax: BASE64_ENCODE(<data>) - missing argument!"},
		{name: "MD5", in: "${MD5(junky)}", want: "82546e4c24a391f283de2c8dcbfaea25"},
		{name: "SHA1", in: "${SHA1(junky)}", want: "60fa5675b9303eb62f99a9cd47f9f5837d18f9a0"},
		{name: "MD5 empty", in: "${MD5()}", warn: "Syntax: MD5(<data>) - missing argument!"},
		{name: "SPRINTF", in: "${SPRINTF(%05d-%s-%.2f-%x,42,ab,3.14159,255)}", want: "00042-ab-3.14-ff"},
		{name: "SPRINTF not int", in: "${SPRINTF(%d,abc)}", warn: "Argument 'abc' is not an integer number for format '%d'"},
		{name: "SPRINTF too few", in: "${SPRINTF(%d %d,1)}", warn: "SPRINTF() has more format specifiers than arguments!"},
		{name: "STRPTIME", in: "${STRPTIME(2006-01-02 15:04:05,UTC,%Y-%m-%d %H:%M:%S)}", want: "1136214245"},
		{name: "STRPTIME no format", in: "${STRPTIME(2006,UTC,)}", warn: "No format supplied to STRPTIME(<timestring>,<timezone>,<format>)"},
		{name: "STRPTIME no time", in: "${STRPTIME(xyz,UTC,%Y)}", warn: "STRPTIME() found no time specified within the string"},
		{name: "IFTIME always", in: "${IFTIME(*,*,*,*?yes:no)}", want: "yes"},
		{name: "IFTIME never", in: "${IFTIME(00:00-00:00,*,*,feb&mar,UTC?yes:no)}", want: "no"},
		{name: "IFTIME syntax", in: "${IFTIME(*,*,*,*)}", warn: "Syntax IFTIME(<timespec>?[<true>][:<false>])"},
		{name: "VERSION", in: "${VERSION()}", want: "18.26.4"},
		{name: "VERSION num", in: "${VERSION(ASTERISK_VERSION_NUM)}", want: "182604"},
		{name: "VERSION build user", in: "${VERSION(BUILD_USER)}", want: "builder"},
		{name: "IFMODULE yes", in: "${IFMODULE(chan_sip.so)}", want: "1"},
		{name: "IFMODULE no", in: "${IFMODULE(app_queue.so)}", want: "0"},
		{name: "ENV", in: "${ENV(GOSTRISK_TEST_ENV)}", want: "set"},
		{name: "SHELL", in: "${SHELL(echo hi)}", want: "hi\n"},
		{name: "SHELL empty", in: "${SHELL()}", warn: `Missing Argument!  Example:  Set(foo=${SHELL(echo "bar")})`},
		{name: "SIPPEER ip", in: "${SIPPEER(6000)}", want: "127.0.0.1"},
		{name: "SIPPEER item", in: "${SIPPEER(6000,context)}", want: "internal"},
		{name: "SIPPEER unknown", in: "${SIPPEER(9999,ip)}", want: ""},
		{name: "CHECKSIPDOMAIN", in: "${CHECKSIPDOMAIN(pbx.example.com)}", want: "pbx.example.com"},
		{name: "CHECKSIPDOMAIN other", in: "${CHECKSIPDOMAIN(evil.example.com)}", want: ""},
		{name: "CHECKSIPDOMAIN empty", in: "${CHECKSIPDOMAIN()}", warn: "CHECKSIPDOMAIN requires an argument - A domain name"},
		{name: "SIP_HEADER non-SIP", in: "${SIP_HEADER(From)}", warn: "This function can only be used on SIP channels."},
		{name: "HASH", vars: map[string]string{"~HASH~h~k~": "v"}, in: "${HASH(h,k)}", want: "v"},
		{name: "TIMEOUT digit default", in: "${TIMEOUT(digit)}", want: "5.000"},
		{name: "TIMEOUT response default", in: "${TIMEOUT(response)}", want: "10.000"},
		{name: "TIMEOUT absolute unset", in: "${TIMEOUT(absolute)}", want: "0"},
		{name: "TIMEOUT bad", in: "${TIMEOUT(x)}", warn: "Unknown timeout type specified."},
		{name: "CDR dst", in: "${CDR(dst)}", want: "100"},
		{name: "CDR disposition", in: "${CDR(disposition)}", want: "NO ANSWER"},
		{name: "CDR amaflags", in: "${CDR(amaflags)}", want: "DOCUMENTATION"},
		{name: "CDR amaflags raw", in: "${CDR(amaflags,u)}", want: "3"},
		{name: "CDR no var", in: "${CDR()}", warn: "CDR requires a variable (CDR(variable[,option]))"},
		{name: "BLACKLIST clean", in: "${BLACKLIST()}", want: "0"},
		{name: "DEVICE_STATE custom unset", in: "${DEVICE_STATE(Custom:lamp)}", want: "UNKNOWN"},
		{name: "DEVICE_STATE unknown tech", in: "${DEVICE_STATE(IAX2/100)}", want: "INVALID"},
		{name: "EXTENSION_STATE no hint", in: "${EXTENSION_STATE(100@internal)}", want: "UNKNOWN"},
		{name: "EXTENSION_STATE empty", in: "${EXTENSION_STATE()}", warn: "EXTENSION_STATE requires an extension"},
		{name: "DIALGROUP unknown", in: "${DIALGROUP(sales)}", warn: "No such dialgroup 'sales'"},
		{name: "GROUP_COUNT none", in: "${GROUP_COUNT(trunk)}", want: "0"},
		{name: "LOCAL outside Gosub", vars: map[string]string{"X": "1"}, in: "${LOCAL(X)}", want: ""},
		{name: "LOCAL_PEEK 0", vars: map[string]string{"X": "1"}, in: "${LOCAL_PEEK(0,X)}", want: "1"},
		{name: "LOCAL_PEEK args", in: "${LOCAL_PEEK(1)}", warn: "LOCAL_PEEK requires parameters n and varname"},
		{name: "CONNECTEDLINE unknown", in: "${CONNECTEDLINE(foo)}", warn: "Unknown connectedline data type 'foo'."},
		{name: "REDIRECTING reason default", in: "${REDIRECTING(reason)}", want: "unknown"},
		{name: "CALLERID pres default", in: "${CALLERID(pres)}", want: "allowed_not_screened"},
		{name: "EVAL", vars: map[string]string{"A": "${B}", "B": "bee"}, in: "${EVAL(${A})}", want: "bee"},
		{name: "EVAL empty", in: "${EVAL()}", warn: "EVAL requires an argument: EVAL(<string>)"},
		{name: "REPLACE", vars: map[string]string{"N": "+33 6-12"}, in: "${REPLACE(N,+ -)}", want: "33612"},
		{name: "REPLACE char", vars: map[string]string{"N": "a.b.c"}, in: "${REPLACE(N,.,_)}", want: "a_b_c"},
		{name: "REPLACE usage", in: "${REPLACE(N)}", warn: "Usage: REPLACE(<varname>,<search-chars>[,<replace-char>])"},
		{name: "STRREPLACE", vars: map[string]string{"S": "aXbXcX"}, in: "${STRREPLACE(S,X,--,2)}", want: "a--b--cX"},
		{name: "STRREPLACE no find", vars: map[string]string{"S": "a"}, in: "${STRREPLACE(S,)}", warn: "No <find-string> specified"},
		{name: "TRIM", in: "[${TRIM(  a b  )}]", want: "[a b]"},
		{name: "KEYPADHASH", in: "${KEYPADHASH(Les)}", want: "537"},
		{name: "INC", vars: map[string]string{"N": "41"}, in: "${INC(N)}", want: "42", after: map[string]string{"N": "42"}},
		{name: "DEC", vars: map[string]string{"N": "0"}, in: "${DEC(N)}", want: "-1"},
		{name: "DIALPLAN_EXISTS empty", in: "${DIALPLAN_EXISTS()}", warn: "DIALPLAN_EXISTS() requires an argument"},
		{name: "VALID_EXTEN no exten", in: "${VALID_EXTEN(c)}", warn: "Syntax: VALID_EXTEN([<context>],<extension>[,<priority>]) - missing argument <extension>!"},
		{name: "missing function", in: "a${NOSUCH(x)}b", want: "ab", warn: "Function NOSUCH not registered"},
	}
	t.Setenv("GOSTRISK_TEST_ENV", "set")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, log, _ := newEngine(t)
			ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "internal", "100")
			defer ch.Hangup(0)
			for k, v := range tt.vars {
				ch.SetVar(k, v)
			}
			log.take()
			got := e.Substitute(ch, tt.in)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", tt.in, got, tt.want)
			}
			warns := warnings(log.take())
			switch {
			case tt.warn == "" && len(warns) > 0:
				t.Errorf("%s: unexpected warnings %q", tt.in, warns)
			case tt.warn != "" && (len(warns) != 1 || warns[0] != tt.warn):
				t.Errorf("%s: warnings %q, want [%q]", tt.in, warns, tt.warn)
			}
			for k, v := range tt.after {
				if got, _ := ch.Var(k); got != v {
					t.Errorf("after %s: %s = %q, want %q", tt.in, k, got, v)
				}
			}
		})
	}
}

// TestWrite checks Set(FUNC(args)=value) followed by reads.
func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		writes [][2]string // FUNC(args), value
		in     string
		want   string
		warn   string
	}{
		{name: "HASH", writes: [][2]string{{"HASH(h,k)", "v"}}, in: "${HASH(h,k)}", want: "v"},
		{name: "HASH inherit", writes: [][2]string{{"HASH(_h,k)", "v"}}, in: "${HASH(h,k)}", want: "v"},
		{name: "HASHKEYS", writes: [][2]string{{"HASH(h,a)", "1"}, {"HASH(h,b)", "2"}, {"HASH(g,c)", "3"}}, in: "${HASHKEYS(h)}/${HASH(h)}", want: "b,a/2,1"},
		{name: "ARRAY", writes: [][2]string{{"ARRAY(A,B,C)", "1,2"}}, in: "${A}-${B}-${C}", want: "1-2-"},
		{name: "PUSH", writes: [][2]string{{"PUSH(L)", "a"}, {"PUSH(L)", "b"}}, in: "${L}", want: "a,b"},
		{name: "UNSHIFT", writes: [][2]string{{"UNSHIFT(L,-)", "a"}, {"UNSHIFT(L,-)", "b"}}, in: "${L}", want: "b-a"},
		{name: "SHARED", writes: [][2]string{{"SHARED(x)", "1"}}, in: "${SHARED(x)}/${x}", want: "1/"},
		{name: "SHARED empty", writes: [][2]string{{"SHARED()", "1"}}, warn: "SHARED() requires an argument: SHARED(<var>[,<chan>])"},
		{name: "SHARED unknown channel", writes: [][2]string{{"SHARED(x,SIP/none)", "1"}}, warn: "Channel 'SIP/none' not found!  Variable 'x' not set to '1'."},
		{name: "TIMEOUT digit", writes: [][2]string{{"TIMEOUT(digit)", "2.5"}}, in: "${TIMEOUT(digit)}", want: "2.500"},
		{name: "CDR userfield", writes: [][2]string{{"CDR(userfield)", "vip"}}, in: "${CDR(userfield)}", want: "vip"},
		{name: "CDR custom", writes: [][2]string{{"CDR(team)", "blue"}}, in: "${CDR(team)}", want: "blue"},
		{name: "CDR amaflags", writes: [][2]string{{"CDR(amaflags)", "billing"}}, in: "${CDR(amaflags)}/${CDR(amaflags,u)}", want: "BILLING/2",
			warn: "Using the CDR function to set 'amaflags' is deprecated. Please use the CHANNEL function instead."},
		{name: "CDR read-only", writes: [][2]string{{"CDR(src)", "1"}}, warn: "Attempt to set the 'src' read-only variable!"},
		{name: "CDR accountcode", writes: [][2]string{{"CDR(accountcode)", "acme"}}, in: "${CHANNEL(accountcode)}", want: "acme",
			warn: "Using the CDR function to set 'accountcode' is deprecated. Please use the CHANNEL function instead."},
		{name: "GROUP", writes: [][2]string{{"GROUP(trunks)", "ovh"}}, in: "${GROUP(trunks)}/${GROUP_COUNT(ovh@trunks)}/${GROUP_MATCH_COUNT(^o)}/${GROUP_LIST()}", want: "ovh/1/1/ovh@trunks"},
		{name: "GROUP replace", writes: [][2]string{{"GROUP()", "a"}, {"GROUP()", "b"}}, in: "${GROUP()}/${GROUP_COUNT(a)}/${GROUP_COUNT()}", want: "b/0/1"},
		{name: "GROUP empty", writes: [][2]string{{"GROUP()", ""}}, warn: "Setting a group requires an argument (group name)"},
		{name: "DIALGROUP", writes: [][2]string{{"DIALGROUP(s)", "SIP/1&SIP/2"}, {"DIALGROUP(s,add)", "SIP/3"}, {"DIALGROUP(s,del)", "SIP/1"}}, in: "${DIALGROUP(s)}", want: "SIP/2&SIP/3"},
		{name: "DEVICE_STATE custom", writes: [][2]string{{"DEVICE_STATE(Custom:lamp)", "inuse"}}, in: "${DEVICE_STATE(custom:LAMP)}", want: "INUSE"},
		{name: "DEVICE_STATE non custom", writes: [][2]string{{"DEVICE_STATE(SIP/6000)", "INUSE"}}, warn: "The DEVICE_STATE function can only be used to set 'Custom:' device state!"},
		{name: "CALLERID pres", writes: [][2]string{{"CALLERID(pres)", "prohib"}}, in: "${CALLERID(name-pres)}/${CALLERID(num-pres)}", want: "prohib/prohib"},
		{name: "CALLERID bad pres", writes: [][2]string{{"CALLERID(num-pres)", "secret"}}, warn: "Unknown number presentation 'secret', value unchanged"},
		{name: "CONNECTEDLINE", writes: [][2]string{{"CONNECTEDLINE(all)", `"Bob" <6001>`}}, in: "${CONNECTEDLINE(name)}|${CONNECTEDLINE(num)}", want: "Bob|6001"},
		{name: "REDIRECTING", writes: [][2]string{{"REDIRECTING(from-num)", "6002"}, {"REDIRECTING(reason)", "user-busy"}, {"REDIRECTING(count)", "2"}},
			in: "${REDIRECTING(from-num)}/${CALLERID(rdnis)}/${REDIRECTING(reason)}/${REDIRECTING(count)}", want: "6002/6002/cfb/2"},
		{name: "REDIRECTING bad reason", writes: [][2]string{{"REDIRECTING(reason)", "bored"}}, warn: "Unknown redirecting reason 'bored', defaulting to unknown"},
		{name: "LOCAL outside Gosub", writes: [][2]string{{"LOCAL(x)", "1"}}, warn: "Tried to set LOCAL(x), but we aren't within a Gosub routine"},
		{name: "ENV", writes: [][2]string{{"ENV(GOSTRISK_TEST_W)", "v"}}, in: "${ENV(GOSTRISK_TEST_W)}", want: "v"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasPrefix(tt.writes[0][0], "ENV(") {
				t.Setenv("GOSTRISK_TEST_W", "")
			}
			e, log, _ := newEngine(t)
			ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "internal", "100")
			defer ch.Hangup(0)
			var warns []string
			for _, w := range tt.writes {
				if err := e.Assign(ch, w[0], w[1]); err != nil {
					warns = append(warns, err.Error())
				}
			}
			warns = append(warns, warnings(log.take())...)
			if got := e.Substitute(ch, tt.in); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.in, got, tt.want)
			}
			if tt.warn == "" && len(warns) > 0 || tt.warn != "" && (len(warns) != 1 || warns[0] != tt.warn) {
				t.Errorf("warnings %q, want %q", warns, tt.warn)
			}
		})
	}
}

func TestBlacklist(t *testing.T) {
	e, _, db := newEngine(t)
	ch := e.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "x", Context: "c", Exten: "s",
		CallerID: pbx.CallerID{Name: "Spam Inc", Num: "0899123456"}})
	defer ch.Hangup(0)
	if got := e.Substitute(ch, "${BLACKLIST()}"); got != "0" {
		t.Fatalf("clean caller: %q", got)
	}
	_ = db.Put("blacklist", "0899123456", "1")
	if got := e.Substitute(ch, "${BLACKLIST()}"); got != "1" {
		t.Fatalf("blacklisted number: %q", got)
	}
	_ = db.Del("blacklist", "0899123456")
	_ = db.Put("blacklist", "Spam Inc", "1")
	if got := e.Substitute(ch, "${BLACKLIST()}"); got != "1" {
		t.Fatalf("blacklisted name: %q", got)
	}
}

// TestGroupCountAcrossChannels: the count is engine-wide and a channel
// that hangs up leaves it.
func TestGroupCountAcrossChannels(t *testing.T) {
	e, _, _ := newEngine(t)
	var chans []*pbx.Channel
	for i := 0; i < 3; i++ {
		ch := pbxtest.NewPhone(nil).NewChannel(e, fmt.Sprint(6000+i), "c", "s")
		if err := e.Assign(ch, "GROUP(out)", "trunk"); err != nil {
			t.Fatal(err)
		}
		chans = append(chans, ch)
	}
	if got := e.Substitute(chans[0], "${GROUP_COUNT(trunk@out)}"); got != "3" {
		t.Fatalf("GROUP_COUNT = %q, want 3", got)
	}
	chans[1].Hangup(0)
	if got := e.Substitute(chans[0], "${GROUP_COUNT(trunk@out)}/${GROUP_MATCH_COUNT(tr.*@o)}"); got != "2/2" {
		t.Fatalf("after a hangup = %q, want 2/2", got)
	}
	chans[0].Hangup(0)
	chans[2].Hangup(0)
}

// TestTimeoutAbsolute: the channel is hung up when the time is over, and
// the digit timeout the engine uses is TIMEOUT(digit)'s.
func TestTimeoutAbsolute(t *testing.T) {
	e, log, _ := newEngine(t)
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	if err := e.Assign(ch, "TIMEOUT(digit)", "3"); err != nil {
		t.Fatal(err)
	}
	if got := e.DigitTimeout(ch); got != 3*time.Second {
		t.Fatalf("DigitTimeout = %v, want 3s", got)
	}
	if err := e.Assign(ch, "TIMEOUT(absolute)", "0.2"); err != nil {
		t.Fatal(err)
	}
	if v := e.Substitute(ch, "${TIMEOUT(absolute)}"); v == "0" || v == "" {
		t.Fatalf("TIMEOUT(absolute) after setting = %q", v)
	}
	select {
	case <-ch.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("channel not hung up after the absolute timeout")
	}
	found := false
	for _, l := range log.take() {
		found = found || strings.HasPrefix(l, "VERBOSE3: Channel will hangup at ")
	}
	if !found {
		t.Error("no 'Channel will hangup at' line")
	}
	// Cancelling: a new channel with 0 keeps running.
	ch2 := pbxtest.NewPhone(nil).NewChannel(e, "6001", "c", "s")
	defer ch2.Hangup(0)
	_ = e.Assign(ch2, "TIMEOUT(absolute)", "0.1")
	_ = e.Assign(ch2, "TIMEOUT(absolute)", "0")
	time.Sleep(300 * time.Millisecond)
	if ch2.HangupRequested() {
		t.Error("cancelled absolute timeout still hung up")
	}
}

// TestLocalInGosub: LOCAL() and ARGn are restored by Return.
func TestLocalInGosub(t *testing.T) {
	e, _, _ := newEngine(t)
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	ch.SetVar("ext", "outer")
	ch.PushFrame(pbx.Frame{Context: "c", Exten: "s", Priority: 2, Saved: map[string]*string{"ARG1": nil}})
	ch.SetVar("ARG1", "a1")
	if err := e.Assign(ch, "LOCAL(ext)", "inner"); err != nil {
		t.Fatal(err)
	}
	if got := e.Substitute(ch, "${LOCAL(ext)}/${ext}/${LOCAL_PEEK(1,ext)}/${LOCAL(ARG1)}"); got != "inner/inner/outer/a1" {
		t.Fatalf("inside Gosub: %q", got)
	}
	f, _ := ch.PopFrame()
	for name, v := range f.Saved { // what Return does (pkg/apps restore)
		if v == nil {
			ch.UnsetVar(name)
		} else {
			ch.SetVar(name, *v)
		}
	}
	if got := e.Substitute(ch, "${ext}/${ARG1}"); got != "outer/" {
		t.Fatalf("after Return: %q", got)
	}
}

// TestDeviceState derives SIP/x's state from its channels.
func TestDeviceState(t *testing.T) {
	e, _, _ := newEngine(t)
	if err := e.RegisterTechnology(testTech{}); err != nil {
		t.Fatal(err)
	}
	if got := e.Substitute(nil, "${DEVICE_STATE(Test/6000)}"); got != "UNKNOWN" {
		t.Fatalf("idle = %q", got)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	ch.Ringing()
	if got := e.Substitute(nil, "${DEVICE_STATE(Test/6000)}"); got != "RINGING" {
		t.Fatalf("ringing = %q", got)
	}
	ch.SetState(pbx.StateUp)
	if got := e.Substitute(nil, "${DEVICE_STATE(Test/6000)}"); got != "INUSE" {
		t.Fatalf("up = %q", got)
	}
	ch.Held("")
	if got := e.Substitute(nil, "${DEVICE_STATE(Test/6000)}"); got != "ONHOLD" {
		t.Fatalf("held = %q", got)
	}
	ch.Hangup(0)
	if got := e.Substitute(nil, "${DEVICE_STATE(Test/6000)}"); got != "UNKNOWN" {
		t.Fatalf("after hangup = %q", got)
	}
}

type testTech struct{}

func (testTech) Type() string        { return "Test" }
func (testTech) Description() string { return "test" }
func (testTech) Request(context.Context, string, *pbx.Channel) (*pbx.Channel, error) {
	return nil, fmt.Errorf("no")
}

func TestCustomDeviceStatePersists(t *testing.T) {
	e, _, db := newEngine(t)
	if err := e.Assign(nil, "DEVICE_STATE(Custom:lamp1)", "BUSY"); err != nil {
		t.Fatal(err)
	}
	if v, ok := db.Get(CustomDevstateFamily, "lamp1"); !ok || v != "BUSY" {
		t.Fatalf("astdb CustomDevstate/lamp1 = %q, %v", v, ok)
	}
	if got := e.Substitute(nil, "${DEVICE_STATE(Custom:lamp1)}"); got != "BUSY" {
		t.Fatalf("read back %q", got)
	}
}

// hintPlan is a dialplan with hints only.
type hintPlan map[string]string

func (hintPlan) Find(string, string, string, int) (*pbx.Priority, bool) { return nil, false }
func (hintPlan) FindLabel(string, string, string, string) (int, bool)   { return 0, false }
func (hintPlan) Exists(string, string, string, int) bool                { return false }
func (hintPlan) HasContext(string) bool                                 { return true }
func (hintPlan) AutoFallthrough() bool                                  { return true }
func (h hintPlan) Hint(context, exten string) (string, bool) {
	v, ok := h[exten+"@"+context]
	return v, ok
}

func TestExtensionState(t *testing.T) {
	log := &recLog{}
	plan := hintPlan{"6000@internal": "Test/6000", "7000@default": "Test/6000&Custom:dnd7000", "8000@default": "IAX2/8000"}
	e := pbx.New(pbx.Config{Logger: log, Plan: func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{}); err != nil {
		t.Fatal(err)
	}
	if err := e.RegisterTechnology(testTech{}); err != nil {
		t.Fatal(err)
	}
	read := func(s string) string { return e.Substitute(nil, "${EXTENSION_STATE("+s+")}") }
	if got := read("6000@internal"); got != "NOT_INUSE" {
		t.Errorf("idle hint = %q, want NOT_INUSE (UNKNOWN devices aggregate as not in use)", got)
	}
	if got := read("9999@internal"); got != "UNKNOWN" {
		t.Errorf("no hint = %q", got)
	}
	if got := read("8000"); got != "UNAVAILABLE" {
		t.Errorf("invalid device = %q, want UNAVAILABLE", got)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	ch.Ringing()
	if got := read("6000@internal"); got != "RINGING" {
		t.Errorf("ringing = %q", got)
	}
	ch.SetState(pbx.StateUp)
	if got := read("6000@internal"); got != "INUSE" {
		t.Errorf("up = %q", got)
	}
	_ = e.Assign(nil, "DEVICE_STATE(Custom:dnd7000)", "BUSY")
	if got := read("7000"); got != "BUSY" {
		t.Errorf("in use + busy = %q, want BUSY", got)
	}
}

func TestOtherChannel(t *testing.T) {
	e, log, _ := newEngine(t)
	a := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer a.Hangup(0)
	b := pbxtest.NewPhone(nil).NewChannel(e, "6001", "c", "s")
	defer b.Hangup(0)
	a.SetVar("SECRET", "42")
	if err := e.Assign(b, "SHARED(flag,"+a.Name()+")", "on"); err != nil {
		t.Fatal(err)
	}
	got := e.Substitute(b, "${IMPORT("+a.Name()+",SECRET)}/${SHARED(flag,"+a.Name()+")}")
	if got != "42/on" {
		t.Fatalf("IMPORT/SHARED across channels = %q", got)
	}
	if got := e.Substitute(a, "${SHARED(flag)}"); got != "on" {
		t.Fatalf("SHARED on its own channel = %q", got)
	}
	// A prefix of a name is no channel name.
	if got := e.Substitute(b, "${SHARED(flag,Test/6000)}"); got != "" {
		t.Fatalf("SHARED with a name prefix = %q", got)
	}
	if l := log.take(); len(l) == 0 || !strings.Contains(l[len(l)-1], "Channel 'Test/6000' not found!  Variable 'flag' will be blank.") {
		t.Fatalf("log %q", l)
	}
}

// TestNoChannelNoPanic: every function, read and written without a channel
// (as [globals] substitution does) and with odd arguments, returns instead
// of crashing the daemon.
func TestNoChannelNoPanic(t *testing.T) {
	t.Chdir(t.TempDir()) // FILE and CURL write files named by the inputs
	e, _, _ := newEngine(t)
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	inputs := []string{"", "x", "a,b,c", ",", `"`, "\\", "x@y", "1-", "(", "Custom:"}
	for _, f := range e.Functions() {
		if f.Name == "SHELL" || f.Name == "ENV" {
			continue // would run commands or change the test's environment
		}
		for _, c := range []*pbx.Channel{nil, ch} {
			for _, in := range inputs {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s(%q) on channel %v panicked: %v", f.Name, in, c != nil, r)
						}
					}()
					if f.Read != nil {
						_, _ = f.Read(c, in)
					}
					if f.Write != nil {
						_ = f.Write(c, in, in)
					}
				}()
			}
		}
	}
}

// TestRegisterWithoutDeps: the same functions exist without any
// dependency (what `gostrisk check` builds), answering as without the
// module behind them.
func TestRegisterWithoutDeps(t *testing.T) {
	full, _, _ := newEngine(t)
	e := pbx.New(pbx.Config{Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{}); err != nil {
		t.Fatal(err)
	}
	if a, b := len(full.Functions()), len(e.Functions()); a != b {
		t.Fatalf("%d functions with deps, %d without", a, b)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	if got := e.Substitute(ch, "${BLACKLIST()}/${IFMODULE(chan_sip.so)}/${SIPPEER(6000)}/${CHECKSIPDOMAIN(x)}"); got != "0/0//" {
		t.Fatalf("without deps: %q", got)
	}
}

// onePlan has context "c" with extension 100 priorities 1-2 (label "two").
type onePlan struct{ hintPlan }

func (onePlan) Exists(ctx, exten, _ string, prio int) bool {
	return ctx == "c" && exten == "100" && prio >= 1 && prio <= 2
}
func (onePlan) FindLabel(ctx, exten, _, label string) (int, bool) {
	return 2, ctx == "c" && exten == "100" && label == "two"
}
func (onePlan) HasContext(ctx string) bool { return ctx == "c" }

func TestDialplanExists(t *testing.T) {
	e := pbx.New(pbx.Config{Plan: func() pbx.Plan { return onePlan{} },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) }})
	if err := Register(e, Deps{}); err != nil {
		t.Fatal(err)
	}
	ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
	defer ch.Hangup(0)
	tests := map[string]string{
		"${DIALPLAN_EXISTS(c)}":         "1",
		"${DIALPLAN_EXISTS(d)}":         "0",
		"${DIALPLAN_EXISTS(c,100)}":     "1",
		"${DIALPLAN_EXISTS(c,101)}":     "0",
		"${DIALPLAN_EXISTS(c,100,2)}":   "1",
		"${DIALPLAN_EXISTS(c,100,3)}":   "0",
		"${DIALPLAN_EXISTS(c,100,two)}": "1",
		"${VALID_EXTEN(,100)}":          "1",
		"${VALID_EXTEN(c,100,3)}":       "0",
	}
	for in, want := range tests {
		if got := e.Substitute(ch, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
}

// warnings returns the WARNING and ERROR lines of a log, without level.
func warnings(lines []string) []string {
	var out []string
	for _, l := range lines {
		if w, ok := strings.CutPrefix(l, "WARNING: "); ok {
			out = append(out, w)
		} else if w, ok := strings.CutPrefix(l, "ERROR: "); ok {
			out = append(out, w)
		}
	}
	return out
}

// TestLogLevels: a function's message goes out at the level Asterisk logs
// it with.
func TestLogLevels(t *testing.T) {
	tests := []struct{ in, want string }{
		{"${FILTER(0-9)}", "ERROR: Usage: FILTER(<allowed-chars>,<string>)"},
		{"${MATH(12)}", "WARNING: Supply all the parameters - just this once, please"},
		{"${SPRINTF(%d,x)}", "ERROR: Argument 'x' is not an integer number for format '%d'"},
		{"${BASE64_DECODE()}", "WARNING: Syntax: BASE64_DECODE(<data>) - missing argument!"},
		{"${NOSUCH()}", "ERROR: Function NOSUCH not registered"},
	}
	for _, tt := range tests {
		e, log, _ := newEngine(t)
		ch := pbxtest.NewPhone(nil).NewChannel(e, "6000", "c", "s")
		log.take()
		e.Substitute(ch, tt.in)
		if got := log.take(); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s logged %q, want [%q]", tt.in, got, tt.want)
		}
		ch.Hangup(0)
	}
}
