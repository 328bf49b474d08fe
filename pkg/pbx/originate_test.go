package pbx

import "testing"

func TestOriginateOutcomeStatus(t *testing.T) {
	for _, tc := range []struct {
		o    OriginateOutcome
		want string
	}{
		{OriginateFailed, "FAILED"}, {OriginateHangup, "HANGUP"}, {OriginateRinging, "RINGING"},
		{OriginateAnswered, "SUCCESS"}, {OriginateBusy, "BUSY"}, {OriginateCongestion, "CONGESTION"},
	} {
		if got := tc.o.Status(); got != tc.want {
			t.Errorf("%d.Status() = %q, want %q", tc.o, got, tc.want)
		}
	}
}
