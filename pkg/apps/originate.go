package apps

import (
	"context"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var originateApp = &pbx.App{
	Name:     "Originate",
	Synopsis: "Originate a call.",
	Syntax:   "Originate(tech_data,type,arg1[,arg2[,arg3[,timeout[,options]]]])",
	Description: "This application originates an outbound call and connects it to a specified extension or application. " +
		"This application will block until the outgoing call fails or gets answered, unless the async option is used. " +
		"At that point, this application will exit with the status variable set and dialplan processing will continue.\n\n" +
		"This application sets the following channel variable before exiting: ORIGINATE_STATUS (this application's status: " +
		"FAILED, SUCCESS, BUSY, CONGESTION, HANGUP, RINGING, UNKNOWN).",
	Arguments: "tech_data - Channel technology and data for creating the outbound channel. For example, SIP/1234.\n" +
		"type - This should be app or exten, depending on whether the outbound channel should be connected to an application or extension.\n" +
		"arg1 - If the type is app, then this is the application name. If the type is exten, then this is the context that the channel will be sent to.\n" +
		"arg2 - If the type is app, then this is the data passed as arguments to the application. If the type is exten, then this is the extension that the channel will be sent to.\n" +
		"arg3 - If the type is exten, then this is the priority that the channel is sent to. If the type is app, then this parameter is ignored.\n" +
		"timeout - Timeout in seconds. Default is 30 seconds.\n" +
		"options - a: Originate asynchronously. In other words, continue in the dialplan without waiting for the originated channel to answer. " +
		"b(context^exten^priority[(arg1^...)]): Before the call is placed, Gosub to that location on the new channel. " +
		"B(context^exten^priority[(arg1^...)]): Before the call is placed, Gosub to that location on the current channel. " +
		"c(callerid_num): Set the originated channel's caller ID number. n(callerid_name): Set the originated channel's caller ID name. " +
		"v(var1=value1^var2=value2...): Set variables on the originated channel.",
	SeeAlso: "Dial",
	Exec:    originate,
}

// originateOpts are the options of Originate gostrisk implements.
type originateOpts struct {
	async       bool
	cnum, cname string
	// predialCallee and predialCaller are b() and B(): subroutines run
	// on the new channel and on the current one before the call is placed.
	predialCallee, predialCaller string
	vars                         [][2]string
	unsupported                  string
}

func originate(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	fail := func(format string, args ...any) (pbx.Result, error) {
		log.Warning(format, args...)
		ch.SetVar("ORIGINATE_STATUS", "FAILED")
		return pbx.HangupResult, nil
	}
	if data == "" {
		return fail("Originate() requires arguments\n")
	}
	args := pbx.SplitArgs(data, ',')
	if len(args) < 3 {
		return fail("Incorrect number of arguments\n")
	}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	timeout := 30 * time.Second
	if s := arg(5); s != "" {
		if n, _, ok := scanInt(strings.TrimSpace(s)); ok {
			timeout = time.Duration(n) * time.Second
		} else {
			log.Notice("Invalid timeout: '%s'. Setting timeout to 30 seconds\n", s)
		}
	}
	tech, resource, _ := strings.Cut(args[0], "/")
	if tech == "" || resource == "" {
		return fail("Channel Tech/Data invalid: '%s'\n", args[0])
	}
	opts := parseOriginateOptions(ch, arg(6))
	if opts.unsupported != "" {
		return fail("Invalid options: '%s'\n", arg(6))
	}
	kind := strings.ToLower(args[1])
	if kind != "exten" && kind != "app" {
		return fail("Incorrect type, it should be 'exten' or 'app': %s\n", args[1])
	}
	target := originateTarget{kind: kind, app: args[2], data: arg(3), context: args[2], exten: arg(3), priority: 1}
	if kind == "exten" {
		switch {
		case len(args) == 3:
			target.exten = "s"
		case len(args) >= 5:
			p, _, ok := scanInt(strings.TrimSpace(arg(4)))
			if !ok {
				return fail("Invalid priority: '%s'\n", arg(4))
			}
			target.priority = p
		}
	}
	if opts.predialCaller != "" && !runSubroutine(ch, opts.predialCaller) && ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	ctx := ch.Ctx()
	if opts.async {
		e.Spawn(func() { originateCall(ctx, e, tech, resource, timeout, opts, target) })
		ch.SetVar("ORIGINATE_STATUS", "SUCCESS")
		return pbx.Continue, nil
	}
	ch.SetVar("ORIGINATE_STATUS", originateCall(ctx, e, tech, resource, timeout, opts, target))
	return pbx.Continue, nil
}

// originateTarget is where the answered channel goes: an extension or an
// application.
type originateTarget struct {
	kind           string
	app, data      string
	context, exten string
	priority       int
}

// parseOriginateOptions reads a, b(sub), B(sub), c(num), n(name) and
// v(a=1^b=2); c and n without a value take the caller's. A subroutine is
// context^exten^priority[(arg1^...)], '^' standing for ','. C (the codecs
// of the new channel) is not implemented and makes the options invalid.
func parseOriginateOptions(ch *pbx.Channel, s string) originateOpts {
	var o originateOpts
	for i := 0; i < len(s); i++ {
		c := s[i]
		val := ""
		if i+1 < len(s) && s[i+1] == '(' {
			// The value ends at the matching parenthesis: a subroutine's
			// arguments have their own.
			depth, end := 0, len(s)
			for j := i + 1; j < len(s); j++ {
				if s[j] == '(' {
					depth++
				} else if s[j] == ')' {
					if depth--; depth == 0 {
						end = j
						break
					}
				}
			}
			val = s[i+2 : end]
			i = end
		}
		switch c {
		case 'a':
			o.async = true
		case 'b':
			o.predialCallee = strings.ReplaceAll(val, "^", ",")
		case 'B':
			o.predialCaller = strings.ReplaceAll(val, "^", ",")
		case 'c':
			o.cnum = val
			if val == "" {
				o.cnum = ch.CallerID().Num
			}
		case 'n':
			o.cname = val
			if val == "" {
				o.cname = ch.CallerID().Name
			}
		case 'v':
			for _, kv := range strings.Split(val, "^") {
				if kv == "" {
					continue
				}
				name, value, _ := strings.Cut(kv, "=")
				o.vars = append(o.vars, [2]string{name, value})
			}
		default:
			o.unsupported += string(c)
		}
	}
	return o
}

// originateCall places the call and, once answered, hands the channel to
// an engine goroutine that runs the extension or the application. It
// returns ORIGINATE_STATUS.
func originateCall(ctx context.Context, e *pbx.Engine, tech, resource string, timeout time.Duration, o originateOpts, t originateTarget) string {
	log := e.Log()
	out, err := e.Request(ctx, tech, resource, nil)
	if err != nil {
		log.Notice("Unable to request channel %s/%s\n", tech, resource)
		return "FAILED"
	}
	if o.cnum != "" || o.cname != "" {
		id := pbx.CallerID{Num: o.cnum, Name: o.cname, ANI: o.cnum}
		out.SetCallerID(id)
		out.SetConnected(id)
	}
	for _, kv := range o.vars {
		out.SetVar(kv[0], kv[1])
	}
	if t.kind == "exten" {
		out.SetLocation(t.context, t.exten, t.priority)
		out.UpdateCDR(func(r *pbx.CDR) { r.Dst, r.DContext = t.exten, t.context })
	}
	if o.predialCallee != "" {
		runSubroutine(out, o.predialCallee)
	}
	if err := out.Driver().Call(ctx, resource, timeout); err != nil {
		log.Notice("Unable to call channel %s/%s\n", tech, resource)
		out.Hangup(pbx.CauseRequestedChanUnavail)
		return "FAILED"
	}
	status := pbx.WaitOriginated(ctx, out, timeout).Status()
	if status != "SUCCESS" {
		out.Hangup(pbx.CauseNormalClearing)
		return status
	}
	if t.kind == "exten" {
		e.Go(ctx, out)
		return status
	}
	e.Spawn(func() {
		out.SetCtx(ctx)
		stop := context.AfterFunc(ctx, func() { out.SoftHangup(pbx.CauseNormalClearing) })
		defer stop()
		log.Verbose(3, "Launching %s(%s) on %s\n", t.app, t.data, out.Name())
		if _, ok := e.App(t.app); !ok {
			log.Warning("No such application '%s'\n", t.app)
		} else if _, err := e.ExecApp(out, t.app, t.data); err != nil {
			log.Warning("%s: %v\n", t.app, err)
		}
		out.Hangup(pbx.CauseNormalClearing)
	})
	return status
}
