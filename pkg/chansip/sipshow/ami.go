package sipshow

import (
	"strconv"
	"strings"
)

// Field is one "Key: value" line of a manager event or response.
type Field struct{ Key, Value string }

// yesNoLower is chan_sip's manager form of a flag.
func yesNoLower(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// ManagerPeers is the body of each PeerEntry event the SIPpeers action
// sends (chan_sip's _sip_show_peers_one in manager mode), in peer order.
func (v *View) ManagerPeers() [][]Field {
	var out [][]Field
	for _, p := range v.Config.SortedPeers() {
		if !p.IsPeer() {
			continue
		}
		st := v.peerState(p.Name)
		addr := v.addr(p, st)
		ip, port := "-none-", "0"
		if addr.IsValid() {
			ip, port = hostAddr(addr), itoa(int(addr.Port()))
		}
		status, _ := peerStatus(p, st)
		out = append(out, []Field{
			{"Channeltype", "SIP"},
			{"ObjectName", p.Name},
			{"ChanObjectType", "peer"},
			{"IPaddress", ip},
			{"IPport", port},
			{"Dynamic", yesNoLower(p.Dynamic)},
			{"AutoForcerport", yesNoLower(strings.HasPrefix(p.NAT.ForceRportString(), "A"))},
			{"Forcerport", yesNoLower(strings.Contains(p.NAT.ForceRportString(), "Yes"))},
			{"AutoComedia", yesNoLower(strings.HasPrefix(p.NAT.ComediaString(), "A"))},
			{"Comedia", yesNoLower(strings.Contains(p.NAT.ComediaString(), "Yes"))},
			{"VideoSupport", yesNoLower(p.VideoSupport)},
			{"TextSupport", yesNoLower(p.TextSupport)},
			{"ACL", yesNoLower(!p.ACL.Empty())},
			{"Status", status},
			{"RealtimeDevice", "no"},
			{"Description", p.Description},
			{"Accountcode", p.AccountCode},
		})
	}
	return out
}

// ManagerPeer is the SIPshowpeer response body for name (chan_sip's
// _sip_show_peer in manager mode); ok is false for an unknown peer.
func (v *View) ManagerPeer(name string) ([]Field, bool) {
	p := v.Config.Peer(name)
	if p == nil || !p.IsPeer() {
		return nil, false
	}
	st := v.peerState(p.Name)
	addr := v.addr(p, st)
	ip, port := "(null)", "0"
	if addr.IsValid() {
		ip, port = hostAddr(addr), itoa(int(addr.Port()))
	}
	defIP := "(null)"
	if p.DefaultIP.IsValid() {
		defIP = p.DefaultIP.String()
	}
	status, _ := peerStatus(p, st)
	f := []Field{
		{"Channeltype", "SIP"},
		{"ObjectName", p.Name},
		{"ChanObjectType", "peer"},
		{"SecretExist", yesNoUpper(p.Secret != "")},
		{"RemoteSecretExist", yesNoUpper(p.RemoteSecret != "")},
		{"MD5SecretExist", yesNoUpper(p.MD5Secret != "")},
		{"Context", p.Context},
		{"Language", p.Language},
		{"ToneZone", orDefault(p.Tonezone, "<Not set>")},
	}
	if p.AccountCode != "" {
		f = append(f, Field{"Accountcode", p.AccountCode})
	}
	f = append(f,
		Field{"AMAflags", p.AMAFlags},
		Field{"CID-CallingPres", p.CallingPres},
		Field{"Callgroup", p.CallGroup},
		Field{"Pickupgroup", p.PickupGroup},
		Field{"Named Callgroup", p.NamedCallGroup},
		Field{"Named Pickupgroup", p.NamedPickupGroup},
		Field{"MOHSuggest", p.MOHSuggest},
		Field{"VoiceMailbox", p.Mailbox},
		Field{"TransferMode", transferMode(p.AllowTransfer)},
		Field{"LastMsgsSent", itoa(st.NewMessages)},
		Field{"Maxforwards", itoa(p.MaxForwards)},
		Field{"Call-limit", itoa(p.CallLimit)},
		Field{"Busy-level", itoa(p.BusyLevel)},
		Field{"MaxCallBR", itoa(p.MaxCallBitrate) + " kbps"},
		Field{"Dynamic", yesNoUpper(p.Dynamic)},
		Field{"Callerid", "\"" + p.CallerIDName + "\" <" + p.CallerIDNum + ">"},
		Field{"RegExpire", strconv.Itoa(v.expire(st)) + " seconds"},
		Field{"SIP-AuthInsecure", p.Insecure.String()},
		Field{"SIP-Forcerport", yesNoLower(strings.Contains(p.NAT.ForceRportString(), "Yes"))},
		Field{"SIP-Comedia", yesNoLower(strings.Contains(p.NAT.ComediaString(), "Yes"))},
		Field{"ACL", yesNoUpper(!p.ACL.Empty())},
		Field{"SIP-CanReinvite", yesNoUpper(p.DirectMedia)},
		Field{"SIP-DirectMedia", yesNoUpper(p.DirectMedia)},
		Field{"SIP-PromiscRedir", yesNoUpper(p.PromiscRedir)},
		Field{"SIP-UserPhone", yesNoUpper(p.UseReqPhone)},
		Field{"SIP-VideoSupport", yesNoUpper(p.VideoSupport)},
		Field{"SIP-TextSupport", yesNoUpper(p.TextSupport)},
		Field{"SIP-T.38Support", yesNoUpper(p.T38Support)},
		Field{"SIP-T.38EC", t38EC(p.T38Support)},
		Field{"SIP-T.38MaxDtgrm", itoa(int(uint32(p.T38MaxDatagram)))},
		Field{"SIP-Sess-Timers", p.SessionTimers},
		Field{"SIP-Sess-Refresh", p.SessionRefresher},
		Field{"SIP-Sess-Expires", itoa(p.SessionExpires)},
		Field{"SIP-Sess-Min", itoa(p.SessionMinSE)},
		Field{"SIP-RTP-Engine", p.RTPEngine},
		Field{"SIP-Encryption", yesNoUpper(p.Encryption)},
		Field{"SIP-RTCP-Mux", yesNoUpper(p.RTCPMux)},
		Field{"SIP-DTMFmode", p.DTMFMode.String()},
		Field{"ToHost", p.ToHost()},
		Field{"Address-IP", ip},
		Field{"Address-Port", port},
		Field{"Default-addr-IP", defIP},
		Field{"Default-addr-port", "0"},
		Field{"Default-Username", p.DefaultUser},
		Field{"Codecs", p.Codecs.String()},
		Field{"Status", status},
		Field{"SIP-Useragent", st.UserAgent},
		Field{"Reg-Contact", st.FullContact},
		Field{"QualifyFreq", itoa(p.QualifyFreq*1000) + " ms"},
		Field{"Parkinglot", p.Parkinglot},
	)
	for _, sv := range p.SetVars {
		f = append(f, Field{"ChanVariable", sv.Name + "=" + sv.Value})
	}
	f = append(f,
		Field{"SIP-Use-Reason-Header", yesNoUpper(p.UseQ850Reason)},
		Field{"Description", p.Description},
	)
	return f, true
}

func yesNoUpper(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// ManagerRegistry is the body of each RegistryEntry event the
// SIPshowregistry action sends.
func (v *View) ManagerRegistry() [][]Field {
	var out [][]Field
	for i, r := range v.Config.Registrations {
		var st RegistryState
		if i < len(v.Registry) {
			st = v.Registry[i]
		}
		refresh := st.Refresh
		if refresh == 0 {
			refresh = r.Expiry
		}
		port := r.Port
		if port == 0 {
			port = 5060
		}
		domain := r.Domain
		if domain == "" {
			domain = r.Host
		}
		dport := r.DomainPort
		if dport == 0 {
			dport = port
		}
		regTime := int64(0)
		if !st.RegTime.IsZero() {
			regTime = st.RegTime.Unix()
		}
		out = append(out, []Field{
			{"Host", r.Host},
			{"Port", itoa(port)},
			{"Username", r.User},
			{"Domain", domain},
			{"DomainPort", itoa(dport)},
			{"Refresh", itoa(refresh)},
			{"State", st.State.String()},
			{"RegistrationTime", strconv.FormatInt(regTime, 10)},
		})
	}
	return out
}
