package apps

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var verboseApp = &pbx.App{
	Name:        "Verbose",
	Synopsis:    "Send arbitrary text to verbose output.",
	Syntax:      "Verbose([level,]message)",
	Description: "Sends an arbitrary text message to verbose output.",
	Arguments:   "level - Must be an integer value.  If not specified, defaults to 0.\nmessage - Output text message.",
	SeeAlso:     "NoOp, Log",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		level, msg := 0, data
		if l, m, ok := strings.Cut(data, ","); ok {
			n, err := strconv.Atoi(strings.TrimSpace(l))
			if err != nil || n < 0 {
				ch.Engine().Log().Warning("'%s' is not a verboser number\n", l)
				n = 0
			}
			level, msg = n, m
		}
		ch.Engine().Log().Verbose(level, "%s\n", msg)
		return pbx.Continue, nil
	},
}
