package sipshow

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// ShowSettings writes "sip show settings" from [general]. Lines about
// features gostrisk has no configuration for (realtime, jitterbuffer
// details) print chan_sip's values for a plain sip.conf.
func (v *View) ShowSettings(w io.Writer, args []string) error {
	if len(args) != 0 {
		return ErrUsage
	}
	g := &v.Config.General
	pf := func(label, format string, a ...any) {
		fmt.Fprintf(w, "  %-23s "+format+"\n", append([]any{label}, a...)...)
	}
	fmt.Fprint(w, "\n\nGlobal Settings:\n")
	fmt.Fprint(w, "----------------\n")
	pf("UDP Bindaddress:", "%s", sockaddr(g.UDPBind))
	if g.UDPBind.Addr().Is6() && g.UDPBind.Addr().IsUnspecified() {
		fmt.Fprint(w, "  ** Additional Info:\n")
		fmt.Fprint(w, "     [::] may include IPv4 in addition to IPv6, if such a feature is enabled in the OS.\n")
	}
	pf("TCP SIP Bindaddress:", "%s", enabledAddr(g.TCPEnable, g.TCPBind))
	pf("TLS SIP Bindaddress:", "%s", enabledAddr(g.TLSEnable, g.TLSBind))
	rtpBind := "Disabled"
	if g.RTPBind.IsValid() {
		rtpBind = g.RTPBind.String() // ast_sockaddr_stringify_addr: no brackets, no port
	}
	pf("RTP Bindaddress:", "%s", rtpBind)
	pf("Videosupport:", "%s", yesNo(g.VideoSupport))
	pf("Textsupport:", "%s", yesNo(g.TextSupport))
	pf("Ignore SDP sess. ver.:", "%s", yesNo(g.IgnoreSDPVersion))
	pf("AutoCreate Peer:", "%s", g.AutoCreatePeer)
	pf("Match Auth Username:", "%s", yesNo(g.MatchAuthUsername))
	pf("Allow unknown access:", "%s", yesNo(g.AllowGuest))
	pf("Allow subscriptions:", "%s", yesNo(g.AllowSubscribe))
	pf("Allow overlap dialing:", "%s", g.AllowOverlap)
	pf("Allow promisc. redir:", "%s", yesNo(g.PromiscRedir))
	pf("Enable call counters:", "%s", yesNo(g.CallCounter))
	pf("SIP domain support:", "%s", yesNo(len(g.Domains) > 0 || g.AutoDomain)) // autodomain always adds the host name
	pf("Path support :", "%s", yesNo(g.UsePath))
	pf("Realm. auth:", "%s", "No")
	pf("Our auth realm", "%s", g.Realm)
	pf("Use domains as realms:", "%s", yesNo(g.DomainsAsRealm))
	pf("Call to non-local dom.:", "%s", yesNo(g.AllowExternalDomains))
	pf("URI user is phone no:", "%s", yesNo(g.UseReqPhone))
	pf("Always auth rejects:", "%s", yesNo(g.AlwaysAuthReject))
	pf("Direct RTP setup:", "%s", yesNo(g.DirectRTPSetup))
	ua := g.EffectiveUserAgent(v.Version)
	pf("User Agent:", "%s", ua)
	pf("SDP Session Name:", "%s", orDefault(orDefault(g.SDPSession, ua), "-"))
	pf("SDP Owner Name:", "%s", orDefault(g.SDPOwner, "-"))
	pf("Reg. context:", "%s", orDefault(g.RegContext, "(not set)"))
	pf("Regexten on Qualify:", "%s", yesNo(g.RegExtenOnQualify))
	pf("Trust RPID:", "%s", yesNo(g.TrustRPID))
	pf("Send RPID:", "%s", yesNo(g.SendRPID))
	pf("Legacy userfield parse:", "%s", yesNo(g.LegacyUserfield))
	pf("Send Diversion:", "%s", yesNo(g.SendDiversion))
	pf("Caller ID:", "%s", g.CallerID)
	if g.FromDomainPort != 0 && g.FromDomainPort != sipconf.StandardSIPPort {
		pf("From: Domain:", "%s:%d", g.FromDomain, g.FromDomainPort)
	} else {
		pf("From: Domain:", "%s", g.FromDomain)
	}
	pf("Record SIP history:", "%s", onOff(g.RecordHistory))
	pf("Auth. Failure Events:", "%s", onOff(g.AuthFailureEvents))
	pf("T.38 support:", "%s", yesNo(g.T38Support))
	pf("T.38 EC mode:", "%s", t38EC(g.T38Support))
	pf("T.38 MaxDtgrm:", "%d", uint32(g.T38MaxDatagram))
	pf("SIP realtime:", "%s", "Disabled")
	pf("Qualify Freq :", "%d ms", g.QualifyFreq*1000)
	pf("Q.850 Reason header:", "%s", yesNo(g.UseQ850Reason))
	pf("Store SIP_CAUSE:", "%s", yesNo(g.StoreSIPCause))

	fmt.Fprint(w, "\nNetwork QoS Settings:\n")
	fmt.Fprint(w, "---------------------------\n")
	pf("IP ToS SIP:", "%s", tos(g.TOSSIP))
	pf("IP ToS RTP audio:", "%s", tos(g.TOSAudio))
	pf("IP ToS RTP video:", "%s", tos(g.TOSVideo))
	pf("IP ToS RTP text:", "%s", tos(g.TOSText))
	pf("802.1p CoS SIP:", "%d", g.COSSIP)
	pf("802.1p CoS RTP audio:", "%d", g.COSAudio)
	pf("802.1p CoS RTP video:", "%d", g.COSVideo)
	pf("802.1p CoS RTP text:", "%d", g.COSText)
	pf("Jitterbuffer enabled:", "%s", yesNo(g.JBEnable))

	fmt.Fprint(w, "\nNetwork Settings:\n")
	fmt.Fprint(w, "---------------------------\n")
	remap := "Enabled using externaddr"
	switch {
	case len(g.Localnet) == 0:
		remap = "Disabled, no localnet list"
	case g.ExternAddr == "" && g.ExternHost == "":
		remap = "Disabled"
	case g.ExternHost != "":
		remap = "Enabled using externhost"
	}
	pf("SIP address remapping:", "%s", remap)
	pf("Externhost:", "%s", orDefault(g.ExternHost, "<none>"))
	pf("Externaddr:", "%s", externAddr(g))
	pf("Externrefresh:", "%d", g.ExternRefresh)
	for i, n := range g.Localnet {
		label := ""
		if i == 0 {
			label = "Localnet:"
		}
		fmt.Fprintf(w, "  %-24s%s/%s\n", label, n.Addr(), netmask(n))
	}

	fmt.Fprint(w, "\nGlobal Signalling Settings:\n")
	fmt.Fprint(w, "---------------------------\n")
	pf("Codecs:", "%s", g.Codecs.String())
	pf("Relax DTMF:", "%s", yesNo(g.RelaxDTMF))
	pf("RFC2833 Compensation:", "%s", yesNo(g.RFC2833Compensate))
	pf("Symmetric RTP:", "%s", g.NAT.ComediaString())
	pf("Compact SIP headers:", "%s", yesNo(g.CompactHeaders))
	pf("RTP Keepalive:", "%d %s", g.RTPKeepalive, disabledIfZero(g.RTPKeepalive))
	pf("RTP Timeout:", "%d %s", g.RTPTimeout, disabledIfZero(g.RTPTimeout))
	pf("RTP Hold Timeout:", "%d %s", g.RTPHoldTimeout, disabledIfZero(g.RTPHoldTimeout))
	pf("MWI NOTIFY mime type:", "%s", g.NotifyMimeType)
	pf("DNS SRV lookup:", "%s", yesNo(g.SRVLookup))
	pf("Pedantic SIP support:", "%s", yesNo(g.Pedantic))
	pf("Reg. min duration", "%d secs", g.MinExpiry)
	pf("Reg. max duration:", "%d secs", g.MaxExpiry)
	pf("Reg. default duration:", "%d secs", g.DefaultExpiry)
	pf("Sub. min duration", "%d secs", g.SubMinExpiry)
	pf("Sub. max duration:", "%d secs", g.SubMaxExpiry)
	pf("Outbound reg. timeout:", "%d secs", g.RegisterTimeout)
	pf("Outbound reg. attempts:", "%d", g.RegisterAttempts)
	fmt.Fprintf(w, "  Outbound reg. retry 403:%s\n", yesNo(g.RegisterRetry403))
	pf("Notify ringing state:", "%s", yesNo(g.NotifyRinging))
	if g.NotifyRinging {
		fmt.Fprintf(w, "    Include CID:          %s\n", yesNo(g.NotifyCID))
	}
	pf("Notify hold state:", "%s", yesNo(g.NotifyHold))
	pf("SIP Transfer mode:", "%s", transferMode(g.AllowTransfer))
	pf("Max Call Bitrate:", "%d kbps", g.MaxCallBitrate)
	pf("Auto-Framing:", "%s", yesNo(g.AutoFraming))
	pf("Outb. proxy:", "%s %s", orDefault(g.OutboundProxy, "<not set>"), "")
	pf("Session Timers:", "%s", g.SessionTimers)
	pf("Session Refresher:", "%s", g.SessionRefresher)
	pf("Session Expires:", "%d secs", g.SessionExpires)
	pf("Session Min-SE:", "%d secs", g.SessionMinSE)
	pf("Timer T1:", "%d", g.TimerT1)
	pf("Timer T1 minimum:", "%d", g.TimerT1Min)
	pf("Timer B:", "%d", g.TimerB)
	pf("No premature media:", "%s", yesNo(g.PrematureMedia))
	pf("Max forwards:", "%d", g.MaxForwards)

	fmt.Fprint(w, "\nDefault Settings:\n")
	fmt.Fprint(w, "-----------------\n")
	pf("Allowed transports:", "%s", g.Transports.List())
	fmt.Fprintf(w, "  Outbound transport:\t  %s\n", g.PrimaryTransport.String())
	pf("Context:", "%s", g.Context)
	pf("Record on feature:", "%s", g.RecordOnFeature)
	pf("Record off feature:", "%s", g.RecordOffFeature)
	pf("Force rport:", "%s", g.NAT.ForceRportString())
	pf("DTMF:", "%s", g.DTMFMode.String())
	pf("Qualify:", "%d", g.Qualify)
	pf("Keepalive:", "%d", g.Keepalive)
	pf("Use ClientCode:", "%s", yesNo(g.UseClientCode))
	pf("Progress inband:", "%s", g.ProgressInband)
	pf("Language:", "%s", g.Language)
	pf("Tone zone:", "%s", orDefault(g.Tonezone, "<Not set>"))
	pf("MOH Interpret:", "%s", g.MOHInterpret)
	pf("MOH Suggest:", "%s", g.MOHSuggest)
	pf("Voice Mail Extension:", "%s", g.VMExten)
	pf("RTCP Multiplexing:", "%s", yesNo(g.RTCPMux))
	fmt.Fprint(w, "\n----\n")
	return nil
}

func enabledAddr(on bool, a netip.AddrPort) string {
	if !on {
		return "Disabled"
	}
	return sockaddr(a)
}

func disabledIfZero(n int) string {
	if n == 0 {
		return "(Disabled)"
	}
	return ""
}

// tos is ast_tos2str for a configured value: unset is CS0.
func tos(s string) string {
	if s == "" {
		return "CS0"
	}
	return strings.ToUpper(s)
}

// externAddr renders externaddr as chan_sip holds it: the address with the
// port given (or the UDP bind port), "(null)" when unset. Host names are
// shown as written; the driver resolves them.
func externAddr(g *sipconf.General) string {
	if g.ExternAddr == "" {
		return "(null)"
	}
	if ap, err := netip.ParseAddrPort(g.ExternAddr); err == nil {
		return ap.String()
	}
	if a, err := netip.ParseAddr(g.ExternAddr); err == nil {
		return netip.AddrPortFrom(a, g.UDPBind.Port()).String()
	}
	return g.ExternAddr
}

// netmask renders a prefix's mask the way Asterisk's localnet list does.
func netmask(p netip.Prefix) string {
	if p.Addr().Is4() {
		bits := p.Bits()
		var m [4]byte
		for i := 0; i < bits; i++ {
			m[i/8] |= 0x80 >> (i % 8)
		}
		return netip.AddrFrom4(m).String()
	}
	var m [16]byte
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom16(m).String()
}
