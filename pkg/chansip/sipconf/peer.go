package sipconf

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// PeerType says whether a device is matched for calls from it (user), to
// it (peer), or both (friend).
type PeerType uint8

// Peer types; Friend is User|Peer.
const (
	TypePeer   PeerType = 1
	TypeUser   PeerType = 2
	TypeFriend          = TypePeer | TypeUser
)

func (t PeerType) String() string {
	switch t {
	case TypePeer:
		return "peer"
	case TypeUser:
		return "user"
	case TypeFriend:
		return "friend"
	}
	return "unknown"
}

// Peer is one device or trunk as chan_sip builds it: [general]'s defaults
// with the section's options applied in order.
type Peer struct {
	Name   string
	Type   PeerType
	Source string // "sip.conf" or "users.conf"
	File   string // where the section starts
	Line   int

	Dynamic   bool           // host=dynamic: the device registers
	Host      string         // host= as written when not dynamic ("" for dynamic)
	Addr      netip.AddrPort // static address when host is an IP literal
	Port      int            // port= (0 = not set, use 5060)
	DefaultIP netip.Addr     // defaultip=

	// OutOfCallMessageContext is outofcall_message_context=: where this
	// peer's out-of-call MESSAGEs are routed ("" = [general]'s).
	OutOfCallMessageContext string

	Secret         string
	MD5Secret      string
	RemoteSecret   string
	DefaultUser    string // username= / defaultuser=
	FromUser       string
	FromDomain     string
	FromDomainPort int
	AuthUser       string
	Auth           []string // auth= lines, as written

	Context          string
	SubscribeContext string
	CallerIDName     string
	CallerIDNum      string
	CallerIDTag      string
	Description      string
	Language         string
	AccountCode      string
	AMAFlags         string // "Unknown" unless amaflags=
	CallGroup        string
	PickupGroup      string
	NamedCallGroup   string
	NamedPickupGroup string
	Mailbox          string
	VMExten          string
	MOHInterpret     string
	MOHSuggest       string
	Parkinglot       string
	Tonezone         string
	RegExten         string
	SetVars          []Var
	OutboundProxy    string
	RTPEngine        string // "asterisk"
	RecordOnFeature  string
	RecordOffFeature string
	CallingPres      string

	Insecure    Insecure
	Qualify     int // max round trip in ms; 0 = not monitored
	QualifyFreq int // seconds
	Keepalive   int // seconds
	NAT         NAT
	NATSet      bool // the section set nat= itself
	DirectMedia bool
	// DirectMediaMode is what directmedia= added to yes: nonat, update, outgoing.
	DirectMediaMode DirectMediaMode
	DTMFMode        DTMFMode
	Codecs          Codecs
	CallLimit       int
	BusyLevel       int
	MaxForwards     int // 0 unless maxforwards= (chan_sip shows 0 otherwise)
	MaxCallBitrate  int

	Transports       Transport
	PrimaryTransport Transport

	Encryption       bool // SRTP (SDES)
	EncryptionTagLen int  // 80 (default) or 32
	AVPF             bool
	ForceAVP         bool
	ICESupport       bool
	RTCPMux          bool

	ACL            ACL
	ContactACL     ACL
	DirectMediaACL ACL

	TrustRPID, SendRPID, PromiscRedir, UseReqPhone bool
	// SendPAI is sendrpid=pai: the identity goes out as
	// P-Asserted-Identity (RFC 3325) instead of Remote-Party-ID.
	SendPAI                                     bool
	VideoSupport, TextSupport, IgnoreSDPVersion bool
	UsePath, RFC2833Compensate, UseClientCode   bool
	UseQ850Reason, AutoFraming, AllowTransfer   bool
	AllowSubscribe                              bool
	AllowOverlap                                string
	ProgressInband                              string
	T38Support                                  bool
	T38MaxDatagram                              int64

	TimerT1          int
	TimerB           int
	RTPTimeout       int
	RTPHoldTimeout   int
	RTPKeepalive     int
	SessionTimers    string
	SessionRefresher string
	SessionExpires   int
	SessionMinSE     int

	// UnsolicitedMailbox: the message-summary NOTIFYs this peer sends
	// unasked set the counts of UnsolicitedMailbox@SIP_Remote.
	UnsolicitedMailbox string
}

// IsPeer reports whether calls can be placed to this entry (peer or friend).
func (p *Peer) IsPeer() bool { return p.Type&TypePeer != 0 }

// IsUser reports whether calls from this entry are matched by name (user or friend).
func (p *Peer) IsUser() bool { return p.Type&TypeUser != 0 }

// newPeer starts a peer from [general], as chan_sip's set_peer_defaults.
// CallCounterLimit is the call-limit of a peer that counts its calls
// (callcounter=yes) without a limit: chan_sip's INT_MAX.
const CallCounterLimit = 2147483647

func newPeer(name string, g *General) *Peer {
	p := newPeerDefaults(name, g)
	if g.CallCounter {
		// [general] callcounter=yes: every peer counts its calls.
		p.CallLimit = CallCounterLimit
	}
	return p
}

func newPeerDefaults(name string, g *General) *Peer {
	return &Peer{
		Name:              name,
		Type:              TypePeer,
		Context:           g.Context,
		SubscribeContext:  g.SubscribeContext,
		Language:          g.Language,
		AMAFlags:          "Unknown",
		VMExten:           g.VMExten,
		MOHInterpret:      g.MOHInterpret,
		MOHSuggest:        g.MOHSuggest,
		Parkinglot:        g.Parkinglot,
		Tonezone:          g.Tonezone,
		RTPEngine:         "asterisk",
		RecordOnFeature:   g.RecordOnFeature,
		RecordOffFeature:  g.RecordOffFeature,
		CallingPres:       "Presentation Allowed, Not Screened",
		Qualify:           g.Qualify,
		QualifyFreq:       g.QualifyFreq,
		Keepalive:         g.Keepalive,
		NAT:               g.NAT,
		DirectMedia:       g.DirectMedia,
		DirectMediaMode:   g.DirectMediaMode,
		DTMFMode:          g.DTMFMode,
		Codecs:            g.Codecs.clone(),
		MaxCallBitrate:    g.MaxCallBitrate,
		Transports:        g.Transports,
		PrimaryTransport:  g.PrimaryTransport,
		EncryptionTagLen:  80,
		ICESupport:        g.ICESupport,
		RTCPMux:           g.RTCPMux,
		TrustRPID:         g.TrustRPID,
		SendRPID:          g.SendRPID,
		SendPAI:           g.SendPAI,
		PromiscRedir:      g.PromiscRedir,
		UseReqPhone:       g.UseReqPhone,
		VideoSupport:      g.VideoSupport,
		TextSupport:       g.TextSupport,
		IgnoreSDPVersion:  g.IgnoreSDPVersion,
		UsePath:           g.UsePath,
		RFC2833Compensate: g.RFC2833Compensate,
		UseClientCode:     g.UseClientCode,
		UseQ850Reason:     g.UseQ850Reason,
		AutoFraming:       g.AutoFraming,
		AllowTransfer:     g.AllowTransfer,
		AllowSubscribe:    g.AllowSubscribe,
		AllowOverlap:      g.AllowOverlap,
		ProgressInband:    g.ProgressInband,
		T38Support:        g.T38Support,
		T38MaxDatagram:    g.T38MaxDatagram,
		TimerT1:           g.TimerT1,
		TimerB:            g.TimerB,
		RTPTimeout:        g.RTPTimeout,
		RTPHoldTimeout:    g.RTPHoldTimeout,
		RTPKeepalive:      g.RTPKeepalive,
		SessionTimers:     g.SessionTimers,
		SessionRefresher:  g.SessionRefresher,
		SessionExpires:    g.SessionExpires,
		SessionMinSE:      g.SessionMinSE,
	}
}

// peerOpts says how to read a section's variables.
type peerOpts struct {
	source        string // "sip.conf" or "users.conf"
	ignoreUnknown bool   // users.conf holds options of other modules
	// unknown, with ignoreUnknown, receives the options chan_sip does not
	// know, for the caller to judge (users.conf: other modules' options).
	unknown      func(v *confparse.Variable)
	usernameSeen *bool // the deprecation notice is printed once per load
}

// applyPeerVars applies variables in order, as build_peer walks them.
func (l *loader) applyPeerVars(p *Peer, g *General, vars []*confparse.Variable, o peerOpts) {
	var port, hostPort int
	transportSet := false
	timerBSet := false
	for _, v := range vars {
		name := strings.ToLower(v.Name)
		if l.commonOption(name, v, &commonTarget{
			nat: &p.NAT, natSet: &p.NATSet, dtmf: &p.DTMFMode, directMedia: &p.DirectMedia, directMode: &p.DirectMediaMode,
			trustRPID: &p.TrustRPID, sendRPID: &p.SendRPID, sendPAI: &p.SendPAI, promiscRedir: &p.PromiscRedir,
			videoSupport: &p.VideoSupport, textSupport: &p.TextSupport, allowOverlap: &p.AllowOverlap,
			allowSubscribe: &p.AllowSubscribe, ignoreSDP: &p.IgnoreSDPVersion, usePath: &p.UsePath,
			rfc2833comp: &p.RFC2833Compensate, rtcpMux: &p.RTCPMux, useClientCode: &p.UseClientCode,
			progressInband: &p.ProgressInband, insecure: &p.Insecure, t38: &p.T38Support,
			t38max: &p.T38MaxDatagram,
		}) {
			continue
		}
		switch name {
		case "type":
			switch strings.ToLower(strings.TrimSpace(v.Value)) {
			case "peer":
				p.Type = TypePeer
			case "user":
				p.Type = TypeUser
			case "friend":
				p.Type = TypeFriend
			default:
				l.bad(v, fmt.Errorf("want peer, user or friend"))
			}
		case "transport":
			set, primary, bad := parseTransports(v.Value)
			if len(bad) > 0 {
				l.bad(v, fmt.Errorf("unknown transport %s (want udp, tcp, tls, ws or wss)", strings.Join(bad, ", ")))
			}
			p.Transports, p.PrimaryTransport = set, primary
			transportSet = true
		case "secret":
			p.Secret = v.Value
		case "md5secret":
			p.MD5Secret = v.Value
		case "remotesecret":
			p.RemoteSecret = v.Value
		case "auth":
			p.Auth = append(p.Auth, v.Value)
		case "callerid":
			p.CallerIDName, p.CallerIDNum = SplitCallerID(v.Value)
		case "fullname":
			p.CallerIDName = v.Value
		case "trunkname":
			p.CallerIDName = ""
		case "cid_number":
			p.CallerIDNum = v.Value
		case "cid_tag":
			p.CallerIDTag = v.Value
		case "context":
			p.Context = v.Value
		case "subscribecontext":
			p.SubscribeContext = v.Value
		case "recordonfeature":
			p.RecordOnFeature = v.Value
		case "recordofffeature":
			p.RecordOffFeature = v.Value
		case "fromdomain":
			d, port, err := splitFromDomain(v.Value)
			if err != nil {
				l.bad(v, err)
			}
			p.FromDomain, p.FromDomainPort = d, port
		case "fromuser":
			p.FromUser = v.Value
		case "authuser":
			p.AuthUser = v.Value
		case "usereqphone":
			p.UseReqPhone = l.boolVal(v)
		case "outboundproxy":
			p.OutboundProxy = v.Value
		case "host":
			if strings.EqualFold(strings.TrimSpace(v.Value), "dynamic") {
				p.Dynamic, p.Host, p.Addr = true, "", netip.AddrPort{}
				continue
			}
			h := strings.TrimSpace(v.Value)
			if h == "" {
				l.bad(v, fmt.Errorf("want dynamic, a host name or an IP address"))
				continue
			}
			host, hp, err := splitHostPortValue(h)
			if err != nil {
				l.bad(v, err)
				continue
			}
			p.Dynamic, p.Host = false, host
			if hp != 0 {
				// host=127.0.0.1:5061: chan_sip resolves the value with
				// its port; a port= line still wins.
				hostPort = hp
			}
		case "defaultip":
			if strings.TrimSpace(v.Value) == "" {
				continue
			}
			a, err := netip.ParseAddr(strings.TrimSpace(v.Value))
			if err != nil {
				l.bad(v, fmt.Errorf("want an IP address"))
				continue
			}
			p.DefaultIP = a.Unmap()
		case "permit", "deny", "acl":
			l.acl(&p.ACL, v, name)
		case "contactpermit", "contactdeny", "contactacl":
			l.acl(&p.ContactACL, v, strings.TrimPrefix(name, "contact"))
		case "directmediapermit", "directmediadeny", "directmediaacl":
			l.acl(&p.DirectMediaACL, v, strings.TrimPrefix(name, "directmedia"))
		case "port":
			n, err := parsePort(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			port = n
		case "callingpres":
			p.CallingPres = v.Value
		case "username", "defaultuser":
			p.DefaultUser = v.Value
			if name == "username" && o.usernameSeen != nil && !*o.usernameSeen {
				*o.usernameSeen = true
				l.warnVar(v, "The 'username' field for sip peers has been deprecated in favor of the term 'defaultuser'")
			}
		case "tonezone":
			p.Tonezone = v.Value
		case "language":
			p.Language = v.Value
		case "regexten":
			p.RegExten = v.Value
		case "amaflags":
			switch strings.ToLower(strings.TrimSpace(v.Value)) {
			case "default":
				p.AMAFlags = "Unknown"
			case "omit":
				p.AMAFlags = "OMIT"
			case "billing":
				p.AMAFlags = "BILLING"
			case "documentation":
				p.AMAFlags = "DOCUMENTATION"
			default:
				l.bad(v, fmt.Errorf("want default, omit, billing or documentation"))
			}
		case "accountcode":
			p.AccountCode = v.Value
		case "mohinterpret", "musicclass", "musiconhold":
			p.MOHInterpret = v.Value
		case "mohsuggest":
			p.MOHSuggest = v.Value
		case "parkinglot":
			p.Parkinglot = v.Value
		case "rtp_engine":
			p.RTPEngine = v.Value
		case "mailbox":
			p.Mailbox = v.Value
		case "vmexten":
			p.VMExten = v.Value
		case "unsolicited_mailbox":
			p.UnsolicitedMailbox = v.Value
		case "callgroup":
			p.CallGroup = v.Value
		case "pickupgroup":
			p.PickupGroup = v.Value
		case "namedcallgroup":
			p.NamedCallGroup = v.Value
		case "namedpickupgroup":
			p.NamedPickupGroup = v.Value
		case "allow", "disallow":
			c, err := p.Codecs.Apply(v.Value, name == "allow")
			if err != nil {
				l.bad(v, err)
			}
			p.Codecs = c
		case "autoframing":
			p.AutoFraming = l.boolVal(v)
		case "rtptimeout":
			if n, ok := l.intVal(v, 0); ok {
				p.RTPTimeout = n
			}
		case "rtpholdtimeout":
			if n, ok := l.intVal(v, 0); ok {
				p.RTPHoldTimeout = n
			}
		case "rtpkeepalive":
			if n, ok := l.intVal(v, 0); ok {
				p.RTPKeepalive = n
			}
		case "setvar":
			nm, val, ok := strings.Cut(v.Value, "=")
			if !ok || strings.TrimSpace(nm) == "" {
				l.bad(v, fmt.Errorf("want NAME=VALUE"))
				continue
			}
			p.SetVars = append(p.SetVars, Var{Name: strings.TrimSpace(nm), Value: strings.TrimSpace(val)})
		case "call-limit", "incominglimit", "outgoinglimit":
			if n, ok := l.intVal(v, 0); ok {
				p.CallLimit = n
			}
		case "busylevel":
			if n, ok := l.intVal(v, 0); ok {
				p.BusyLevel = n
			}
		case "callcounter":
			// chan_sip: yes counts calls without a limit (the largest
			// int, which `sip show peer` prints), no stops counting;
			// the later of call-limit and callcounter wins.
			if l.boolVal(v) {
				p.CallLimit = CallCounterLimit
			} else {
				p.CallLimit = 0
			}
		case "maxforwards":
			if n, ok := l.intVal(v, 1); ok {
				p.MaxForwards = n
			}
		case "maxcallbitrate":
			if n, ok := l.intVal(v, 0); ok {
				p.MaxCallBitrate = n
			}
		case "qualify":
			n, err := parseQualify(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			p.Qualify = n
		case "qualifyfreq":
			if n, ok := l.intVal(v, 1); ok {
				p.QualifyFreq = n
			}
		case "keepalive":
			if confparse.False(v.Value) {
				p.Keepalive = 0
			} else if confparse.True(v.Value) {
				p.Keepalive = 60
			} else if n, ok := l.intVal(v, 0); ok {
				p.Keepalive = n
			}
		case "timert1":
			if n, ok := l.intVal(v, 1); ok {
				p.TimerT1 = n
			}
		case "timerb":
			if n, ok := l.intVal(v, 1); ok {
				p.TimerB = n
				timerBSet = true
			}
		case "session-timers", "session-refresher", "session-expires", "session-minse":
			l.sessionOption(name, v, &p.SessionTimers, &p.SessionRefresher, &p.SessionExpires, &p.SessionMinSE)
		case "description":
			p.Description = v.Value
		case "encryption":
			p.Encryption = l.boolVal(v)
		case "encryption_taglen":
			n, err := strconv.Atoi(strings.TrimSpace(v.Value))
			if err != nil || (n != 32 && n != 80) {
				l.bad(v, fmt.Errorf("want 32 or 80"))
				continue
			}
			p.EncryptionTagLen = n
		case "avpf":
			p.AVPF = l.boolVal(v)
		case "force_avp":
			p.ForceAVP = l.boolVal(v)
		case "icesupport":
			p.ICESupport = l.boolVal(v)
		case "use_q850_reason":
			p.UseQ850Reason = l.boolVal(v)
		case "allowtransfer":
			p.AllowTransfer = l.boolVal(v)
		case "outofcall_message_context":
			p.OutOfCallMessageContext = v.Value
		default:
			if o.ignoreUnknown && o.unknown != nil && !peerAccepted[name] && !strings.HasPrefix(name, "dtls") {
				o.unknown(v)
			}
			if !o.ignoreUnknown && !peerAccepted[name] && !strings.HasPrefix(name, "dtls") {
				l.warnVar(v, "Unknown option '%s' in [%s] of %s, ignored", v.Name, p.Name, o.source)
			}
		}
	}
	if port != 0 {
		p.Port = port
	} else if hostPort != 0 {
		p.Port = hostPort
	}
	if !timerBSet && p.TimerT1 != g.TimerT1 {
		p.TimerB = 64 * p.TimerT1
	}
	_ = transportSet
	if p.Transports == 0 {
		p.Transports, p.PrimaryTransport = g.Transports, g.PrimaryTransport
	} else if p.PrimaryTransport == 0 {
		p.PrimaryTransport = UDP
	}
	if !p.Dynamic && p.Host != "" {
		if a, err := netip.ParseAddr(p.Host); err == nil {
			pt := p.Port
			if pt == 0 {
				pt = StandardSIPPort
				if p.PrimaryTransport == TLS {
					pt = StandardTLSPort
				}
			}
			p.Addr = netip.AddrPortFrom(a.Unmap(), uint16(pt))
		}
	}
}

// ToHost is what chan_sip shows as "ToHost": the host= of a static peer.
func (p *Peer) ToHost() string { return p.Host }

// SplitCallerID splits `"Name" <number>` / `Name <number>` / `number`
// the way Asterisk's ast_callerid_split does for the common forms.
func SplitCallerID(s string) (name, num string) {
	s = strings.TrimSpace(s)
	if lt := strings.LastIndexByte(s, '<'); lt >= 0 {
		if gt := strings.IndexByte(s[lt:], '>'); gt >= 0 {
			num = strings.TrimSpace(s[lt+1 : lt+gt])
			name = strings.TrimSpace(s[:lt])
			name = strings.TrimSpace(stripQuotes(name))
			return name, num
		}
	}
	if isCallerNumber(s) {
		return "", s
	}
	return stripQuotes(s), ""
}

func isCallerNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789*#+-()/ .", r) {
			return false
		}
	}
	return true
}

// peerAccepted are peer options chan_sip reads that we accept without
// modelling.
var peerAccepted = setOf(
	"disallowed_methods", "discard_remote_hold_retrieval", "fullcontact",
	"hasvoicemail", "header", "ignore_requested_pref", "ipaddr", "lastms", "mwi_from", "name",
	"preferred_codec_only", "regseconds", "regserver", "snom_aoc_enabled",
	"subscribemwi", "useragent", "rtcachefriends", "trunkname",
	"g726nonstandard", "buggymwi", "faxdetect", "t38pt_usertpsource", "rpid_update",
	"rpid_immediate", "trust_id_outbound", "callevents", "videosupport", "textsupport",
	"mohinterpret", "registertrying", "sdpsession", "sdpowner", "cc_agent_policy",
	"cc_monitor_policy", "cc_offer_timer", "ccnr_available_timer", "ccbs_available_timer",
	"cc_recall_timer", "cc_max_agents", "cc_max_monitors", "cc_callback_macro", "cc_callback_sub",
	"cc_agent_dialstring", "tos", "tos_sip", "tos_audio", "tos_video", "tos_text",
	"callbackextension", // read by Load with the peer's registration (load.go)
)

// splitHostPortValue splits a host= value with a port ("10.0.0.1:5061",
// "[::1]:5061", "sip.example.com:5080") from one without ("10.0.0.1",
// "::1", "[::1]", "sip.example.com"); port is 0 when none is given.
func splitHostPortValue(v string) (host string, port int, err error) {
	if _, perr := netip.ParseAddr(strings.Trim(v, "[]")); perr == nil {
		return strings.Trim(v, "[]"), 0, nil
	}
	h, ps, serr := net.SplitHostPort(v)
	if serr != nil {
		return strings.Trim(v, "[]"), 0, nil
	}
	n, err := parsePort(ps)
	if err != nil {
		return "", 0, err
	}
	return h, n, nil
}
