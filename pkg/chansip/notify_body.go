package chansip

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// subKind is what a subscription asked for: the event package and, for
// presence, the body format the Accept header chose (chan_sip's
// subscriptiontype).
type subKind int

const (
	subNone subKind = iota
	subDialogInfo
	subCPIMPIDF
	subPIDF
	subXPIDF
	subMWI
)

// subTypes are chan_sip's subscription_types: event, media type, and
// the name "sip show subscriptions" prints.
var subTypes = [...]struct{ event, mediaType, text string }{
	subNone:       {"-", "unknown", "unknown"},
	subDialogInfo: {"dialog", "application/dialog-info+xml", "dialog-info+xml"},
	subCPIMPIDF:   {"presence", "application/cpim-pidf+xml", "cpim-pidf+xml"},
	subPIDF:       {"presence", "application/pidf+xml", "pidf+xml"},
	subXPIDF:      {"presence", "application/xpidf+xml", "xpidf+xml"},
	subMWI:        {"message-summary", "application/simple-message-summary", "mwi"},
}

// notifyState is what one state NOTIFY reports.
type notifyState struct {
	state    pbx.ExtensionState
	exten    string
	mfrom    string // the subscriber's URI (From of the SUBSCRIBE, no parameters)
	mto      string // the watched resource (To of the SUBSCRIBE, no parameters)
	version  uint32 // dialog-info version
	full     bool
	allAway  bool // every device of the hint is UNAVAILABLE: "Not online"
	ringing  bool // notifyringing
	callerID *ringingParty
	callID   string           // the subscription's Call-ID, for the pickup dialog id
	presence pbx.PresenceInfo // the hint's presence provider (PIDF only)
}

// ringingParty is the caller and callee of the ringing call, for
// notifycid (a BLF key that picks the call up shows who calls).
type ringingParty struct {
	callerNum, callerName       string
	connectedNum, connectedName string
	domain                      string
}

// stateBody builds the body of a presence or dialog NOTIFY as chan_sip's
// state_notify_build_xml does, byte for byte.
func stateBody(kind subKind, n notifyState) string {
	const (
		open = iota
		inuse
		closed
	)
	local := open
	statestring := "terminated"
	pidfstate := "--"
	pidfnote := "Ready"
	switch n.state {
	case pbx.ExtRingInUse:
		statestring = "confirmed"
		if n.ringing {
			statestring = "early"
		}
		local, pidfstate, pidfnote = inuse, "busy", "Ringing"
	case pbx.ExtRinging:
		statestring = "early"
		local, pidfstate, pidfnote = inuse, "busy", "Ringing"
	case pbx.ExtInUse:
		statestring = "confirmed"
		local, pidfstate, pidfnote = inuse, "busy", "On the phone"
	case pbx.ExtBusy:
		statestring = "confirmed"
		local, pidfstate, pidfnote = closed, "busy", "On the phone"
	case pbx.ExtUnavailable:
		statestring = "terminated"
		local, pidfstate, pidfnote = closed, "away", "Unavailable"
	case pbx.ExtOnHold:
		statestring = "confirmed"
		local, pidfstate, pidfnote = closed, "busy", "On hold"
	}
	if n.allAway {
		local, pidfstate, pidfnote = closed, "away", "Not online"
	}
	var b strings.Builder
	switch kind {
	case subXPIDF, subCPIMPIDF:
		b.WriteString("<?xml version=\"1.0\"?>\n" +
			"<!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">\n" +
			"<presence>\n")
		fmt.Fprintf(&b, "<presentity uri=\"%s;method=SUBSCRIBE\" />\n", n.mfrom)
		fmt.Fprintf(&b, "<atom id=\"%s\">\n", n.exten)
		fmt.Fprintf(&b, "<address uri=\"%s;user=ip\" priority=\"0.800000\">\n", n.mto)
		status, sub := "closed", "offline"
		switch local {
		case open:
			status, sub = "open", "online"
		case inuse:
			status, sub = "inuse", "onthephone"
		}
		fmt.Fprintf(&b, "<status status=\"%s\" />\n", status)
		fmt.Fprintf(&b, "<msnsubstatus substatus=\"%s\" />\n", sub)
		b.WriteString("</address>\n</atom>\n</presence>\n")
	case subPIDF:
		fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"+
			"<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" \nxmlns:pp=\"urn:ietf:params:xml:ns:pidf:person\"\nxmlns:es=\"urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status\"\nxmlns:ep=\"urn:ietf:params:xml:ns:pidf:rpid:rpid-person\"\nentity=\"%s\">\n", n.mfrom)
		b.WriteString("<pp:person><status>\n")
		if pidfstate[0] != '-' {
			fmt.Fprintf(&b, "<ep:activities><ep:%s/></ep:activities>\n", pidfstate)
		}
		b.WriteString("</status></pp:person>\n")
		fmt.Fprintf(&b, "<note>%s</note>\n", pidfnote)
		fmt.Fprintf(&b, "<tuple id=\"%s\">\n", n.exten)
		fmt.Fprintf(&b, "<contact priority=\"1\">%s</contact>\n", n.mto)
		basic := "closed"
		if pidfstate[0] == 'b' || local != closed {
			basic = "open" // busy is still open
		}
		fmt.Fprintf(&b, "<status><basic>%s</basic></status>\n", basic)
		if p := n.presence; p.Set() {
			// chan_sip's second tuple for the hint's presence provider.
			b.WriteString("</tuple>\n<tuple id=\"digium-presence\">\n<status>\n")
			fmt.Fprintf(&b, "<digium_presence type=\"%s\" subtype=\"%s\">%s</digium_presence>\n",
				xmlEscape(p.State), xmlEscape(p.Subtype), xmlEscape(p.Message))
			b.WriteString("</status>\n")
		}
		b.WriteString("</tuple>\n</presence>\n")
	case subDialogInfo:
		full := "partial"
		if n.full {
			full = "full"
		}
		b.WriteString("<?xml version=\"1.0\"?>\n")
		fmt.Fprintf(&b, "<dialog-info xmlns=\"urn:ietf:params:xml:ns:dialog-info\" version=\"%d\" state=\"%s\" entity=\"%s\">\n", n.version, full, n.mto)
		if n.state.Code() > 0 && n.state.Code()&8 != 0 && n.ringing {
			if c := n.callerID; c != nil {
				localTarget := "sip:" + c.callerNum + "@" + c.domain
				remoteTarget := "sip:" + c.connectedNum + "@" + c.domain
				fmt.Fprintf(&b, "<dialog id=\"%s\" call-id=\"pickup-%s\" direction=\"recipient\">\n", n.exten, n.callID)
				fmt.Fprintf(&b, "<remote>\n<identity display=\"%s\">%s</identity>\n<target uri=\"%s\"/>\n</remote>\n"+
					"<local>\n<identity display=\"%s\">%s</identity>\n<target uri=\"%s\"/>\n</local>\n",
					xmlEscape(c.connectedName), remoteTarget, remoteTarget,
					xmlEscape(c.callerName), localTarget, localTarget)
			} else {
				fmt.Fprintf(&b, "<dialog id=\"%s\" direction=\"recipient\">\n", n.exten)
			}
		} else {
			fmt.Fprintf(&b, "<dialog id=\"%s\">\n", n.exten)
		}
		fmt.Fprintf(&b, "<state>%s</state>\n", statestring)
		if n.state == pbx.ExtOnHold {
			fmt.Fprintf(&b, "<local>\n<target uri=\"%s\">\n<param pname=\"+sip.rendering\" pvalue=\"no\"/>\n</target>\n</local>\n", n.mto)
		}
		b.WriteString("</dialog>\n</dialog-info>\n")
	}
	return b.String()
}

// xmlEscape is ast_xml_escape: the five XML entities.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;").Replace(s)
}

// mwiBody is transmit_notify_with_mwi's body: new and old counts, the
// voicemail extension as the account (with our port when it is not the
// transport's standard one), and "(0/0)" urgent counts unless buggymwi.
func mwiBody(c pbx.MailboxCounts, vmexten, domain string, port uint16, transport string, buggy bool) string {
	var b strings.Builder
	waiting := "no"
	if c.New > 0 {
		waiting = "yes"
	}
	fmt.Fprintf(&b, "Messages-Waiting: %s\r\n", waiting)
	std := uint16(5060)
	if transport == "TLS" {
		std = 5061
	}
	account := "sip:" + vmexten + "@" + domain
	if port != std {
		account += fmt.Sprintf(":%d", port)
	}
	if transport != "UDP" && transport != "" {
		account += ";transport=" + transport // sip_get_transport: upper case
	}
	fmt.Fprintf(&b, "Message-Account: %s\r\n", account)
	urgent := " (0/0)"
	if buggy {
		urgent = ""
	}
	fmt.Fprintf(&b, "Voice-Message: %d/%d%s\r\n", c.New, c.Old, urgent)
	return b.String()
}
