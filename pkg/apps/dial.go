package apps

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var dialApp = &pbx.App{
	Name:     "Dial",
	Synopsis: "Attempt to connect to another device or endpoint and bridge the call.",
	Syntax:   "Dial(Technology/Resource[&Technology2/Resource2[&...]][,timeout[,options[,URL]]])",
	Description: "This application will place calls to one or more specified channels. As soon as one of the requested channels answers, the originating channel will be answered, if it has not already been answered. These two channels will then be active in a bridged call. All other channels that were requested will then be hung up.\n\n" +
		"Unless there is a timeout specified, the Dial application will wait indefinitely until one of the called channels answers, the user hangs up, or if all of the called channels are busy or unavailable. Dialplan execution will continue if no requested channels can be called, or if the timeout expires. This application will report normal termination if the originating channel hangs up, or if the call is bridged and either of the parties in the bridge ends the call.\n\n" +
		"This application sets the following channel variables:\n" +
		"DIALEDTIME - This is the time from dialing a channel until when it is disconnected.\n" +
		"ANSWEREDTIME - This is the amount of time for actual call.\n" +
		"DIALEDPEERNAME - The name of the outbound channel that answered the call.\n" +
		"DIALEDPEERNUMBER - The number that was dialed for the answered outbound channel.\n" +
		"DIALSTATUS - This is the status of the call: CHANUNAVAIL, CONGESTION, NOANSWER, BUSY, ANSWER, CANCEL.\n\n" +
		"In gostrisk the options r (indicate ringing to the caller at once), m (music on hold instead of ringing), g (continue in the dialplan when the called party hangs up), A(x) (announcement to the called party), C (reset the CDR), D(called:calling) (digits after the answer), U(x^args) (subroutine on the called channel), M(x^args) (macro on the called channel, MACRO_RESULT), F([context^exten^priority]) (the called party goes on in the dialplan when the caller hangs up), G(context^exten^priority) (both parties go into the dialplan at the answer), b(x)/B(x) (pre-dial subroutines on each new channel / the caller), e (the h extension on the called channel after the call), d (a one-digit extension dialed while ringing leaves, EXITCONTEXT), c (cancelled legs answered elsewhere), Q(cause) (the cause of the legs that lose), S(x) and L(x) (the call's time limit; L's warnings are not played) and the features.conf DTMF features t/T (blind and attended transfer), k/K (park), h/H (disconnect) are implemented; w, W, x, X (one-touch recording) are handed to the bridge's features (automon/automixmon), o[(x)] (the called channel's caller ID is the caller's, or x), f(x) with u(x) (the identity and presentation sent to the called party), a (the caller is answered before A/M/U run on the called party; otherwise after them), r(tone) (progress and the tone of the caller's tone zone), R (ringing, then the called party's early media). f without x, s, i, I, z, j and E change nothing: they concern call forwards (not followed: a 3xx ends the attempt), connected-line updates, stream topologies and MF/SF digits gostrisk does not have. The screening and privacy options n, N, p, P are not implemented.",
	Arguments: "Technology/Resource - Specification of the device(s) to dial, separated by &.\n" +
		"timeout - How long, in seconds, to wait for the call to be answered.\n" +
		"options - g: Proceed with dialplan execution at the next priority in the current extension if the destination channel hangs up.\n" +
		"          r: Default: Indicate ringing to the calling party, even if the called party isn't actually ringing.\n" +
		"          m([class]): Provide hold music to the calling party until a requested channel answers. A specific music on hold class (as defined in musiconhold.conf) can be specified.\n" +
		"          t: Allow the called party to transfer the calling party (features.conf blindxfer, atxfer). T: Allow the calling party to transfer the called party.\n" +
		"          k: Allow the called party to park the call (parkcall). K: Allow the calling party to park the call.\n" +
		"          h: Allow the called party to hang up by sending the disconnect code. H: Allow the calling party to do so.\n" +
		"          F([context^exten^priority]): When the caller hangs up, the called party continues at the location (default: the next priority).\n" +
		"          G(context^exten^priority): When answered, the caller goes to the priority and the called party to priority+1.\n" +
		"          M(macro[^arg[^...]]): Run the macro on the called channel before connecting; MACRO_RESULT as U's GOSUB_RESULT.\n" +
		"          b(context^exten^priority(args)): Gosub on each new channel before it is called. B(...): Gosub on the caller before the calls.\n" +
		"          d: Allow the calling user to dial a 1 digit extension while waiting for a call to be answered (in EXITCONTEXT, else the current context).\n" +
		"          e: Execute the h extension for the called channel after the call ends.\n" +
		"          c: The legs cancelled are hung up as answered elsewhere. Q(cause): The cause the legs that lose are hung up with when one answers (default ANSWERED_ELSEWHERE, NONE for none).\n" +
		"          w, W, x, X: one-touch recording features (automon, automixmon).\n" +
		"          a: Immediately answer the calling channel when the called channel answers, before A(), M() and U().\n" +
		"          o([x]): The CallerID of the calling channel (or x) is stored as the CallerID on the called channel.\n" +
		"          f(x): Force the CallerID sent to x. u(x): with f, force its presentation (allowed_not_screened ... unavailable).\n" +
		"          r([tone]): Indicate ringing to the calling party at once; with tone, indicate progress and play that tone of the tone zone.\n" +
		"          R: Indicate ringing to the calling party at once; early media from the called party interrupts it.\n" +
		"URL - The optional URL will be sent to the called party if the channel driver supports it.",
	SeeAlso: "RetryDial, SendDTMF, Gosub",
	Exec:    dial,
}

// leg is one called device.
type leg struct {
	iface  string // "SIP/6000"
	number string // "6000"
	ch     *pbx.Channel
}

// tally counts why called devices failed, as Asterisk's Dial does.
type tally struct{ busy, congestion, nochan int }

func (t *tally) cause(c int) {
	switch c {
	case pbx.CauseBusy:
		t.busy++
	case pbx.CauseCongestion:
		t.congestion++
	case pbx.CauseNoAnswer, pbx.CauseNormalClearing, pbx.CauseNotDefined:
	default:
		t.nochan++
	}
}

func dial(caller *pbx.Channel, data string) (pbx.Result, error) {
	e := caller.Engine()
	log := e.Log()
	args := pbx.SplitArgs(data, ',')
	if strings.TrimSpace(args[0]) == "" {
		log.Warning("Dial requires an argument (technology/resource)\n")
		caller.SetVar("DIALSTATUS", "INVALIDARGS")
		return pbx.HangupResult, nil
	}
	var timeout time.Duration
	if len(args) > 1 {
		timeout = pbx.ParseDuration(args[1], 0)
	}
	opts := map[byte]string{}
	if len(args) > 2 {
		opts = pbx.ParseAppOptions(args[2])
	}
	_, goOn := opts['g']
	for _, c := range []byte("pP") {
		if _, ok := opts[c]; ok {
			// Screening and privacy (with their n and N modifiers) need
			// the caller's recorded introduction and the callee's menu,
			// which gostrisk does not have yet: said, not hidden.
			log.Warning("Dial option %c (call screening/privacy) is not supported by gostrisk; dialing without it\n", c)
		}
	}
	start := time.Now()
	defer func() {
		caller.SetVar("DIALEDTIME", strconv.Itoa(int(time.Since(start)/time.Second)))
	}()
	for _, v := range []string{"DIALSTATUS", "DIALEDPEERNAME", "DIALEDPEERNUMBER", "ANSWEREDTIME"} {
		caller.UnsetVar(v)
	}
	ctx := caller.Ctx()
	dc, dx, _ := caller.Location()

	var legs []*leg
	defer func() {
		// The legs' cause codes (HANGUPCAUSE) pass to the caller.
		for _, l := range legs {
			caller.CopyCauseCodes(l.ch)
		}
	}()
	var t tally
	lastCause := 0
	if spec, ok := opts['B']; ok && spec != "" {
		// B: a subroutine on the caller before any call is placed.
		runSubroutine(caller, strings.ReplaceAll(spec, "^", ","))
	}
	ifaces := strings.Split(args[0], "&")
	reqCtx := ctx
	if canEarlyBridge(len(ifaces), opts) {
		reqCtx = pbx.WithEarlyBridge(ctx)
	}
	for _, iface := range ifaces {
		tech, rsrc, ok := strings.Cut(strings.TrimSpace(iface), "/")
		if !ok {
			log.Warning("Dial argument takes format (technology/resource)\n")
			t.nochan++
			continue
		}
		out, err := e.Request(reqCtx, tech, rsrc, caller)
		if err != nil {
			cause := pbx.CauseRequestedChanUnavail
			var re *pbx.RequestError
			if errors.As(err, &re) {
				cause = re.Cause
			}
			log.Warning("Unable to create channel of type '%s' (cause %d - %s)\n", tech, cause, pbx.CauseText(cause))
			switch cause {
			case pbx.CauseBusy, pbx.CauseCongestion:
				t.cause(cause)
			default:
				t.nochan++ // a device that cannot even be requested is unavailable
			}
			lastCause = cause
			continue
		}
		number := rsrc
		if i := strings.LastIndexByte(number, '/'); i >= 0 {
			number = number[i+1:]
		}
		prepareOutbound(caller, out, dc, dx)
		applyIdentityOptions(caller, out, opts)
		if spec, ok := opts['b']; ok && spec != "" {
			// b: a subroutine on the new channel before it is called.
			runSubroutine(out, strings.ReplaceAll(spec, "^", ","))
		}
		publishDialBegin(caller, out, rsrc)
		if err := out.Driver().Call(ctx, rsrc, timeout); err != nil {
			publishDialEnd(caller, out, "CHANUNAVAIL")
			log.Verbose(3, "Couldn't call %s\n", iface)
			c := out.HangupCause()
			if c == 0 {
				c = pbx.CauseRequestedChanUnavail
			}
			t.cause(c)
			lastCause = c
			out.Hangup(c)
			continue
		}
		log.Verbose(3, "Called %s\n", iface)
		legs = append(legs, &leg{iface: iface, number: number, ch: out})
	}
	if len(legs) == 0 {
		caller.SetVar("DIALSTATUS", "CHANUNAVAIL")
		if lastCause != 0 {
			caller.SetHangupCause(lastCause)
		}
		return pbx.Continue, nil
	}
	caller.SetVar("DIALSTATUS", "NOANSWER")
	ringTone, sentRinging := opts['r']
	_, earlyMedia := opts['R']
	mohClass, moh := opts['m']
	toning := false
	switch {
	case moh:
		// m wins over r, as in Asterisk: the caller hears music instead
		// of ringing, with early media (183) so that it is heard.
		moh = startHoldMusic(caller, mohClass)
		indicate(caller, pbx.IndProgress)
		sentRinging = true
	case sentRinging && ringTone != "":
		if toning = startRingTone(caller, ringTone); !toning {
			indicate(caller, pbx.IndRinging)
		}
	case sentRinging || earlyMedia:
		// R rings at once too, but the called party's early media
		// still reaches the caller (progress is passed on).
		indicate(caller, pbx.IndRinging)
		sentRinging = true
	}

	var exit dialExit
	var stopDigits func()
	if _, ok := opts['d']; ok {
		exit.digits, stopDigits = ReadDigits(caller)
		exit.byDigit = true
	}
	if exit.keys = caller.RingingKeys(); exit.keys != nil && exit.digits == nil {
		exit.digits, stopDigits = ReadDigits(caller)
	}
	winner, status := waitForAnswer(caller, legs, timeout, sentRinging, earlyMedia, &t, cancelCauses(caller, opts), &exit)
	if stopDigits != nil {
		stopDigits() // before the bridge, which reads the caller's media
	}
	publishDialEnds(caller, legs, winner, status)
	if moh {
		stopHoldMusic(caller)
	}
	if toning {
		caller.StopGenerator()
	}
	if winner == nil {
		caller.SetVar("DIALSTATUS", status)
		if status == "CANCEL" && exit.exten != "" {
			return pbx.GotoResult(exit.context, exit.exten, 1), nil
		}
		if status == "CANCEL" {
			return pbx.HangupResult, nil
		}
		if status == "BUSY" || status == "CONGESTION" {
			caller.SetHangupCause(map[string]int{"BUSY": pbx.CauseBusy, "CONGESTION": pbx.CauseCongestion}[status])
		}
		return pbx.Continue, nil
	}

	peer := winner.ch
	log.Verbose(3, "%s answered %s\n", peer.Name(), caller.Name())
	answerCaller := func() bool {
		if err := caller.Answer(); err != nil {
			log.Warning("Unable to answer %s: %v\n", caller.Name(), err)
			peer.Hangup(pbx.CauseNormalClearing)
			return false
		}
		return true
	}
	// The caller is answered once A, M and U are done with the called
	// party (at the bridge, as Asterisk's bridge answers it), unless a
	// asks for it at once; G leaves without a bridge, so it answers here.
	_, answerNow := opts['a']
	if _, ok := opts['G']; ok {
		answerNow = true
	}
	if answerNow && !answerCaller() {
		return pbx.HangupResult, nil
	}
	caller.SetVar("DIALSTATUS", "ANSWER")
	caller.SetVar("DIALEDPEERNAME", peer.Name())
	caller.SetVar("DIALEDPEERNUMBER", winner.number)
	answered := time.Now()
	if proceed, res := afterAnswer(caller, peer, opts); !proceed {
		return res, nil
	}
	if !answerNow && !answerCaller() {
		return pbx.HangupResult, nil
	}
	if target, ok := opts['G']; ok && target != "" {
		// G: no bridge, both parties go into the dialplan.
		return gotoBoth(caller, peer, target), nil
	}
	// No generator is left on the caller (StartMusicOnHold before Dial),
	// as Dial deactivates them before the bridge.
	caller.StopGenerator()
	setDialFeatures(caller, peer, opts)
	bctx, cancelLimit, limited := bridgeLimit(ctx, opts)
	end, err := e.Bridge(bctx, caller, peer)
	cancelLimit()
	caller.SetVar("ANSWEREDTIME", strconv.Itoa(int(time.Since(answered)/time.Second)))
	if err != nil {
		log.Warning("%v\n", err)
	}
	peerH := func() {
		if _, ok := opts['e']; ok {
			// e: the h extension runs on the called channel.
			e.RunHangupExten(peer)
		}
	}
	if end == pbx.Cancelled && limited && ctx.Err() == nil {
		// S or L: the time is up, both parties are hung up.
		peerH()
		peer.Hangup(pbx.CauseNormalClearing)
		return pbx.HangupResult, nil
	}
	if target, ok := opts['F']; ok && end == pbx.CallerLeft && !peer.HangupRequested() {
		// F: the callee goes on in the dialplan when the caller hangs up.
		if continueCallee(caller, peer, target, 0) {
			return pbx.HangupResult, nil
		}
	}
	if end != pbx.PeerInterrupted {
		peerH()
	}
	switch end {
	case pbx.PeerInterrupted:
		// Whoever interrupted the callee (a transfer, parking) owns it
		// now: it stays up, and for the caller it is as if it hung up.
		end = pbx.PeerLeft
	case pbx.CallerInterrupted:
		// The caller was taken out alive (a redirect): its dialplan goes
		// on, the callee's call ends.
		peer.Hangup(pbx.CauseNormalClearing)
		return pbx.Continue, nil
	default:
		peer.Hangup(pbx.CauseNormalClearing)
	}
	if end == pbx.PeerLeft && goOn && !caller.HangupRequested() {
		return pbx.Continue, nil
	}
	return pbx.HangupResult, nil
}

// prepareOutbound gives a new outbound channel what Asterisk's Dial does:
// inherited variables, the caller as connected line (what the far end is
// shown), a caller ID of the dialed extension when the driver set none,
// the caller's context and AppDial as its application.
func prepareOutbound(caller, out *pbx.Channel, dpContext, exten string) {
	out.InheritVars(caller)
	out.SetConnected(caller.CallerID())
	_, pres := caller.CallerPresentation()
	out.SetConnectedPresentation(pres)
	if out.CallerID().Num == "" {
		out.UpdateCallerID(func(id *pbx.CallerID) { id.Num = exten })
	}
	out.SetLocation(dpContext, "", 1)
	out.SetApplication("AppDial", "(Outgoing Line)")
	out.SetDialedFrom(dpContext, caller)
}

// waitForAnswer rings every leg until one answers, all fail, the timeout
// passes or the caller hangs up. Legs that lose are hung up here.
func waitForAnswer(caller *pbx.Channel, legs []*leg, timeout time.Duration, sentRinging, passProgress bool, t *tally, cc cancelCause, exit *dialExit) (*leg, string) {
	log := caller.Engine().Log()
	wake := make(chan struct{}, 1)
	for _, l := range legs {
		stop := l.ch.Watch(wake)
		defer stop()
	}
	var expire <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expire = timer.C
	}
	numLines := len(legs)
	live := append([]*leg(nil), legs...)
	hangupAll := func(except *leg, cause int) {
		for _, l := range live {
			if l != except {
				l.ch.Hangup(cause)
			}
		}
	}
	for {
		select {
		case <-caller.Done():
			if len(live) == 1 && caller.TakeRingingLeg(live[0].ch) {
				return nil, "CANCEL" // a blond transfer keeps it ringing (pbx.RingingTaker)
			}
			hangupAll(nil, cc.cancelled(caller))
			return nil, "CANCEL"
		case <-caller.Ctx().Done():
			hangupAll(nil, cc.cancelled(caller))
			return nil, "CANCEL"
		case <-caller.Interrupted():
			// Redirected while the legs ring (AsyncGoto): they are
			// cancelled and the caller goes where it was sent.
			hangupAll(nil, cc.cancelled(caller))
			return nil, "CANCEL"
		case d, ok := <-exit.digits:
			if !ok {
				exit.digits = nil // no media: no keys to wait for
				continue
			}
			if exit.keys != nil {
				switch exit.keys(d) {
				case pbx.RingingKeyCancel:
					hangupAll(nil, cc.cancelled(caller))
					return nil, "CANCEL"
				case pbx.RingingKeyTake:
					if len(live) == 1 && caller.TakeRingingLeg(live[0].ch) {
						return nil, "CANCEL"
					}
				}
			}
			if exit.byDigit && exit.take(caller, d) {
				log.Verbose(3, "User hit %c to disconnect call.\n", d)
				hangupAll(nil, cc.cancelled(caller))
				return nil, "CANCEL"
			}
		case <-expire:
			log.Verbose(3, "Nobody picked up in %d ms\n", timeout.Milliseconds())
			hangupAll(nil, cc.timedOut)
			return nil, "NOANSWER"
		case <-wake:
		}
		var still []*leg
		for _, l := range live {
			gone := false
			for _, ev := range l.ch.TakeEvents() {
				if gone {
					break
				}
				switch ev.Kind {
				case pbx.EventRinging:
					log.Verbose(3, "%s is ringing\n", l.ch.Name())
					if !sentRinging {
						indicate(caller, pbx.IndRinging)
						sentRinging = true
					}
				case pbx.EventProgress:
					log.Verbose(3, "%s is making progress passing it to %s\n", l.ch.Name(), caller.Name())
					if !sentRinging || passProgress {
						indicate(caller, pbx.IndProgress)
					}
				case pbx.EventAnswer:
					if by := l.ch.PickedUpBy(); by != nil {
						// Picked up (Pickup, pickupexten): the picker takes
						// the ringing leg's place, as Asterisk's channel
						// move does.
						hangupAll(nil, pbx.CauseAnsweredElsewhere)
						return &leg{iface: l.iface, number: l.number, ch: by}, "ANSWER"
					}
					hangupAll(l, cc.answered)
					return l, "ANSWER"
				case pbx.EventBusy:
					log.Verbose(3, "%s is busy\n", l.ch.Name())
					t.busy++
					l.ch.Hangup(pbx.CauseBusy)
					gone = true
				case pbx.EventCongestion:
					log.Verbose(3, "%s is circuit-busy\n", l.ch.Name())
					t.congestion++
					l.ch.Hangup(pbx.CauseCongestion)
					gone = true
				case pbx.EventHangup:
					c := l.ch.HangupCause()
					t.cause(c)
					l.ch.Hangup(c)
					gone = true
				}
			}
			if !gone {
				still = append(still, l)
			}
		}
		live = still
		if len(live) > 0 {
			continue
		}
		if numLines == t.busy+t.congestion+t.nochan {
			log.Verbose(2, "Everyone is busy/congested at this time (%d:%d/%d/%d)\n", numLines, t.busy, t.congestion, t.nochan)
			switch {
			case t.busy > 0:
				return nil, "BUSY"
			case t.congestion > 0:
				return nil, "CONGESTION"
			default:
				return nil, "CHANUNAVAIL"
			}
		}
		log.Verbose(3, "No one is available to answer at this time (%d:%d/%d/%d)\n", numLines, t.busy, t.congestion, t.nochan)
		return nil, "NOANSWER"
	}
}

// setDialFeatures gives each party the DTMF features Dial's options
// enable for it: lower-case letters for the called party (t, k, h, w, x),
// upper-case for the caller (T, K, H, W, X).
func setDialFeatures(caller, peer *pbx.Channel, opts map[byte]string) {
	var forCaller, forPeer string
	for c := range opts {
		switch c {
		case 't', 'k', 'h', 'w', 'x':
			forPeer += string(c)
		case 'T', 'K', 'H', 'W', 'X':
			forCaller += string(c)
		}
	}
	caller.SetFeatureFlags(pbx.ParseFeatureLetters(forCaller))
	peer.SetFeatureFlags(pbx.ParseFeatureLetters(forPeer))
}
