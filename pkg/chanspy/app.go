package chanspy

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Register adds ChanSpy, ExtenSpy and BridgeAdd to eng.
func Register(eng *pbx.Engine) error {
	if err := eng.RegisterModule("app_chanspy", []*pbx.App{chanSpyApp, extenSpyApp}, nil); err != nil {
		return err
	}
	// app_bridgeaddchan's BridgeAdd is a barge on a bridge (bridgeadd.go).
	return eng.RegisterModule("app_bridgeaddchan", []*pbx.App{bridgeAddApp}, nil)
}

var chanSpyApp = &pbx.App{
	Name:        "ChanSpy",
	Synopsis:    "Listen to a channel, and optionally whisper into it.",
	Syntax:      "ChanSpy([chanprefix][,options])",
	Description: "This application is used to listen to the audio from an Asterisk channel. This includes the audio coming in and out of the channel being spied on. If the 'chanprefix' parameter is specified, only channels beginning with this string will be spied upon.\nWhile spying, dialing '#' cycles the volume level and dialing '*' stops spying and looks for another channel; digits followed by '#' pick the channel named chanprefix/digits.",
	Arguments:   "chanprefix\noptions\n    b: Only spy on channels involved in a bridged call.\n    B: Barge in on both channels involved in the call.\n    c(digit): A DTMF digit that spies on the next available channel.\n    d: DTMF switches between spy modes: 4 spy, 5 whisper, 6 barge.\n    e(ext): Only spy on the extensions in the ':' delimited list.\n    E: Exit when the spied-on channel hangs up.\n    g(grp): Only spy on channels whose ${SPYGROUP} contains grp.\n    o: Only listen to audio coming from this channel.\n    q: Do not play a beep nor speak the selected channel's name.\n    s: Skip the technology name when speaking the channel's name.\n    S: Stop when there are no more channels to spy on.\n    v(value): The initial volume, -4 to 4.\n    w: Whisper: the spy can talk to the spied-on channel.\n    W: Private whisper: talk to the spied-on channel without listening.\n    x(digit): A DTMF digit that exits the application.\n    X: Exit to a single digit extension of ${SPY_EXIT_CONTEXT} or the current context.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		args := pbx.SplitArgs(data, ',')
		prefix := ""
		if len(args) > 0 {
			prefix = strings.TrimSpace(args[0])
		}
		if strings.EqualFold(prefix, "all") {
			prefix = ""
		}
		opts := ""
		if len(args) > 1 {
			opts = args[1]
		}
		sel := selector{prefix: prefix}
		return run(ch, sel, opts)
	},
}

var extenSpyApp = &pbx.App{
	Name:        "ExtenSpy",
	Synopsis:    "Listen to a channel, and optionally whisper into it.",
	Syntax:      "ExtenSpy(exten[@context][,options])",
	Description: "This application is used to listen to the audio from an Asterisk channel. This includes the audio coming in and out of the channel being spied on. Only channels created by outgoing calls for the specified extension will be selected for spying. If the optional context is not supplied, the current channel's context will be used.",
	Arguments:   "exten\n    context - Optionally specify a context, defaults to the current channel's.\noptions - as ChanSpy's",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		args := pbx.SplitArgs(data, ',')
		if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
			ch.Engine().Log().Warning("ExtenSpy requires an extension\n")
			return pbx.HangupResult, nil
		}
		exten, context, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
		if context == "" {
			context, _, _ = ch.Location()
		}
		opts := ""
		if len(args) > 1 {
			opts = args[1]
		}
		return run(ch, selector{exten: exten, context: context}, opts)
	},
}

// selector picks the channels a spy may listen to.
type selector struct {
	prefix          string // ChanSpy: the channel name starts with it
	exten, context  string // ExtenSpy: the channel runs at exten@context
	bridgedOnly     bool
	groups, enforce []string
}

func (s selector) match(spy, c *pbx.Channel) bool {
	if c == spy || c.HangupRequested() {
		return false
	}
	name := c.Name()
	if s.prefix != "" && !strings.HasPrefix(strings.ToLower(name), strings.ToLower(s.prefix)) {
		return false
	}
	if s.exten != "" {
		ctx, exten, _ := c.Location()
		if !strings.EqualFold(exten, s.exten) || !strings.EqualFold(ctx, s.context) {
			return false
		}
	}
	if s.bridgedOnly && c.BridgeID() == "" {
		return false
	}
	if len(s.groups) > 0 {
		v, _ := c.Var("SPYGROUP")
		if !overlaps(s.groups, strings.Split(v, ":")) {
			return false
		}
	}
	if len(s.enforce) > 0 && !overlaps(s.enforce, []string{resourceOf(name)}) {
		return false
	}
	return true
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x != "" && strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// resourceOf is what a channel name says after its technology and before
// its sequence: "6000" for SIP/6000-0000000a.
func resourceOf(name string) string {
	_, res, ok := strings.Cut(name, "/")
	if !ok {
		res = name
	}
	if i := strings.LastIndexByte(res, '-'); i > 0 {
		res = res[:i]
	}
	return res
}

// mode is what the spy does: listen, whisper to the spied channel, or
// barge in on both parties.
type mode int

const (
	modeSpy mode = iota
	modeWhisper
	modeBarge
)

// session is one ChanSpy or ExtenSpy run.
type session struct {
	ch      *pbx.Channel
	sel     selector
	opts    pbx.AppOptions
	volume  int
	mode    mode
	private bool // W: whisper without listening
}

// outcome is how spying on one channel ended.
type outcome int

const (
	spiedHungUp outcome = iota // the spied channel went
	nextChannel                // '*' or c(digit)
	exitApp                    // x(digit), E, the spy hung up
	jumpTo                     // X with an existing extension
	byName                     // digits then '#'
)

func run(ch *pbx.Channel, sel selector, optStr string) (pbx.Result, error) {
	opts := pbx.ParseAppOptions(optStr)
	log := ch.Engine().Log()
	s := &session{ch: ch, opts: opts}
	_, s.sel.bridgedOnly = opts['b']
	if g, ok := opts['g']; ok {
		s.sel.groups = strings.Split(g, ":")
	}
	if e, ok := opts['e']; ok {
		s.sel.enforce = strings.Split(e, ":")
	}
	s.sel.prefix, s.sel.exten, s.sel.context = sel.prefix, sel.exten, sel.context
	if v, ok := opts['v']; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < -4 || n > 4 {
			log.Notice("Volume factor must be a number between -4 and 4\n")
		} else {
			s.volume = n
		}
	}
	switch {
	case has(opts, 'B'):
		s.mode = modeBarge
	case has(opts, 'w'), has(opts, 'W'):
		s.mode = modeWhisper
	}
	s.private = has(opts, 'W')
	if has(opts, 'r') {
		log.Warning("ChanSpy: recording the spy session (option r) is not supported by gostrisk; spying without it\n")
	}
	if !apps.AnswerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	var last *pbx.Channel
	wantName := ""
	for {
		if ch.HangupRequested() {
			return pbx.HangupResult, nil
		}
		targets := s.candidates(wantName)
		wantName = ""
		if len(targets) == 0 {
			if has(opts, 'S') {
				return pbx.Continue, nil
			}
			if !has(opts, 'q') {
				if _, err := apps.StreamAndWait(ch, "beep", ""); errors.Is(err, pbx.ErrHangup) {
					return pbx.HangupResult, nil
				}
			}
			d, ok := waitDigit(ch, 5*time.Second)
			if !ok {
				return pbx.HangupResult, nil
			}
			if d != 0 && s.exitDigit(d) {
				return pbx.Continue, nil
			}
			if res, ok := s.exitTo(d, last); ok {
				return res, nil
			}
			continue
		}
		for _, t := range targets {
			if t.HangupRequested() {
				continue
			}
			last = t
			ch.SetVar("SPY_CHANNEL", t.Name())
			if !has(opts, 'q') && !s.announce(t) {
				return pbx.HangupResult, nil
			}
			out, digit, name := s.spy(t)
			switch out {
			case exitApp:
				if ch.HangupRequested() {
					return pbx.HangupResult, nil
				}
				return pbx.Continue, nil
			case jumpTo:
				res, _ := s.exitTo(digit, t)
				return res, nil
			case byName:
				wantName = name
			case spiedHungUp:
				if has(opts, 'E') {
					return pbx.Continue, nil
				}
			}
			if wantName != "" {
				break
			}
		}
	}
}

func has(opts pbx.AppOptions, c byte) bool { _, ok := opts[c]; return ok }

// candidates are the channels to spy on, by name; with want set, only
// the channel whose name starts with prefix/want.
func (s *session) candidates(want string) []*pbx.Channel {
	var out []*pbx.Channel
	for _, c := range s.ch.Engine().Channels() {
		if !s.sel.match(s.ch, c) {
			continue
		}
		if want != "" && !strings.HasPrefix(strings.ToLower(c.Name()), strings.ToLower(s.sel.prefix+"/"+want)) {
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// announce plays the beep and says whom the spy listens to: "spy-<tech>"
// (unless s) and the resource's characters; false when the spy hung up.
func (s *session) announce(t *pbx.Channel) bool {
	if _, err := apps.StreamAndWait(s.ch, "beep", ""); errors.Is(err, pbx.ErrHangup) {
		return false
	}
	name := t.Name()
	if !has(s.opts, 's') {
		tech, _, _ := strings.Cut(name, "/")
		if prompt := "spy-" + strings.ToLower(tech); apps.SoundExists(s.ch, prompt) {
			if _, err := apps.StreamAndWait(s.ch, prompt, ""); errors.Is(err, pbx.ErrHangup) {
				return false
			}
		}
	}
	_, err := apps.SayAlpha(s.ch, resourceOf(name), "")
	return !errors.Is(err, pbx.ErrHangup)
}

// exitDigit reports whether d is the x(digit) exit key.
func (s *session) exitDigit(d rune) bool {
	x, ok := s.opts['x']
	return ok && x != "" && rune(x[0]) == d
}

// exitTo is option X: a single digit that is an extension of
// SPY_EXIT_CONTEXT (or the current context) ends the spy there.
func (s *session) exitTo(d rune, last *pbx.Channel) (pbx.Result, bool) {
	if d == 0 || !has(s.opts, 'X') {
		return pbx.Result{}, false
	}
	ctx, _ := s.ch.Var("SPY_EXIT_CONTEXT")
	if ctx == "" {
		ctx, _, _ = s.ch.Location()
	}
	exten := string(d)
	if !s.ch.Engine().Exists(s.ch, ctx, exten, 1) {
		return pbx.Result{}, false
	}
	if last != nil {
		s.ch.SetVar("SPY_CHANNEL", last.Name())
	}
	return pbx.GotoResult(ctx, exten, 1), true
}

// waitDigit waits up to d for a key; 0 when none came, false when the
// spy hung up.
func waitDigit(ch *pbx.Channel, d time.Duration) (rune, bool) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for {
		fr, err := ch.ReadUntil(deadline.C)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return 0, true
		case errors.Is(err, pbx.ErrNoMedia):
			select {
			case <-deadline.C:
				return 0, true
			case <-ch.Done():
				return 0, false
			}
		case err != nil:
			return 0, false
		}
		if fr.Kind == media.DTMFEnd {
			return fr.Digit, true
		}
	}
}
