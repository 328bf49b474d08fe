package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// streamEchoApp is app_stream_echo's StreamEcho. With num it asks the
// channel for num streams of a type (a topology renegotiation); chan_sip,
// gostrisk's only media driver, has one audio stream and no such
// renegotiation, as in Asterisk, so the request changes nothing and the
// application echoes what it reads, as Echo does ('#' ends it).
var streamEchoApp = &pbx.App{
	Name:        "StreamEcho",
	Synopsis:    "Echo media, up to 'N' streams of a type, and DTMF back to the calling party",
	Syntax:      "StreamEcho([num[,type]])",
	Description: "If a \"num\" (the number of streams) is not given then this simply echos back any media or DTMF frames (note, however if '#' is detected then the application exits) read from the calling channel back to itself. This means for any relevant frame read from a particular stream it is written back out to the associated write stream in a one to one fashion.\n\nHowever if a \"num\" is specified, and if the calling channel allows it (a new offer is made requesting the allowance of additional streams) then any media received, like before, is echoed back onto each stream. However, in this case a relevant frame received on a stream of the given \"type\" is also echoed back out to the other streams of that same type.\n\nThis does not echo CONTROL, MODEM, or NULL frames.",
	Arguments:   "num - The number of streams of a type to echo back. If '0' is specified then all streams of a type are removed.\ntype - The media type of the stream(s) to add or remove (in the case of \"num\" being '0'). This can be set to either \"audio\" or \"video\" (default). If \"num\" is empty (i.e. not specified) then this parameter is ignored.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		if num := strings.TrimSpace(firstArg(data)); num != "" {
			if _, err := strconv.ParseUint(num, 10, 32); err != nil {
				logError(ch, "Failed to parse the first parameter '%s' into a greater than or equal to zero\n", num)
				return pbx.HangupResult, nil
			}
		}
		return echoApp.Exec(ch, "")
	},
}
