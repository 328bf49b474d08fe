package sipconf

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// commonTarget points at the fields that chan_sip's common options (valid
// in [general] and in a peer) set.
type commonTarget struct {
	nat            *NAT
	natSet         *bool
	dtmf           *DTMFMode
	directMedia    *bool
	directMode     *DirectMediaMode
	trustRPID      *bool
	sendRPID       *bool
	sendPAI        *bool // sendrpid=pai: P-Asserted-Identity rather than Remote-Party-ID
	promiscRedir   *bool
	videoSupport   *bool
	textSupport    *bool
	allowOverlap   *string
	allowSubscribe *bool
	ignoreSDP      *bool
	usePath        *bool
	rfc2833comp    *bool
	rtcpMux        *bool
	useClientCode  *bool
	progressInband *string
	insecure       *Insecure
	t38            *bool
	t38max         *int64
}

// commonOption handles one option shared by [general] and peers; it
// reports whether the name was one of them.
func (l *loader) commonOption(name string, v *confparse.Variable, t *commonTarget) bool {
	switch name {
	case "nat":
		n, deprecated, err := ParseNAT(v.Value)
		if err != nil {
			l.bad(v, err)
			return true
		}
		if deprecated {
			l.warnVar(v, "nat=yes is deprecated, use nat=force_rport,comedia instead")
		}
		*t.nat = n
		if t.natSet != nil {
			*t.natSet = true
		}
	case "dtmfmode":
		d, err := ParseDTMFMode(v.Value)
		if err != nil {
			l.bad(v, err)
		}
		*t.dtmf = d
	case "directmedia", "canreinvite":
		mode, on, err := ParseDirectMedia(v.Value)
		if err != nil {
			l.bad(v, err)
			return true
		}
		*t.directMedia = on
		if t.directMode != nil {
			*t.directMode = mode
		}
	case "insecure":
		if t.insecure == nil {
			return false
		}
		in, err := ParseInsecure(v.Value)
		if err != nil {
			l.bad(v, err)
		}
		*t.insecure = in
	case "trustrpid":
		*t.trustRPID = l.boolVal(v)
	case "sendrpid":
		switch strings.ToLower(v.Value) {
		case "pai", "rpid":
			*t.sendRPID = true
		default:
			*t.sendRPID = l.boolVal(v)
		}
		if t.sendPAI != nil {
			*t.sendPAI = strings.EqualFold(v.Value, "pai")
		}
	case "promiscredir":
		*t.promiscRedir = l.boolVal(v)
	case "videosupport":
		if strings.EqualFold(v.Value, "always") {
			*t.videoSupport = true
		} else {
			*t.videoSupport = l.boolVal(v)
		}
	case "textsupport":
		*t.textSupport = l.boolVal(v)
	case "allowoverlap":
		switch {
		case strings.EqualFold(v.Value, "dtmf"):
			*t.allowOverlap = "DTMF"
		case confparse.True(v.Value):
			*t.allowOverlap = "Yes"
		default:
			*t.allowOverlap = "No"
			l.boolVal(v)
		}
	case "allowsubscribe":
		*t.allowSubscribe = l.boolVal(v)
	case "ignoresdpversion":
		*t.ignoreSDP = l.boolVal(v)
	case "supportpath":
		*t.usePath = l.boolVal(v)
	case "rfc2833compensate":
		*t.rfc2833comp = l.boolVal(v)
	case "rtcp_mux":
		*t.rtcpMux = l.boolVal(v)
	case "useclientcode":
		*t.useClientCode = l.boolVal(v)
	case "progressinband":
		switch {
		case strings.EqualFold(v.Value, "never"):
			*t.progressInband = "Never"
		case confparse.True(v.Value):
			*t.progressInband = "Yes"
		default:
			*t.progressInband = "No"
			l.boolVal(v)
		}
	case "t38pt_udptl":
		*t.t38 = false
		for i, w := range strings.Split(v.Value, ",") {
			w = strings.ToLower(strings.TrimSpace(w))
			switch {
			case i == 0 && confparse.True(w):
				*t.t38 = true
			case i == 0 && confparse.False(w):
			case i > 0 && (w == "redundancy" || w == "fec" || w == "none"):
			case i > 0 && strings.HasPrefix(w, "maxdatagram="):
				n, err := strconv.ParseInt(strings.TrimPrefix(w, "maxdatagram="), 10, 64)
				if err != nil || n < 0 {
					l.bad(v, fmt.Errorf("bad maxdatagram %q", w))
					continue
				}
				*t.t38max = n
			default:
				l.bad(v, fmt.Errorf("unknown t38pt_udptl word %q", w))
			}
		}
	case "g726nonstandard", "buggymwi", "faxdetect", "t38pt_usertpsource", "rpid_update",
		"rpid_immediate", "trust_id_outbound":
		// Accepted; gostrisk has no behaviour behind them.
	default:
		return false
	}
	return true
}

// sessionOption reads the session-timer options (RFC 4028), valid in
// [general] and in a peer alike.
func (l *loader) sessionOption(name string, v *confparse.Variable, mode, refresher *string, expires, minSE *int) {
	switch name {
	case "session-timers":
		switch strings.ToLower(v.Value) {
		case "accept", "originate", "refuse":
			*mode = strings.ToUpper(v.Value[:1]) + strings.ToLower(v.Value[1:])
		default:
			l.bad(v, fmt.Errorf("want accept, originate or refuse"))
		}
	case "session-refresher":
		switch strings.ToLower(v.Value) {
		case "uac", "uas":
			*refresher = strings.ToLower(v.Value)
		default:
			l.bad(v, fmt.Errorf("want uac or uas"))
		}
	case "session-expires":
		if n, ok := l.intVal(v, 90); ok {
			*expires = n
		}
	case "session-minse":
		if n, ok := l.intVal(v, 90); ok {
			*minSE = n
		}
	}
}
