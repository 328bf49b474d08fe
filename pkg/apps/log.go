package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var logApp = &pbx.App{
	Name:        "Log",
	Synopsis:    "Send arbitrary text to a selected log level.",
	Syntax:      "Log(level,message)",
	Description: "Sends an arbitrary text message to a selected log level.",
	Arguments:   "level - Level must be one of ERROR, WARNING, NOTICE, DEBUG, VERBOSE or DTMF.\nmessage - Output text message.",
	SeeAlso:     "Verbose",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		level, msg, ok := strings.Cut(data, ",")
		if !ok {
			return pbx.Continue, nil
		}
		log := ch.Engine().Log()
		switch strings.ToUpper(strings.TrimSpace(level)) {
		case "ERROR", "WARNING":
			log.Warning("%s\n", msg)
		case "NOTICE":
			log.Notice("%s\n", msg)
		case "VERBOSE":
			log.Verbose(0, "%s\n", msg)
		case "DEBUG", "DTMF":
			// debug and DTMF channels are not part of the console output
		default:
			log.Notice("%s\n", msg)
		}
		return pbx.Continue, nil
	},
}
