package apps

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_signal's Signal and WaitForSignal: named signals between channels
// of one engine. A signal reaches the channels waiting for its name
// (case-insensitive) when it is sent, with its payload; sent while none
// waits, it is lost (SIGNALSTATUS=FAILURE), as Asterisk's is.
//
// Difference: Asterisk wakes its waiters one after the other through a
// pipe, and a waiter leaving on its timeout passes a wake-up on to the
// next one as if a signal had come; here a signal wakes exactly the
// channels waiting when it is sent.

// signalHub holds the waiters by lower-case signal name.
type signalHub struct {
	mu      sync.Mutex
	waiters map[string]map[chan string]struct{}
}

func (h *signalHub) wait(name string) (chan string, func()) {
	key := strings.ToLower(name)
	w := make(chan string, 1)
	h.mu.Lock()
	if h.waiters == nil {
		h.waiters = map[string]map[chan string]struct{}{}
	}
	if h.waiters[key] == nil {
		h.waiters[key] = map[chan string]struct{}{}
	}
	h.waiters[key][w] = struct{}{}
	h.mu.Unlock()
	return w, func() {
		h.mu.Lock()
		delete(h.waiters[key], w)
		if len(h.waiters[key]) == 0 {
			delete(h.waiters, key)
		}
		h.mu.Unlock()
	}
}

// send delivers payload to every waiter of name; false when none waits.
func (h *signalHub) send(name, payload string) bool {
	key := strings.ToLower(name)
	h.mu.Lock()
	defer h.mu.Unlock()
	ws := h.waiters[key]
	for w := range ws {
		select {
		case w <- payload:
		default: // already signalled, not yet gone
		}
	}
	return len(ws) > 0
}

// maxSignalName is AST_MAX_CONTEXT: longer names are refused.
const maxSignalName = 80

func signalName(log pbx.Logger, data string) (args []string, ok bool) {
	if data == "" {
		log.Warning("Signal() requires arguments\n")
		return nil, false
	}
	args = append(pbx.SplitArgs(data, ','), "")
	if args[0] == "" {
		log.Warning("Missing signal name\n")
		return nil, false
	}
	if len(args[0]) >= maxSignalName {
		log.Warning("Signal name '%s' is too long\n", args[0])
		return nil, false
	}
	return args, true
}

var signalApp = &pbx.App{
	Name:        "Signal",
	Synopsis:    "Sends a signal to any waiting channels.",
	Syntax:      "Signal(signalname[,payload])",
	Description: "Sends a named signal to any channels that may be waiting for one. Acts as a producer in a simple message queue.\n\n    SIGNALSTATUS:\n        SUCCESS: Signal was successfully sent to at least one listener for processing.\n        FAILURE: Signal could not be sent or nobody was listening for this signal.",
	Arguments:   "signalname - Name of signal to send.\npayload - Payload data to deliver.",
	SeeAlso:     "WaitForSignal",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		args, ok := signalName(ch.Engine().Log(), data)
		if !ok {
			return pbx.HangupResult, nil
		}
		status := "FAILURE"
		if configOf(ch.Engine()).signals.send(args[0], args[1]) {
			status = "SUCCESS"
		}
		ch.SetVar("SIGNALSTATUS", status)
		return pbx.Continue, nil
	},
}

var waitForSignalApp = &pbx.App{
	Name:        "WaitForSignal",
	Synopsis:    "Waits for a named signal on a channel.",
	Syntax:      "WaitForSignal(signalname[,signaltimeout])",
	Description: "Waits for signaltimeout seconds on the current channel to receive a signal with name signalname. Acts as a consumer in a simple message queue.\n\nResult of signal wait will be stored in the following variables:\n    WAITFORSIGNALSTATUS:\n        SIGNALED: Signal was received.\n        TIMEOUT: Timed out waiting for signal.\n        HANGUP: Channel hung up before signal was received.\n    WAITFORSIGNALPAYLOAD: Data payload attached to signal, if it exists",
	Arguments:   "signalname - Name of signal to send.\nsignaltimeout - Maximum time, in seconds, to wait for signal.",
	SeeAlso:     "Signal",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		args, ok := signalName(log, data)
		if !ok {
			return pbx.HangupResult, nil
		}
		var timeout time.Duration
		if a := strings.TrimSpace(args[1]); a != "" {
			secs, err := strconv.ParseFloat(a, 64)
			if err != nil || secs < 0 {
				log.Warning("Invalid timeout provided: %s. Defaulting to no timeout.\n", args[1])
			} else {
				timeout = time.Duration(secs * float64(time.Second))
			}
		}
		w, leave := configOf(ch.Engine()).signals.wait(args[0])
		defer leave()
		var expire <-chan time.Time
		if timeout > 0 {
			t := time.NewTimer(timeout)
			defer t.Stop()
			expire = t.C
		}
		select {
		case payload := <-w:
			if payload != "" {
				ch.SetVar("WAITFORSIGNALPAYLOAD", payload)
			}
			log.Verbose(3, "Received signal '%s' on channel '%s'\n", args[0], ch.Name())
			ch.SetVar("WAITFORSIGNALSTATUS", "SIGNALED")
			return pbx.Continue, nil
		case <-expire:
			log.Verbose(3, "Channel '%s' timed out, waiting for signal '%s'\n", ch.Name(), args[0])
			ch.SetVar("WAITFORSIGNALSTATUS", "TIMEOUT")
			return pbx.Continue, nil
		case <-ch.Done():
		case <-ch.Interrupted():
		}
		ch.SetVar("WAITFORSIGNALSTATUS", "HANGUP")
		log.Verbose(3, "Channel '%s' hung up\n", ch.Name())
		return pbx.HangupResult, nil
	},
}
