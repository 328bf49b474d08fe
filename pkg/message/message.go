package message

import (
	"context"
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds MESSAGE, MESSAGE_DATA and MessageSend to the engine.
func Register(e *pbx.Engine) error {
	return e.RegisterModule("message", []*pbx.App{messageSendApp}, []pbx.Function{messageFunc(e), messageDataFunc(e)})
}

// errorLevel is a function error logged at ERROR, as message.c logs a
// read without message data.
func errorLevel(format string, a ...any) error { return pbx.ErrorLevel(fmt.Errorf(format, a...)) }

func messageFunc(e *pbx.Engine) pbx.Function {
	return pbx.Function{
		Name:     "MESSAGE",
		Synopsis: "Create a message or read fields from a message.",
		Syntax:   "MESSAGE(argument)",
		Description: "This function will read from or write a value to a text message. It is used both to read the data " +
			"out of an incoming message, as well as modify or create a message that will be sent outbound.",
		Arguments: "argument - Field of the message to get or set: to, from, body (read/write), " +
			"custom_data (write-only: mark_all_outbound or clear_all_outbound).",
		SeeAlso: "MessageSend",
		Read: func(ch *pbx.Channel, field string) (string, error) {
			if ch == nil {
				return "", fmt.Errorf("No channel was provided to MESSAGE function.")
			}
			msg := pbx.MessageOf(ch)
			if msg == nil {
				return "", errorLevel("No MESSAGE data found on the channel to read.")
			}
			v, ok := msg.Get(field)
			if !ok {
				e.Log().Warning("Invalid argument to MESSAGE(): '%s'\n", field)
			}
			return v, nil
		},
		Write: func(ch *pbx.Channel, field, value string) error {
			if ch == nil {
				return fmt.Errorf("No channel was provided to MESSAGE function.")
			}
			msg := pbx.MessageFor(ch)
			if msg.Set(field, value) {
				return nil
			}
			if !strings.EqualFold(field, "custom_data") {
				e.Log().Warning("'%s' is not a valid write argument.\n", field)
				return nil
			}
			switch strings.ToLower(value) {
			case "mark_all_outbound":
				msg.MarkAllOutbound(true)
			case "clear_all_outbound":
				msg.MarkAllOutbound(false)
			default:
				e.Log().Warning("'%s' is not a valid value for custom_data\n", value)
			}
			return nil
		},
	}
}

func messageDataFunc(e *pbx.Engine) pbx.Function {
	return pbx.Function{
		Name:     "MESSAGE_DATA",
		Synopsis: "Read or write custom data attached to a message.",
		Syntax:   "MESSAGE_DATA(argument)",
		Description: "This function will read from or write a value to a text message. It is used both to read the data " +
			"out of an incoming message, as well as modify a message that will be sent outbound. A value written is " +
			"sent as a header of the outgoing message.",
		Arguments: "argument - Field of the message to get or set.",
		SeeAlso:   "MessageSend",
		Read: func(ch *pbx.Channel, name string) (string, error) {
			if ch == nil {
				return "", fmt.Errorf("No channel was provided to MESSAGE_DATA function.")
			}
			msg := pbx.MessageOf(ch)
			if msg == nil {
				return "", errorLevel("No MESSAGE data found on the channel to read.")
			}
			v, _ := msg.Var(name)
			return v, nil
		},
		Write: func(ch *pbx.Channel, name, value string) error {
			if ch == nil {
				return fmt.Errorf("No channel was provided to MESSAGE_DATA function.")
			}
			pbx.MessageFor(ch).SetVar(name, value, true)
			return nil
		},
	}
}

// messageSendApp is MessageSend(destination[,from[,to]]).
var messageSendApp = &pbx.App{
	Name:     "MessageSend",
	Synopsis: "Send a text message.",
	Syntax:   "MessageSend(destination,[from,[to]])",
	Description: "Send a text message. The body of the message that will be sent is what is currently set to " +
		"MESSAGE(body). This may he come from an incoming message. The technology chosen for sending the message " +
		"is determined based on a prefix to the destination parameter.\n\n" +
		"This application sets the following channel variables: MESSAGE_SEND_STATUS (INVALID_PROTOCOL, " +
		"INVALID_URI, SUCCESS, FAILURE).",
	Arguments: "destination - A To URI for the message.\n" +
		"from - A From URI for the message if needed for the message technology being used to send this message.\n" +
		"to - A To URI for the message if needed for the message technology being used to send this message.",
	SeeAlso: "MESSAGE, MESSAGE_DATA",
	Exec:    messageSend,
}

func messageSend(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	status := func(s string) (pbx.Result, error) {
		ch.SetVar("MESSAGE_SEND_STATUS", s)
		return pbx.Continue, nil
	}
	if data == "" {
		log.Warning("An argument is required to MessageSend()\n")
		return status("INVALID_URI")
	}
	args := pbx.SplitArgs(data, ',')
	arg := func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
	dest := arg(0)
	if dest == "" {
		log.Warning("A 'to' URI is required for MessageSend()\n")
		return status("INVALID_URI")
	}
	msg := pbx.MessageOf(ch)
	if msg == nil {
		log.Warning("No message data found on channel to send.\n")
		return status("FAILURE")
	}
	scheme, _, _ := strings.Cut(dest, ":")
	tech, ok := ch.Engine().MessageTechFor(scheme)
	if !ok {
		log.Warning("No message technology '%s' found.\n", scheme)
		return status("INVALID_PROTOCOL")
	}
	if to := arg(2); to != "" {
		msg.Set("to", to)
	}
	ctx := ch.Ctx()
	if ctx == nil {
		ctx = context.Background()
	}
	if err := tech.SendMessage(ctx, msg, dest, arg(1)); err != nil {
		// message.c reports every technology error as FAILURE (an
		// unparseable destination too); the technology logs why.
		log.Verbose(3, "MessageSend to %s failed: %v\n", dest, err)
		return status("FAILURE")
	}
	return status("SUCCESS")
}
