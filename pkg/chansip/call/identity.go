package call

import (
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Caller identity headers as chan_sip handles them: from a peer with
// trustrpid=yes, Remote-Party-ID (first) or P-Asserted-Identity (RFC 3325)
// gives the caller's name, number and presentation (get_rpid, get_pai); to
// a peer with sendrpid, our INVITE carries the connected line as
// Remote-Party-ID (sendrpid=yes|rpid) or P-Asserted-Identity
// (sendrpid=pai), in trust_id_outbound=legacy's way (its default); a
// restricted presentation makes From anonymous.

const (
	anonymousUser   = "anonymous"
	anonymousName   = "Anonymous"
	anonymousDomain = "anonymous.invalid"
)

// trustedIdentity reads the identity a trusted peer asserted; ok is false
// when the peer is not trusted or sent none that parses.
func trustedIdentity(req *sip.Request, p *sipconf.Peer) (name, num, pres string, ok bool) {
	if p == nil || !p.TrustRPID {
		return "", "", "", false
	}
	if h := req.GetHeader("Remote-Party-ID"); h != nil {
		return parseRPID(h.Value())
	}
	h := req.GetHeader("P-Asserted-Identity")
	if h == nil {
		return "", "", "", false
	}
	var addr sip.Uri
	params := sip.NewParams()
	dn, err := sip.ParseAddressValue(h.Value(), &addr, &params)
	if err != nil {
		return "", "", "", false
	}
	pres = "allowed_not_screened"
	num = UserOf(addr)
	if strings.EqualFold(addr.User, anonymousUser) && strings.EqualFold(addr.Host, anonymousDomain) {
		pres = "prohib_not_screened"
	}
	if pv := req.GetHeader("Privacy"); pv != nil && !strings.EqualFold(strings.TrimSpace(pv.Value()), "none") {
		pres = "prohib_not_screened"
	}
	return dn, num, pres, true
}

// parseRPID reads `"name" <sip:num@host>;privacy=full;screen=yes`.
func parseRPID(v string) (name, num, pres string, ok bool) {
	v = strings.TrimSpace(v)
	lt := strings.IndexByte(v, '<')
	gt := strings.IndexByte(v, '>')
	if lt < 0 || gt < lt {
		return "", "", "", false
	}
	name = strings.Trim(strings.TrimSpace(v[:lt]), `"`)
	uri := v[lt+1 : gt]
	if len(uri) < 4 || !strings.EqualFold(uri[:4], "sip:") {
		return "", "", "", false
	}
	user, _, found := strings.Cut(uri[4:], "@")
	if !found {
		return "", "", "", false
	}
	privacy, screen := "", ""
	for _, param := range strings.Split(v[gt+1:], ";") {
		k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
		switch strings.ToLower(k) {
		case "privacy":
			privacy = strings.ToLower(val)
		case "screen":
			screen = strings.ToLower(val)
		}
	}
	pres = "allowed_not_screened"
	switch {
	case privacy == "full" && screen == "yes":
		pres = "prohib_passed_screen"
	case privacy == "full" && screen == "no":
		pres = "prohib_not_screened"
	case screen == "yes":
		pres = "allowed_passed_screen"
	}
	return name, user, pres, true
}

// outboundIdentity adds Remote-Party-ID or P-Asserted-Identity to our
// INVITE to peer p for the connected line (name, num, pres); domain is
// the peer's fromdomain or our address.
func outboundIdentity(req *sip.Request, p *sipconf.Peer, name, num, pres, domain string) {
	if p == nil || !p.SendRPID || num == "" {
		return
	}
	if name == "" {
		name = num
	}
	name = strings.ReplaceAll(name, `"`, `\"`)
	restricted := pbx.PresentationRestricted(pres)
	if p.SendPAI {
		value := `"` + name + `" <sip:` + num + "@" + domain + ">"
		if restricted {
			value = `"` + anonymousName + `" <sip:` + anonymousUser + "@" + anonymousDomain + ">"
		}
		req.AppendHeader(sip.NewHeader("P-Asserted-Identity", value))
		return
	}
	value := `"` + name + `" <sip:` + num + "@" + domain + ">;party=calling"
	privacy, screen := "", ""
	switch pres {
	case "allowed_not_screened", "allowed_failed_screen", "allowed":
		privacy, screen = "off", "no"
	case "allowed_passed_screen":
		privacy, screen = "off", "yes"
	case "prohib_not_screened", "prohib_failed_screen", "prohib":
		privacy, screen = "full", "no"
	case "prohib_passed_screen":
		privacy, screen = "full", "yes"
	}
	if privacy != "" {
		value += ";privacy=" + privacy + ";screen=" + screen
	}
	req.AppendHeader(sip.NewHeader("Remote-Party-ID", value))
}

// UserOf is the user part of a URI as chan_sip reads it for extensions
// and caller ids: a sip: or sips: URI's user, a tel: URI's number (what
// precedes its parameters, such as phone-context).
func UserOf(u sip.Uri) string {
	if strings.EqualFold(u.Scheme, "tel") {
		n, _, _ := strings.Cut(u.Raw(), ";")
		return n
	}
	return u.User
}
