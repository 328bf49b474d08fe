package pbx

import (
	"strings"
	"sync/atomic"
)

// Hint is one hint of the dialplan: context/exten maps to Devices
// ("SIP/201&Custom:DND201", then ",CustomPresence:x" when a presence
// provider is named).
type Hint struct {
	Context, Exten string
	Devices        string
}

// HintLister is implemented by a Plan that can list its hints.
type HintLister interface {
	Hints() []Hint
}

func (p dialplanPlan) Hints() []Hint {
	hs := p.d.Hints()
	out := make([]Hint, len(hs))
	for i, h := range hs {
		out[i] = Hint{Context: h.Context, Exten: h.Exten, Devices: h.App}
	}
	return out
}

// AutohintContexts lists the contexts with autohints=yes.
func (p dialplanPlan) AutohintContexts() []string { return p.d.AutohintContexts() }

// AutohintLister is implemented by a Plan with autohints contexts.
type AutohintLister interface {
	AutohintContexts() []string
}

// Hints lists the hints of the running dialplan.
func (e *Engine) Hints() []Hint {
	if hl, ok := e.Plan().(HintLister); ok {
		return hl.Hints()
	}
	return nil
}

// HintDevices splits a hint's value into its devices (joined by '&') and
// its presence provider (after the first ','), as Asterisk reads it.
func HintDevices(hint string) (devices []string, presence string) {
	devs, presence, _ := strings.Cut(hint, ",")
	for _, d := range strings.Split(devs, "&") {
		if d = strings.TrimSpace(d); d != "" {
			devices = append(devices, d)
		}
	}
	return devices, strings.TrimSpace(presence)
}

// DeviceOfChannel is the device a channel belongs to: its name without
// the "-<sequence>" Asterisk appends ("SIP/201-0000002a" -> "SIP/201"),
// "" for a name without one.
func DeviceOfChannel(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i <= 0 || !strings.Contains(name[:i], "/") {
		return ""
	}
	return name[:i]
}

// ExtensionStateChange is what a hint's watcher is told: the hint's new
// aggregated state, or Removed when the hint left the dialplan (a reload)
// and the watch is over.
type ExtensionStateChange struct {
	Context, Exten string
	Hint           string
	State          ExtensionState
	Removed        bool
	// Presence is set when the change is the hint's presence provider's
	// (State is then the unchanged extension state).
	Presence *PresenceInfo
}

// HintWatcher is the device state module (pkg/devstate): it keeps the
// hints' states as device changes arrive and tells the watchers of a
// hint when its state changes (ast_extension_state_add).
type HintWatcher interface {
	// WatchExtension calls fn on every change of context/exten's state,
	// from one goroutine, so fn must not block. ok is false when the
	// extension has no hint. stop ends the watch.
	WatchExtension(context, exten string, fn func(ExtensionStateChange)) (stop func(), ok bool)
	// State is the table's state of a hint the dialplan does not hold
	// (autohints, hints made for a watch); ok is false when it has none.
	State(context, exten string) (ExtensionState, bool)
}

type hintWatcherSlot struct{ w atomic.Pointer[HintWatcher] }

// SetHintWatcher installs the device state module (nil removes it).
func (e *Engine) SetHintWatcher(w HintWatcher) {
	if w == nil {
		e.hintWatch.w.Store(nil)
		return
	}
	e.hintWatch.w.Store(&w)
}

// WatchExtension asks the installed HintWatcher to follow context/exten;
// ok is false without one or when the extension has no hint.
func (e *Engine) WatchExtension(context, exten string, fn func(ExtensionStateChange)) (stop func(), ok bool) {
	w := e.hintWatch.w.Load()
	if w == nil {
		return func() {}, false
	}
	return (*w).WatchExtension(context, exten, fn)
}

// Text is the state as "core show hints" and the manager's StatusText
// print it (ast_extension_state2str).
func (s ExtensionState) Text() string {
	switch s {
	case ExtNotInUse:
		return "Idle"
	case ExtInUse:
		return "InUse"
	case ExtBusy:
		return "Busy"
	case ExtUnavailable:
		return "Unavailable"
	case ExtRinging:
		return "Ringing"
	case ExtRingInUse:
		return "InUse&Ringing"
	case ExtOnHold:
		return "Hold"
	case ExtHoldInUse:
		return "InUse&Hold"
	}
	return "Unknown"
}

// Code is the state's AST_EXTENSION_* value, as the manager's Status
// field and chan_sip's NOTIFY logic use it (bit flags: in use 1, busy 2,
// unavailable 4, ringing 8, on hold 16; -1 for an unknown state).
func (s ExtensionState) Code() int {
	switch s {
	case ExtNotInUse:
		return 0
	case ExtInUse:
		return 1
	case ExtBusy:
		return 2
	case ExtUnavailable:
		return 4
	case ExtRinging:
		return 8
	case ExtRingInUse:
		return 9
	case ExtOnHold:
		return 16
	case ExtHoldInUse:
		return 17
	}
	return -1
}
