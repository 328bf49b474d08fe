package pbx

import (
	"strings"
	"sync"
)

// DeviceState is a device's state with Asterisk's values and names
// (AST_DEVICE_*), as DEVICE_STATE() and hints report them.
type DeviceState int

// The device states, in Asterisk's order.
const (
	DeviceUnknown DeviceState = iota
	DeviceNotInUse
	DeviceInUse
	DeviceBusy
	DeviceInvalid
	DeviceUnavailable
	DeviceRinging
	DeviceRingInUse
	DeviceOnHold
)

var deviceStateNames = [...]string{"UNKNOWN", "NOT_INUSE", "INUSE", "BUSY", "INVALID", "UNAVAILABLE", "RINGING", "RINGINUSE", "ONHOLD"}

// String returns the name DEVICE_STATE() returns.
func (s DeviceState) String() string {
	if s >= 0 && int(s) < len(deviceStateNames) {
		return deviceStateNames[s]
	}
	return "UNKNOWN"
}

// deviceStateTexts are ast_devstate2str's words, which queue show and
// agent show print.
var deviceStateTexts = [...]string{"Unknown", "Not in use", "In use", "Busy", "Invalid", "Unavailable", "Ringing", "Ring+Inuse", "On Hold"}

// Text returns the words Asterisk's CLI prints for the state.
func (s DeviceState) Text() string {
	if s >= 0 && int(s) < len(deviceStateTexts) {
		return deviceStateTexts[s]
	}
	return "Unknown"
}

// ParseDeviceState reads a state name case-insensitively (as
// Set(DEVICE_STATE(Custom:x)=...) takes it); ok is false for a name that
// is none of them.
func ParseDeviceState(s string) (DeviceState, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	for i, n := range deviceStateNames {
		if n == s {
			return DeviceState(i), true
		}
	}
	return DeviceUnknown, false
}

// DeviceStater is implemented by a Technology that knows the state of its
// devices when no channel of them exists (chan_sip: a registered peer is
// NOT_INUSE, an unreachable one UNAVAILABLE, an unknown one INVALID).
type DeviceStater interface {
	DeviceState(resource string) DeviceState
}

// BusyStater is implemented by a Technology whose devices can be busy
// while they have calls (chan_sip: call-limit reached, or busylevel); a
// device in use is then BUSY.
type BusyStater interface {
	DeviceBusy(resource string) bool
}

// CallCounter is implemented by a Technology whose devices show their
// calls only when they count them (chan_sip: callcounter=yes or a
// call-limit). A device that does not count them is never RINGING or
// INUSE: chan_sip reports such a peer NOT_INUSE while it is in a call and
// ONHOLD only while it holds one (its hold count is kept for every peer).
type CallCounter interface {
	CountsCalls(resource string) bool
}

// customStates are the Custom: devices (func_devstate's), engine-wide.
type customStates struct {
	mu sync.RWMutex
	m  map[string]DeviceState // key: name lower-cased
}

// SetCustomDeviceState sets Custom:name's state.
func (e *Engine) SetCustomDeviceState(name string, s DeviceState) {
	e.custom.mu.Lock()
	if e.custom.m == nil {
		e.custom.m = map[string]DeviceState{}
	}
	e.custom.m[strings.ToLower(name)] = s
	e.custom.mu.Unlock()
	e.PublishDeviceState("Custom:" + name)
}

// PublishDeviceState announces that device's state may have changed
// (BusDeviceStateChange with Device and State fields, as the manager's
// DeviceStateChange event prints them); the hint watcher recomputes the
// hints that contain it.
func (e *Engine) PublishDeviceState(device string) {
	if !e.bus.Wants(BusDeviceStateChange) {
		return
	}
	st := e.DeviceState(device)
	e.bus.Publish(BusEvent{Type: BusDeviceStateChange, Value: device,
		Fields: []EventField{{Key: "Device", Value: device}, {Key: "State", Value: st.String()}}})
}

// CustomDeviceStates returns the Custom: devices set, by name.
func (e *Engine) CustomDeviceStates() map[string]DeviceState {
	e.custom.mu.RLock()
	defer e.custom.mu.RUnlock()
	out := make(map[string]DeviceState, len(e.custom.m))
	for k, v := range e.custom.m {
		out[k] = v
	}
	return out
}

// DeviceState returns the state of a device such as "SIP/6000" or
// "Custom:lamp1", as ast_device_state does: Custom: devices are what was
// set (UNKNOWN until then); for a technology's device the channels the
// engine knows decide (one ringing: RINGING, one up or dialing: INUSE,
// both: RINGINUSE), and without a channel the technology's DeviceStater
// answers (UNKNOWN when it has none; INVALID for an unknown technology).
func (e *Engine) DeviceState(device string) DeviceState {
	if name, ok := cutPrefixFold(device, "Custom:"); ok {
		e.custom.mu.RLock()
		defer e.custom.mu.RUnlock()
		return e.custom.m[strings.ToLower(name)]
	}
	if st, ok := e.providerState(device); ok {
		return st
	}
	tech, resource, ok := strings.Cut(device, "/")
	if !ok {
		return DeviceInvalid
	}
	t, known := e.Technology(tech)
	if !known {
		return DeviceInvalid
	}
	if cc, ok := t.(CallCounter); ok && !cc.CountsCalls(resource) {
		if e.deviceHolds(device) {
			return DeviceOnHold
		}
	} else if s := e.channelDeviceState(device); s != DeviceUnknown {
		if b, ok := t.(BusyStater); ok && s == DeviceInUse && b.DeviceBusy(resource) {
			return DeviceBusy
		}
		return s
	}
	if ds, ok := t.(DeviceStater); ok {
		return ds.DeviceState(resource)
	}
	return DeviceUnknown
}

// channelDeviceState derives a device's state from its channels, named
// device + "-" + sequence.
func (e *Engine) channelDeviceState(device string) DeviceState {
	ringing, inuse, held := false, false, false
	e.chMu.RLock()
	for _, c := range e.byDevice[strings.ToLower(device)] {
		if c.Gone() {
			continue
		}
		// Ringing is a called device that rings; a caller whose call is
		// not answered yet (Ring) is in use, as ast_parse_device_state.
		// A dialed channel not answered yet rings from the moment it is
		// called, as chan_sip counts it ringing when its INVITE goes out.
		switch st := c.State(); {
		case st == StateRinging, st == StateDown && c.Outbound():
			ringing = true
		default:
			inuse = true
			if c.held() {
				held = true
			}
		}
	}
	e.chMu.RUnlock()
	switch {
	case ringing && inuse:
		return DeviceRingInUse
	case ringing:
		return DeviceRinging
	case held:
		return DeviceOnHold
	case inuse:
		return DeviceInUse
	}
	return DeviceUnknown
}

// deviceHolds reports whether one of the device's channels is held by it.
func (e *Engine) deviceHolds(device string) bool {
	e.chMu.RLock()
	defer e.chMu.RUnlock()
	for _, c := range e.byDevice[strings.ToLower(device)] {
		if !c.Gone() && c.held() {
			return true
		}
	}
	return false
}

// held reports whether the channel's far end holds the call now.
func (c *Channel) held() bool {
	v, _ := c.Datastore(holdKey{}).(bool)
	return v
}

type holdKey struct{}

// HintFinder is implemented by a Plan that has hints (exten => x,hint,...).
type HintFinder interface {
	Hint(context, exten string) (string, bool)
}

func (p dialplanPlan) Hint(context, exten string) (string, bool) { return p.d.Hint(context, exten) }

// ExtensionState is the state of a hint, as EXTENSION_STATE() names it.
type ExtensionState string

// The extension states EXTENSION_STATE() returns.
const (
	ExtUnknown     ExtensionState = "UNKNOWN"
	ExtNotInUse    ExtensionState = "NOT_INUSE"
	ExtInUse       ExtensionState = "INUSE"
	ExtBusy        ExtensionState = "BUSY"
	ExtUnavailable ExtensionState = "UNAVAILABLE"
	ExtRinging     ExtensionState = "RINGING"
	ExtRingInUse   ExtensionState = "RINGINUSE"
	ExtHoldInUse   ExtensionState = "HOLDINUSE"
	ExtOnHold      ExtensionState = "ONHOLD"
)

// deviceStateOrder ranks device states when a hint aggregates several
// (devicestate.c's state_order): the higher one wins.
var deviceStateOrder = [...]int{1, 3, 6, 7, 0, 2, 5, 8, 4}

// ExtensionState aggregates the devices of context/exten's hint as
// ast_extension_state does (devices joined by '&', one ringing and one in
// use make RINGINUSE, otherwise the highest ranked state) and maps the
// result to an extension state; ok is false when the extension has no
// hint.
func (e *Engine) ExtensionState(context, exten string) (ExtensionState, bool) {
	hf, ok := e.Plan().(HintFinder)
	if !ok {
		return ExtUnknown, false
	}
	hint, ok := hf.Hint(context, exten)
	if !ok {
		// An autohint lives in the hint table only.
		if w := e.hintWatch.w.Load(); w != nil {
			return (*w).State(context, exten)
		}
		return ExtUnknown, false
	}
	// A pattern hint names the extension it matched as ${EXTEN}
	// (exten => _6XXX,hint,SIP/${EXTEN}), as Asterisk expands it.
	return e.HintState(strings.ReplaceAll(hint, "${EXTEN}", exten)), true
}

// HintState aggregates the devices of a hint's value ("SIP/201&Custom:x",
// a presence provider after ',' is ignored) as ExtensionState does.
func (e *Engine) HintState(hint string) ExtensionState {
	devs, _, _ := strings.Cut(hint, ",") // presence providers follow a ','
	agg, ringing, inuse := DeviceInvalid, false, false
	for _, d := range strings.Split(devs, "&") {
		st := e.DeviceState(strings.TrimSpace(d))
		switch st {
		case DeviceRinging:
			ringing = true
		case DeviceInUse, DeviceOnHold, DeviceBusy:
			inuse = true
		}
		if ringing && inuse {
			agg = DeviceRingInUse
		} else if deviceStateOrder[st] > deviceStateOrder[agg] {
			agg = st
		}
	}
	switch agg {
	case DeviceOnHold:
		return ExtOnHold
	case DeviceBusy:
		return ExtBusy
	case DeviceUnavailable, DeviceInvalid:
		return ExtUnavailable
	case DeviceRingInUse:
		return ExtRingInUse
	case DeviceRinging:
		return ExtRinging
	case DeviceInUse:
		return ExtInUse
	}
	return ExtNotInUse
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
