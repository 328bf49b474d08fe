package sipconf

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/asthash"
	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Config is what chan_sip would load from sip.conf and users.conf.
type Config struct {
	General General
	// Peers in load order: users.conf entries first, then sip.conf
	// sections in file order (chan_sip reads users.conf first).
	Peers []*Peer
	// Registrations in load order: sip.conf's register lines, then the
	// ones users.conf's registersip=yes synthesises.
	Registrations []*Register

	byName map[string]*Peer // lower-cased name
}

// Peer returns the peer, user or friend with that name. chan_sip's peer
// table compares names case-insensitively (strcasecmp), so this does too.
func (c *Config) Peer(name string) *Peer {
	return c.byName[strings.ToLower(name)]
}

// SortedPeers returns the peers sorted by name (strcmp order), as
// "sip show peers" lists them.
func (c *Config) SortedPeers() []*Peer {
	out := append([]*Peer(nil), c.Peers...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// HashOrder returns the peers in the order chan_sip's peer hash table
// iterates them, which "sip show users" and "sip show inuse" print:
// buckets of the case-insensitive DJB hash of the name modulo 563, in
// ascending bucket order, and load order within a bucket. Reproducing it
// keeps those listings identical to Asterisk's (6001 before 6000).
func (c *Config) HashOrder() []*Peer {
	out := append([]*Peer(nil), c.Peers...)
	sort.SliceStable(out, func(i, j int) bool { return peerBucket(out[i].Name) < peerBucket(out[j].Name) })
	return out
}

// peerHashSize is chan_sip's HASH_PEER_SIZE.
const peerHashSize = 563

func peerBucket(name string) int { return asthash.Bucket(name, peerHashSize) }

// Load builds the chan_sip model from parsed sip.conf and users.conf
// (users may be nil). The Config is always returned; Error diagnostics
// mark values chan_sip could not use (the Config then holds chan_sip's
// fallback for them), Warnings mark unknown options and Asterisk's own
// load-time warnings.
func Load(sip *confparse.Config, users *confparse.Config) (*Config, confparse.Diagnostics) {
	l := &loader{}
	c := &Config{byName: map[string]*Peer{}}

	gen := sip.Category("general")
	var regs []*Register
	if gen != nil {
		c.General, regs = l.parseGeneral(gen)
	} else {
		c.General = defaultGeneral()
	}
	c.Registrations = append(c.Registrations, regs...)

	usernameSeen := false
	if users != nil {
		l.loadUsers(c, users, &usernameSeen)
	}

	for _, cat := range sip.Browse() {
		if strings.EqualFold(cat.Name, "general") || strings.EqualFold(cat.Name, "authentication") {
			continue
		}
		tv := cat.Var("type")
		if tv == nil {
			l.warn(cat.File, cat.Line, "Section '%s' lacks type", cat.Name)
			continue
		}
		switch strings.ToLower(strings.TrimSpace(tv.Value)) {
		case "peer", "user", "friend":
		default:
			l.diags = append(l.diags, confparse.Diagnostic{File: tv.File, Line: tv.Line, Severity: confparse.Error,
				Message: fmt.Sprintf("Unknown type '%s' for '%s' in sip.conf", tv.Value, cat.Name)})
			continue
		}
		p, dup := c.lookupForBuild(cat.Name, &c.General)
		if dup {
			l.warn(cat.File, cat.Line, "Peer '%s' is defined again; the later section's options are applied on top of the earlier one", cat.Name)
		}
		p.Source, p.File, p.Line = "sip.conf", cat.File, cat.Line
		l.applyPeerVars(p, &c.General, cat.Vars, peerOpts{source: "sip.conf", usernameSeen: &usernameSeen})
		if p.NATSet && p.NAT.ForceRport != c.General.NAT.ForceRport {
			l.natWarning(cat, p, &c.General)
		}
		if !dup {
			c.add(p)
		}
		if cb := cat.Var("callbackextension"); cb != nil {
			l.callbackRegistration(c, p, cb)
		}
	}
	return c, l.diags
}

// callbackRegistration is chan_sip's callbackextension=: the peer
// registers to its host with that extension as Contact.
func (l *loader) callbackRegistration(c *Config, p *Peer, v *confparse.Variable) {
	if p.Dynamic || p.Host == "" {
		l.warnVar(v, "callbackextension needs a static host on peer '%s'", p.Name)
		return
	}
	user := p.FromUser
	if user == "" {
		user = p.DefaultUser
	}
	secret := p.RemoteSecret
	if secret == "" {
		secret = p.Secret
	}
	host := p.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	r, err := ParseRegister(p.Name + "?" + user + ":" + secret + ":" + p.DefaultUser + "@" + host + "/" + v.Value)
	if err != nil {
		l.bad(v, err)
		return
	}
	r.Expiry = c.General.DefaultExpiry
	r.File, r.Line = v.File, v.Line
	c.Registrations = append(c.Registrations, r)
}

func hasVar(vars []*confparse.Variable, name string) bool {
	for _, v := range vars {
		if strings.EqualFold(v.Name, name) {
			return true
		}
	}
	return false
}

// lookupForBuild returns the existing peer of that name (chan_sip updates
// a peer defined twice) or a new one from [general]'s defaults.
func (c *Config) lookupForBuild(name string, g *General) (*Peer, bool) {
	if p := c.Peer(name); p != nil {
		p.Name = name
		return p, true
	}
	return newPeer(name, g), false
}

func (c *Config) add(p *Peer) {
	c.Peers = append(c.Peers, p)
	c.byName[strings.ToLower(p.Name)] = p
}

// natWarning is chan_sip's warning about a per-peer nat that differs from
// the global one (it makes peer names discoverable).
func (l *loader) natWarning(cat *confparse.Category, p *Peer, g *General) {
	file, line := cat.File, cat.Line
	if v := cat.Var("nat"); v != nil {
		file, line = v.File, v.Line
	}
	for _, m := range []string{
		"!!! PLEASE NOTE: Setting 'nat' for a peer/user that differs from the  global setting can make",
		"!!! the name of that peer/user discoverable by an attacker. Replies for non-existent peers/users",
		"!!! will be sent to a different port than replies for an existing peer/user. If at all possible,",
		"!!! use the global 'nat' setting and do not set 'nat' per peer/user.",
		fmt.Sprintf("!!! (config category='%s' global force_rport='%s' peer/user force_rport='%s')", cat.Name, yesNo(g.NAT.ForceRport), yesNo(p.NAT.ForceRport)),
	} {
		l.warn(file, line, "%s", m)
	}
}

// loadUsers turns users.conf entries with hassip into friends, the way
// chan_sip does: users.conf's [general] variables first, then the entry's
// own, on top of sip.conf's [general]. registersip adds a registration
// "<entry>?<username>:<secret>[:<authuser>]@<host>/<contact>".
func (l *loader) loadUsers(c *Config, users *confparse.Config, usernameSeen *bool) {
	ugen := users.Category("general")
	var genVars []*confparse.Variable
	genHasSIP, genRegisterSIP := false, false
	if ugen != nil {
		genVars = ugen.Vars
		if v, ok := ugen.Get("hassip"); ok {
			genHasSIP = confparse.True(v)
		}
		if v, ok := ugen.Get("registersip"); ok {
			genRegisterSIP = confparse.True(v)
		}
	}
	warned := map[string]bool{}
	for _, cat := range users.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			continue
		}
		hasSIP := genHasSIP
		if v, ok := cat.Get("hassip"); ok {
			hasSIP = confparse.True(v)
		}
		if hasSIP {
			p, dup := c.lookupForBuild(cat.Name, &c.General)
			p.Source, p.File, p.Line = "users.conf", cat.File, cat.Line
			vars := append(append([]*confparse.Variable(nil), genVars...), cat.Vars...)
			l.applyPeerVars(p, &c.General, vars, peerOpts{source: "users.conf", ignoreUnknown: true, usernameSeen: usernameSeen,
				unknown: func(v *confparse.Variable) {
					// [general]'s variables come with every user: one warning.
					at := fmt.Sprintf("%s:%d", v.File, v.Line)
					if !usersConfOptions[strings.ToLower(v.Name)] && !warned[at] {
						warned[at] = true
						l.warnVar(v, "Unknown option '%s' in users.conf, ignored (neither chan_sip nor another module reads it)", v.Name)
					}
				}})
			p.Type = TypeFriend // users.conf entries are always friends
			if p.Host == "" && !hasVar(genVars, "host") && cat.Var("host") == nil {
				// chan_sip would leave such a user neither dynamic nor
				// addressed, so it could never register or be called;
				// users.conf phones register, so default to dynamic.
				p.Dynamic = true
			}
			if !dup {
				c.add(p)
			}
		}
		registerSIP := genRegisterSIP
		if v, ok := cat.Get("registersip"); ok {
			registerSIP = confparse.True(v)
		}
		if !registerSIP {
			continue
		}
		get := func(name string) string {
			if v, ok := cat.Get(name); ok {
				return v
			}
			if name != "contact" && name != "authuser" && ugen != nil {
				if v, ok := ugen.Get(name); ok {
					return v
				}
			}
			return ""
		}
		host, username, secret, authuser, contact := get("host"), get("username"), get("secret"), get("authuser"), get("contact")
		if contact == "" {
			contact = "s"
		}
		if username == "" || host == "" {
			continue
		}
		line := cat.Name + "?" + username
		switch {
		case secret != "" && authuser != "":
			line += ":" + secret + ":" + authuser
		case secret != "":
			line += ":" + secret
		case authuser != "":
			line += "::" + authuser
		}
		line += "@" + host + "/" + contact
		r, err := ParseRegister(line)
		if err != nil {
			l.warn(cat.File, cat.Line, "registersip for '%s' gives a bad registration %q: %v", cat.Name, line, err)
			continue
		}
		r.Expiry = c.General.DefaultExpiry
		r.File, r.Line = cat.File, cat.Line
		c.Registrations = append(c.Registrations, r)
	}
}

// usersConfOptions are the users.conf options of Asterisk's other modules
// (pbx_config, app_voicemail, chan_iax2, manager, app_directory,
// res_phoneprov) and of its users.conf sample: not chan_sip's, but not
// mistakes either.
var usersConfOptions = map[string]bool{
	"fullname": true, "userbase": true, "hasvoicemail": true, "vmsecret": true, "hassip": true, "hasiax": true,
	"hash323": true, "hasmanager": true, "hasdirectory": true, "hasexten": true, "hasagent": true,
	"callwaiting": true, "threewaycalling": true, "callwaitingcallerid": true, "transfer": true, "canpark": true,
	"cancallforward": true, "callreturn": true, "email": true, "pager": true, "registersip": true, "registeriax": true,
	"alternateexts": true, "autoprov": true, "linekeys": true, "linenumber": true, "macaddress": true, "mac": true,
	"profile": true, "cid_number": true, "dahdichan": true, "zapchan": true, "signalling": true, "managerread": true,
	"managerwrite": true, "read": true, "write": true, "writetimeout": true, "displayconnects": true,
	"allowmultiplelogin": true, "description": true, "localextenlength": true, "vmexten": true, "mailbox": true,
}
