package parking

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds Park, ParkedCall and ParkAndAnnounce to the engine.
func (m *Module) Register(eng *pbx.Engine) error {
	m.engine.Store(eng)
	eng.RegisterDeviceProvider(DeviceProvider, m.DeviceState)
	for _, a := range m.apps() {
		if err := eng.RegisterApp(a); err != nil {
			return fmt.Errorf("parking: %w", err)
		}
	}
	if err := eng.RegisterFunction(m.parkGetChannel()); err != nil {
		return fmt.Errorf("parking: %w", err)
	}
	return nil
}

func (m *Module) apps() []*pbx.App {
	return []*pbx.App{
		{
			Name:     "Park",
			Synopsis: "Park yourself.",
			Syntax:   "Park([parking_lot_name[,options]])",
			Description: "Used to park yourself (typically in combination with an attended transfer to know the parking space).\n" +
				"If you set the PARKINGEXTEN variable to a parking space extension in the parking lot, Park() will attempt to park the call on that extension. If the extension is already in use then execution will continue at the next priority.\n" +
				"If the 'parkeddynamic' option is enabled in res_parking.conf, a parking lot that does not exist is created from the template lot named by PARKINGDYNAMIC (else default), with PARKINGDYNCONTEXT, PARKINGDYNEXTEN and PARKINGDYNPOS as its context, parking extension and spaces; it goes away once empty.",
			Arguments: "parking_lot_name - Specify in which parking lot to park a call. The parking lot used is selected in the following order: 1) parking_lot_name option to this application 2) PARKINGLOT variable 3) the default parking lot.\n" +
				"options - r: Send ringing instead of MOH to the parked call.\n" +
				"          R: Randomize MOH when music on hold is in use (accepted).\n" +
				"          s: Silence announcement of the parking space number.\n" +
				"          c(context,extension,priority): If the parking times out, go to this place in the dialplan instead of where the parking lot defines the call should go.\n" +
				"          t(duration): Use a timeout of duration seconds instead of the timeout specified by the parking lot.",
			SeeAlso: "ParkedCall, ParkAndAnnounce",
			Exec:    m.parkExec,
		},
		{
			Name:        "ParkedCall",
			Synopsis:    "Retrieve a parked call.",
			Syntax:      "ParkedCall([parking_lot_name[,parking_space]])",
			Description: "Used to retrieve a parked call from a parking lot.",
			Arguments: "parking_lot_name - Specify from which parking lot to retrieve a parked call. The parking lot used is selected in the following order: 1) parking_lot_name option 2) PARKINGLOT variable 3) the default parking lot.\n" +
				"parking_space - Parking space to retrieve a parked call from. If not provided then the first available parked call in the parking lot will be retrieved.",
			SeeAlso: "Park, ParkAndAnnounce",
			Exec:    m.parkedCallExec,
		},
		{
			Name:        "ParkAndAnnounce",
			Synopsis:    "Park and Announce.",
			Syntax:      "ParkAndAnnounce([parking_lot_name,[options,]]announce:template,dial)",
			Description: "Park a call into the parkinglot and announce the call to another channel. The variable PARKEDAT will contain the parking extension into which the call was placed. Use with the Local channel to allow the dialplan to make use of this information.",
			Arguments: "parking_lot_name - Specify in which parking lot to park a call.\n" +
				"options - The options of Park.\n" +
				"announce_template - Colon-separated list of files to announce. The word PARKED will be replaced by a say_digits of the extension in which the call is parked.\n" +
				"dial - The app_dial style resource to call to make the announcement. Console/dsp calls the console.",
			SeeAlso: "Park, ParkedCall",
			Exec:    m.parkAndAnnounceExec,
		},
	}
}

// parkOptions are Park's options.
type parkOptions struct {
	silent, ring bool
	comeback     string
	timeout      time.Duration
	hasTimeout   bool
}

func parseParkOptions(log pbx.Logger, s string) (parkOptions, bool) {
	var o parkOptions
	for i := 0; i < len(s); i++ {
		c := s[i]
		arg := ""
		if i+1 < len(s) && s[i+1] == '(' {
			if end := strings.IndexByte(s[i+1:], ')'); end >= 0 {
				arg = s[i+2 : i+1+end]
				i += 1 + end
			}
		}
		switch c {
		case 's':
			o.silent = true
		case 'r':
			o.ring = true
		case 'c':
			o.comeback = arg
		case 't':
			if arg == "" {
				log.Warning("No duration value provided for the timeout ('t') option.\n")
				return o, false
			}
			n, err := strconv.Atoi(strings.TrimSpace(arg))
			if err != nil || n < 0 {
				log.Warning("Duration value provided for timeout ('t') option must be 0 or greater.\n")
				return o, false
			}
			o.timeout, o.hasTimeout = time.Duration(n)*time.Second, true
		}
	}
	return o, true
}

// lotFor is the lot an application names, else the channel's PARKINGLOT,
// else the default lot.
func (m *Module) lotFor(ch *pbx.Channel, name string) (*Lot, string) {
	name = strings.TrimSpace(name)
	if name == "" {
		if v, ok := ch.Var("PARKINGLOT"); ok && v != "" {
			name = v
		} else {
			name = DefaultLot
		}
	}
	return m.lookup(name), name
}

// play streams one sound file to ch through the engine's Playback.
func play(ch *pbx.Channel, file string) {
	if file == "" {
		return
	}
	_, _ = ch.Engine().ExecApp(ch, "Playback", file)
}

// sayDigits says n digit by digit, as ast_say_digits.
func sayDigits(ch *pbx.Channel, n int) {
	_, _ = ch.Engine().ExecApp(ch, "SayDigits", strconv.Itoa(n))
}

func (m *Module) parkExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	arg := func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
	return m.parkCall(ch, arg(0), arg(1), nil)
}

// parkCall parks ch (which runs Park or ParkAndAnnounce) and holds it
// until it is retrieved, hangs up, is redirected or times out. announce,
// when set, runs once the space is known.
func (m *Module) parkCall(ch *pbx.Channel, lotName, options string, announce func(space int)) (pbx.Result, error) {
	if err := ch.Answer(); err != nil {
		return pbx.HangupResult, nil
	}
	blind, _ := ch.Var("BLINDTRANSFER")
	opts, ok := parseParkOptions(m.log, options)
	quiet := opts.silent || blind != ""
	lot, name := m.lotFor(ch, lotName)
	if lot == nil && ok {
		lot = m.dynamicLot(ch, name)
	}
	if !ok || lot == nil {
		if lot == nil {
			m.log.Warning("Could not find parking lot: '%s'\n", name)
		}
		if !quiet {
			play(ch, "pbx-parkingfailed")
		}
		return pbx.Continue, nil
	}
	preferred := 0
	if v, ok := ch.Var("PARKINGEXTEN"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < lot.Start || n > lot.Stop {
			m.log.Warning("PARKINGEXTEN='%s' is not a valid parking space.\n", v)
			if !quiet {
				play(ch, "pbx-parkingfailed")
			}
			return pbx.Continue, nil
		}
		preferred = n
	}
	// The parker is who asked: the transferer of a blind transfer to the
	// parking extension, else the channel itself (it dialed the parkext).
	parker := dialString(ch.Name())
	if blind != "" {
		parker = dialString(blind)
	}
	limit := lot.ParkingTime
	if opts.hasTimeout {
		limit = opts.timeout
	}
	pc, err := m.park(ch, lot, preferred, parker, limit)
	if err != nil {
		m.log.Notice("Failed to get parking space in lot '%s'. All full.\n", lot.Name)
		if !quiet {
			play(ch, "pbx-parkingfailed")
		}
		return pbx.Continue, nil
	}
	m.log.Verbose(3, "Parking '%s' in '%s' at space %d\n", ch.Name(), lot.Name, pc.space)
	ch.SetVar("PARKINGSLOT", strconv.Itoa(pc.space))
	m.publish(ch, "ParkedCall", pc, lot)
	if announce != nil {
		announce(pc.space)
	}
	if !quiet {
		sayDigits(ch, pc.space)
	}
	ch.SetApplication("Park", lotName)
	// The parked call's record says where it is parked, as cdr.c's
	// parked-call handling fakes it, and keeps that.
	ch.SetCDRApp("Park", fmt.Sprintf("%s:%d", lot.Name, pc.space))
	if opts.ring {
		_ = ch.Indicate(pbx.IndRinging)
	} else if m.opts.Music != nil {
		if g := m.opts.Music(ch, lot.MusicClass); g != nil {
			ch.StartGenerator(g)
		}
	}
	return m.hold(ch, pc, lot, opts)
}

// hold waits for the end of a parked call's stay in its lot.
func (m *Module) hold(ch *pbx.Channel, pc *parkedCall, lot *Lot, opts parkOptions) (pbx.Result, error) {
	var expire <-chan time.Time
	if pc.limit > 0 {
		t := time.NewTimer(pc.limit)
		defer t.Stop()
		expire = t.C
	}
	retrieved := func() (pbx.Result, error) {
		ch.StopGenerator()
		close(pc.ready)
		select {
		case <-pc.done:
		case <-ch.Done():
			<-pc.done
		}
		select {
		case <-ch.Interrupted():
			// Sent elsewhere from the bridge (a transfer by the retriever):
			// the executor takes it there.
			return pbx.Continue, nil
		default:
		}
		return pbx.HangupResult, nil
	}
	select {
	case <-pc.claimed:
		return retrieved()
	case <-ch.Done():
		if !m.leave(pc) {
			return retrieved()
		}
		ch.StopGenerator()
		m.publish(ch, "ParkedCallGiveUp", pc, lot)
		return pbx.HangupResult, nil
	case <-ch.Interrupted():
		if !m.leave(pc) {
			return retrieved()
		}
		ch.StopGenerator()
		m.publish(ch, "ParkedCallSwap", pc, lot)
		return pbx.Continue, nil
	case <-expire:
		if !m.leave(pc) {
			return retrieved()
		}
	}
	ch.StopGenerator()
	m.publish(ch, "ParkedCallTimeOut", pc, lot)
	return m.comeback(ch, pc, lot, opts), nil
}

// comeback sends a parked call whose time ran out where res_parking
// does: the c() option's place, else back to the parker (the park-dial
// context's Dial of the parker's device), else comebackcontext.
func (m *Module) comeback(ch *pbx.Channel, pc *parkedCall, lot *Lot, opts parkOptions) pbx.Result {
	flat := flatten(pc.parker)
	ch.SetVar("PARKING_SPACE", strconv.Itoa(pc.space))
	ch.SetVar("PARKEDLOT", lot.Name)
	ch.SetVar("PARKER", pc.parker)
	ch.SetVar("PARKER_FLAT", flat)
	ch.SetVar("BRIDGE_FEATURES", "")
	e := ch.Engine()
	if opts.comeback != "" {
		c, x, p, err := e.ResolveGoto(ch, opts.comeback)
		if err == nil {
			return pbx.GotoResult(c, x, p)
		}
		m.log.Warning("Park: bad comeback place '%s': %v\n", opts.comeback, err)
	}
	if lot.ComebackToOrigin {
		// Asterisk adds "exten => <flat>,1,Dial(<parker>,<dialtime>)" to
		// the park-dial context and sends the call there; gostrisk runs
		// that one priority in place.
		ch.SetLocation(parkDialContext, flat, 1)
		p := &pbx.Priority{Context: parkDialContext, Exten: flat, Number: 1, App: "Dial",
			Data: fmt.Sprintf("%s,%d", pc.parker, int(lot.ComebackDialTime/time.Second))}
		res, err := e.Exec(ch, p)
		if err != nil || res.Action == pbx.ActHangup {
			return pbx.HangupResult
		}
		if res.Action == pbx.ActGoto {
			return res
		}
		// park-dial has no second priority: the call ends there.
		return pbx.HangupResult
	}
	plan := e.Plan()
	cid := ch.CallerID().Num
	switch {
	case plan != nil && plan.Exists(lot.ComebackContext, flat, cid, 1):
		return pbx.GotoResult(lot.ComebackContext, flat, 1)
	case plan != nil && plan.Exists(lot.ComebackContext, "s", cid, 1):
		m.log.Verbose(2, "Could not start %s at %s,%s,1. Using 's@%s' instead.\n", ch.Name(), lot.ComebackContext, flat, lot.ComebackContext)
		return pbx.GotoResult(lot.ComebackContext, "s", 1)
	}
	m.log.Verbose(2, "Can not start %s at %s,%s,1 and exten 's@%s' does not exist. Using 's@default'\n", ch.Name(), lot.ComebackContext, flat, lot.ComebackContext)
	return pbx.GotoResult("default", "s", 1)
}

// parkDialContext is where res_parking's call-backs to parkers run.
const parkDialContext = "park-dial"

func (m *Module) parkedCallExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	arg := func(i int) string {
		if i < len(args) {
			return strings.TrimSpace(args[i])
		}
		return ""
	}
	if err := ch.Answer(); err != nil {
		return pbx.HangupResult, nil
	}
	lot, _ := m.lotFor(ch, arg(0))
	if lot == nil {
		m.log.Warning("Could not find the requested parking lot\n")
		play(ch, "pbx-invalidpark")
		return pbx.HangupResult, nil
	}
	space := -1
	if s := arg(1); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			play(ch, "pbx-invalidpark")
			m.log.Warning("value '%s' for parking_space argument is invalid. Must be an integer greater than 0.\n", s)
			return pbx.HangupResult, nil
		}
		space = n
	}
	pc := m.claim(lot.Name, space, ch)
	if pc == nil {
		play(ch, "pbx-invalidpark")
		return pbx.HangupResult, nil
	}
	defer close(pc.done)
	select {
	case <-pc.ready:
	case <-ch.Done():
		return pbx.HangupResult, nil
	}
	ch.SetApplication("ParkedCall", data)
	m.publish(pc.ch, "UnParkedCall", pc, lot)
	courtesy(ch, pc.ch, lot)
	if pc.ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	// The retriever's record names the parked call as its party.
	ch.UpdateCDR(func(r *pbx.CDR) {
		if r.DstChannel == "" {
			r.DstChannel = pc.ch.Name()
		}
	})
	retrievedFeatures(ch, lot, ByCaller)
	retrievedFeatures(pc.ch, lot, ByCallee)
	end, err := ch.Engine().Bridge(ch.Ctx(), ch, pc.ch)
	if err != nil {
		m.log.Warning("%v\n", err)
	}
	if end == pbx.CallerInterrupted {
		return pbx.Continue, nil
	}
	return pbx.HangupResult, nil
}

func (m *Module) parkAndAnnounceExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	if strings.TrimSpace(data) == "" {
		m.log.Warning("ParkAndAnnounce has required arguments. No arguments were provided.\n")
		return pbx.HangupResult, nil
	}
	// [lot,[options,]]announce:template,dial: the template is the
	// argument that starts with "announce:"... Asterisk's order is lot,
	// options, template, dial.
	var lotName, options, template, dial string
	switch len(args) {
	case 2:
		template, dial = args[0], args[1]
	case 3:
		lotName, template, dial = args[0], args[1], args[2]
	default:
		lotName, options, template, dial = args[0], args[1], args[2], args[3]
	}
	template = strings.TrimSpace(template)
	dial = strings.TrimSpace(dial)
	if template == "" {
		m.log.Warning("ParkAndAnnounce requires the announce_template argument.\n")
		return pbx.HangupResult, nil
	}
	if dial == "" {
		m.log.Warning("ParkAndAnnounce requires the dial argument.\n")
		return pbx.HangupResult, nil
	}
	tech, resource, ok := strings.Cut(dial, "/")
	if !ok || tech == "" || resource == "" {
		m.log.Warning("ParkAndAnnounce dial string '%s' is improperly formed.\n", dial)
		return pbx.HangupResult, nil
	}
	e := ch.Engine()
	announce := func(space int) {
		ch.SetVar("PARKEDAT", strconv.Itoa(space))
		e.Spawn(func() { m.announce(ch, tech, resource, template, space) })
	}
	return m.parkCall(ch, strings.TrimSpace(lotName), strings.TrimSpace(options), announce)
}

// announce calls dial and plays the template to whoever answers, PARKED
// said digit by digit; the announcement's channel is hung up after.
func (m *Module) announce(parked *pbx.Channel, tech, resource, template string, space int) {
	e := parked.Engine()
	m.log.Verbose(3, "Dial Tech,String: (%s,%s)\n", tech, resource)
	ctx := parked.Ctx()
	out, err := e.Request(ctx, tech, resource, parked)
	if err != nil {
		m.log.Warning("PARK: Unable to allocate announce channel.\n")
		return
	}
	out.SetCtx(ctx)
	out.SetConnected(parked.CallerID())
	const ring = 30 * time.Second
	if err := out.Driver().Call(ctx, resource, ring); err != nil {
		m.log.Warning("PARK: Failed to announce park.\n")
		out.Hangup(pbx.CauseNormalClearing)
		return
	}
	if !waitAnswer(out, ring) {
		out.Hangup(pbx.CauseNoAnswer)
		return
	}
	m.log.Verbose(4, "Announce Template: %s\n", template)
	for _, f := range strings.Split(template, ":") {
		if out.HangupRequested() {
			break
		}
		m.log.Verbose(4, "Announce:%s\n", f)
		if f == "PARKED" {
			sayDigits(out, space)
			continue
		}
		play(out, f)
	}
	out.Hangup(pbx.CauseNormalClearing)
}

// waitAnswer waits for an outbound channel's answer.
func waitAnswer(ch *pbx.Channel, timeout time.Duration) bool {
	wake := make(chan struct{}, 1)
	stop := ch.Watch(wake)
	defer stop()
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		if ch.State() == pbx.StateUp {
			return true
		}
		select {
		case <-wake:
			for _, ev := range ch.TakeEvents() {
				switch ev.Kind {
				case pbx.EventAnswer:
					return true
				case pbx.EventBusy, pbx.EventCongestion, pbx.EventHangup:
					return false
				}
			}
		case <-ch.Done():
			return false
		case <-t.C:
			return false
		}
	}
}

// publish sends one of res_parking's manager events.
func (m *Module) publish(ch *pbx.Channel, typ string, pc *parkedCall, lot *Lot) {
	bus := ch.Engine().Bus()
	if !bus.Wants(pbx.BusEventType(typ)) {
		return
	}
	dur := int(time.Since(pc.start) / time.Second)
	// res_parking names the parked call's snapshot block Parkee.
	bus.Publish(pbx.BusEvent{Type: pbx.BusEventType(typ), Channel: ch, ChannelPrefix: "Parkee", Fields: []pbx.EventField{
		{Key: "ParkerDialString", Value: pc.parker},
		{Key: "Parkinglot", Value: lot.Name},
		{Key: "ParkingSpace", Value: strconv.Itoa(pc.space)},
		{Key: "ParkingTimeout", Value: strconv.Itoa(max(0, int(pc.limit/time.Second)-dur))},
		{Key: "ParkingDuration", Value: strconv.Itoa(dur)},
	}})
}
