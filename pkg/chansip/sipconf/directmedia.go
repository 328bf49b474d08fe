package sipconf

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// DirectMediaMode holds the words chan_sip's directmedia= accepts besides
// yes and no. Each of them implies yes.
type DirectMediaMode struct {
	// NoNAT: re-INVITE only when no NAT was detected on the leg.
	NoNAT bool
	// Update: move the media with UPDATE instead of re-INVITE.
	Update bool
	// Outgoing: do not re-INVITE an incoming leg at once (the far end is
	// known to re-INVITE itself), which avoids glare.
	Outgoing bool
}

// ParseDirectMedia reads a directmedia= (canreinvite=) value: yes, no, or
// a comma list of nonat, update and outgoing. on is false only for no.
func ParseDirectMedia(value string) (mode DirectMediaMode, on bool, err error) {
	if confparse.True(value) {
		return mode, true, nil
	}
	if confparse.False(value) {
		return mode, false, nil
	}
	for _, w := range strings.Split(value, ",") {
		switch strings.ToLower(strings.TrimSpace(w)) {
		case "nonat":
			mode.NoNAT = true
		case "update":
			mode.Update = true
		case "outgoing":
			mode.Outgoing = true
		default:
			return DirectMediaMode{}, true, fmt.Errorf("unknown directmedia mode %q (want yes, no, nonat, update or outgoing)", w)
		}
	}
	return mode, true, nil
}
