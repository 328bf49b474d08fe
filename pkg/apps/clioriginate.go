package apps

import (
	"context"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is res_clioriginate's "channel originate": a call from the
// CLI to an application or a dialplan extension, placed in the background
// with a 30 s timeout, as the Originate application does with its a
// option.

// cliOriginateTimeout is res_clioriginate's TIMEOUT.
const cliOriginateTimeout = 30 * time.Second

// RegisterOriginateCLI adds "channel originate" for engine e.
func RegisterOriginateCLI(reg *cli.Registry, e *pbx.Engine) error {
	return reg.Register(&cli.Command{
		Words:   []string{"channel", "originate"},
		Summary: "Originate a call",
		Usage: "  There are two ways to use this command. A call can be originated between a\n" +
			"channel and a specific application, or between a channel and an extension in\n" +
			"the dialplan. This is similar to call files or the manager originate action.\n" +
			"Calls originated with this command are given a timeout of 30 seconds.\n\n" +
			"Usage1: channel originate <tech/data> application <appname> [appdata]\n" +
			"  This will originate a call between the specified channel tech/data and the\n" +
			"given application. Arguments to the application are optional. If the given\n" +
			"arguments to the application include spaces, all of the arguments to the\n" +
			"application need to be placed in quotation marks.\n\n" +
			"Usage2: channel originate <tech/data> extension [exten@][context]\n" +
			"  This will originate a call between the specified channel tech/data and the\n" +
			"given extension. If no context is specified, the 'default' context will be\n" +
			"used. If no extension is given, the 's' extension will be used.\n",
		Handler: func(a *cli.Args) error { return cliOriginate(a, e) },
		Complete: func(a *cli.Args, pos int, word string) []string {
			if pos != 3 {
				return nil
			}
			var out []string
			for _, c := range []string{"application", "extension"} {
				if strings.HasPrefix(c, word) {
					out = append(out, c)
				}
			}
			return out
		},
	})
}

func cliOriginate(a *cli.Args, e *pbx.Engine) error {
	arg := func(i int) string {
		if i < len(a.Argv) {
			return a.Argv[i]
		}
		return ""
	}
	if arg(2) == "" || arg(3) == "" {
		return cli.ErrShowUsage
	}
	var target originateTarget
	switch strings.ToLower(arg(3)) {
	case "application":
		if arg(4) == "" {
			return cli.ErrShowUsage
		}
		target = originateTarget{kind: "app", app: arg(4), data: arg(5)}
	case "extension":
		exten, dpContext, _ := strings.Cut(arg(4), "@")
		if exten == "" {
			exten = "s"
		}
		if dpContext == "" {
			dpContext = "default"
		}
		target = originateTarget{kind: "exten", context: dpContext, exten: exten, priority: 1}
	default:
		return cli.ErrShowUsage
	}
	tech, resource, ok := strings.Cut(arg(2), "/")
	if !ok {
		a.Printf("*** No data provided after channel type! ***\n")
		return cli.ErrShowUsage
	}
	// AST_OUTGOING_NO_WAIT: the command returns at once; the call lives
	// on the engine, which hangs it up at shutdown.
	e.Spawn(func() {
		originateCall(context.Background(), e, tech, resource, cliOriginateTimeout, originateOpts{}, target)
	})
	return nil
}
