package features

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestNoAnswer: atxfernoanswertimeout's timer gives up (and ends the
// ringing through the transferer's run context) only while the target
// has not answered and the transfer is not over.
func TestNoAnswer(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	target := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "c", "default", "s")
	tests := []struct {
		name string
		st   *consult
		want bool
	}{
		{"ringing", &consult{}, true},
		{"answered", &consult{target: target}, false},
		{"over", &consult{over: true}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ring := newRingCtx(context.Background())
			if tc.st.noAnswer() {
				ring.abort()
			}
			select {
			case <-ring.Done():
				if !tc.want {
					t.Error("the ringing was ended")
				}
				if ring.Err() == nil || !tc.st.timedOut {
					t.Errorf("ended: Err %v, timedOut %v", ring.Err(), tc.st.timedOut)
				}
			default:
				if tc.want {
					t.Error("the ringing was not ended")
				}
				if ring.Err() != nil || tc.st.timedOut {
					t.Errorf("not ended: Err %v, timedOut %v", ring.Err(), tc.st.timedOut)
				}
			}
		})
	}
}

// TestConsultCodes: the transferer's codes while it consults the target
// (complete, abort, three-way, swap, and completing on hang-up) and while
// it talks with the transferee again (swap back, complete, three-way,
// abort; no hang-up handler: the swap decides once its bridge ended).
func TestConsultCodes(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := func(name string) *pbx.Channel {
		return pbxtest.NewPhone(media.ULaw).NewChannel(eng, name, "default", "s")
	}
	presser, a, target := ph("b"), ph("a"), ph("c")
	m := New(Options{})
	st := &consult{transferee: a}
	presser.SetDatastore(consultKey{}, st)
	for _, tc := range []struct {
		name   string
		other  *pbx.Channel
		hangup bool
	}{{"consulting", target, true}, {"double-checking", a, false}} {
		t.Run(tc.name, func(t *testing.T) {
			c := &codes{byCode: map[string]bridge.FeatureFunc{}}
			m.consultCodes(c, presser, tc.other)
			for _, code := range []string{"*1", "*2", "*3", "*4"} {
				if c.byCode[code] == nil {
					t.Errorf("no feature on %s", code)
				}
			}
			if (c.hangup != nil) != tc.hangup {
				t.Errorf("hang-up handler %v, want %v", c.hangup != nil, tc.hangup)
			}
		})
	}
	if st.target != target {
		t.Errorf("the consultation bridge did not record the answered target")
	}
	// Without a transfer under way, no codes.
	c := &codes{byCode: map[string]bridge.FeatureFunc{}}
	m.consultCodes(c, a, presser)
	if len(c.byCode) != 0 || c.hangup != nil {
		t.Errorf("codes without a transfer: %d, hangup %v", len(c.byCode), c.hangup != nil)
	}
}

// TestWatchTransferee: the transferee hanging up during the consultation
// ends the transfer (the codes do nothing, no blond transfer); the watch
// ends with the transfer otherwise, leaving it as it was.
func TestWatchTransferee(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	for _, hangup := range []bool{true, false} {
		a := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "a", "default", "s")
		st := &consult{transferee: a}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { st.watchTransferee(ctx); close(done) }()
		if hangup {
			a.SoftHangup(pbx.CauseNormalClearing)
		} else {
			cancel()
		}
		<-done
		cancel()
		if st.isOver() != hangup {
			t.Errorf("transferee hung up %v: over %v", hangup, st.isOver())
		}
		if hangup && st.takeRinging(a) {
			t.Error("a blond transfer for a transferee that left")
		}
	}
}

// TestRingingKeys: the transferer's keys while the target rings, one
// result per key; the Dial side takes the leg for complete, three-way
// and swap and remembers which code took it.
func TestRingingKeys(t *testing.T) {
	none, abort, complete, threeway, swap := ringKeyNone, ringKeyAbort, ringKeyComplete, ringKeyThreeway, ringKeySwap
	tests := []struct {
		name, keys string
		pause      int // a pause longer than featuredigittimeout before this key (index)
		want       []ringKey
	}{
		{"abort", "*1", -1, []ringKey{none, abort}},
		{"complete", "*2", -1, []ringKey{none, complete}},
		{"threeway", "*3", -1, []ringKey{none, threeway}},
		{"swap", "*4", -1, []ringKey{none, swap}},
		{"a wrong key starts over", "5*1", -1, []ringKey{none, none, abort}},
		{"not a code", "*5*4", -1, []ringKey{none, none, none, swap}},
		{"too slow", "*1", 1, []ringKey{none, none}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Defaults().General
			g.FeatureDigitTimeout = 50 * time.Millisecond
			keys := ringKeys(g)
			for i, d := range tc.keys {
				if i == tc.pause {
					time.Sleep(80 * time.Millisecond)
				}
				if got := keys(d); got != tc.want[i] {
					t.Errorf("key %d (%c) = %v, want %v", i, d, got, tc.want[i])
				}
			}
		})
	}
	for _, tc := range []struct {
		code string
		want pbx.RingingKey
		next ringKey
	}{
		{"*1", pbx.RingingKeyCancel, none},
		{"*2", pbx.RingingKeyTake, complete},
		{"*3", pbx.RingingKeyTake, threeway},
		{"*4", pbx.RingingKeyTake, swap},
	} {
		st := &consult{}
		keys := st.ringingKeys(Defaults().General)
		var got pbx.RingingKey
		for _, d := range tc.code {
			got = keys(d)
		}
		if got != tc.want || st.takenBy() != tc.next {
			t.Errorf("%s: Dial gets %v, the transfer goes on with %v; want %v and %v", tc.code, got, st.takenBy(), tc.want, tc.next)
		}
	}
}
