package sipshow

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// ErrUsage means the arguments were wrong; the CLI prints the usage.
var ErrUsage = errors.New("sipshow: wrong arguments")

func itoa(n int) string { return strconv.Itoa(n) }

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func onOff(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}

// likePattern parses the optional "like <regex>" words after a listing
// command; chan_sip matches names with a POSIX extended regex, unanchored.
func likePattern(args []string) (*regexp.Regexp, error) {
	switch len(args) {
	case 0:
		return nil, nil
	case 2:
		if !strings.EqualFold(args[0], "like") {
			return nil, ErrUsage
		}
		re, err := regexp.CompilePOSIX(args[1])
		if err != nil {
			return nil, ErrUsage
		}
		return re, nil
	}
	return nil, ErrUsage
}

// hostAddr is ast_sockaddr_stringify_addr: the address without port.
func hostAddr(a netip.AddrPort) string { return a.Addr().String() }

// sockaddr is ast_sockaddr_stringify: "(null)" for no address, the
// address alone when the port is 0.
func sockaddr(a netip.AddrPort) string {
	if !a.IsValid() {
		return "(null)"
	}
	if a.Port() == 0 {
		return a.Addr().String()
	}
	return a.String()
}

const peersFormat = "%-25.25s %-39.39s %-3.3s %-10.10s %-10.10s %-3.3s %-8s %-11s %-32.32s %s\n"

// ShowPeers writes "sip show peers [like <pattern>]"; args are the words
// after "sip show peers". Peers are sorted by name.
func (v *View) ShowPeers(w io.Writer, args []string) error {
	re, err := likePattern(args)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, peersFormat, "Name/username", "Host", "Dyn", "Forcerport", "Comedia", "ACL", "Port", "Status", "Description", "")
	var total, monOn, monOff, unmonOn, unmonOff int
	for _, p := range v.Config.SortedPeers() {
		if !p.IsPeer() || (re != nil && !re.MatchString(p.Name)) {
			continue
		}
		total++
		st := v.peerState(p.Name)
		addr := v.addr(p, st)
		host, port := "(Unspecified)", "0"
		if addr.IsValid() {
			host, port = hostAddr(addr), itoa(int(addr.Port()))
		}
		name := p.Name
		if p.DefaultUser != "" {
			name += "/" + p.DefaultUser
		}
		status, ps := peerStatus(p, st)
		switch {
		case ps == 1:
			monOn++
		case ps == 0:
			monOff++
		case !addr.IsValid() || addr.Port() == 0:
			unmonOff++
		default:
			unmonOn++
		}
		dyn, acl := "   ", "   "
		if p.Dynamic {
			dyn = " D "
		}
		if !p.ACL.Empty() {
			acl = " A "
		}
		fmt.Fprintf(w, peersFormat, name, host, dyn, p.NAT.ForceRportString(), p.NAT.ComediaString(), acl, port, status, p.Description, "")
	}
	fmt.Fprintf(w, "%d sip peers [Monitored: %d online, %d offline Unmonitored: %d online, %d offline]\n",
		total, monOn, monOff, unmonOn, unmonOff)
	return nil
}

// ShowPeer writes "sip show peer <name> [load]"; args are the words after
// "sip show peer".
func (v *View) ShowPeer(w io.Writer, args []string) error {
	if len(args) < 1 {
		return ErrUsage
	}
	p := v.Config.Peer(args[0])
	if p == nil || !p.IsPeer() {
		fmt.Fprintf(w, "Peer %s not found.\n", args[0])
		return nil
	}
	st := v.peerState(p.Name)
	pf := func(label, format string, a ...any) {
		fmt.Fprintf(w, "  %-13s: "+format+"\n", append([]any{label}, a...)...)
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintf(w, "  * Name       : %s\n", p.Name)
	pf("Description", "%s", p.Description)
	pf("Secret", "%s", setOrNot(p.Secret))
	pf("MD5Secret", "%s", setOrNot(p.MD5Secret))
	pf("Remote Secret", "%s", setOrNot(p.RemoteSecret))
	for _, a := range p.Auth {
		user, realm, secret := splitAuth(a)
		fmt.Fprintf(w, "  Realm-auth   : Realm %-15.15s User %-10.20s %s\n", realm, user, secret)
	}
	pf("Context", "%s", p.Context)
	fmt.Fprintf(w, "  Record On feature : %s\n", p.RecordOnFeature)
	fmt.Fprintf(w, "  Record Off feature : %s\n", p.RecordOffFeature)
	pf("Subscr.Cont.", "%s", orDefault(p.SubscribeContext, "<Not set>"))
	pf("Language", "%s", p.Language)
	pf("Tonezone", "%s", orDefault(p.Tonezone, "<Not set>"))
	if p.AccountCode != "" {
		pf("Accountcode", "%s", p.AccountCode)
	}
	pf("AMA flags", "%s", p.AMAFlags)
	pf("Transfer mode", "%s", transferMode(p.AllowTransfer))
	pf("CallingPres", "%s", p.CallingPres)
	if p.FromUser != "" {
		pf("FromUser", "%s", p.FromUser)
	}
	if p.FromDomain != "" {
		port := p.FromDomainPort
		if port == 0 {
			port = sipconf.StandardSIPPort
		}
		pf("FromDomain", "%s Port %d", p.FromDomain, port)
	}
	pf("Callgroup", "%s", p.CallGroup)
	pf("Pickupgroup", "%s", p.PickupGroup)
	pf("Named Callgr", "%s", p.NamedCallGroup)
	pf("Nam. Pickupgr", "%s", p.NamedPickupGroup)
	pf("MOH Suggest", "%s", p.MOHSuggest)
	pf("Mailbox", "%s", p.Mailbox)
	pf("VM Extension", "%s", p.VMExten)
	pf("LastMsgsSent", "%d/%d", st.NewMessages, st.OldMessages)
	pf("Call limit", "%d", p.CallLimit)
	pf("Max forwards", "%d", p.MaxForwards)
	if p.BusyLevel != 0 {
		pf("Busy level", "%d", p.BusyLevel)
	}
	pf("Dynamic", "%s", yesNo(p.Dynamic))
	pf("Callerid", "\"%s\" <%s>", p.CallerIDName, p.CallerIDNum)
	pf("MaxCallBR", "%d kbps", p.MaxCallBitrate)
	pf("Expire", "%d", v.expire(st))
	pf("Insecure", "%s", p.Insecure.String())
	pf("Force rport", "%s", p.NAT.ForceRportString())
	pf("Symmetric RTP", "%s", p.NAT.ComediaString())
	pf("ACL", "%s", yesNo(!p.ACL.Empty()))
	pf("ContactACL", "%s", yesNo(!p.ContactACL.Empty()))
	pf("DirectMedACL", "%s", yesNo(!p.DirectMediaACL.Empty()))
	pf("T.38 support", "%s", yesNo(p.T38Support))
	pf("T.38 EC mode", "%s", t38EC(p.T38Support))
	pf("T.38 MaxDtgrm", "%d", uint32(p.T38MaxDatagram))
	pf("DirectMedia", "%s", yesNo(p.DirectMedia))
	pf("PromiscRedir", "%s", yesNo(p.PromiscRedir))
	pf("User=Phone", "%s", yesNo(p.UseReqPhone))
	pf("Video Support", "%s", yesNo(p.VideoSupport))
	pf("Text Support", "%s", yesNo(p.TextSupport))
	pf("Ign SDP ver", "%s", yesNo(p.IgnoreSDPVersion))
	pf("Trust RPID", "%s", yesNo(p.TrustRPID))
	pf("Send RPID", "%s", yesNo(p.SendRPID))
	pf("Path support", "%s", yesNo(p.UsePath))
	pf("Path", "%s", pathList(st.Path))
	pf("TrustIDOutbnd", "%s", "Legacy")
	pf("Subscriptions", "%s", yesNo(p.AllowSubscribe))
	pf("Overlap dial", "%s", p.AllowOverlap)
	if p.OutboundProxy != "" {
		pf("Outb. proxy", "%s %s", p.OutboundProxy, "")
	}
	pf("DTMFmode", "%s", p.DTMFMode.String())
	pf("Timer T1", "%d", p.TimerT1)
	pf("Timer B", "%d", p.TimerB)
	pf("ToHost", "%s", p.ToHost())
	pf("Addr->IP", "%s", sockaddr(v.addr(p, st)))
	defaddr := netip.AddrPort{}
	if p.DefaultIP.IsValid() {
		defaddr = netip.AddrPortFrom(p.DefaultIP, 0)
	}
	pf("Defaddr->IP", "%s", sockaddr(defaddr))
	tr := st.Transport
	if tr == 0 {
		tr = p.PrimaryTransport
	}
	pf("Prim.Transp.", "%s", tr.String())
	pf("Allowed.Trsp", "%s", p.Transports.List())
	if v.Config.General.RegContext != "" {
		pf("Reg. exten", "%s", p.RegExten)
	}
	pf("Def. Username", "%s", p.DefaultUser)
	opts := "(none)"
	if len(st.SIPOptions) > 0 {
		opts = strings.Join(st.SIPOptions, " ") + " "
	}
	pf("SIP Options", "%s", opts)
	pf("Codecs", "%s", p.Codecs.String())
	pf("Auto-Framing", "%s", yesNo(p.AutoFraming))
	status, _ := peerStatus(p, st)
	pf("Status", "%s", status)
	pf("Useragent", "%s", st.UserAgent)
	pf("Reg. Contact", "%s", st.FullContact)
	pf("Qualify Freq", "%d ms", p.QualifyFreq*1000)
	pf("Keepalive", "%d ms", p.Keepalive*1000)
	writeVars(w, p.SetVars)
	pf("Sess-Timers", "%s", p.SessionTimers)
	pf("Sess-Refresh", "%s", p.SessionRefresher)
	pf("Sess-Expires", "%d secs", p.SessionExpires)
	pf("Min-Sess", "%d secs", p.SessionMinSE)
	pf("RTP Engine", "%s", p.RTPEngine)
	pf("Parkinglot", "%s", p.Parkinglot)
	pf("Use Reason", "%s", yesNo(p.UseQ850Reason))
	pf("Encryption", "%s", yesNo(p.Encryption))
	pf("RTCP Mux", "%s", yesNo(p.RTCPMux))
	fmt.Fprint(w, "\n")
	return nil
}

func writeVars(w io.Writer, vars []sipconf.Var) {
	if len(vars) == 0 {
		return
	}
	fmt.Fprintf(w, "  Variables    :\n")
	for _, x := range vars {
		fmt.Fprintf(w, "                 %s = %s\n", x.Name, x.Value)
	}
}

func (v *View) expire(st PeerState) int {
	if st.Expires.IsZero() {
		return -1
	}
	d := st.Expires.Sub(v.Now)
	if d < 0 {
		return 0
	}
	return int(d / time.Second)
}

func setOrNot(s string) string {
	if s == "" {
		return "<Not set>"
	}
	return "<Set>"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func transferMode(open bool) string {
	if open {
		return "open"
	}
	return "closed"
}

func t38EC(on bool) string {
	if on {
		return "FEC"
	}
	return "Unknown"
}

// splitAuth splits an auth= value "user:secret@realm" or
// "user#md5secret@realm".
func splitAuth(a string) (user, realm, secret string) {
	cred, realm, _ := strings.Cut(a, "@")
	secret = "<Not set>"
	if u, _, ok := strings.Cut(cred, ":"); ok {
		return u, realm, "<Secret set>"
	}
	if u, _, ok := strings.Cut(cred, "#"); ok {
		return u, realm, "<MD5secret set>"
	}
	return cred, realm, secret
}

const usersFormat = "%-25.25s  %-15.15s  %-15.15s  %-15.15s  %-5.5s%-10.10s\n"

// ShowUsers writes "sip show users [like <pattern>]" in chan_sip's hash
// table order (see sipconf.Config.HashOrder).
func (v *View) ShowUsers(w io.Writer, args []string) error {
	re, err := likePattern(args)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, usersFormat, "Username", "Secret", "Accountcode", "Def.Context", "ACL", "Forcerport")
	for _, p := range v.Config.HashOrder() {
		if !p.IsUser() || (re != nil && !re.MatchString(p.Name)) {
			continue
		}
		fmt.Fprintf(w, usersFormat, p.Name, p.Secret, p.AccountCode, p.Context, yesNo(!p.ACL.Empty()), yesNo(p.NAT.ForceRport))
	}
	return nil
}

// ShowUser writes "sip show user <name> [load]".
func (v *View) ShowUser(w io.Writer, args []string) error {
	if len(args) < 1 {
		return ErrUsage
	}
	p := v.Config.Peer(args[0])
	if p == nil || !p.IsUser() {
		fmt.Fprintf(w, "User %s not found.\n\n", args[0])
		return nil
	}
	pf := func(label, format string, a ...any) {
		fmt.Fprintf(w, "  %-13s: "+format+"\n", append([]any{label}, a...)...)
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintf(w, "  * Name       : %s\n", p.Name)
	pf("Secret", "%s", setOrNot(p.Secret))
	pf("MD5Secret", "%s", setOrNot(p.MD5Secret))
	pf("Context", "%s", p.Context)
	pf("Language", "%s", p.Language)
	if p.AccountCode != "" {
		pf("Accountcode", "%s", p.AccountCode)
	}
	pf("AMA flags", "%s", p.AMAFlags)
	pf("Tonezone", "%s", orDefault(p.Tonezone, "<Not set>"))
	pf("Transfer mode", "%s", transferMode(p.AllowTransfer))
	pf("MaxCallBR", "%d kbps", p.MaxCallBitrate)
	pf("CallingPres", "%s", p.CallingPres)
	pf("Call limit", "%d", p.CallLimit)
	pf("Callgroup", "%s", p.CallGroup)
	pf("Pickupgroup", "%s", p.PickupGroup)
	pf("Named Callgr", "%s", p.NamedCallGroup)
	pf("Nam. Pickupgr", "%s", p.NamedPickupGroup)
	pf("Callerid", "\"%s\" <%s>", p.CallerIDName, p.CallerIDNum)
	pf("ACL", "%s", yesNo(!p.ACL.Empty()))
	pf("Sess-Timers", "%s", p.SessionTimers)
	pf("Sess-Refresh", "%s", p.SessionRefresher)
	pf("Sess-Expires", "%d secs", p.SessionExpires)
	pf("Sess-Min-SE", "%d secs", p.SessionMinSE)
	pf("RTP Engine", "%s", p.RTPEngine)
	fmt.Fprintf(w, "  Auto-Framing:  %s \n", yesNo(p.AutoFraming))
	writeVars(w, p.SetVars)
	fmt.Fprint(w, "\n")
	return nil
}

const (
	registryHeader = "%-39.39s %-6.6s %-12.12s  %8.8s %-20.20s %-25.25s\n"
	registryRow    = "%-39.39s %-6.6s %-12.12s  %8d %-20.20s %-25.25s\n"
)

// ShowRegistry writes "sip show registry".
func (v *View) ShowRegistry(w io.Writer, args []string) error {
	if len(args) != 0 {
		return ErrUsage
	}
	fmt.Fprintf(w, registryHeader, "Host", "dnsmgr", "Username", "Refresh", "State", "Reg.Time")
	loc := v.Location
	if loc == nil {
		loc = time.Local
	}
	for i, r := range v.Config.Registrations {
		var st RegistryState
		if i < len(v.Registry) {
			st = v.Registry[i]
		}
		refresh := st.Refresh
		if refresh == 0 {
			refresh = r.Expiry
		}
		regTime := ""
		if !st.RegTime.IsZero() {
			regTime = st.RegTime.In(loc).Format("Mon, 02 Jan 2006 15:04:05")
		}
		dns := "N"
		if st.DNSMgr {
			dns = "Y"
		}
		fmt.Fprintf(w, registryRow, r.HostPort(), dns, r.DisplayUser(), refresh, st.State.String(), regTime)
	}
	fmt.Fprintf(w, "%d SIP registrations.\n", len(v.Config.Registrations))
	return nil
}

const inuseFormat = "%-25.25s %-15.15s %-15.15s \n"

// ShowInuse writes "sip show inuse [all]": peers with a call limit (all
// peers with "all"), in chan_sip's hash table order.
func (v *View) ShowInuse(w io.Writer, args []string) error {
	all := false
	switch {
	case len(args) == 1 && args[0] == "all":
		all = true
	case len(args) > 1:
		return ErrUsage
	}
	fmt.Fprintf(w, inuseFormat, "* Peer name", "In use", "Limit")
	for _, p := range v.Config.HashOrder() {
		if !all && p.CallLimit == 0 {
			continue
		}
		st := v.peerState(p.Name)
		limit := "N/A"
		if p.CallLimit != 0 {
			limit = itoa(p.CallLimit)
		}
		fmt.Fprintf(w, inuseFormat, p.Name, fmt.Sprintf("%d/%d/%d", st.InUse, st.Ringing, st.OnHold), limit)
	}
	return nil
}

// Run dispatches the words after "sip show" to the matching listing.
func (v *View) Run(w io.Writer, words []string) error {
	if len(words) == 0 {
		return ErrUsage
	}
	args := words[1:]
	switch words[0] {
	case "peers":
		return v.ShowPeers(w, args)
	case "peer":
		return v.ShowPeer(w, args)
	case "users":
		return v.ShowUsers(w, args)
	case "user":
		return v.ShowUser(w, args)
	case "registry":
		return v.ShowRegistry(w, args)
	case "inuse":
		return v.ShowInuse(w, args)
	case "settings":
		return v.ShowSettings(w, args)
	}
	return ErrUsage
}

// pathList is chan_sip's "Path" line: the hops, comma-separated, N/A
// without any.
func pathList(path []string) string {
	if len(path) == 0 {
		return "N/A"
	}
	return strings.Join(path, ", ")
}
