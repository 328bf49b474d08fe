package followme

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// Music is the music on hold the caller hears while the steps ring
	// (nil, or a nil generator: silence).
	Music func(ch *pbx.Channel, class string) pbx.Generator
	// SpoolDir is astspooldir: the caller's recorded name goes there.
	SpoolDir string
}

// Module is app_followme at run time.
type Module struct {
	opts Options
	cfg  atomic.Pointer[Config]
}

// New returns the module with its first configuration.
func New(opts Options, cfg *Config) *Module {
	m := &Module{opts: opts}
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	m.cfg.Store(cfg)
	return m
}

// Config returns the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig swaps in a reloaded configuration; calls in FollowMe keep the
// profile they copied.
func (m *Module) SetConfig(cfg *Config) {
	if cfg != nil {
		m.cfg.Store(cfg)
	}
}

// Register adds FollowMe to the engine.
func (m *Module) Register(eng *pbx.Engine) error {
	if err := eng.RegisterApp(&pbx.App{
		Name:     "FollowMe",
		Synopsis: "Find-Me/Follow-Me application.",
		Syntax:   "FollowMe(followmeid[,options])",
		Description: "This application performs Find-Me/Follow-Me functionality for the caller as defined in the profile matching the followmeid parameter in followme.conf. " +
			"If the specified followmeid profile doesn't exist in followme.conf, execution will be returned to the dialplan and call execution will continue at the next priority.\n\n" +
			"Returns -1 on hangup.\n\n" +
			"In gostrisk a step ends with its timeout for every callee of the step, the ones still listening to the prompts too; I is accepted without effect.",
		Arguments: "followmeid - \n" +
			"options - a: Record the caller's name so it can be announced to the callee on each step.\n" +
			"          B(context^exten^priority(arg1^...)): Before initiating the outgoing call(s), Gosub to the specified location using the current channel.\n" +
			"          b(context^exten^priority(arg1^...)): Before initiating an outgoing call, Gosub to the specified location using the newly created channel. The Gosub will be executed for each destination channel.\n" +
			"          d: Disable the 'Please hold while we try to connect your call' announcement.\n" +
			"          I: Asterisk will ignore any connected line update requests it may receive on this dial attempt.\n" +
			"          l: Disable local call optimization so that applications with audio hooks between the local bridge don't get dropped when the calls get joined directly.\n" +
			"          N: Don't answer the incoming call until we're ready to connect the caller or give up. This option is ignored if the call is already answered. " +
			"If the call is not already answered, the 'a' and 's' options are ignored while the 'd' option is implicitly enabled.\n" +
			"          n: Playback the unreachable status message if we've run out of steps or the callee has elected not to be reachable.\n" +
			"          s: Playback the incoming status message prior to starting the follow-me step(s)",
		Exec: m.exec,
	}); err != nil {
		return fmt.Errorf("followme: %w", err)
	}
	return nil
}

// run is one FollowMe call: the profile copied at the start, the options
// and the caller's recorded name.
type run struct {
	m        *Module
	caller   *pbx.Channel
	p        Profile
	digitTO  time.Duration
	opts     map[byte]string
	nameFile string // without extension; "" without a recorded name
}

func (m *Module) exec(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	args := pbx.SplitArgs(data, ',')
	id := strings.TrimSpace(args[0])
	if id == "" {
		log.Warning("FollowMe requires an argument (followmeid)\n")
		return pbx.HangupResult, nil
	}
	cfg := m.cfg.Load()
	prof := cfg.Lookup(id)
	if prof == nil {
		log.Warning("Profile requested, %s, not found in the configuration.\n", id)
		return pbx.Continue, nil
	}
	r := &run{m: m, caller: ch, p: *prof, digitTO: time.Duration(cfg.FeatureDigitTimeout) * time.Millisecond, opts: map[byte]string{}}
	if len(args) > 1 {
		r.opts = pbx.ParseAppOptions(args[1])
	}
	if spec, ok := r.opts['B']; ok && spec != "" {
		apps.RunSubroutine(ch, strings.ReplaceAll(spec, "^", ","))
	}
	_, noAnswer := r.opts['N']
	if ch.State() == pbx.StateUp {
		noAnswer = false
	}
	music := false
	if noAnswer {
		if err := ch.Indicate(pbx.IndRinging); err != nil {
			log.Warning("Unable to indicate ringing on %s: %v\n", ch.Name(), err)
		}
	} else {
		if !apps.AnswerIfDown(ch) {
			return pbx.HangupResult, nil
		}
		if _, ok := r.opts['s']; ok {
			r.play(ch, r.p.Prompts.Status)
		}
		if _, ok := r.opts['a']; ok {
			if !r.recordName() {
				return pbx.HangupResult, nil
			}
		}
		if _, ok := r.opts['d']; !ok {
			if _, err := apps.StreamAndWait(ch, r.p.Prompts.PlsHold, ""); err != nil {
				r.cleanup()
				return pbx.HangupResult, nil
			}
		}
		music = r.startMusic()
	}
	defer r.cleanup()
	winner := r.findMe()
	if noAnswer {
		if ch.State() != pbx.StateUp && !apps.AnswerIfDown(ch) {
			if winner != nil {
				winner.Hangup(pbx.CauseNormalClearing)
			}
			return pbx.HangupResult, nil
		}
	} else if music {
		ch.StopGenerator()
	}
	if winner == nil {
		if ch.HangupRequested() {
			return pbx.HangupResult, nil
		}
		if _, ok := r.opts['n']; ok {
			r.play(ch, r.p.Prompts.Sorry)
		}
		return pbx.Continue, nil
	}
	if r.p.Prompts.Connecting != "" {
		r.play(winner, r.p.Prompts.Connecting)
	}
	ch.StopGenerator()
	ch.CloseMedia()
	// The callee may transfer; both may record (app_followme's features).
	ch.SetFeatureFlags(pbx.ParseFeatureLetters("W"))
	winner.SetFeatureFlags(pbx.ParseFeatureLetters("tw"))
	end, err := e.Bridge(ch.Ctx(), ch, winner)
	if err != nil {
		log.Warning("%v\n", err)
	}
	if end != pbx.PeerInterrupted {
		winner.Hangup(pbx.CauseNormalClearing)
	}
	if ch.HangupRequested() || end == pbx.CallerLeft {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// play plays a prompt to ch when there is one, without keys.
func (r *run) play(ch *pbx.Channel, prompt string) {
	if prompt != "" {
		_, _ = apps.StreamAndWait(ch, prompt, "")
	}
}

// startMusic plays the profile's class to the caller.
func (r *run) startMusic() bool {
	if r.m.opts.Music == nil {
		return false
	}
	g := r.m.opts.Music(r.caller, r.p.MusicClass)
	if g == nil {
		return false
	}
	r.caller.StartGenerator(g)
	return true
}

// recordName is option a: vm-rec-name, then up to 5 s of the caller's
// name (sln) in the spool, announced to each callee.
func (r *run) recordName() bool {
	ch := r.caller
	dir := r.m.opts.SpoolDir
	if dir == "" {
		dir = os.TempDir()
	}
	base := filepath.Join(dir, "followme."+ch.UniqueID())
	if _, err := apps.StreamAndWait(ch, "vm-rec-name", ""); err != nil && ch.HangupRequested() {
		return false
	}
	if apps.SoundExists(ch, "beep") {
		if _, err := apps.StreamAndWait(ch, "beep", ""); err != nil && ch.HangupRequested() {
			return false
		}
	}
	status, hangup, length := apps.RecordFile(ch, base+".sln", "sln", apps.RecordOptions{
		Silence: 2 * time.Second, MaxDuration: 5 * time.Second, Terminator: '#',
	})
	if hangup || status == "HANGUP" {
		os.Remove(base + ".sln")
		return false
	}
	if status != "ERROR" && length > 0 {
		r.nameFile = base
	}
	return true
}

// cleanup removes the recorded name.
func (r *run) cleanup() {
	if r.nameFile == "" {
		return
	}
	fn := r.nameFile + ".sln"
	if err := os.Remove(fn); err != nil {
		r.caller.Engine().Log().Notice("Failed to delete recorded name file %s: %v\n", fn, err)
	}
	r.nameFile = ""
}

// findMe runs the steps in order until a callee takes the call, the
// steps run out or the caller hangs up.
func (r *run) findMe() *pbx.Channel {
	log := r.caller.Engine().Log()
	for step := 1; !r.caller.HangupRequested(); step++ {
		var nm *Number
		for i := range r.p.Numbers {
			if r.p.Numbers[i].Order == step {
				nm = &r.p.Numbers[i]
				break
			}
		}
		if nm == nil {
			log.Verbose(3, "No more steps left.\n")
			return nil
		}
		if w := r.step(nm); w != nil {
			return w
		}
	}
	return nil
}

// step rings one step's numbers and waits for a winner for its timeout.
func (r *run) step(nm *Number) *pbx.Channel {
	caller := r.caller
	e := caller.Engine()
	log := e.Log()
	ctx, cancel := context.WithTimeout(caller.Ctx(), time.Duration(nm.Timeout)*time.Second)
	defer cancel()
	s := &stepState{won: make(chan *pbx.Channel, 1)}
	dpc, dx, _ := caller.Location()
	suffix := "/m"
	if _, ok := r.opts['l']; ok {
		suffix = "/n"
	}
	for _, number := range strings.Split(nm.Number, "&") {
		number = strings.TrimSpace(number)
		if number == "" {
			continue
		}
		dpContext := r.p.Context
		if !e.Exists(caller, dpContext, number, 1) {
			logError(log, "Extension '%s@%s' doesn't exist\n", number, dpContext)
			continue
		}
		dialarg := number
		if dpContext != "" {
			dialarg += "@" + dpContext
		}
		dialarg += suffix
		out, err := e.Request(caller.Ctx(), "Local", dialarg, caller)
		if err != nil {
			log.Warning("Unable to allocate a channel for Local/%s cause: %v\n", dialarg, err)
			continue
		}
		out.InheritVars(caller)
		out.SetConnected(caller.CallerID())
		out.SetLanguage(caller.Language())
		out.SetMusicClass(caller.MusicClass())
		out.SetLocation(dpc, dx, 1)
		if spec, ok := r.opts['b']; ok && spec != "" {
			apps.RunSubroutine(out, strings.ReplaceAll(spec, "^", ","))
		}
		log.Verbose(3, "calling Local/%s\n", dialarg)
		if err := out.Driver().Call(caller.Ctx(), dialarg, 0); err != nil {
			log.Verbose(3, "couldn't reach at this number.\n")
			out.Hangup(pbx.CauseRequestedChanUnavail)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			r.callee(ctx, s, out)
		}()
	}
	live := make(chan struct{})
	go func() { s.wg.Wait(); close(live) }()
	var winner *pbx.Channel
	select {
	case winner = <-s.won:
	case <-live:
		log.Verbose(3, "No live channels left for this step.\n")
	case <-ctx.Done():
		if caller.HangupRequested() {
			log.Verbose(3, "The calling channel hungup. Need to drop everyone.\n")
		} else {
			log.Verbose(3, "We've hit our timeout for this step. Dropping unanswered calls and starting the next step.\n")
		}
	}
	cancel()
	s.wg.Wait()
	if winner == nil {
		select {
		case winner = <-s.won: // accepted just as the step ended
		default:
		}
	}
	return winner
}

// stepState is what a step's callees share: the first to accept sends
// itself on won (capacity 1, one sender wins).
type stepState struct {
	wg   sync.WaitGroup
	once sync.Once
	won  chan *pbx.Channel
}

// callee follows one callee: its answer, then the prompts and its keys.
// It hangs the callee up unless it won.
func (r *run) callee(ctx context.Context, s *stepState, out *pbx.Channel) {
	won := false
	defer func() {
		if !won {
			out.Hangup(pbx.CauseNormalClearing)
		}
	}()
	log := out.Engine().Log()
	wake := make(chan struct{}, 1)
	stop := out.Watch(wake)
	defer stop()
	for answered := false; !answered; {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		for _, ev := range out.TakeEvents() {
			switch ev.Kind {
			case pbx.EventAnswer:
				answered = true
			case pbx.EventBusy:
				log.Verbose(3, "%s is busy\n", out.Name())
				return
			case pbx.EventCongestion:
				log.Verbose(3, "%s is circuit-busy\n", out.Name())
				return
			case pbx.EventRinging:
				log.Verbose(3, "%s is ringing\n", out.Name())
			case pbx.EventHangup:
				log.Verbose(3, "%s received a hangup frame.\n", out.Name())
				return
			}
		}
	}
	log.Verbose(3, "%s answered %s\n", out.Name(), r.caller.Name())
	if !r.p.EnableCalleePrompt || r.accepts(ctx, out) {
		s.once.Do(func() {
			s.won <- out
			won = true
		})
	}
}

// accepts plays the prompt sequence to an answered callee and reads its
// keys: true when they end with takecall, false on declinecall, the end
// of the step or a hang-up. Without a key for featuredigittimeout after
// the prompts, they start over.
func (r *run) accepts(ctx context.Context, out *pbx.Channel) bool {
	log := out.Engine().Log()
	keys := "0123456789*#ABCD"
	var typed string
	// The step's end stops a prompt or a wait for keys: hang-up-like.
	stopOnEnd := context.AfterFunc(ctx, func() { out.Interrupt() })
	defer stopOnEnd()
	check := func() (decided, take bool) {
		switch {
		case r.p.TakeCall != "" && strings.HasSuffix(typed, r.p.TakeCall):
			return true, true
		case r.p.DeclineCall != "" && strings.HasSuffix(typed, r.p.DeclineCall):
			return true, false
		}
		return false, false
	}
	first := true
	for ctx.Err() == nil && !out.HangupRequested() {
		if !first {
			log.Verbose(3, "<%s> We've been waiting for digits longer than we should have.\n", out.Name())
		}
		first = false
		seq := []string{r.p.Prompts.CallFrom, r.nameFile, r.p.Prompts.Options}
		if r.nameFile == "" {
			seq = []string{r.p.Prompts.NoRecording, r.p.Prompts.Options}
		} else {
			log.Verbose(3, "Starting playback of %s\n", r.p.Prompts.CallFrom)
		}
		for _, prompt := range seq {
			if prompt == "" {
				continue
			}
			k, err := apps.StreamAndWait(out, prompt, keys)
			if ctx.Err() != nil || out.HangupRequested() {
				return false
			}
			if err != nil && k == 0 {
				log.Warning("Unable to playback %s.\n", prompt)
				return false
			}
			if k != 0 {
				typed += string(k)
				if decided, take := check(); decided {
					return take
				}
			}
		}
		for {
			k, err := out.WaitDigit(r.digitTO)
			if err != nil || ctx.Err() != nil {
				return false
			}
			if k == 0 {
				break // start the prompts over
			}
			typed += string(k)
			if decided, take := check(); decided {
				if !take {
					return false
				}
				return true
			}
		}
	}
	return false
}

// errorLogger is the logger's optional ERROR level (pkg/logger has it).
type errorLogger interface {
	Error(format string, args ...any)
}

func logError(log pbx.Logger, format string, args ...any) {
	if el, ok := log.(errorLogger); ok {
		el.Error(format, args...)
		return
	}
	log.Warning(format, args...)
}
