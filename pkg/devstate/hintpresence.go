package devstate

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Presence implements pbx.HintPresencer: the presence of the provider
// named after the ',' of context/exten's hint. Only CustomPresence: is a
// provider here (func_presencestate's, kept in the astdb), as in
// gostrisk's PRESENCE_STATE.
func (s *Service) Presence(context, exten string) (pbx.PresenceInfo, bool) {
	s.mu.Lock()
	h := s.hints[key{context, exten}]
	provider := ""
	if h != nil {
		provider = h.presence
	}
	s.mu.Unlock()
	return s.providerPresence(provider)
}

func (s *Service) providerPresence(provider string) (pbx.PresenceInfo, bool) {
	name, ok := cutPrefixFold(provider, "CustomPresence:")
	if !ok || name == "" {
		return pbx.PresenceInfo{}, false
	}
	var db funcs.DB
	if s.db != nil {
		db = s.db
	}
	p, ok := funcs.CustomPresence(db, name)
	if !ok {
		return pbx.PresenceInfo{}, false
	}
	sub, msg := p.Decoded()
	return pbx.PresenceInfo{State: p.State, Subtype: sub, Message: msg}, true
}

// presenceChanged tells the watchers of every hint whose presence
// provider is presentity, as Asterisk's presence state callbacks reach
// the extension state watchers (chan_sip then sends a NOTIFY).
func (s *Service) presenceChanged(ev pbx.BusEvent) {
	var info pbx.PresenceInfo
	presentity := ""
	for _, f := range ev.Fields {
		switch f.Key {
		case "Presentity":
			presentity = f.Value
		case "Status":
			info.State = f.Value
		case "Subtype":
			info.Subtype = f.Value
		case "Message":
			info.Message = f.Value
		}
	}
	if presentity == "" {
		return
	}
	type call struct {
		fn func(pbx.ExtensionStateChange)
		ch pbx.ExtensionStateChange
	}
	var calls []call
	s.mu.Lock()
	for _, h := range s.order {
		if !strings.EqualFold(h.presence, presentity) || len(h.watchers) == 0 {
			continue
		}
		p := info
		ch := pbx.ExtensionStateChange{Context: h.context, Exten: h.exten, Hint: h.value, State: h.state, Presence: &p}
		for _, fn := range h.watchers {
			calls = append(calls, call{fn, ch})
		}
	}
	s.mu.Unlock()
	for _, c := range calls {
		c.fn(c.ch)
	}
}
