package dialplan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// brief renders priorities as "exten,number(label),App(data)@line".
func brief(ps []Priority) []string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%s,%d", p.Exten, p.Number)
		if p.Label != "" {
			s += "(" + p.Label + ")"
		}
		out = append(out, fmt.Sprintf("%s,%s(%s)@%s:%d", s, p.App, p.Data, p.File, p.Line))
	}
	return out
}

func TestBuildReference(t *testing.T) {
	d, diags := loadDir(t, "testdata/reference")
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if got := d.Contexts(); !reflect.DeepEqual(got, []string{"ovh-sip", "sortant-ovh", "work"}) {
		t.Errorf("contexts = %q", got)
	}
	want := []string{
		"330,1,Dial(SIP/330,10,tr)@extensions.conf:6",
		"330,2,Hangup()@extensions.conf:7",
		"_0[1-7]XXXXXXXX,1,NoOp(Appel sortant OVH vers ${EXTEN})@extensions.conf:8",
		"_0[1-7]XXXXXXXX,2,Set(CALLERID(num)=0972124831)@extensions.conf:9",
		"_0[1-7]XXXXXXXX,3,Dial(SIP/trunk-ovh/${EXTEN},60)@extensions.conf:10",
		"_0[1-7]XXXXXXXX,4,Hangup()@extensions.conf:11",
	}
	if got := brief(d.Priorities("sortant-ovh")); !reflect.DeepEqual(got, want) {
		t.Errorf("sortant-ovh:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p, ok := d.Find("sortant-ovh", "0612345678", "6000", 3)
	if !ok || p.App != "Dial" || p.Data != "SIP/trunk-ovh/${EXTEN},60" || p.Context != "sortant-ovh" || p.Exten != "_0[1-7]XXXXXXXX" {
		t.Errorf("outbound call: %+v", p)
	}
	if _, ok := d.Find("sortant-ovh", "0812345678", "", 1); ok {
		t.Error("08 numbers are not routed")
	}
	if p, ok := d.Find("work", "6001", "6000", 1); !ok || p.Data != "SIP/${EXTEN},20" {
		t.Errorf("work 6001: %+v", p)
	}
	if c, e, pr := d.Stats(); c != 3 || e != 6 || pr != 17 {
		t.Errorf("Stats = %d %d %d", c, e, pr)
	}
	if g := d.General(); !g.AutoFallthrough || g.UsersContext != "default" || g.Static {
		t.Errorf("General defaults: %+v", g)
	}
	if d.HasContext("default") {
		t.Error("users.conf without users must not create the users context")
	}
}

func TestPriorityForms(t *testing.T) {
	d, diags := buildString(t, `[general]
autofallthrough=no
extenpatternmatchnew=yes
clearglobalvars=yes
userscontext=phones

[globals]
LOCAL=6
PREFIX=${LOCAL}0
[t]
exten => 100,1,NoOp(one)
same => n,NoOp(two)
same => 5,NoOp(five)
same => n(six),NoOp(six)
same => next,NoOp(seven)
exten => 100,six+10,NoOp(sixteen)
exten => 100,n+2,NoOp(nineteen)
exten => 100,s+1,NoOp(twenty)
exten => 101,hint,SIP/101
exten => 101,1,Dial(${HINT})
exten => 102,1,Answer
exten => 102,2,  Set(A=(1)) trailing
exten => 102,3,Set(${X}(1))
exten => 102,4,Exec(a,b)
exten => ${PREFIX}1,1,NoOp(substituted)
exten => 1 0 3,1,NoOp(blanks)
exten => _[1,2]X,1,NoOp(comma in set)
[globals]
LATER=1
`)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	want := []string{
		"100,1,NoOp(one)@extensions.conf:11",
		"100,2,NoOp(two)@extensions.conf:12",
		"100,5,NoOp(five)@extensions.conf:13",
		"100,6(six),NoOp(six)@extensions.conf:14",
		"100,7,NoOp(seven)@extensions.conf:15",
		"100,16,NoOp(sixteen)@extensions.conf:16",
		"100,19,NoOp(nineteen)@extensions.conf:17",
		"100,20,NoOp(twenty)@extensions.conf:18",
		"101,-1,SIP/101()@extensions.conf:19",
		"101,1,Dial(${HINT})@extensions.conf:20",
		"102,1,Answer()@extensions.conf:21",
		"102,2,Set(A=(1))@extensions.conf:22", // data ends at the last ')'
		"102,3,Set(${X}(1))@extensions.conf:23",
		"102,4,Exec(a,b)@extensions.conf:24",
		"103,1,NoOp(blanks)@extensions.conf:26",
		"601,1,NoOp(substituted)@extensions.conf:25",
		"_[1,2]X,1,NoOp(comma in set)@extensions.conf:27",
	}
	if got := brief(d.Priorities("t")); !reflect.DeepEqual(got, want) {
		t.Errorf("priorities:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var globals []string
	for _, g := range d.Globals() {
		globals = append(globals, fmt.Sprintf("%s=%s@%s:%d", g.Name, g.Value, g.File, g.Line))
	}
	if want := []string{"LOCAL=6@extensions.conf:8", "PREFIX=${LOCAL}0@extensions.conf:9", "LATER=1@extensions.conf:29"}; !reflect.DeepEqual(globals, want) {
		t.Errorf("globals = %q", globals)
	}
	g := d.General()
	if g.AutoFallthrough || !g.ExtenPatternMatchNew || !g.ClearGlobalVars || g.UsersContext != "phones" {
		t.Errorf("general = %+v", g)
	}
	if n, ok := d.FindLabel("t", "100", "", "six"); !ok || n != 6 {
		t.Errorf("label six = %d %v", n, ok)
	}
	if h, ok := d.Hint("t", "101"); !ok || h != "SIP/101" {
		t.Errorf("hint = %q", h)
	}
}

// The diagnostics carry Asterisk's own wording (pbx_config.c, pbx.c).
func TestDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		conf string
		want []string // "line:severity:message"
	}{
		{"[t]\nsame => n,NoOp()\n", []string{"2:error:No previous pattern in the first entry of context 't' to match 'same' at line 2 of extensions.conf!"}},
		{"[t]\nexten => 100,n,NoOp()\n", []string{"2:error:Can't use 'next' priority on the first entry at line 2 of extensions.conf!"}},
		{"[t]\nexten => 100,s,NoOp()\n", []string{"2:error:Can't use 'same' priority on the first entry at line 2 of extensions.conf!"}},
		{"[t]\nexten => 100,abc,NoOp()\n", []string{"2:error:Invalid priority/label 'abc' at line 2 of extensions.conf"}},
		{"[t]\nexten => 100\n", []string{"2:error:Invalid priority/label '' at line 2 of extensions.conf"}},
		{"[t]\nexten => 100,0,NoOp()\n", []string{"2:error:Invalid priority '0' at line 2 of extensions.conf"}},
		{"[t]\nexten => 100,1(x,NoOp()\n", []string{"2:error:Label missing trailing ')' at line 2 of extensions.conf"}},
		{"[t]\nexten => 100,1,NoOp(x\n", []string{"2:error:No closing parenthesis found? 'NoOp(x' at line 2 of extensions.conf"}},
		{"[t]\nexten => ,1,NoOp()\n", []string{
			"2:error:You have to be kidding-- add exten '' to context t? Figure out a name and call me back. Action ignored.",
			"2:warning:Unable to register extension at line 2 of extensions.conf"}},
		{"[t]\nexten => 100,1,NoOp(a)\nexten => 100,1,NoOp(b)\n", []string{
			"3:warning:Unable to register extension '100' priority 1 in 't', already in use",
			"3:warning:Unable to register extension at line 3 of extensions.conf"}},
		{"[t]\nexten => _[12]X,1,NoOp(a)\nexten => _[21]X,1,NoOp(b)\n", []string{
			"3:warning:Unable to register extension '_[21]X' priority 1 in 't', already in use by aliased extension '_[12]X'",
			"3:warning:Unable to register extension at line 3 of extensions.conf"}},
		{"[t]\nexten => 100,1(a),NoOp()\nexten => 100,2(a),NoOp()\n", []string{
			"3:warning:Extension '100' priority 2 in 't', label 'a' already in use at priority 1"}},
		{"[t]\nexten => _.,1,NoOp()\n", []string{
			"2:warning:The use of '_.' for an extension is strongly discouraged and can have unexpected behavior.  Please use '_X.' instead at line 2 of extensions.conf"}},
		{"[t]\nfoo => bar\n", []string{"2:warning:==!!== Unknown directive: foo at line 2 of extensions.conf -- IGNORING!!!"}},
		{"[general]\nstatic=yes\nautofallthru=no\n[t]\n", []string{"3:warning:Unknown option 'autofallthru' in [general] of extensions.conf, ignored"}},
		{"[t]\ninclude => u\ninclude => u\n[u]\n", []string{"3:warning:Context 'u' already included in 't' context on include at line 3 of extensions.conf"}},
		{"[t]\ninclude => nowhere\n", []string{"2:warning:Context 't' tries to include nonexistent context 'nowhere'"}},
		{"[t]\nignorepat => 9\nignorepat => 9\n", []string{"3:warning:Unable to include ignorepat '9' in context 't' at line 3 of extensions.conf"}},
		{"[t]\nswitch => IAX2/a\nswitch => IAX2/a\n", []string{"3:warning:Unable to include switch 'IAX2/a' in context 't' at line 3 of extensions.conf"}},
		{"[t]\nexten => 100,hint,SIP/100\nsame => n,NoOp()\n", []string{"3:warning:Priority 0 for '100' is not registered (a 'n' priority right after a hint?) at line 3 of extensions.conf"}},
	} {
		_, diags := buildString(t, tc.conf)
		var got []string
		for _, d := range diags {
			got = append(got, fmt.Sprintf("%d:%s:%s", d.Line, d.Severity, d.Message))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %q\nwant %q", tc.conf, got, tc.want)
		}
	}
}

// A context split over several sections ("[ctx]" again, or "[ctx](+)")
// is one context; its priorities merge, duplicates are refused.
func TestContextAdditions(t *testing.T) {
	d, diags := buildString(t, `[a]
exten => 1,1,NoOp(a1)
[b]
exten => 1,1,NoOp(b1)
[a](+)
exten => 1,2,NoOp(a2)
exten => 2,1,NoOp(a-two)
[a]
exten => 1,1,NoOp(dup)
same => n,NoOp(dup too)
same => n,NoOp(a3)
`)
	if got := d.Contexts(); !reflect.DeepEqual(got, []string{"b", "a"}) {
		t.Errorf("contexts = %q", got)
	}
	want := []string{
		"1,1,NoOp(a1)@extensions.conf:2",
		"1,2,NoOp(a2)@extensions.conf:6",
		"1,3,NoOp(a3)@extensions.conf:11",
		"2,1,NoOp(a-two)@extensions.conf:7",
	}
	if got := brief(d.Priorities("a")); !reflect.DeepEqual(got, want) {
		t.Errorf("a:\n%s", strings.Join(got, "\n"))
	}
	// A refused line still advances "n", as in Asterisk.
	if len(diags) != 4 || diags[0].Line != 9 || diags[2].Line != 10 || !strings.Contains(diags[2].Message, "priority 2 in 'a', already in use") {
		t.Errorf("diags = %v", diags)
	}
}

func TestUsersConf(t *testing.T) {
	d, diags := loadDir(t, "testdata/show")
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if h, ok := d.Hint("phones", "2002"); !ok || h != "SIP/2002" {
		t.Errorf("hint 2002 = %q %v", h, ok)
	}
	if p, ok := d.Find("phones", "7002", "", 1); !ok || p.App != "Goto" || p.Data != "2002,1" || p.File != "" {
		t.Errorf("alternate ext: %+v", p)
	}
	if d.Exists("phones", "2004", "", 1) {
		t.Error("hasexten=no still made an extension")
	}
	users, _ := confparse.Parse("users.conf", []byte("[general]\nhasiax=yes\ndahdichan=3-1\n[7000]\nhassip=yes\n[7001]\nhasiax=no\ndahdichan=\n"), confparse.Options{Dir: t.TempDir()})
	d, _ = Build(nil, users)
	if h, _ := d.Hint("default", "7000"); h != "SIP/7000&IAX2/7000&DAHDI/1&DAHDI/2&DAHDI/3" {
		t.Errorf("7000 hint = %q", h)
	}
	if d.Exists("default", "7001", "", 1) {
		t.Error("a user without any device got an extension")
	}
}

func TestTimedInclude(t *testing.T) {
	d, diags := buildString(t, `[t]
include => day,08:00-17:59,mon-fri,*,*
include => night
[day]
exten => 100,1,NoOp(day)
[night]
exten => 100,1,NoOp(night)
`)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	if inc := d.Includes("t"); inc[0].Context != "day" || inc[0].Timing != "08:00-17:59,mon-fri,*,*" || inc[1].Timing != "" {
		t.Errorf("includes = %+v", inc)
	}
	for _, tc := range []struct {
		when string
		want string
	}{
		{"2024-03-04T08:00:00Z", "day"},   // Monday
		{"2024-03-04T17:59:00Z", "day"},   // last minute
		{"2024-03-04T18:00:00Z", "night"}, // after hours
		{"2024-03-04T07:59:00Z", "night"},
		{"2024-03-09T10:00:00Z", "night"}, // Saturday
	} {
		now, _ := time.Parse(time.RFC3339, tc.when)
		d.now = func() time.Time { return now }
		p, _ := d.Find("t", "100", "", 1)
		if p == nil || p.Data != tc.want {
			t.Errorf("%s: got %+v, want %s", tc.when, p, tc.want)
		}
	}
}

func TestTimingSpec(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, tc := range []struct {
		spec string
		when string
		want bool
	}{
		{"*,*,*,*", "2024-01-01T00:00:00Z", true},
		{"22:00-02:00,*,*,*", "2024-01-01T23:30:00Z", true}, // wraps midnight
		{"22:00-02:00,*,*,*", "2024-01-01T02:01:00Z", false},
		{"*,sat-mon,*,*", "2024-01-07T12:00:00Z", true}, // Sunday inside a wrapping range
		{"*,sat-mon,*,*", "2024-01-03T12:00:00Z", false},
		{"*,*,1&15,*", "2024-05-15T12:00:00Z", true},
		{"*,*,1&15,*", "2024-05-16T12:00:00Z", false},
		{"*,*,*,dec-feb", "2024-01-20T12:00:00Z", true},
		{"*,*,*,dec-feb", "2024-06-20T12:00:00Z", false},
		{"09:00-10:00|*|*|*", "2024-06-20T09:30:00Z", true},
		{"bogus,*,*,*", "2024-06-20T09:30:00Z", false}, // no valid time: never
	} {
		if got := parseTiming(tc.spec).active(at(tc.when)); got != tc.want {
			t.Errorf("%s at %s = %v", tc.spec, tc.when, got)
		}
	}
}
