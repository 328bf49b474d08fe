package pbx

import "testing"

func TestPartyFeatures(t *testing.T) {
	for _, tc := range []struct {
		opts           string
		caller, called FeatureFlags
	}{
		{"", 0, 0},
		{"tT", FeatureTransfer, FeatureTransfer},
		{"xW", FeatureAutomon, FeatureAutomixmon},
		{"wXKh", FeatureAutomixmon | FeaturePark, FeatureAutomon | FeatureDisconnect},
		{"cnrR", 0, 0},
	} {
		caller, called := PartyFeatures(tc.opts)
		if caller != tc.caller || called != tc.called {
			t.Errorf("PartyFeatures(%q) = %b, %b; want %b, %b", tc.opts, caller, called, tc.caller, tc.called)
		}
	}
}
