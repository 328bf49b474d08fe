package apps

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var pageApp = &pbx.App{
	Name:     "Page",
	Synopsis: "Page series of phones",
	Syntax:   "Page(Technology/Resource[&Technology2/Resource2[&...]][,options[,timeout]])",
	Description: "Places outbound calls to the given technology/resource and dumps them into a conference bridge as muted participants. " +
		"The original caller is dumped into the conference as a speaker and the room is destroyed when the original caller leaves.\n\n" +
		"Page adds no auto-answer header itself: as with Asterisk, set one before it (SIPAddHeader(Call-Info: answer-after=0), " +
		"or Alert-Info) and the paged channels inherit it. The i option is accepted: gostrisk does not follow call forwards anyway.",
	Arguments: "Technology/Resource - Specification of the device(s) to dial. These must be in the format of Technology/Resource, where Technology represents a particular channel driver, " +
		"and Resource represents a resource available to that particular channel driver. Optional extra devices to dial in parallel: Technology2/Resource2&Technology3/Resource3&.....\n" +
		"options - b(context^exten^priority(arg1^...)): Before initiating an outgoing call, Gosub to the specified location using the newly created channel. The Gosub will be executed for each destination channel.\n" +
		"          B(context^exten^priority(arg1^...)): Before initiating the outgoing call(s), Gosub to the specified location using the current channel.\n" +
		"          d: Full duplex audio\n" +
		"          i: Ignore attempts to forward the call\n" +
		"          q: Quiet, do not play beep to caller\n" +
		"          r: Record the page into a file (CONFBRIDGE(bridge,record_conference))\n" +
		"          s: Only dial a channel if its device state says that it is NOT_INUSE\n" +
		"          A(x): Play an announcement to all paged participants\n" +
		"          n: Do not play announcement to caller (alters A(x) behavior)\n" +
		"timeout - Specify the length of time that the system will attempt to connect a call. After this duration, any page calls that have not been answered will be hung up by the system.",
	SeeAlso: "ConfBridge",
	Exec:    page,
}

// pageBeep is the sound Page plays to the caller before the conference.
const pageBeep = "beep"

// pageProfiles writes the CONFBRIDGE() profile options app_page gives a
// paged channel (caller false) or the caller (true).
func pageProfiles(ch *pbx.Channel, opts map[byte]string, caller bool) {
	e := ch.Engine()
	set := func(what, v string) {
		if err := e.WriteFunction(ch, "CONFBRIDGE", what, v); err != nil {
			e.Log().Warning("Page: CONFBRIDGE(%s): %v\n", what, err)
		}
	}
	// app_page first writes template="" (default_bridge/default_user);
	// gostrisk's dynamic profiles start from those defaults already.
	if _, ok := opts['r']; ok {
		set("bridge,record_conference", "yes")
	}
	set("user,quiet", "yes")
	announce, hasAnnounce := opts['A']
	if caller {
		set("user,marked", "yes")
		if _, n := opts['n']; !n && hasAnnounce && announce != "" {
			set("user,announcement", announce)
		}
		return
	}
	set("user,end_marked", "yes")
	if _, duplex := opts['d']; !duplex {
		set("user,startmuted", "yes")
	}
	if hasAnnounce && announce != "" {
		set("user,announcement", announce)
	}
}

func page(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	if _, ok := e.App("ConfBridge"); !ok {
		log.Warning("There is no ConfBridge application available!\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	originator, _, _ := strings.Cut(ch.Name(), "-")
	opts := pbx.ParseAppOptions(args[1])
	timeout, _ := strconv.Atoi(strings.TrimSpace(args[2]))
	confID := strconv.FormatUint(uint64(rand.Uint32()), 10)

	if spec, ok := opts['B']; ok && spec != "" {
		runSubroutine(ch, strings.ReplaceAll(spec, "^", ","))
	}
	pg := &pager{caller: ch, opts: opts, conf: confID, ended: make(chan struct{})}
	if timeout > 0 {
		pg.timeout = time.Duration(timeout) * time.Second
	}
	dpc, dx, _ := ch.Location()
	for _, dev := range strings.Split(args[0], "&") {
		dev = strings.TrimSpace(dev)
		if dev == "" || strings.EqualFold(dev, originator) {
			continue // nothing there, or the caller's own device
		}
		tech, rsrc, ok := strings.Cut(dev, "/")
		if !ok {
			log.Warning("Incomplete destination: '%s' supplied.\n", dev)
			continue
		}
		if _, ok := opts['s']; ok {
			switch st := e.DeviceState(dev); st {
			case pbx.DeviceUnknown:
				log.Verbose(3, "Destination '%s' has device state '%s'. Paging anyway.\n", dev, st)
			case pbx.DeviceNotInUse:
			default:
				log.Verbose(3, "Destination '%s' has device state '%s'.\n", dev, st)
				continue
			}
		}
		// No requestor: a paged leg is not a Dial leg whose early media
		// the driver would relay to the caller (which takes the caller's
		// media from the conference), as ast_dial's legs are not.
		out, err := e.Request(ch.Ctx(), tech, rsrc, nil)
		if err != nil {
			log.Warning("Unable to create channel of type '%s': %v\n", tech, err)
			continue
		}
		prepareOutbound(ch, out, dpc, dx)
		if spec, ok := opts['b']; ok && spec != "" {
			runSubroutine(out, strings.ReplaceAll(spec, "^", ","))
		}
		if err := out.Driver().Call(ch.Ctx(), rsrc, pg.timeout); err != nil {
			log.Verbose(3, "Couldn't call %s\n", dev)
			out.Hangup(pbx.CauseRequestedChanUnavail)
			continue
		}
		log.Verbose(3, "Called %s\n", dev)
		pg.add(out)
	}

	ok := true
	if _, quiet := opts['q']; !quiet {
		if !SoundExists(ch, pageBeep) {
			log.Warning("Missing required sound file: '%s'\n", pageBeep)
		} else if _, err := streamAndWait(ch, pageBeep, ch.Language(), nil); err != nil && ch.HangupRequested() {
			ok = false
		}
	}
	if ok {
		pageProfiles(ch, opts, true)
		if _, err := e.ExecApp(ch, "ConfBridge", confID); err != nil {
			log.Warning("Page: %v\n", err)
		}
	}
	pg.end()
	return pbx.HangupResult, nil
}

// pager follows the paged channels: each one answered joins the
// conference on its own goroutine, owned by the pager, which end waits for.
type pager struct {
	caller  *pbx.Channel
	opts    map[byte]string
	conf    string
	timeout time.Duration
	ended   chan struct{} // closed when the caller left the conference
	wg      sync.WaitGroup
	mu      sync.Mutex
	legs    []*pbx.Channel
}

func (pg *pager) add(out *pbx.Channel) {
	pg.mu.Lock()
	pg.legs = append(pg.legs, out)
	pg.mu.Unlock()
	pg.wg.Add(1)
	go func() {
		defer pg.wg.Done()
		pg.follow(out)
	}()
}

// follow waits for out's answer (then runs ConfBridge on it, as
// ast_dial's ANSWER_EXEC), its failure, the timeout or the page's end.
func (pg *pager) follow(out *pbx.Channel) {
	e := out.Engine()
	wake := make(chan struct{}, 1)
	stop := out.Watch(wake)
	defer stop()
	var expire <-chan time.Time
	if pg.timeout > 0 {
		t := time.NewTimer(pg.timeout)
		defer t.Stop()
		expire = t.C
	}
	for {
		select {
		case <-pg.ended:
			out.Hangup(pbx.CauseNormalClearing)
			return
		case <-expire:
			out.Hangup(pbx.CauseNoAnswer)
			return
		case <-wake:
		}
		for _, ev := range out.TakeEvents() {
			switch ev.Kind {
			case pbx.EventAnswer:
				pageProfiles(out, pg.opts, false)
				if _, err := e.ExecApp(out, "ConfBridge", pg.conf); err != nil {
					e.Log().Warning("Page: %v\n", err)
				}
				out.Hangup(pbx.CauseNormalClearing)
				return
			case pbx.EventBusy:
				out.Hangup(pbx.CauseBusy)
				return
			case pbx.EventCongestion:
				out.Hangup(pbx.CauseCongestion)
				return
			case pbx.EventHangup:
				out.Hangup(out.HangupCause())
				return
			}
		}
	}
}

// end hangs up what is left of the page once the caller left: legs still
// ringing, and answered ones the conference has not let go yet.
func (pg *pager) end() {
	close(pg.ended)
	pg.mu.Lock()
	legs := pg.legs
	pg.mu.Unlock()
	for _, l := range legs {
		// Ringing ones too: one answering now finds itself hung up
		// instead of joining a conference nobody will end.
		l.SoftHangup(pbx.CauseNormalClearing)
	}
	pg.wg.Wait()
}
