package apps

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// SIPAddHeader and SIPRemoveHeader keep chan_sip's contract: the headers
// live in the calling channel as __SIPADDHEADER01..50, Dial's variable
// inheritance carries them to the outbound channel, and the SIP driver
// adds every SIPADDHEADER* variable of that channel to its INVITE.

// maxSIPHeaders is chan_sip's limit of added headers per channel.
const maxSIPHeaders = 50

var sipAddHeaderApp = &pbx.App{
	Name:     "SIPAddHeader",
	Synopsis: "Add a SIP header to the outbound call.",
	Syntax:   "SIPAddHeader(Header,Content)",
	Description: "Adds a header to a SIP call placed with DIAL.\n\n" +
		"Remember to use the X-header if you are adding non-standard SIP headers, like X-Asterisk-Accountcode:. Use this with care. Adding the wrong headers may jeopardize the SIP dialog.\n\n" +
		"Always returns 0.",
	Arguments: "Header\nContent",
	SeeAlso:   "SIPRemoveHeader",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if data == "" {
			ch.Engine().Log().Warning("This application requires the argument: Header\n")
			return pbx.Continue, nil
		}
		for n := 1; n <= maxSIPHeaders; n++ {
			name := fmt.Sprintf("SIPADDHEADER%02d", n)
			if _, taken := ch.Var(name); !taken {
				ch.SetVar("__"+name, decodeEscapes(data))
				return pbx.Continue, nil
			}
		}
		ch.Engine().Log().Warning("Too many SIP headers added, max 50\n")
		return pbx.Continue, nil
	},
}

var sipRemoveHeaderApp = &pbx.App{
	Name:     "SIPRemoveHeader",
	Synopsis: "Remove SIP headers previously added with SIPAddHeader",
	Syntax:   "SIPRemoveHeader([Header])",
	Description: "SIPRemoveHeader() allows you to remove headers which were previously added with SIPAddHeader(). " +
		"If no parameter is supplied, all previously added headers will be removed. If a parameter is supplied, " +
		"only the matching headers will be removed.\n\n" +
		"For example you have added these 2 headers:\n\nSIPAddHeader(P-Asserted-Identity: sip:foo@bar);\n\nSIPAddHeader(P-Preferred-Identity: sip:bar@foo);\n\n" +
		"// remove all headers\n\nSIPRemoveHeader();\n\n// remove all P- headers\n\nSIPRemoveHeader(P-);\n\n// remove only the PAI header (note the : at the end)\n\nSIPRemoveHeader(P-Asserted-Identity:);\n\n" +
		"Always returns 0.",
	Arguments: "Header",
	SeeAlso:   "SIPAddHeader",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		for _, kv := range ch.Vars() {
			name, value, _ := strings.Cut(strings.TrimLeft(kv, "_"), "=")
			if !strings.HasPrefix(name, "SIPADDHEADER") {
				continue
			}
			// chan_sip compares the value's start with the argument,
			// ignoring case.
			if data == "" || len(value) >= len(data) && strings.EqualFold(value[:len(data)], data) {
				ch.UnsetVar(name)
			}
		}
		return pbx.Continue, nil
	},
}

// dtmfModeSetter is what a SIP channel's driver implements to let the
// dialplan change its DTMF mode (chan_sip's dialog flags).
type dtmfModeSetter interface {
	SetDTMFMode(mode string) error
}

var sipDtmfModeApp = &pbx.App{
	Name:        "SIPDtmfMode",
	Synopsis:    "Change the dtmfmode for a SIP call.",
	Syntax:      "SIPDtmfMode(mode)",
	Description: "Changes the dtmfmode for a SIP call.",
	Arguments:   "mode",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if data == "" {
			// Asterisk warns only for a NULL argument, which the
			// dialplan cannot pass; an empty mode is an unknown one.
			log.Warning("I don't know about this dtmf mode: %s\n", data)
			return pbx.Continue, nil
		}
		d, ok := ch.Driver().(dtmfModeSetter)
		if !ok || !strings.EqualFold(ch.Tech(), "SIP") {
			log.Warning("Call this application only on SIP incoming calls\n")
			return pbx.Continue, nil
		}
		if err := d.SetDTMFMode(data); err != nil {
			log.Warning("%v\n", err)
		}
		return pbx.Continue, nil
	},
}
