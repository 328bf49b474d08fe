package pbx

import "strings"

// FeatureFlags are the DTMF features a channel may use inside its
// bridges: Dial's t/T (transfer), k/K (park), h/H (disconnect), w/W
// (one-touch recording), x/X (one-touch MixMonitor), or the letters of
// the BRIDGE_FEATURES variable.
type FeatureFlags uint8

// The features, each of which features.conf maps to a key sequence.
const (
	FeatureTransfer   FeatureFlags = 1 << iota // blindxfer and atxfer
	FeaturePark                                // parkcall
	FeatureDisconnect                          // disconnect
	FeatureAutomon                             // automon
	FeatureAutomixmon                          // automixmon
)

type featureFlagsKey struct{}

// SetFeatureFlags sets the features ch may use in the bridges it enters
// from now on (Dial sets them on both parties before bridging).
func (c *Channel) SetFeatureFlags(f FeatureFlags) {
	if f == 0 {
		c.SetDatastore(featureFlagsKey{}, nil)
		return
	}
	c.SetDatastore(featureFlagsKey{}, f)
}

// FeatureFlags returns the features set on ch, with those its
// BRIDGE_FEATURES variable names (T, K, H, W, X; any case).
func (c *Channel) FeatureFlags() FeatureFlags {
	f, _ := c.Datastore(featureFlagsKey{}).(FeatureFlags)
	if v, ok := c.Var("BRIDGE_FEATURES"); ok {
		f |= ParseFeatureLetters(v)
	}
	return f
}

// ParseFeatureLetters reads feature letters (Dial's, either case).
func ParseFeatureLetters(s string) FeatureFlags {
	var f FeatureFlags
	for _, r := range strings.ToLower(s) {
		switch r {
		case 't':
			f |= FeatureTransfer
		case 'k':
			f |= FeaturePark
		case 'h':
			f |= FeatureDisconnect
		case 'w':
			f |= FeatureAutomon
		case 'x':
			f |= FeatureAutomixmon
		}
	}
	return f
}

// PartyFeatures splits an application's option letters into the DTMF
// features of the caller (upper-case T, K, H, W, X) and of the called
// party (lower-case t, k, h, w, x), as Dial and Queue read them; other
// letters are ignored. The queue module gives the flags to the caller
// and the answering member with SetFeatureFlags before bridging them,
// which enables one-touch recording (w/W, x/X) in queue calls too.
func PartyFeatures(options string) (caller, called FeatureFlags) {
	var up, low strings.Builder
	for _, r := range options {
		switch r {
		case 'T', 'K', 'H', 'W', 'X':
			up.WriteRune(r)
		case 't', 'k', 'h', 'w', 'x':
			low.WriteRune(r)
		}
	}
	return ParseFeatureLetters(up.String()), ParseFeatureLetters(low.String())
}
