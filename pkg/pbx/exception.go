package pbx

import (
	"fmt"
	"strconv"
	"strings"
)

// Dialplan exceptions (pbx.c's raise_exception): RaiseException and the
// core's own INVALID / RESPONSETIMEOUT / ABSOLUTETIMEOUT, when a context
// has an `e` extension but no `i`, `t` or `T`, send the channel to `e`
// and leave where it was, and why, for the EXCEPTION function.

// exceptionKey is the channel datastore of the last exception.
type exceptionKey struct{}

// Exception is the last exception raised on a channel.
type Exception struct {
	Reason, Context, Exten string
	Priority               int
}

// RaiseException records reason with the channel's current location and
// returns the jump to the `e` extension of its context. When that
// extension does not exist, the executor's invalid-extension handling
// ends the call, as in Asterisk.
func RaiseException(ch *Channel, reason string) Result {
	dpc, exten, prio := ch.Location()
	ch.SetDatastore(exceptionKey{}, &Exception{Reason: reason, Context: dpc, Exten: exten, Priority: prio})
	return GotoResult(dpc, "e", 1)
}

// LastException returns the exception recorded on ch, if any.
func LastException(ch *Channel) (*Exception, bool) {
	x, ok := ch.Datastore(exceptionKey{}).(*Exception)
	return x, ok
}

// exceptionFallback is what the core does where it would go to `i` or `t`
// (or `T`) but the context has none: an `e` extension gets the exception.
func (e *Engine) exceptionFallback(ch *Channel, reason string) (Result, bool) {
	dpc, _, _ := ch.Location()
	if !e.Exists(ch, dpc, "e", 1) {
		return Result{}, false
	}
	return RaiseException(ch, reason), true
}

var exceptionFunction = Function{
	Name:        "EXCEPTION",
	Synopsis:    "Retrieve the details of the current dialplan exception.",
	Syntax:      "EXCEPTION(field)",
	Description: "Retrieve the details (specifically, the field) of the current dialplan exception.",
	Arguments:   "field - The following fields are available for retrieval:\n    reason: INVALID, ERROR, RESPONSETIMEOUT, ABSOLUTETIMEOUT, or custom value set by the RaiseException() application\n    context: The context executing when the exception occurred.\n    exten: The extension executing when the exception occurred.\n    priority: The numeric priority executing when the exception occurred.",
	SeeAlso:     "RaiseException",
	Read: func(ch *Channel, field string) (string, error) {
		if ch == nil {
			return "", fmt.Errorf("EXCEPTION() requires a channel")
		}
		x, ok := LastException(ch)
		if !ok {
			// Asterisk's function fails quietly: the value is empty.
			return "", nil
		}
		switch strings.ToLower(strings.TrimSpace(field)) {
		case "reason":
			return x.Reason, nil
		case "context":
			return x.Context, nil
		case "exten":
			return x.Exten, nil
		case "priority":
			return strconv.Itoa(x.Priority), nil
		}
		return "", nil
	},
}
