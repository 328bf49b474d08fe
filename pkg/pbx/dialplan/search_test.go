package dialplan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

// benchShapedPlan is the dialplan bench/benchgen writes: 240 team contexts
// of twenty four-priority literal extensions and three patterns, and a
// [bench] context with one pattern that includes them all.
func benchShapedPlan(tb testing.TB) *Dialplan {
	tb.Helper()
	var sb strings.Builder
	sb.WriteString("[general]\nstatic=yes\nautofallthrough=yes\n\n")
	const teams = 240
	for ctx := 0; ctx < teams; ctx++ {
		fmt.Fprintf(&sb, "[team%d]\n", ctx)
		for i := 0; i < 20; i++ {
			fmt.Fprintf(&sb, "exten => %d,1,NoOp(call to %d)\n", 20000+ctx*20+i, 20000+ctx*20+i)
			sb.WriteString("same => n,Set(CALLERID(num)=${CALLERID(num)})\nsame => n,Dial(SIP/${EXTEN},20)\nsame => n,Hangup()\n")
		}
		fmt.Fprintf(&sb, "exten => _9%dXX,1,Dial(SIP/${TRUNK}/${EXTEN:1},60)\nsame => n,Hangup()\n", ctx)
		fmt.Fprintf(&sb, "exten => _3%dX,1,Goto(bench,${EXTEN},1)\nexten => _4%dX,1,Goto(bench,${EXTEN},1)\n\n", ctx%10, ctx%10)
	}
	sb.WriteString("[bench]\nexten => _1XXXXX,1,Dial(SIP/${EXTEN},20)\nsame => n,Hangup()\n")
	for ctx := 0; ctx < teams; ctx++ {
		fmt.Fprintf(&sb, "include => team%d\n", ctx)
	}
	d, diags := buildString(tb, sb.String())
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	return d
}

// BenchmarkBenchPlan measures the lookups one call through the bench
// config makes: the dialled number (found in [bench] itself), a number of
// the last included context, and the `h` extension no context has.
func BenchmarkBenchPlan(b *testing.B) {
	d := benchShapedPlan(b)
	for _, bc := range []struct {
		name, exten string
		prio        int
		want        bool
	}{
		{"own-pattern", "100042", 2, true},
		{"last-include", "24799", 3, true},
		{"h-missing", "h", 1, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := d.Find("bench", bc.exten, "100001", bc.prio); ok != bc.want {
					b.Fatalf("Find(%s) = %v", bc.exten, ok)
				}
			}
		})
	}
}

// TestTreeAgreesWithWalk cross-checks the precomputed walk of plain
// matches against the include-by-include search on random include graphs:
// cycles, names differing only in case, missing contexts, caller ID
// patterns, extensions lacking the priority asked for, and a chain longer
// than maxStack.
func TestTreeAgreesWithWalk(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	names := []string{"a", "b", "c", "A", "d", "e", "f", "g"}
	extens := []string{"100", "1-01", "h", "i", "s", "_1XX", "_X.", "_2!", "_[13]0X", "_h", "_.", "200", "_NXX", "_0-0"}
	for round := 0; round < 40; round++ {
		var b strings.Builder
		for _, n := range names[:3+rng.Intn(len(names)-3)] {
			fmt.Fprintf(&b, "[%s]\n", n)
			for i := rng.Intn(4); i > 0; i-- {
				x := extens[rng.Intn(len(extens))]
				if rng.Intn(5) == 0 {
					x += "/_10X"
				}
				fmt.Fprintf(&b, "exten => %s,%d(l%d),NoOp(%s %d)\n", x, 1+rng.Intn(2), rng.Intn(2), n, i)
			}
			for i := rng.Intn(4); i > 0; i-- {
				inc := names[rng.Intn(len(names))]
				if rng.Intn(8) == 0 {
					inc = "missing"
				}
				fmt.Fprintf(&b, "include => %s\n", inc)
			}
		}
		d, _ := buildString(t, b.String())
		dialled := []string{"100", "101", "1-00", "h", "i", "s", "105", "2", "20", "200", "300", "000", "0-0", "", "_1XX", "_X."}
		for _, ctx := range append(names, "missing") {
			for _, x := range dialled {
				for _, cid := range []string{"", "105", "200"} {
					for prio := 1; prio <= 2; prio++ {
						want := d.searchWalk(&query{mode: modeMatch, priority: prio}, ctx, x, cid)
						got, _ := d.Find(ctx, x, cid, prio)
						if got != want {
							t.Fatalf("round %d: Find(%s,%q,cid %q,%d) = %+v, walk %+v\n%s", round, ctx, x, cid, prio, got, want, b.String())
						}
					}
					lw := d.searchWalk(&query{mode: modeMatch, label: "l1"}, ctx, x, cid)
					if n, ok := d.FindLabel(ctx, x, cid, "l1"); ok != (lw != nil) || (ok && n != lw.Number) {
						t.Fatalf("round %d: FindLabel(%s,%q) = %d %v, walk %+v", round, ctx, x, n, ok, lw)
					}
				}
			}
		}
	}

	var b strings.Builder
	for i := 0; i < maxStack+20; i++ {
		fmt.Fprintf(&b, "[c%d]\ninclude => c%d\n", i, i+1)
	}
	fmt.Fprintf(&b, "[c%d]\nexten => 1,1,NoOp()\n[c%d]\nexten => 1,1,NoOp()\n", maxStack+20, maxStack)
	d, _ := buildString(t, b.String())
	for _, ctx := range []string{"c0", "c1", "c30"} {
		want := d.searchWalk(&query{mode: modeMatch, priority: 1}, ctx, "1", "")
		got, _ := d.Find(ctx, "1", "", 1)
		if got != want {
			t.Errorf("chain from %s: Find = %+v, walk %+v", ctx, got, want)
		}
	}
	if _, ok := d.Find("c0", "1", "", 1); ok {
		t.Error("c0 reaches an extension beyond the include depth limit")
	}
	if _, ok := d.Find("c30", "1", "", 1); !ok {
		t.Error("c30 does not reach the extension within the include depth limit")
	}
}

// TestTimedIncludesKeepWalking checks that a tree with a timed include is
// searched include by include, at the time of the lookup.
func TestTimedIncludesKeepWalking(t *testing.T) {
	d, _ := buildString(t, "[top]\ninclude => day,09:00-17:00,*,*,*\ninclude => all\n[day]\nexten => h,1,NoOp(day)\n[all]\nexten => h,1,NoOp(all)\n")
	for hour, want := range map[int]string{10: "day", 20: "all"} {
		now := time.Date(2026, 11, 23, hour, 0, 0, 0, time.Local)
		d.now = func() time.Time { return now }
		p, ok := d.Find("top", "h", "", 1)
		if !ok || p.Context != want {
			t.Errorf("at %d:00 Find(h) = %+v, want context %s", hour, p, want)
		}
	}
}
