package dialplan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// contextOf builds one context "t" holding each pattern at priority 1 with
// the pattern itself as NoOp data, in the given (file) order.
func contextOf(t *testing.T, patterns ...string) *Dialplan {
	t.Helper()
	var b strings.Builder
	b.WriteString("[t]\n")
	for _, p := range patterns {
		fmt.Fprintf(&b, "exten => %s,1,NoOp(%s)\n", p, p)
	}
	d, _ := buildString(t, b.String())
	return d
}

// TestPatternOrder checks which extension Asterisk's ordering picks when
// several match; each case was worked out from pbx.c's ext_cmp rules.
func TestPatternOrder(t *testing.T) {
	for _, tc := range []struct {
		dialled  string
		patterns []string
		want     string // "" when nothing matches
	}{
		{"0123456789", []string{"_0XXXXXXXXX", "_0[1-7]XXXXXXXX"}, "_0[1-7]XXXXXXXX"},
		{"123", []string{"_X.", "_X!", "_XXX"}, "_XXX"},
		{"12", []string{"_X!", "_X."}, "_X."},
		{"1", []string{"_X.", "_X!"}, "_X!"},
		{"100", []string{"_1XX", "100"}, "100"},
		{"555", []string{"_NXX", "_5XX"}, "_5XX"},
		{"255", []string{"_ZXX", "_NXX"}, "_NXX"},
		{"155", []string{"_NXX", "_ZXX"}, "_ZXX"},
		{"555", []string{"_NXX", "_[5-9]XX"}, "_[5-9]XX"},
		{"555", []string{"_[5-9]XX", "_[2-6]XX"}, "_[2-6]XX"},
		{"11", []string{"_[13]X", "_[12]X"}, "_[12]X"},
		{"5551234", []string{"_55XXXXX", "_555XXXX"}, "_555XXXX"},
		{"12345", []string{"_X.", "_XXXXX"}, "_XXXXX"},
		{"12345", []string{"_X.", "_1."}, "_1."},
		{"12345", []string{"_1234!", "_12345"}, "_12345"},
		{"1234", []string{"_1234.", "_1234!"}, "_1234!"},
		{"12345", []string{"_1234!", "_1234."}, "_1234."},
		{"6001", []string{"_6XXX", "_600X"}, "_600X"},
		{"100", []string{"_1XX", "1-00"}, "1-00"},
		{"abc", []string{"_X.", "_abc"}, "_abc"},
		{"s", []string{"_.", "s"}, "s"},
		{"123", []string{"_[0-9]XX", "_XXX"}, "_[0-9]XX"}, // same sets: one extension, first name kept
		{"123", []string{"_123", "_[1]23"}, "_123"},
		{"0612345678", []string{"_0[67]XXXXXXXX", "_06XXXXXXXX"}, "_06XXXXXXXX"},
		{"0033972124831", []string{"_0033X.", "0033972124831"}, "0033972124831"},
		{"0033972124831", []string{"_00X.", "_0033X."}, "_0033X."},
		{"911", []string{"_9!", "_91!"}, "_91!"},
		{"9", []string{"_9.", "_9!"}, "_9!"},
		{"4155551212", []string{"_NXXNXXXXXX", "_415XXXXXXX"}, "_415XXXXXXX"},
		{"12", []string{"_1X", "_1Z"}, "_1Z"},
		{"10", []string{"_1Z", "_1X"}, "_1X"},
		{"ab", []string{"_[a-c]b", "_[ab]b"}, "_[ab]b"},
		{"255", []string{"_nxx"}, "_nxx"},
		{"123#", []string{"_XXX.", "_XXX#"}, "_XXX#"},
		{"5", []string{"_[]5"}, "_[]5"}, // an empty set is skipped
		{"12", []string{"_1[2"}, ""},    // an unterminated set never matches
		{"1-2-3", []string{"_XXX"}, "_XXX"},
		{"123", []string{"_X-X-X"}, "_X-X-X"},
		{"12", []string{"_XXX", "_X"}, ""},
		{"", []string{"_X!", "_X."}, ""},
		{"2", []string{"_[1-3]", "_[2]"}, "_[2]"},
		{"0972124831", []string{"_0[1-7]XXXXXXXX", "_0[6-9]XXXXXXXX", "_09XXXXXXXX"}, "_09XXXXXXXX"},
	} {
		d := contextOf(t, tc.patterns...)
		p, ok := d.Find("t", tc.dialled, "", 1)
		got := ""
		if ok {
			got = p.Data
		}
		if got != tc.want {
			t.Errorf("dial %q among %q: got %q, want %q", tc.dialled, tc.patterns, got, tc.want)
		}
	}
}

func TestCallerIDMatch(t *testing.T) {
	d, diags := buildString(t, `[t]
exten => 100,1,NoOp(anyone)
exten => 100/2001,1,NoOp(boss)
exten => 100/_2XXX,1,NoOp(office)
exten => 100/,1,NoOp(anonymous)
exten => 200/(555) 123-4567,1,NoOp(shrunk)
exten => _3XX/2001,1,NoOp(pattern for boss)
`)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	for _, tc := range []struct{ exten, cid, want string }{
		{"100", "2001", "boss"},
		{"100", "2002", "office"},
		{"100", "3000", "anyone"},
		{"100", "", "anonymous"},
		{"200", "5551234567", "shrunk"},
		{"200", "", ""},
		{"300", "2001", "pattern for boss"},
		{"300", "2002", ""},
	} {
		p, ok := d.Find("t", tc.exten, tc.cid, 1)
		got := ""
		if ok {
			got = p.Data
		}
		if got != tc.want {
			t.Errorf("Find(%s, cid %q) = %q, want %q", tc.exten, tc.cid, got, tc.want)
		}
	}
	p, _ := d.Find("t", "200", "5551234567", 1)
	if !p.MatchCID || p.CID != "5551234567" {
		t.Errorf("shrunk caller ID pattern: %+v", p)
	}
}

func TestIncludesAndModes(t *testing.T) {
	d, diags := buildString(t, `[a]
include => b
include => c
exten => _1.,2,NoOp(a-two-only)
[b]
include => a
exten => _1X,1,NoOp(b)
exten => 555,hint,SIP/555
[c]
include => b
exten => 12,1,NoOp(c)
exten => _7!,1,NoOp(c7)
exten => 8XX,1,NoOp(not a pattern)
exten => _9XX,1,NoOp(start)
same => n(dial),Dial(x)
same => n,Hangup()
`)
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	find := func(ctx, exten string, pri int) string {
		p, ok := d.Find(ctx, exten, "", pri)
		if !ok {
			return ""
		}
		return p.Context + ":" + p.Data
	}
	for _, tc := range []struct {
		ctx, exten string
		pri        int
		want       string
	}{
		{"a", "12", 1, "b:b"},          // own _1. lacks priority 1: falls to includes
		{"a", "12", 2, "a:a-two-only"}, // own extension has it
		{"a", "19", 1, "b:b"},          // b comes before c
		{"a", "123", 1, ""},            // loops a->b->a are cut
		{"c", "12", 1, "c:c"},          // own before included
		{"a", "901", 2, "c:x"},         // through b (whose include of a is cut) then c
		{"nosuch", "12", 1, ""},
	} {
		if got := find(tc.ctx, tc.exten, tc.pri); got != tc.want {
			t.Errorf("Find(%s,%s,%d) = %q, want %q", tc.ctx, tc.exten, tc.pri, got, tc.want)
		}
	}
	if n, ok := d.FindLabel("a", "901", "", "dial"); !ok || n != 2 {
		t.Errorf("FindLabel dial = %d %v", n, ok)
	}
	if _, ok := d.FindLabel("a", "901", "", "nolabel"); ok {
		t.Error("FindLabel of a missing label succeeded")
	}
	if h, ok := d.Hint("a", "555"); !ok || h != "SIP/555" {
		t.Errorf("Hint through include = %q %v", h, ok)
	}
	if _, ok := d.Hint("c", "12"); ok {
		t.Error("hint for an extension without one")
	}
	for _, tc := range []struct {
		exten               string
		canMatch, matchMore bool
	}{
		{"1", true, true},   // "12" is longer
		{"12", true, false}, // complete, nothing longer has priority 1
		{"7", true, false},  // _7! matches already: MatchMore says no
		{"9", true, true},
		{"90", true, true},
		{"901", true, false},
		{"8", true, true}, // "8XX" is a plain name: "8" is a prefix of it
		{"4", false, false},
	} {
		if got := d.CanMatch("c", tc.exten, ""); got != tc.canMatch {
			t.Errorf("CanMatch(%s) = %v", tc.exten, got)
		}
		if got := d.MatchMore("c", tc.exten, ""); got != tc.matchMore {
			t.Errorf("MatchMore(%s) = %v", tc.exten, got)
		}
	}
	if !d.Exists("c", "8XX", "", 1) || d.Exists("c", "800", "", 1) {
		t.Error("a name without '_' is not a pattern")
	}
	if !d.Exists("c", "_9XX", "", 3) {
		t.Error("a pattern given as the dialled string matches itself")
	}
}

func TestIgnorePattern(t *testing.T) {
	d, _ := buildString(t, "[t]\nignorepat => 9\nignorepat => _8X\n")
	for exten, want := range map[string]bool{"9": true, "91": false, "81": true, "8": false, "7": false} {
		if got := d.IgnorePattern("t", exten); got != want {
			t.Errorf("IgnorePattern(%s) = %v", exten, got)
		}
	}
}

// linearFind is the plain walk Asterisk does over one context, used to
// check that the index returns the same answers.
func linearFind(d *Dialplan, ctx, exten string) *Priority {
	for _, e := range d.byName[ctx].exts {
		if matchExten(e.exten, exten, modeMatch) != 0 {
			if p := e.priority(1); p != nil {
				return p
			}
		}
	}
	return nil
}

func TestIndexAgreesWithLinearWalk(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	elems := []string{"0", "1", "2", "5", "9", "X", "N", "Z", "[1-3]", "[05]", "[0-9]", "[]", "-", "#", "a"}
	tails := []string{"", "", ".", "!"}
	var b strings.Builder
	b.WriteString("[t]\n")
	for i := 0; i < 2000; i++ {
		var p strings.Builder
		literal := rng.Intn(4) == 0
		if !literal {
			p.WriteByte('_')
		}
		n := 1 + rng.Intn(7)
		for j := 0; j < n; j++ {
			if literal {
				p.WriteByte("0123459#-"[rng.Intn(9)])
			} else {
				p.WriteString(elems[rng.Intn(len(elems))])
			}
		}
		if !literal {
			p.WriteString(tails[rng.Intn(len(tails))])
		}
		fmt.Fprintf(&b, "exten => %s,%d,NoOp(%d)\n", p.String(), 1+rng.Intn(2), i)
	}
	d, _ := buildString(t, b.String())
	for i := 0; i < 8000; i++ {
		n := rng.Intn(9)
		var x strings.Builder
		for j := 0; j < n; j++ {
			x.WriteByte("0123456789#a-"[rng.Intn(13)])
		}
		want := linearFind(d, "t", x.String())
		got, _ := d.Find("t", x.String(), "", 1)
		if got != want {
			t.Fatalf("dial %q: index found %+v, linear walk %+v", x.String(), got, want)
		}
	}
}

func TestSortOrderIsConsistent(t *testing.T) {
	names := []string{"100", "1-00", "s", "_X.", "_X!", "_X", "_[12]X", "_[21]X", "_NXX", "_[2-9]XX", "_1[", "_[]5", "_5", "_0[1-7]XXXXXXXX", "_0XXXXXXXXX", "_x.", "_.", "_!"}
	for _, a := range names {
		for _, b := range names {
			ab, ba := extCmp(a, b), extCmp(b, a)
			if (ab < 0) != (ba > 0) || (ab == 0) != (ba == 0) {
				t.Errorf("extCmp(%q,%q)=%d but extCmp(%q,%q)=%d", a, b, ab, b, a, ba)
			}
			if (ab == 0) != (sortKey(a) == sortKey(b)) {
				t.Errorf("extCmp(%q,%q)=%d disagrees with sortKey", a, b, ab)
			}
		}
	}
}

// BenchmarkMatch10000Patterns dials into a context of 10,000 patterns
// shaped like a least-cost-routing table, plus catch-alls.
func BenchmarkMatch10000Patterns(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[lcr]\nexten => _X.,1,NoOp(any)\nexten => _0[1-7]XXXXXXXX,1,NoOp(fr)\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "exten => _%05dXXXXX,1,NoOp(%d)\n", i*7%100000, i)
	}
	d, diags := buildString(b, sb.String())
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	numbers := []string{"0512312345", "0000712345", "0699999999", "9999912345"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := d.Find("lcr", numbers[i%len(numbers)], "", 1); !ok {
			b.Fatal("no match")
		}
	}
}
