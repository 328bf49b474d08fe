package pbx

// BusPresenceStateChange is the bus event a presence provider's change
// publishes (the manager's PresenceStateChange: Presentity, Status,
// Subtype, Message).
const BusPresenceStateChange = "PresenceStateChange"

// PresenceInfo is a presence provider's state as a hint's watchers see it
// (ast_presence_state with its subtype and message). State is Asterisk's
// name ("available", "away", "dnd", ...); "" or "not_set" is none.
type PresenceInfo struct {
	State, Subtype, Message string
}

// Set reports whether the provider has a presence to tell.
func (p PresenceInfo) Set() bool { return p.State != "" && p.State != "not_set" }

// HintPresencer is implemented by a HintWatcher that knows the presence
// of a hint's presence provider (the part after the ',').
type HintPresencer interface {
	Presence(context, exten string) (PresenceInfo, bool)
}

// HintPresence returns the presence of context/exten's hint provider; ok
// is false without a watcher that knows it or a provider in the hint.
func (e *Engine) HintPresence(context, exten string) (PresenceInfo, bool) {
	w := e.hintWatch.w.Load()
	if w == nil {
		return PresenceInfo{}, false
	}
	hp, ok := (*w).(HintPresencer)
	if !ok {
		return PresenceInfo{}, false
	}
	return hp.Presence(context, exten)
}
