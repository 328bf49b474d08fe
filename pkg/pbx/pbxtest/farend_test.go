package pbxtest

import (
	"slices"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestFarEnd: each script gives the channel the events a phone would.
func TestFarEnd(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		far  FarEnd
		want []pbx.EventKind
	}{
		{"busy", FarEnd{Busy: true}, []pbx.EventKind{pbx.EventBusy}},
		{"congested", FarEnd{Congested: true}, []pbx.EventKind{pbx.EventCongestion}},
		{"answers and hangs up", FarEnd{Ring: ms, Hold: ms}, []pbx.EventKind{pbx.EventRinging, pbx.EventAnswer, pbx.EventHangup}},
		{"answers and stays", FarEnd{Ring: ms, Stay: true}, []pbx.EventKind{pbx.EventRinging, pbx.EventAnswer}},
	} {
		e := pbx.New(pbx.Config{})
		ch := NewPhone(media.ULaw).NewChannel(e, "6000", "default", "s")
		answered := false
		tc.far.OnAnswer = func() { answered = true }
		tc.far.Play(ch)
		var got []pbx.EventKind
		for _, ev := range ch.TakeEvents() {
			got = append(got, ev.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: events %v, want %v", tc.name, got, tc.want)
		}
		if answered != slices.Contains(tc.want, pbx.EventAnswer) {
			t.Errorf("%s: OnAnswer called = %v", tc.name, answered)
		}
		ch.Hangup(pbx.CauseNormalClearing)
	}
}
