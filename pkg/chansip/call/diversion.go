package call

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Diversion (RFC 5806) as chan_sip handles it: an INVITE's Diversion sets
// the channel's redirecting party (REDIRECTING(from-num), from-name,
// reason) and SIPRDNISDOMAIN/SIPREDIRECTREASON (get_rdnis); with
// send_diversion (the default) our INVITE carries the caller's redirecting
// party as Diversion (add_diversion). The redirecting data belongs to the
// REDIRECTING function, which the driver reads and writes through the
// engine.

// sipRedirectReasons maps REDIRECTING(reason) names to Diversion's
// (chan_sip's sip_reason_table).
var sipRedirectReasons = map[string]string{
	"unknown": "unknown", "cfb": "user-busy", "cfnr": "no-answer", "unavailable": "unavailable",
	"cfu": "unconditional", "time_of_day": "time-of-day", "dnd": "do-not-disturb", "deflection": "deflection",
	"follow_me": "follow-me", "out_of_order": "out-of-service", "away": "away", "cf_dte": "cf_dte",
	"send_to_vm": "send_to_vm",
}

// diversion is a parsed Diversion header.
type diversion struct {
	name, num, domain, reason string
}

// parseDiversion reads `"name" <sip:num@domain>;reason=user-busy`; ok is
// false for a header chan_sip would not take (not a sip: or sips: URI).
func parseDiversion(v string) (diversion, bool) {
	var d diversion
	v = strings.TrimSpace(v)
	uri, params := v, ""
	if lt := strings.IndexByte(v, '<'); lt >= 0 {
		gt := strings.IndexByte(v[lt:], '>')
		if gt < 0 {
			return d, false
		}
		uri, params = v[lt+1:lt+gt], v[lt+gt+1:]
		if strings.HasPrefix(v, `"`) {
			if end := strings.IndexByte(v[1:], '"'); end >= 0 {
				d.name = v[1 : 1+end]
			}
		}
	} else if i := strings.IndexByte(v, ';'); i >= 0 {
		uri, params = v[:i], v[i:]
	}
	switch {
	case len(uri) >= 4 && strings.EqualFold(uri[:4], "sip:"):
		uri = uri[4:]
	case len(uri) >= 5 && strings.EqualFold(uri[:5], "sips:"):
		uri = uri[5:]
	default:
		return d, false
	}
	d.num, d.domain, _ = strings.Cut(uri, "@")
	d.domain, _, _ = strings.Cut(d.domain, ";")
	for _, p := range strings.Split(params, ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "reason") {
			d.reason = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return d, true
}

// applyDiversion sets the redirecting party of a new inbound channel from
// the INVITE's Diversion.
func (m *Manager) applyDiversion(ch *pbx.Channel, req *sip.Request) {
	h := req.GetHeader("Diversion")
	if h == nil {
		return
	}
	d, ok := parseDiversion(h.Value())
	if !ok {
		m.log.Warning("Huh?  Not an RDNIS SIP header (%s)?\n", h.Value())
		return
	}
	e := m.d.Engine
	ch.SetVar("__SIPRDNISDOMAIN", d.domain)
	if _, ok := e.Function("REDIRECTING"); !ok {
		// func_callerid.so not loaded: the number still reaches RDNIS.
		ch.UpdateCallerID(func(id *pbx.CallerID) { id.RDNIS = d.num })
		return
	}
	_ = e.WriteFunction(ch, "REDIRECTING", "from-num", d.num)
	if d.name != "" {
		_ = e.WriteFunction(ch, "REDIRECTING", "from-name", d.name)
	}
	if d.reason != "" {
		_ = e.WriteFunction(ch, "REDIRECTING", "reason", d.reason)
		ch.SetVar("__SIPREDIRECTREASON", d.reason)
	}
}

// addDiversion adds our Diversion to an INVITE: the redirecting party of
// the calling channel (from, its number being the connected line's RDNIS
// when no SIP caller holds it), at our address.
func (m *Manager) addDiversion(req *sip.Request, num string, from *pbx.Channel, host string) {
	if g := m.d.General; g != nil && !g().SendDiversion {
		return
	}
	name, reason := "", "unknown"
	if _, ok := m.d.Engine.Function("REDIRECTING"); from != nil && ok {
		e := m.d.Engine
		if v, err := e.ReadFunction(from, "REDIRECTING", "from-num"); err == nil && v != "" {
			num = v
		}
		if v, err := e.ReadFunction(from, "REDIRECTING", "from-name"); err == nil {
			name = v
		}
		if v, err := e.ReadFunction(from, "REDIRECTING", "reason"); err == nil {
			if s, ok := sipRedirectReasons[v]; ok {
				reason = s
			}
		}
	}
	if num == "" {
		return
	}
	value := "<sip:" + num + "@" + host + ">;reason=" + reason
	if name != "" {
		value = `"` + name + `" ` + value
	}
	req.AppendHeader(sip.NewHeader("Diversion", value))
}
