package apps

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_sendtext's SendText and ReceiveText, app_url's SendURL: text goes
// to and comes from the channel's device through the driver (chan_sip: a
// MESSAGE in the dialog).

var sendTextApp = &pbx.App{
	Name:        "SendText",
	Synopsis:    "Send a Text Message on a channel.",
	Syntax:      "SendText([text])",
	Description: "Sends text to the current channel.\n\nResult of transmission will be stored in the SENDTEXTSTATUS\n    SUCCESS: Transmission succeeded.\n    FAILURE: Transmission failed.\n    UNSUPPORTED: Text transmission not supported by channel.\n\nAt this moment, text is supposed to be 7 bit ASCII in most channels.",
	Arguments:   "text",
	SeeAlso:     "SendImage, SendURL, ReceiveText",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		// An empty text is sent: SIP must be able to send an empty
		// MESSAGE.
		status := "SUCCESS"
		if err := ch.SendText(decodeEscapes(data)); errors.Is(err, pbx.ErrNoText) {
			status = "UNSUPPORTED"
		} else if err != nil || ch.HangupRequested() {
			status = "FAILURE"
		}
		ch.SetVar("SENDTEXTSTATUS", status)
		return pbx.Continue, nil
	},
}

var receiveTextApp = &pbx.App{
	Name:        "ReceiveText",
	Synopsis:    "Receive a Text Message on a channel.",
	Syntax:      "ReceiveText([timeout])",
	Description: "Waits for timeout seconds on the current channel to receive text.\n\nResult of transmission will be stored in the following variables:\n    RECEIVETEXTMESSAGE: The received text message.\n    RECEIVETEXTSTATUS:\n        SUCCESS: Transmission succeeded.\n        FAILURE: Transmission failed or timed out.",
	Arguments:   "timeout - Time in seconds to wait for text. Default is 0 (forever).",
	SeeAlso:     "SendText",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		var timeout time.Duration
		if arg := firstArg(data); arg != "" {
			secs, err := strconv.ParseFloat(strings.TrimSpace(arg), 64)
			if err != nil {
				ch.Engine().Log().Warning("Invalid timeout provided: %s. No timeout set.\n", arg)
				return pbx.HangupResult, nil
			}
			timeout = time.Duration(secs * float64(time.Second))
		}
		text, ok := ch.ReceiveText(timeout)
		if !ok {
			ch.SetVar("RECEIVETEXTSTATUS", "FAILURE")
			return pbx.Continue, nil
		}
		ch.SetVar("RECEIVETEXTSTATUS", "SUCCESS")
		ch.SetVar("RECEIVETEXTMESSAGE", text)
		return pbx.Continue, nil
	},
}

// sendURLApp: no gostrisk driver carries HTML (chan_sip has no send_html),
// so a URL is never sent and SENDURLSTATUS says so, as on Asterisk with
// chan_sip.
var sendURLApp = &pbx.App{
	Name:        "SendURL",
	Synopsis:    "Send a URL.",
	Syntax:      "SendURL(URL[,option])",
	Description: "Requests client go to URL (IAX2) or sends the URL to the client (other channels).\n\nResult is returned in the SENDURLSTATUS channel variable:\n    SUCCESS: URL successfully sent to client.\n    FAILURE: Failed to send URL.\n    NOLOAD: Client failed to load URL (wait enabled).\n    UNSUPPORTED: Channel does not support URL transport.\n\nSendURL continues normally if the URL was sent correctly or if the channel does not support HTML transport.  Otherwise, the channel is hung up.",
	Arguments:   "URL\noption\n    w: Execution will wait for an acknowledgement that the URL has been loaded before continuing.",
	SeeAlso:     "SendImage, SendText",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if firstArg(data) == "" {
			ch.Engine().Log().Warning("SendURL requires an argument (URL)\n")
			ch.SetVar("SENDURLSTATUS", "FAILURE")
			return pbx.HangupResult, nil
		}
		ch.SetVar("SENDURLSTATUS", "UNSUPPORTED")
		return pbx.Continue, nil
	},
}
