package sipconf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// General is sip.conf's [general] section with chan_sip's defaults filled
// in. Options that apply to peers too (codecs, nat, dtmfmode, ...) are the
// defaults every peer starts from.
type General struct {
	Context string // default "default", chan_sip's DEFAULT_CONTEXT

	// Out-of-call MESSAGE (RFC 3428): accept_outofcall_message (default
	// yes), auth_message_requests (default yes: challenged like an
	// INVITE) and outofcall_message_context (the context they are routed
	// in; "" = the sender's context).
	AcceptOutOfCallMessage  bool
	AuthMessageRequests     bool
	OutOfCallMessageContext string

	UDPBind netip.AddrPort // bindaddr/bindport/udpbindaddr; default 0.0.0.0:5060

	TCPEnable bool
	TCPBind   netip.AddrPort // default 0.0.0.0:5060

	// TCPAuthTimeout (seconds) and TCPAuthLimit are chan_sip's
	// tcpauthtimeout and tcpauthlimit: how long a TCP or TLS connection a
	// client opened may stay without a request that authenticated, and how
	// many such connections may be open at once.
	TCPAuthTimeout int // default 30
	TCPAuthLimit   int // default 100

	TLSEnable           bool
	TLSBind             netip.AddrPort // default 0.0.0.0:5061
	TLSCertFile         string         // default "asterisk.pem"
	TLSPrivateKey       string         // empty: the key is in TLSCertFile
	TLSCAFile           string
	TLSCAPath           string
	TLSCipher           string
	TLSClientMethod     string
	TLSDontVerifyServer bool
	TLSVerifyClient     bool

	Transports       Transport // allowed transports, default UDP
	PrimaryTransport Transport // first of transport=, default UDP

	ExternAddr    string // externaddr/externip as written (host[:port])
	ExternHost    string
	ExternRefresh int // seconds, default 10
	Localnet      []netip.Prefix
	MediaAddress  string
	MediaAddr     netip.Addr // media_address parsed: our c= address when set

	NAT                  NAT  // default auto_force_rport
	SRVLookup            bool // default yes
	Pedantic             bool // default yes
	AllowGuest           bool // default yes
	AlwaysAuthReject     bool // default yes
	MatchAuthUsername    bool
	AllowExternalDomains bool   // default yes
	AutoCreatePeer       string // "Off" unless autocreatepeer
	CallCounter          bool
	// DirectRTPSetup (directrtpsetup=yes): the INVITE of a SIP call
	// dialed from a SIP caller already carries the caller's RTP address
	// when both may direct-media, so media flows phone to phone without
	// re-INVITEs.
	DirectRTPSetup bool
	Realm          string // default "asterisk"
	DomainsAsRealm bool
	Domains        []string
	AutoDomain     bool // autodomain=yes: our addresses and host name are local domains too

	DefaultExpiry int // 120
	MinExpiry     int // 60
	MaxExpiry     int // 3600
	SubMinExpiry  int // 60
	SubMaxExpiry  int // 3600
	MWIExpiry     int // 3600
	// MWI are the "mwi =>" subscriptions, in file order (mwi.go).
	MWI []*MWISub

	UserAgent  string // empty: the driver's default (see DefaultUserAgent)
	SDPSession string // empty: the user agent
	SDPOwner   string // default "root"

	RegisterTimeout   int // 20
	RegisterAttempts  int // 0 = forever
	RegisterRetry403  bool
	RegContext        string
	RegExtenOnQualify bool

	RTPTimeout     int
	RTPHoldTimeout int
	RTPKeepalive   int
	RTPBindAddr    string
	RTPBind        netip.Addr // rtpbindaddr parsed: where RTP sockets bind when set

	Qualify     int // default qualify for peers, ms (0 = off)
	QualifyFreq int // seconds, default 60
	QualifyGap  int // ms, default 100
	Keepalive   int

	Codecs      Codecs // preference list, default (ulaw|alaw|gsm|h263)
	DirectMedia bool   // default yes
	// DirectMediaMode is what directmedia= added to yes: nonat, update, outgoing.
	DirectMediaMode DirectMediaMode
	DTMFMode        DTMFMode
	CallerID        string // default "asterisk"
	FromDomain      string
	FromDomainPort  int
	Language        string
	MOHInterpret    string // "default"
	MOHSuggest      string
	VMExten         string // "asterisk"
	Tonezone        string
	ACL             ACL
	ContactACL      ACL
	DirectMediaACL  ACL
	Parkinglot      string

	AllowOverlap      string // "Yes", "No" or "DTMF"; default Yes
	AllowSubscribe    bool   // default yes
	SubscribeContext  string
	AllowTransfer     bool // default yes ("open")
	PromiscRedir      bool
	UseReqPhone       bool
	VideoSupport      bool
	TextSupport       bool
	IgnoreSDPVersion  bool
	TrustRPID         bool
	SendRPID          bool
	SendPAI           bool // sendrpid=pai
	SendDiversion     bool // default yes
	UsePath           bool
	UseQ850Reason     bool
	StoreSIPCause     bool
	RecordHistory     bool
	AuthFailureEvents bool
	LegacyUserfield   bool
	CompactHeaders    bool
	RelaxDTMF         bool
	RFC2833Compensate bool
	AutoFraming       bool
	PrematureMedia    bool // default yes ("No premature media: Yes")
	NotifyRinging     bool // default yes
	NotifyCID         bool
	NotifyHold        bool
	NotifyMimeType    string // "application/simple-message-summary"
	T38Support        bool
	T38MaxDatagram    int64 // -1 = not set (shows 4294967295)
	ICESupport        bool
	RTCPMux           bool
	UseClientCode     bool
	ProgressInband    string // "No", "Yes" or "Never"

	MaxCallBitrate   int    // kbps, 384
	MaxForwards      int    // 70
	TimerT1          int    // 500
	TimerT1Min       int    // 100
	TimerB           int    // 64*T1
	SessionTimers    string // "Accept"
	SessionRefresher string // "uas"
	SessionExpires   int    // 1800
	SessionMinSE     int    // 90
	OutboundProxy    string
	RecordOnFeature  string // "automon"
	RecordOffFeature string // "automon"

	TOSSIP, TOSAudio, TOSVideo, TOSText string // accepted; shown as configured ("CS0" when unset)
	COSSIP, COSAudio, COSVideo, COSText int    // 4, 5, 6, 5

	JBEnable bool
}

// DefaultUserAgent is what User-Agent (and the SDP session name) say when
// sip.conf sets no useragent: "Asterisk PBX <version>", as chan_sip says.
// We keep Asterisk's wording on purpose: remote systems (trunk providers'
// SBCs, monitoring, scripts reading "sip show settings") already match on
// it, and a drop-in replacement must not change what peers see on the wire.
// version is the Asterisk-compatible version the core reports.
func DefaultUserAgent(version string) string { return "Asterisk PBX " + version }

// EffectiveUserAgent is the configured useragent, or DefaultUserAgent.
func (g *General) EffectiveUserAgent(version string) string {
	if g.UserAgent != "" {
		return g.UserAgent
	}
	return DefaultUserAgent(version)
}

// chan_sip's defaults for tcpauthtimeout (seconds) and tcpauthlimit.
const (
	DefaultTCPAuthTimeout = 30
	DefaultTCPAuthLimit   = 100
)

func defaultGeneral() General {
	return General{
		Context:                "default",
		AcceptOutOfCallMessage: true,
		AuthMessageRequests:    true,
		UDPBind:                netip.AddrPortFrom(netip.IPv4Unspecified(), StandardSIPPort),
		TCPBind:                netip.AddrPortFrom(netip.IPv4Unspecified(), StandardSIPPort),
		TCPAuthTimeout:         DefaultTCPAuthTimeout,
		TCPAuthLimit:           DefaultTCPAuthLimit,
		TLSBind:                netip.AddrPortFrom(netip.IPv4Unspecified(), StandardTLSPort),
		TLSCertFile:            "asterisk.pem",
		Transports:             UDP,
		PrimaryTransport:       UDP,
		ExternRefresh:          10,
		NAT:                    DefaultNAT,
		SRVLookup:              true,
		Pedantic:               true,
		AllowGuest:             true,
		AlwaysAuthReject:       true,
		AllowExternalDomains:   true,
		AutoCreatePeer:         "Off",
		Realm:                  "asterisk",
		DefaultExpiry:          120,
		MinExpiry:              60,
		MaxExpiry:              3600,
		SubMinExpiry:           60,
		SubMaxExpiry:           3600,
		MWIExpiry:              3600,
		SDPOwner:               "root",
		RegisterTimeout:        20,
		QualifyFreq:            60,
		QualifyGap:             100,
		Codecs:                 DefaultCodecs.clone(),
		DirectMedia:            true,
		DTMFMode:               DTMFRFC2833,
		CallerID:               "asterisk",
		MOHInterpret:           "default",
		VMExten:                "asterisk",
		AllowOverlap:           "Yes",
		AllowSubscribe:         true,
		AllowTransfer:          true,
		SendDiversion:          true,
		PrematureMedia:         true,
		NotifyRinging:          true,
		NotifyMimeType:         "application/simple-message-summary",
		T38MaxDatagram:         -1,
		ProgressInband:         "No",
		MaxCallBitrate:         384,
		MaxForwards:            70,
		TimerT1:                500,
		TimerT1Min:             100,
		TimerB:                 64 * 500,
		SessionTimers:          "Accept",
		SessionRefresher:       "uas",
		SessionExpires:         1800,
		SessionMinSE:           90,
		RecordOnFeature:        "automon",
		RecordOffFeature:       "automon",
		COSSIP:                 4,
		COSAudio:               5,
		COSVideo:               6,
		COSText:                5,
	}
}

// loader carries the diagnostics of one Load.
type loader struct {
	diags confparse.Diagnostics
}

func (l *loader) warn(file string, line int, format string, args ...any) {
	l.diags = append(l.diags, confparse.Diagnostic{File: file, Line: line, Severity: confparse.Warning, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) warnVar(v *confparse.Variable, format string, args ...any) {
	l.warn(v.File, v.Line, format, args...)
}

// bad records an unparseable value: an error naming the option.
func (l *loader) bad(v *confparse.Variable, err error) {
	l.diags = append(l.diags, confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Error,
		Message: fmt.Sprintf("invalid value %q for option '%s': %v", v.Value, v.Name, err)})
}

func (l *loader) boolVal(v *confparse.Variable) bool {
	if confparse.True(v.Value) {
		return true
	}
	if !confparse.False(v.Value) {
		l.bad(v, fmt.Errorf("want yes or no"))
	}
	return false
}

func (l *loader) intVal(v *confparse.Variable, min int) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(v.Value))
	if err != nil || n < min {
		l.bad(v, fmt.Errorf("want a whole number of at least %d", min))
		return 0, false
	}
	return n, true
}

func (l *loader) acl(a *ACL, v *confparse.Variable, kind string) {
	if strings.TrimSpace(v.Value) == "" {
		return
	}
	if kind == "acl" {
		a.Named = append(a.Named, strings.TrimSpace(v.Value))
		return
	}
	rules, err := ParseACLRules(v.Value, kind == "permit")
	if err != nil {
		l.bad(v, err)
		return
	}
	a.Rules = append(a.Rules, rules...)
}

// parseBind parses "addr[:port]" (IPv6 in brackets) with a default port.
func parseBind(value string, defPort uint16) (netip.AddrPort, bool, error) {
	value = strings.TrimSpace(value)
	if ap, err := netip.ParseAddrPort(value); err == nil {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true, nil
	}
	a, err := netip.ParseAddr(strings.Trim(value, "[]"))
	if err != nil {
		return netip.AddrPort{}, false, fmt.Errorf("want an IP address with an optional :port")
	}
	return netip.AddrPortFrom(a.Unmap(), defPort), false, nil
}

// parseGeneral applies [general]; register lines are collected with the
// default expiry in force where they appear, as chan_sip reads them.
func (l *loader) parseGeneral(cat *confparse.Category) (General, []*Register) {
	g := defaultGeneral()
	var regs []*Register
	codecs := g.Codecs
	var bindPort int
	var bindAddrPort bool
	var udpBind *netip.AddrPort
	var udpBindVar *confparse.Variable
	var externVar *confparse.Variable
	var tcpBindSet, tlsBindSet bool
	timerBSet := false
	for _, v := range cat.Vars {
		name := strings.ToLower(v.Name)
		if l.commonOption(name, v, &commonTarget{
			nat: &g.NAT, dtmf: &g.DTMFMode, directMedia: &g.DirectMedia, directMode: &g.DirectMediaMode, trustRPID: &g.TrustRPID,
			sendRPID: &g.SendRPID, sendPAI: &g.SendPAI, promiscRedir: &g.PromiscRedir, videoSupport: &g.VideoSupport,
			textSupport: &g.TextSupport, allowOverlap: &g.AllowOverlap, allowSubscribe: &g.AllowSubscribe,
			ignoreSDP: &g.IgnoreSDPVersion, usePath: &g.UsePath, rfc2833comp: &g.RFC2833Compensate,
			rtcpMux: &g.RTCPMux, useClientCode: &g.UseClientCode, progressInband: &g.ProgressInband,
			t38: &g.T38Support, t38max: &g.T38MaxDatagram,
		}) {
			continue
		}
		switch name {
		case "context":
			g.Context = v.Value
		case "bindaddr", "udpbindaddr":
			// Synonyms in chan_sip: the last one read is the UDP socket's
			// address, its port (if any) kept for the bindport rule below.
			ap, hasPort, err := parseBind(v.Value, 0)
			if err != nil {
				l.bad(v, err)
				continue
			}
			udpBind = &ap
			bindAddrPort = hasPort
			udpBindVar = v
		case "bindport":
			p, err := parsePort(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			bindPort = p
		case "tcpenable":
			g.TCPEnable = l.boolVal(v)
		case "tcpbindaddr":
			ap, _, err := parseBind(v.Value, StandardSIPPort)
			if err != nil {
				l.bad(v, err)
				continue
			}
			g.TCPBind, tcpBindSet = ap, true
		case "tcpauthtimeout":
			if n, ok := l.intVal(v, 1); ok {
				g.TCPAuthTimeout = n
			}
		case "tcpauthlimit":
			if n, ok := l.intVal(v, 1); ok {
				g.TCPAuthLimit = n
			}
		case "tlsenable", "sslenable":
			g.TLSEnable = l.boolVal(v)
		case "tlsbindaddr", "sslbindaddr":
			ap, _, err := parseBind(v.Value, StandardTLSPort)
			if err != nil {
				l.bad(v, err)
				continue
			}
			g.TLSBind, tlsBindSet = ap, true
		case "tlscertfile", "tlscert", "sslcert":
			g.TLSCertFile = v.Value
		case "tlsprivatekey", "sslprivatekey":
			g.TLSPrivateKey = v.Value
		case "tlscafile", "sslcafile":
			g.TLSCAFile = v.Value
		case "tlscapath", "tlscadir", "sslcapath":
			g.TLSCAPath = v.Value
		case "tlscipher", "sslcipher":
			g.TLSCipher = v.Value
		case "tlsclientmethod", "sslclientmethod":
			switch strings.ToLower(v.Value) {
			case "tlsv1", "tlsv1_1", "tlsv1_2", "sslv3", "sslv2", "sslv23", "tlsv1_3":
				g.TLSClientMethod = strings.ToLower(v.Value)
			default:
				l.bad(v, fmt.Errorf("want tlsv1, tlsv1_1, tlsv1_2, sslv3, sslv2 or sslv23"))
			}
		case "tlsdontverifyserver", "ssldontverifyserver":
			g.TLSDontVerifyServer = l.boolVal(v)
		case "tlsverifyclient":
			g.TLSVerifyClient = l.boolVal(v)
		case "transport":
			set, primary, bad := parseTransports(v.Value)
			if len(bad) > 0 {
				l.bad(v, fmt.Errorf("unknown transport %s (want udp, tcp, tls, ws or wss)", strings.Join(bad, ", ")))
			}
			g.Transports, g.PrimaryTransport = set, primary
		case "externip", "externaddr":
			g.ExternAddr = strings.TrimSpace(v.Value)
			externVar = v
		case "externhost":
			g.ExternHost = strings.TrimSpace(v.Value)
		case "externrefresh":
			if n, ok := l.intVal(v, 1); ok {
				g.ExternRefresh = n
			}
		case "localnet":
			p, err := ParsePrefix(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			g.Localnet = append(g.Localnet, p)
		case "media_address":
			g.MediaAddress = v.Value
			g.MediaAddr = l.mediaAddr(v)
		case "srvlookup":
			g.SRVLookup = l.boolVal(v)
		case "pedantic":
			g.Pedantic = l.boolVal(v)
		case "allowguest":
			g.AllowGuest = l.boolVal(v)
		case "alwaysauthreject":
			g.AlwaysAuthReject = l.boolVal(v)
		case "match_auth_username":
			g.MatchAuthUsername = l.boolVal(v)
		case "allowexternaldomains":
			g.AllowExternalDomains = l.boolVal(v)
		case "autocreatepeer":
			switch {
			case strings.EqualFold(v.Value, "persist"):
				g.AutoCreatePeer = "Persisted"
			case confparse.True(v.Value):
				g.AutoCreatePeer = "On"
			default:
				g.AutoCreatePeer = "Off"
				l.boolVal(v)
			}
		case "callcounter":
			g.CallCounter = l.boolVal(v)
		case "directrtpsetup":
			g.DirectRTPSetup = l.boolVal(v)
		case "realm":
			g.Realm = v.Value
		case "domainsasrealm":
			g.DomainsAsRealm = l.boolVal(v)
		case "domain":
			g.Domains = append(g.Domains, v.Value)
		case "autodomain":
			g.AutoDomain = l.boolVal(v)
		case "defaultexpiry", "defaultexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.DefaultExpiry = n
			}
		case "minexpiry", "minexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.MinExpiry = n
			}
		case "maxexpiry", "maxexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.MaxExpiry = n
			}
		case "subminexpiry", "subminexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.SubMinExpiry = n
			}
		case "submaxexpiry", "submaxexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.SubMaxExpiry = n
			}
		case "mwiexpiry", "mwiexpirey":
			if n, ok := l.intVal(v, 1); ok {
				g.MWIExpiry = n
			}
		case "useragent":
			g.UserAgent = v.Value
		case "sdpsession":
			g.SDPSession = v.Value
		case "sdpowner":
			g.SDPOwner = v.Value
		case "registertimeout":
			if n, ok := l.intVal(v, 1); ok {
				g.RegisterTimeout = n
			}
		case "registerattempts":
			if n, ok := l.intVal(v, 0); ok {
				g.RegisterAttempts = n
			}
		case "register_retry_403":
			g.RegisterRetry403 = l.boolVal(v)
		case "regcontext":
			g.RegContext = v.Value
		case "regextenonqualify":
			g.RegExtenOnQualify = l.boolVal(v)
		case "mwi":
			m, err := ParseMWI(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			m.File, m.Line = v.File, v.Line
			g.MWI = append(g.MWI, m)
		case "register":
			r, err := ParseRegister(v.Value)
			if err != nil {
				l.bad(v, err)
				continue
			}
			if r.Expiry == 0 {
				r.Expiry = g.DefaultExpiry
			}
			r.File, r.Line = v.File, v.Line
			regs = append(regs, r)
		case "rtptimeout":
			if n, ok := l.intVal(v, 0); ok {
				g.RTPTimeout = n
			}
		case "rtpholdtimeout":
			if n, ok := l.intVal(v, 0); ok {
				g.RTPHoldTimeout = n
			}
		case "rtpkeepalive":
			if n, ok := l.intVal(v, 0); ok {
				g.RTPKeepalive = n
			}
		case "rtpbindaddr":
			g.RTPBindAddr = v.Value
			g.RTPBind = l.mediaAddr(v)
		case "qualify":
			if n, err := parseQualify(v.Value); err != nil {
				l.bad(v, err)
			} else {
				g.Qualify = n
			}
		case "qualifyfreq":
			if n, ok := l.intVal(v, 1); ok {
				g.QualifyFreq = n
			}
		case "qualifygap":
			if n, ok := l.intVal(v, 1); ok {
				g.QualifyGap = n
			}
		case "keepalive":
			if n, ok := l.intVal(v, 0); ok {
				g.Keepalive = n
			}
		case "allow", "disallow":
			c, err := codecs.Apply(v.Value, name == "allow")
			if err != nil {
				l.bad(v, err)
			}
			codecs = c
		case "callerid":
			g.CallerID = v.Value
		case "fromdomain":
			d, p, err := splitFromDomain(v.Value)
			if err != nil {
				l.bad(v, err)
			}
			g.FromDomain, g.FromDomainPort = d, p
		case "language":
			g.Language = v.Value
		case "mohinterpret", "musicclass", "musiconhold":
			g.MOHInterpret = v.Value
		case "mohsuggest":
			g.MOHSuggest = v.Value
		case "vmexten":
			g.VMExten = v.Value
		case "tonezone":
			g.Tonezone = v.Value
		case "permit", "deny", "acl":
			l.acl(&g.ACL, v, name)
		case "contactpermit", "contactdeny", "contactacl":
			l.acl(&g.ContactACL, v, strings.TrimPrefix(name, "contact"))
		case "directmediapermit", "directmediadeny", "directmediaacl":
			l.acl(&g.DirectMediaACL, v, strings.TrimPrefix(name, "directmedia"))
		case "parkinglot":
			g.Parkinglot = v.Value
		case "subscribecontext":
			g.SubscribeContext = v.Value
		case "allowtransfer":
			g.AllowTransfer = l.boolVal(v)
		case "usereqphone":
			g.UseReqPhone = l.boolVal(v)
		case "send_diversion":
			g.SendDiversion = l.boolVal(v)
		case "use_q850_reason":
			g.UseQ850Reason = l.boolVal(v)
		case "storesipcause":
			g.StoreSIPCause = l.boolVal(v)
		case "recordhistory":
			g.RecordHistory = l.boolVal(v)
		case "authfailureevents":
			g.AuthFailureEvents = l.boolVal(v)
		case "legacy_useroption_parsing":
			g.LegacyUserfield = l.boolVal(v)
		case "compactheaders":
			g.CompactHeaders = l.boolVal(v)
		case "relaxdtmf":
			g.RelaxDTMF = l.boolVal(v)
		case "autoframing":
			g.AutoFraming = l.boolVal(v)
		case "prematuremedia":
			g.PrematureMedia = l.boolVal(v)
		case "notifyringing":
			if strings.EqualFold(v.Value, "notinuse") {
				g.NotifyRinging = true
			} else {
				g.NotifyRinging = l.boolVal(v)
			}
		case "notifycid":
			if strings.EqualFold(v.Value, "ignore-context") {
				g.NotifyCID = true
			} else {
				g.NotifyCID = l.boolVal(v)
			}
		case "notifyhold":
			g.NotifyHold = l.boolVal(v)
		case "notifymimetype":
			g.NotifyMimeType = v.Value
		case "icesupport":
			g.ICESupport = l.boolVal(v)
		case "maxcallbitrate":
			if n, ok := l.intVal(v, 0); ok {
				g.MaxCallBitrate = n
			}
		case "maxforwards":
			if n, ok := l.intVal(v, 1); ok {
				g.MaxForwards = n
			}
		case "timert1":
			if n, ok := l.intVal(v, 1); ok {
				g.TimerT1 = n
			}
		case "t1min":
			if n, ok := l.intVal(v, 1); ok {
				g.TimerT1Min = n
			}
		case "timerb":
			if n, ok := l.intVal(v, 1); ok {
				g.TimerB = n
				timerBSet = true
			}
		case "session-timers", "session-refresher", "session-expires", "session-minse":
			l.sessionOption(name, v, &g.SessionTimers, &g.SessionRefresher, &g.SessionExpires, &g.SessionMinSE)
		case "outboundproxy":
			g.OutboundProxy = v.Value
		case "recordonfeature":
			g.RecordOnFeature = v.Value
		case "recordofffeature":
			g.RecordOffFeature = v.Value
		case "tos_sip":
			g.TOSSIP = v.Value
		case "tos_audio":
			g.TOSAudio = v.Value
		case "tos_video":
			g.TOSVideo = v.Value
		case "tos_text":
			g.TOSText = v.Value
		case "cos_sip", "cos_audio", "cos_video", "cos_text":
			n, ok := l.intVal(v, 0)
			if !ok {
				continue
			}
			if n > 7 {
				l.bad(v, fmt.Errorf("802.1p priority must be 0..7"))
				continue
			}
			switch name {
			case "cos_sip":
				g.COSSIP = n
			case "cos_audio":
				g.COSAudio = n
			case "cos_video":
				g.COSVideo = n
			default:
				g.COSText = n
			}
		case "jbenable":
			g.JBEnable = l.boolVal(v)
		case "accept_outofcall_message":
			g.AcceptOutOfCallMessage = l.boolVal(v)
		case "auth_message_requests":
			g.AuthMessageRequests = l.boolVal(v)
		case "outofcall_message_context":
			g.OutOfCallMessageContext = v.Value
		default:
			if !generalAccepted[name] && !strings.HasPrefix(name, "jb") {
				l.warnVar(v, "Unknown option '%s' in [general] of sip.conf, ignored", v.Name)
			}
		}
	}
	l.applyBindPort(&g, udpBind, udpBindVar, bindAddrPort, bindPort)
	l.checkIPv6Remap(&g, externVar)
	defaultStreamBinds(&g, tcpBindSet, tlsBindSet)
	if !timerBSet {
		g.TimerB = 64 * g.TimerT1
	}
	g.Codecs = codecs
	l.checkTransports(cat, &g)
	return g, regs
}

// checkTransports drops transports whose listener is disabled, as
// chan_sip does, with its warnings.
func (l *loader) checkTransports(cat *confparse.Category, g *General) {
	file, line := cat.File, cat.Line
	if v := cat.Var("transport"); v != nil {
		file, line = v.File, v.Line
	}
	if !g.TCPEnable && g.Transports&TCP != 0 {
		l.warn(file, line, "Cannot use 'tcp' transport with tcpenable=no. Removing from available transports.")
		g.Transports &^= TCP
		g.PrimaryTransport &^= TCP
	}
	if !g.TLSEnable && g.Transports&TLS != 0 {
		l.warn(file, line, "Cannot use 'tls' transport with tlsenable=no. Removing from available transports.")
		g.Transports &^= TLS
		g.PrimaryTransport &^= TLS
	}
	if g.Transports == 0 {
		l.warn(file, line, "No valid transports available, falling back to 'udp'.")
		g.Transports, g.PrimaryTransport = UDP, UDP
	} else if g.PrimaryTransport == 0 {
		l.warn(file, line, "No valid default transport. Selecting 'udp' as default.")
		g.PrimaryTransport = UDP
	}
}

// parseQualify parses qualify=: yes (2000 ms), no (0) or milliseconds.
func parseQualify(value string) (int, error) {
	switch {
	case confparse.True(value):
		return DefaultQualifyMs, nil
	case confparse.False(value):
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want yes, no or a number of milliseconds")
	}
	return n, nil
}

// DefaultQualifyMs is the round-trip limit qualify=yes means.
const DefaultQualifyMs = 2000

func splitFromDomain(value string) (string, int, error) {
	d, p, ok := strings.Cut(value, ":")
	if !ok {
		return d, StandardSIPPort, nil
	}
	n, err := parsePort(p)
	if err != nil {
		return d, StandardSIPPort, err
	}
	return d, n, nil
}

// generalAccepted are [general] options chan_sip reads that we accept
// without modelling (they do not change what gostrisk does).
var generalAccepted = setOf(
	"auth_options_requests",
	"disallowed_methods", "discard_remote_hold_retrieval", "dumphistory",
	"dynamic_exclude_static", "dynamic_excludes_static", "externtcpport", "externtlsport",
	"ignoreregexpire", "matchexternaddrlocally", "matchexterniplocally", "mwi_from",
	"preferred_codec_only", "qualifypeers", "refer_addheaders",
	"rtautoclear", "rtcachefriends", "rtsavepath", "rtsavesysname", "rtupdate", "shrinkcallerid",
	"sipdebug", "snom_aoc_enabled", "subscribe_network_change_event",
	"websocket_enabled", "websocket_write_timeout", "tos", "cos",
	"g726nonstandard", "buggymwi", "faxdetect", "t38pt_usertpsource", "rpid_update",
	"rpid_immediate", "trust_id_outbound", "callevents", "alwaysauthreject", "tlsdontverifyserver",
	"srtpcapable", "allowoptimizations", "mohinterpret", "notifymimetype", "useragent",
	"tlssslmethod", "sslverifyclient", "maxcallbitrate", "parkinglot", "stunaddr",
	"contactpermit", "contactdeny", "encryption", "avpf", "force_avp", "icesupport",
	"encryption_taglen", "dtlsenable", "dtlsverify", "dtlsrekey", "dtlscertfile",
	"dtlsprivatekey", "dtlscipher", "dtlscafile", "dtlscapath", "dtlssetup", "dtlsfingerprint",
	"dtlsautogeneratecert", "amaflags", "accountcode", "language", "tcpenable",
	// Read by chan_sip too (testdata/chansip_options.txt lists them all):
	// the global auth= realm credentials and insecure= default, the TLS
	// version switches and DTLS CA directory.
	"auth", "insecure", "dtlscadir", "tlsdisablev1", "tlsdisablev11", "tlsdisablev12",
	"tlsservercipherorder",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
