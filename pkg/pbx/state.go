package pbx

import "fmt"

// State is a channel's state, with Asterisk's values and names.
type State int

// The channel states, in Asterisk's order (AST_STATE_*).
const (
	StateDown State = iota
	StateReserved
	StateOffHook
	StateDialing
	StateRing
	StateRinging
	StateUp
	StateBusy
	StateDialingOffhook
	StatePreRing
)

var stateNames = [...]string{"Down", "Rsrvd", "OffHook", "Dialing", "Ring", "Ringing", "Up", "Busy", "Dialing Offhook", "Pre-ring"}

// String returns the state as `core show channels` prints it.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("Unknown (%d)", int(s))
}

// Indication is a call-progress condition the core asks a driver to signal
// to its far end (AST_CONTROL_*).
type Indication int

// The indications a driver may be asked to signal.
const (
	IndRinging Indication = iota + 1
	IndProgress
	IndProceeding
	IndBusy
	IndCongestion
	IndHold
	IndUnhold
	IndSrcUpdate
)

var indicationNames = map[Indication]string{
	IndRinging: "Ringing", IndProgress: "Progress", IndProceeding: "Proceeding",
	IndBusy: "Busy", IndCongestion: "Congestion", IndHold: "Hold", IndUnhold: "Unhold",
	IndSrcUpdate: "SrcUpdate",
}

func (i Indication) String() string {
	if n, ok := indicationNames[i]; ok {
		return n
	}
	return fmt.Sprintf("Indication(%d)", int(i))
}

// EventKind says what a driver reported on a channel.
type EventKind int

// The events a driver reports.
const (
	EventRinging EventKind = iota + 1
	EventProgress
	EventAnswer
	EventBusy
	EventCongestion
	EventHangup
	EventDTMF
	EventHold   // the far end put the call on hold; Class is its music suggestion
	EventUnhold // the far end took the call off hold
	// EventMediaChange: something in the core now needs (or no longer
	// needs) the channel's frames, a recording's tap (see AddTap); a
	// bridge re-decides between the native relay and frames.
	EventMediaChange
)

func (k EventKind) String() string {
	switch k {
	case EventRinging:
		return "Ringing"
	case EventProgress:
		return "Progress"
	case EventAnswer:
		return "Answer"
	case EventBusy:
		return "Busy"
	case EventCongestion:
		return "Congestion"
	case EventHangup:
		return "Hangup"
	case EventDTMF:
		return "DTMF"
	case EventHold:
		return "Hold"
	case EventUnhold:
		return "Unhold"
	case EventMediaChange:
		return "MediaChange"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one report from a driver, queued on the channel it concerns.
type Event struct {
	Kind  EventKind
	Cause int    // EventHangup, EventBusy, EventCongestion
	Digit rune   // EventDTMF
	Class string // EventHold: the music class the holder suggests (mohsuggest)
}
