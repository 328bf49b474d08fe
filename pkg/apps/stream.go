package apps

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file holds what the media applications share, the counterparts of
// Asterisk's ast_streamfile / ast_waitstream / ast_waitfordigit and of the
// digit collection pbx.c does after Background and WaitExten.

// languageOf is the language Asterisk names in its "Playing" line.
func languageOf(lang string) string {
	if lang == "" {
		return "default"
	}
	return lang
}

// formatNames lists a channel's native format as Asterisk's
// ast_format_cap_get_names prints a capability: "(ulaw)", "(nothing)".
func formatNames(f *media.Format) string {
	if f == nil {
		return "(nothing)"
	}
	return "(" + f.Name + ")"
}

// costTo makes Finder's preference: the translation cost from a file's
// codec to the channel's format, so a .wav (slin) wins over a .gsm on a
// µ-law call and a .g722 file on a G.722 call is sent untouched.
func costTo(native *media.Format) func(*media.Format) int {
	if native == nil {
		return nil
	}
	return func(f *media.Format) int {
		p, err := pbx.Translator().Path(f, native)
		if err != nil {
			return -1
		}
		return p.Cost
	}
}

// openSound finds and opens a prompt for ch the way ast_streamfile does,
// logging what Asterisk logs: the "Playing" line naming the codec chosen,
// or the warnings of a missing file.
func openSound(ch *pbx.Channel, name, lang string) (*sound.Reader, error) {
	log := ch.Engine().Log()
	// Asterisk stops a running generator before it opens a stream.
	ch.StopGenerator()
	native := ch.NativeFormat()
	path, ff, err := configOf(ch.Engine()).finder.Find(name, lang, costTo(native))
	if err != nil {
		if errors.Is(err, sound.ErrNotFound) {
			log.Warning("File %s does not exist in any format\n", name)
			log.Warning("Unable to open %s (format %s): %s\n", name, formatNames(native), "No such file or directory")
		} else {
			log.Warning("Unable to open %s (format %s): %v\n", name, formatNames(native), err)
		}
		return nil, err
	}
	r, err := sound.Open(path, ff)
	if err != nil {
		log.Warning("Unable to open %s (format %s): %v\n", name, formatNames(native), err)
		return nil, err
	}
	log.Verbose(3, "<%s> Playing '%s.%s' (language '%s')\n", ch.Name(), name, r.Format().Name, languageOf(lang))
	return r, nil
}

// player writes a sound file to a channel from a goroutine of its own, so
// that the application can read DTMF meanwhile. The application owns it and
// ends it with stop.
type player struct {
	ch   *pbx.Channel
	end  chan time.Time // closed when the file has played out or failed
	quit chan struct{}
	done chan struct{}
	once sync.Once

	mu  sync.Mutex
	r   *sound.Reader
	err error
}

// play starts writing r to ch.
func play(ch *pbx.Channel, r *sound.Reader) *player {
	p := &player{ch: ch, r: r, end: make(chan time.Time), quit: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *player) run() {
	defer close(p.done)
	defer close(p.end)
	for {
		select {
		case <-p.quit:
			return
		default:
		}
		p.mu.Lock()
		fr, err := p.r.ReadFrame()
		p.mu.Unlock()
		if err == io.EOF {
			return
		}
		if err == nil {
			err = p.ch.Write(fr)
		}
		if err != nil {
			p.mu.Lock()
			p.err = err
			p.mu.Unlock()
			return
		}
	}
}

// stop ends the playback and waits for the writer; interrupted drops the
// audio still queued, so a prompt cut by a key stops at once. It closes
// the file and returns the error that ended the playback, if any.
func (p *player) stop(interrupted bool) error {
	p.once.Do(func() {
		close(p.quit)
		<-p.done
		if interrupted {
			p.ch.FlushMedia()
		}
		_ = p.r.Close()
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// seek moves the playback by delta samples (ControlPlayback's skips) and
// returns the new position.
func (p *player) seek(delta int64, whence int) int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	pos, _ := p.r.Seek(delta, whence)
	return pos
}

// tell is the playback position in samples.
func (p *player) tell() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.r.Tell()
}

// waitStream waits until p has played out. A DTMF digit that brk accepts
// (nil accepts none) stops the playback and is returned. The error is the
// channel's (pbx.ErrHangup ...) or the playback's.
func waitStream(ch *pbx.Channel, p *player, brk func(rune) bool) (rune, error) {
	for {
		fr, err := ch.ReadUntil(p.end)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return 0, p.stop(false)
		case errors.Is(err, pbx.ErrNoMedia):
			// Nothing to read digits from: the writer's fate decides.
			<-p.end
			return 0, p.stop(false)
		case err != nil:
			p.stop(true)
			return 0, err
		}
		if fr.Kind == media.DTMFEnd && brk != nil && brk(fr.Digit) {
			p.stop(true)
			return fr.Digit, nil
		}
	}
}

// anyDigit breaks a playback on every key.
func anyDigit(rune) bool { return true }

// digitsIn breaks a playback on the keys listed.
func digitsIn(keys string) func(rune) bool {
	return func(d rune) bool { return strings.ContainsRune(keys, d) }
}

// streamAndWait plays one file and waits for it (ast_streamfile then
// ast_waitstream). A missing file is an error after its warnings.
func streamAndWait(ch *pbx.Channel, name, lang string, brk func(rune) bool) (rune, error) {
	r, err := openSound(ch, name, lang)
	if err != nil {
		return 0, err
	}
	return waitStream(ch, play(ch, r), brk)
}

// waitDigit waits up to d (for ever when d < 0) for a key; 0 on timeout.
// A channel without media cannot send digits: it just waits.
func waitDigit(ch *pbx.Channel, d time.Duration) (rune, error) {
	var deadline <-chan time.Time
	start := time.Now()
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		deadline = t.C
	}
	for {
		fr, err := ch.ReadUntil(deadline)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return 0, nil
		case errors.Is(err, pbx.ErrNoMedia):
			rest := time.Duration(-1)
			if d >= 0 {
				rest = max(d-time.Since(start), 0)
			}
			if !pbx.SleepOrHangup(ch, rest) {
				return 0, pbx.ErrHangup
			}
			return 0, nil
		case err != nil:
			return 0, err
		}
		if fr.Kind == media.DTMFEnd {
			return fr.Digit, nil
		}
	}
}

// Default digit and response timeouts of the dialplan (Asterisk's
// dtimeoutms and rtimeoutms).
const (
	defaultDigitTimeout    = 5 * time.Second
	defaultResponseTimeout = 10 * time.Second
)

// timeoutOf reads TIMEOUT(kind) when a TIMEOUT function is registered.
func timeoutOf(ch *pbx.Channel, kind string, def time.Duration) time.Duration {
	e := ch.Engine()
	if _, ok := e.Function("TIMEOUT"); !ok {
		return def
	}
	v, err := e.ReadFunction(ch, "TIMEOUT", kind)
	if err != nil {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 {
		return def
	}
	return time.Duration(f * float64(time.Second))
}

func digitTimeout(ch *pbx.Channel) time.Duration {
	return timeoutOf(ch, "digit", defaultDigitTimeout)
}

func responseTimeout(ch *pbx.Channel) time.Duration {
	return timeoutOf(ch, "response", defaultResponseTimeout)
}

// matcher is the part of a dialplan that answers "could more digits
// match?"; pkg/pbx's dialplan adapter has it.
type matcher interface {
	CanMatch(context, exten, callerID string) bool
	MatchMore(context, exten, callerID string) bool
}

func exists(ch *pbx.Channel, dpContext, exten string, priority int) bool {
	plan := ch.Engine().Plan()
	return plan != nil && plan.Exists(dpContext, exten, ch.CallerID().Num, priority)
}

// canMatch is ast_canmatch_extension: exten matches now or could with more
// digits.
func canMatch(ch *pbx.Channel, dpContext, exten string) bool {
	plan := ch.Engine().Plan()
	if plan == nil {
		return false
	}
	if m, ok := plan.(matcher); ok {
		return m.CanMatch(dpContext, exten, ch.CallerID().Num)
	}
	return plan.Exists(dpContext, exten, ch.CallerID().Num, 1)
}

// matchMore is ast_matchmore_extension.
func matchMore(ch *pbx.Channel, dpContext, exten string) bool {
	plan := ch.Engine().Plan()
	if plan == nil {
		return false
	}
	if m, ok := plan.(matcher); ok {
		return m.MatchMore(dpContext, exten, ch.CallerID().Num)
	}
	return false
}

// collectExten does what pbx.c does when an application returns a key:
// it reads more keys while they could still select a longer extension of
// the channel's context (the first after first within the digit timeout,
// each next one too), then goes to the extension dialed, to 'i' when there
// is none, or to 't' when nothing was dialed. first 0 means no key yet,
// so the first wait is the response timeout.
func collectExten(ch *pbx.Channel, first rune) pbx.Result {
	log := ch.Engine().Log()
	dpc, _, _ := ch.Location()
	var buf []rune
	wait := responseTimeout(ch)
	if first != 0 {
		buf = append(buf, first)
		wait = digitTimeout(ch)
	}
	for matchMore(ch, dpc, string(buf)) {
		d, err := waitDigit(ch, wait)
		if err != nil {
			return pbx.HangupResult
		}
		if d == 0 {
			break
		}
		buf = append(buf, d)
		wait = digitTimeout(ch)
	}
	dialed := string(buf)
	switch {
	case dialed != "" && exists(ch, dpc, dialed, 1):
		return pbx.GotoResult(dpc, dialed, 1)
	case dialed != "":
		if exists(ch, dpc, "i", 1) {
			log.Verbose(3, "Invalid extension '%s' in context '%s' on %s\n", dialed, dpc, ch.Name())
			ch.SetVar("INVALID_EXTEN", dialed)
			return pbx.GotoResult(dpc, "i", 1)
		}
		log.Warning("Invalid extension '%s', but no rule 'i' or 'e' in context '%s'\n", dialed, dpc)
		return pbx.HangupResult
	default:
		if exists(ch, dpc, "t", 1) {
			log.Verbose(3, "Timeout on %s\n", ch.Name())
			return pbx.GotoResult(dpc, "t", 1)
		}
		log.Warning("Timeout, but no rule 't' or 'e' in context '%s'\n", dpc)
		return pbx.HangupResult
	}
}

// hasOption reports whether an option letter is in an option string.
func hasOption(opts string, c byte) bool { return strings.IndexByte(opts, c) >= 0 }

// answerIfDown answers a channel that is not up yet, as the playing
// applications do unless told not to; false when the answer failed.
func answerIfDown(ch *pbx.Channel) bool {
	if ch.State() == pbx.StateUp {
		return true
	}
	if err := ch.Answer(); err != nil {
		ch.Engine().Log().Warning("Failed to answer %s: %v\n", ch.Name(), err)
		return false
	}
	return true
}
