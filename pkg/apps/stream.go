package apps

import (
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/media/soundcache"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file holds what the media applications share, the counterparts of
// Asterisk's ast_streamfile and ast_waitstream; waiting for keys and the
// digit collection after Background and WaitExten are pkg/pbx's, as they
// are pbx.c's in Asterisk.

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

// openSound finds and opens a prompt for ch the way ast_streamfile does,
// logging what Asterisk logs: the "Playing" line naming the codec chosen,
// or the warnings of a missing file.
func openSound(ch *pbx.Channel, name, lang string) (*soundcache.Reader, error) {
	log := ch.Engine().Log()
	// Asterisk stops a running generator before it opens a stream.
	ch.StopGenerator()
	native := ch.NativeFormat()
	cfg := configOf(ch.Engine())
	path, ff, err := cfg.finder.Find(name, lang, pbx.CostTo(native))
	if err != nil {
		if errors.Is(err, sound.ErrNotFound) {
			log.Warning("File %s does not exist in any format\n", name)
			log.Warning("Unable to open %s (format %s): %s\n", name, formatNames(native), "No such file or directory")
		} else {
			log.Warning("Unable to open %s (format %s): %v\n", name, formatNames(native), err)
		}
		return nil, err
	}
	r, err := cfg.sounds.Open(path, ff, native)
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
	done chan struct{}
	once sync.Once
	// quitting asks run to stop; a flag and not a channel because run
	// looks at it every frame, which with 2,000 players showed in
	// profiles (a cold channel per player).
	quitting atomic.Bool

	mu  sync.Mutex
	r   *soundcache.Reader
	err error
}

// play starts writing r to ch.
func play(ch *pbx.Channel, r *soundcache.Reader) *player {
	p := &player{ch: ch, r: r, end: make(chan time.Time), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *player) run() {
	defer close(p.done)
	defer close(p.end)
	for {
		if p.quitting.Load() {
			return
		}
		p.mu.Lock()
		fr, err := p.r.ReadFrame()
		p.mu.Unlock()
		if err == io.EOF {
			// The file has played when its last frame is out, not
			// when it is queued: see Channel.DrainMedia.
			p.ch.DrainMedia()
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
		p.quitting.Store(true)
		if interrupted {
			// Also ends the wait of a writer draining the file's
			// last frames.
			p.ch.FlushMedia()
		}
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
		fr, err := ch.ReadDigitsUntil(p.end)
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

// The dialplan side of keys lives in pkg/pbx, as in Asterisk's pbx.c;
// these short names keep the applications readable.

func waitDigit(ch *pbx.Channel, d time.Duration) (rune, error) { return ch.WaitDigit(d) }

func digitTimeout(ch *pbx.Channel) time.Duration { return ch.Engine().DigitTimeout(ch) }

func responseTimeout(ch *pbx.Channel) time.Duration { return ch.Engine().ResponseTimeout(ch) }

func exists(ch *pbx.Channel, dpContext, exten string, priority int) bool {
	return ch.Engine().Exists(ch, dpContext, exten, priority)
}

func canMatch(ch *pbx.Channel, dpContext, exten string) bool {
	return ch.Engine().CanMatch(ch, dpContext, exten)
}

func matchMore(ch *pbx.Channel, dpContext, exten string) bool {
	return ch.Engine().MatchMore(ch, dpContext, exten)
}

func collectExten(ch *pbx.Channel, first rune) pbx.Result { return ch.Engine().CollectExten(ch, first) }

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
