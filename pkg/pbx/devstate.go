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
	tech, resource, ok := strings.Cut(device, "/")
	if !ok {
		return DeviceInvalid
	}
	t, known := e.Technology(tech)
	if !known {
		return DeviceInvalid
	}
	if s := e.channelDeviceState(device); s != DeviceUnknown {
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
	prefix := strings.ToLower(device) + "-"
	ringing, inuse, held := false, false, false
	e.chMu.RLock()
	for c := range e.chans {
		if !strings.HasPrefix(strings.ToLower(c.Name()), prefix) || c.Gone() {
			continue
		}
		switch c.State() {
		case StateRinging, StateRing:
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

// ExtensionState aggregates the devices of context/exten's hint as
// ast_extension_state does (devices joined by '&'); ok is false when the
// extension has no hint.
func (e *Engine) ExtensionState(context, exten string) (ExtensionState, bool) {
	hf, ok := e.Plan().(HintFinder)
	if !ok {
		return ExtUnknown, false
	}
	hint, ok := hf.Hint(context, exten)
	if !ok {
		return ExtUnknown, false
	}
	devs, _, _ := strings.Cut(hint, ",") // presence providers follow a ','
	var inuse, ringing, busy, onhold, notinuse, unavail, invalid, total int
	for _, d := range strings.Split(devs, "&") {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		total++
		switch e.DeviceState(d) {
		case DeviceNotInUse:
			notinuse++
		case DeviceInUse:
			inuse++
		case DeviceRinging:
			ringing++
		case DeviceRingInUse:
			ringing++
			inuse++
		case DeviceOnHold:
			onhold++
		case DeviceBusy:
			busy++
		case DeviceUnavailable:
			unavail++
		case DeviceInvalid:
			invalid++
		default:
			notinuse++ // ast_devstate_aggregate counts UNKNOWN as not in use
		}
	}
	switch {
	case total == 0:
		return ExtUnknown, true
	case ringing > 0 && inuse > 0:
		return ExtRingInUse, true
	case ringing > 0:
		return ExtRinging, true
	case onhold > 0 && inuse > 0:
		return ExtHoldInUse, true
	case onhold > 0:
		return ExtOnHold, true
	case busy > 0:
		return ExtBusy, true
	case inuse > 0:
		return ExtInUse, true
	case notinuse > 0:
		return ExtNotInUse, true
	case unavail+invalid == total:
		return ExtUnavailable, true
	}
	return ExtUnknown, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
