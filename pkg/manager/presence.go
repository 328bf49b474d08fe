package manager

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/funcs"
)

// actPresenceState is PresenceState: the state of a presence provider.
// gostrisk's only provider is func_presencestate's CustomPresence:<name>
// in astdb (not_set when nothing is stored); any other is invalid, as
// Asterisk answers for a provider nobody serves.
func actPresenceState(r *Request) error {
	provider := r.Get("Provider")
	if provider == "" {
		r.Error("No provider specified")
		return nil
	}
	kind, name, _ := strings.Cut(provider, ":")
	var (
		p  funcs.Presence
		ok bool
	)
	if strings.EqualFold(kind, "CustomPresence") && name != "" && r.s.m.opts.DB != nil {
		p, ok = funcs.CustomPresence(r.s.m.opts.DB, name)
	}
	if !ok || p.State == "invalid" {
		r.Error("Invalid provider " + provider + " or provider in invalid state")
		return nil
	}
	sub, msg := p.Decoded()
	fields := []Header{{"State", p.State}}
	if sub != "" {
		fields = append(fields, Header{"Subtype", sub})
	}
	if msg != "" {
		// Asterisk repeats the Message key here, after its own.
		fields = append(fields, Header{"Message", msg})
	}
	r.Success("Presence State", fields...)
	return nil
}
