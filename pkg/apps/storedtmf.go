package apps

import (
	"strconv"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_dtmfstore's StoreDTMF(direction,varname[,maxdigits]): the digits
// the channel receives (RX) or is sent (TX) are appended to a variable
// (or a function such as CDR(digits)); StoreDTMF(remove) stops it. It
// watches the channel through a pbx.DTMFTap, so a bridge carrying the
// channel leaves the native relay while it runs, as Asterisk's framehook
// takes the call out of a native bridge.

type dtmfStoreKey struct{}

type dtmfStore struct {
	ch        *pbx.Channel
	dir       pbx.TapDirection
	varName   string
	maxDigits int
	mu        sync.Mutex
	remove    func()
}

// TapFrame ignores voice: only digits matter here.
func (s *dtmfStore) TapFrame(pbx.TapDirection, media.Frame) {}

// TapDTMF appends a digit, or ends the store once it holds maxDigits.
func (s *dtmfStore) TapDTMF(dir pbx.TapDirection, digit rune) {
	if dir != s.dir {
		return
	}
	e := s.ch.Engine()
	cur := e.Substitute(s.ch, "${"+s.varName+"}")
	if s.maxDigits > 0 && len(cur) >= s.maxDigits {
		removeDTMFStore(s.ch)
		return
	}
	if err := e.Assign(s.ch, s.varName, cur+string(digit)); err != nil {
		e.Log().Warning("%v\n", err)
	}
}

// removeDTMFStore takes the store off the channel; false when none ran.
func removeDTMFStore(ch *pbx.Channel) bool {
	s, ok := ch.Datastore(dtmfStoreKey{}).(*dtmfStore)
	if !ok {
		return false
	}
	ch.SetDatastore(dtmfStoreKey{}, nil)
	s.mu.Lock()
	rm := s.remove
	s.remove = nil
	s.mu.Unlock()
	if rm != nil {
		// Not on the tapping goroutine's own list walk: the list is
		// copy-on-write, so removing from inside TapDTMF is safe.
		rm()
	}
	return true
}

var storeDTMFApp = &pbx.App{
	Name:        "StoreDTMF",
	Synopsis:    "Stores DTMF digits transmitted or received on a channel.",
	Syntax:      "StoreDTMF(direction[,var_name[,max_digits]])",
	Description: "The StoreDTMF function can be used to obtain digits sent in the TX or RX direction of any channel.\n\nThe arguments are:\nvar_name: Name of variable to which to append digits.\nmax_digits: The maximum number of digits to store in the variable. Defaults to 0 (no maximum). After reading maximum digits, no more digits will be stored.",
	Arguments:   "direction - Must be TX or RX to store digits, or remove to disable.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		e := ch.Engine()
		if data == "" {
			e.Log().Warning("StoreDTMF requires an argument\n")
			return pbx.HangupResult, nil
		}
		args := append(pbx.SplitArgs(data, ','), "", "")
		if strings.EqualFold(args[0], "remove") {
			if !removeDTMFStore(ch) {
				e.Log().Warning("Cannot remove StoreDTMF from %s: StoreDTMF not currently enabled\n", ch.Name())
				return pbx.HangupResult, nil
			}
			return pbx.Continue, nil
		}
		if _, ok := ch.Datastore(dtmfStoreKey{}).(*dtmfStore); ok {
			e.Log().Warning("StoreDTMF already set on '%s'\n", ch.Name())
			return pbx.Continue, nil
		}
		s := &dtmfStore{ch: ch, varName: args[1]}
		switch {
		case strings.EqualFold(args[0], "tx"):
			s.dir = pbx.TapWrite
		case strings.EqualFold(args[0], "rx"):
			s.dir = pbx.TapRead
		default:
			engineError(e, "Direction must be either RX or TX\n")
			return pbx.HangupResult, nil
		}
		if m := strings.TrimSpace(args[2]); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil {
				engineError(e, "Invalid integer: %s\n", args[2])
				return pbx.HangupResult, nil
			}
			if n < 0 {
				engineError(e, "Invalid natural number: %d\n", n)
				return pbx.HangupResult, nil
			}
			if n == 0 {
				e.Log().Warning("No maximum digit count set\n")
			}
			s.maxDigits = n
		}
		ch.SetDatastore(dtmfStoreKey{}, s)
		rm := ch.AddTap(s)
		s.mu.Lock()
		s.remove = rm
		s.mu.Unlock()
		return pbx.Continue, nil
	},
}
