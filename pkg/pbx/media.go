package pbx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// MediaStream is a channel's audio as its driver terminates it in the
// core (an RTP session on a SIP leg). Frames from the far end arrive on
// Frames, which closes when the media ends; WriteFrame sends one frame to
// the far end: voice in Format, DTMF begin/end, and it paces voice itself
// (it blocks while a few frames are queued), so a writer reading a file
// needs no timer of its own.
type MediaStream interface {
	Frames() <-chan media.Frame
	WriteFrame(media.Frame) error
	// Flush drops voice queued but not yet sent (a playback interrupted).
	Flush()
	Close() error
}

// MediaDriver is implemented by drivers whose audio the core can read and
// write. A driver that only relays media (or none) leaves Read and Write
// failing with ErrNoMedia.
type MediaDriver interface {
	// NativeFormat is the voice format negotiated with the far end, nil
	// while there is none yet.
	NativeFormat() *media.Format
	// OpenMedia starts terminating the channel's media in the core. It
	// takes the media out of any relay the driver runs; the stream's Close
	// gives it back.
	OpenMedia() (MediaStream, error)
	// DTMFMode is how the far end carries digits: "rfc2833", "info",
	// "shortinfo" or "inband" (sip.conf dtmfmode, "auto" resolved by the
	// driver from the negotiation). A native relay passes digits only
	// between legs that both use rfc2833.
	DTMFMode() string
}

// Errors of the media side of a channel.
var (
	// ErrNoMedia: the driver cannot terminate media, or has none.
	ErrNoMedia = errors.New("channel has no media")
	// ErrHangup: the channel hung up while reading or writing.
	ErrHangup = errors.New("channel hung up")
	// ErrInterrupted: Interrupt took the channel out of what it was doing.
	ErrInterrupted = errors.New("channel interrupted")
	// ErrTimeout: ReadUntil's deadline passed.
	ErrTimeout = errors.New("timed out")
)

// translator holds every codec the program has; one is enough since steps
// are registered once, before any call.
var translator = media.NewTranslator()

// Translator returns the program's codec translator.
func Translator() *media.Translator { return translator }

// chanMedia is the media state of one channel: the open stream, the
// translation chains voice goes through, the generator running on it and
// the interruption signal.
type chanMedia struct {
	mu       sync.Mutex
	stream   MediaStream
	native   *media.Format
	readFmt  *media.Format                  // nil: native
	toWire   map[*media.Format]*media.Chain // by source format
	fromWire *media.Chain                   // native -> readFmt
	injected chan media.Frame               // frames the driver or core adds (SIP INFO DTMF, hold)

	voiceOff bool // the stream was told not to hand voice over (ReadDigitsUntil)

	taps     tapList     // recordings listening to the channel's voice (tap.go)
	whispers whisperList // audio added to what the channel sends (whisper.go)
	hooks    hookList    // VOLUME, MUTEAUDIO: voice changed as it passes (audiohook.go)

	// JITTERBUFFER(): voice read is held to its playout time (jitterbuf.go).
	// Atomic so that a read without one costs a load, not a lock.
	jb      atomic.Pointer[jitterBuf]
	jbLeft  []media.Frame // what a removed jitter buffer still held (under mu)
	jbLeftN atomic.Int32  // len(jbLeft)

	genMu sync.Mutex
	gen   *runningGenerator

	intMu     sync.Mutex
	interrupt chan struct{}
}

func (m *chanMedia) init() {
	m.injected = make(chan media.Frame, 16)
	m.interrupt = make(chan struct{})
}

// openMediaLocked opens the driver's stream on first use.
func (c *Channel) openMediaLocked() (MediaStream, error) {
	m := &c.media
	if m.stream != nil {
		return m.stream, nil
	}
	md, ok := c.driver.(MediaDriver)
	if !ok {
		return nil, ErrNoMedia
	}
	if c.HangupRequested() {
		return nil, ErrHangup
	}
	s, err := md.OpenMedia()
	if err != nil {
		return nil, fmt.Errorf("open media of %s: %w", c.Name(), err)
	}
	m.stream = s
	m.voiceOff = false // a new stream hands voice over until told not to
	m.native = md.NativeFormat()
	m.toWire = nil
	m.fromWire = nil
	return s, nil
}

// MediaOpen reports whether the core terminates the channel's media now.
func (c *Channel) MediaOpen() bool {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	return c.media.stream != nil
}

// NativeFormat is the voice format the far end speaks, nil when unknown.
func (c *Channel) NativeFormat() *media.Format {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	if c.media.native != nil {
		return c.media.native
	}
	if md, ok := c.driver.(MediaDriver); ok {
		return md.NativeFormat()
	}
	return nil
}

// OpenMedia makes the core terminate the channel's media (Read and Write
// do it on first use; a bridge calls it to decide between relaying and
// translating).
func (c *Channel) OpenMedia() error {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	_, err := c.openMediaLocked()
	return err
}

// CloseMedia stops terminating the channel's media, so a driver can relay
// it natively again. A running generator is stopped first.
func (c *Channel) CloseMedia() {
	c.StopGenerator()
	c.media.mu.Lock()
	s := c.media.stream
	c.media.stream, c.media.toWire, c.media.fromWire = nil, nil, nil
	c.media.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
}

// SetReadFormat makes Read return voice in f (nil: the native format), as
// ast_set_read_format does; DSP code asks for slin.
func (c *Channel) SetReadFormat(f *media.Format) {
	c.media.mu.Lock()
	c.media.readFmt, c.media.fromWire = f, nil
	c.media.mu.Unlock()
}

// Read returns the next frame from the far end, waiting as long as it
// takes. See ReadUntil.
func (c *Channel) Read() (media.Frame, error) { return c.ReadUntil(nil) }

// VoiceSelector is implemented by streams that can stop handing over
// received voice when the reader wants only digits (an RTP session).
type VoiceSelector interface {
	DeliverVoice(on bool)
}

// ReadDigitsUntil is ReadUntil for a reader that wants only DTMF
// (Playback, Background, WaitExten): voice is not handed over at all when
// the stream can skip it, which spares a wake-up per packet, and skipped
// here otherwise. The next Read or ReadUntil brings voice back.
func (c *Channel) ReadDigitsUntil(deadline <-chan time.Time) (media.Frame, error) {
	for {
		fr, err := c.readUntil(deadline, false)
		if err != nil || fr.Kind != media.Voice {
			return fr, err
		}
	}
}

// selectVoice tells the stream whether the reader wants voice, once per
// change.
func (c *Channel) selectVoice(s MediaStream, want bool) {
	c.media.mu.Lock()
	change := c.media.stream == s && c.media.voiceOff == want
	if change {
		c.media.voiceOff = !want
	}
	c.media.mu.Unlock()
	if vs, ok := s.(VoiceSelector); ok && change {
		vs.DeliverVoice(want)
	}
}

// ReadUntil returns the next frame from the far end: voice (in the read
// format) or DTMF (hold and unhold come as channel events, see Held). It fails with
// ErrHangup once the channel hangs up, ErrInterrupted after Interrupt,
// ErrTimeout when deadline fires (nil waits for ever) and ErrNoMedia when
// the driver has no media to give.
func (c *Channel) ReadUntil(deadline <-chan time.Time) (media.Frame, error) {
	return c.readUntil(deadline, true)
}

func (c *Channel) readUntil(deadline <-chan time.Time, voice bool) (media.Frame, error) {
	c.media.mu.Lock()
	s, err := c.openMediaLocked()
	c.media.mu.Unlock()
	if err != nil {
		return media.Frame{}, err
	}
	c.selectVoice(s, voice)
	frames := s.Frames()
	intr := c.Interrupted()
	var jbTimer *time.Timer
	defer func() {
		if jbTimer != nil {
			jbTimer.Stop()
		}
	}()
	for {
		var jb *jitterBuf
		var jbDue <-chan time.Time
		if voice {
			if fr, ok := c.jbLeftover(); ok {
				if fr, err = c.readVoice(fr); err == nil {
					return fr, nil
				}
				continue
			}
			jb = c.media.jb.Load()
		}
		if jb != nil {
			if fr, ok := jb.pop(time.Now()); ok {
				if fr, err = c.readVoice(fr); err == nil {
					return fr, nil
				}
				continue
			}
			if due, ok := jb.nextDue(); ok {
				d := time.Until(due)
				if jbTimer == nil {
					jbTimer = time.NewTimer(d)
				} else {
					jbTimer.Reset(d)
				}
				jbDue = jbTimer.C
			}
		}
		select {
		case <-jbDue:
			continue
		case fr, ok := <-frames:
			if !ok {
				if c.HangupRequested() {
					return media.Frame{}, ErrHangup
				}
				// The driver took its media back (a re-INVITE moved it):
				// open the new stream.
				c.media.mu.Lock()
				if c.media.stream == s {
					c.media.stream = nil
				}
				s, err = c.openMediaLocked()
				c.media.mu.Unlock()
				if err != nil {
					return media.Frame{}, err
				}
				c.selectVoice(s, voice)
				frames = s.Frames()
				continue
			}
			if fr.Kind == media.Voice {
				if jb != nil {
					jb.put(fr, time.Now())
					continue
				}
				if fr, err = c.readVoice(fr); err != nil {
					continue // a frame in a format nobody negotiated: dropped
				}
			} else {
				if jb != nil && (fr.Kind == media.DTMFBegin || fr.Kind == media.DTMFEnd) {
					jb.forceResync()
				}
				if fr.Kind == media.DTMFEnd {
					c.media.taps.dtmf(TapRead, fr)
				}
			}
			c.digitHooks(fr)
			c.publishFrame(fr)
			return fr, nil
		case fr := <-c.media.injected:
			c.digitHooks(fr)
			c.publishFrame(fr)
			return fr, nil
		case <-c.done:
			return media.Frame{}, ErrHangup
		case <-intr:
			return media.Frame{}, ErrInterrupted
		case <-deadline:
			return media.Frame{}, ErrTimeout
		}
	}
}

// readVoice is what a voice frame read goes through before the reader
// gets it: the taps, the audio hooks, the read format.
func (c *Channel) readVoice(fr media.Frame) (media.Frame, error) {
	c.media.taps.frame(TapRead, fr)
	fr = c.manipulate(TapRead, fr)
	return c.toReadFormat(fr)
}

// jbLeftover takes the next frame a removed jitter buffer left.
func (c *Channel) jbLeftover() (media.Frame, bool) {
	if c.media.jbLeftN.Load() == 0 {
		return media.Frame{}, false
	}
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	if len(c.media.jbLeft) == 0 {
		return media.Frame{}, false
	}
	fr := c.media.jbLeft[0]
	c.media.jbLeft = c.media.jbLeft[1:]
	c.media.jbLeftN.Store(int32(len(c.media.jbLeft)))
	return fr, true
}

func (c *Channel) toReadFormat(fr media.Frame) (media.Frame, error) {
	c.media.mu.Lock()
	want := c.media.readFmt
	if want == nil || fr.Format == want {
		c.media.mu.Unlock()
		return fr, nil
	}
	ch := c.media.fromWire
	if ch == nil || ch.Path().From != fr.Format || ch.Path().To != want {
		p, err := translator.Path(fr.Format, want)
		if err != nil {
			c.media.mu.Unlock()
			return fr, err
		}
		ch = p.NewChain()
		c.media.fromWire = ch
	}
	c.media.mu.Unlock()
	return ch.Translate(fr)
}

// Write sends a frame to the far end. Voice in any format is translated to
// the channel's native format (the chain per source format is kept for the
// channel's life); DTMF and control frames go to the driver as they are.
// Write blocks while the stream paces voice out.
func (c *Channel) Write(fr media.Frame) error {
	c.media.mu.Lock()
	s, err := c.openMediaLocked()
	if err != nil {
		c.media.mu.Unlock()
		return err
	}
	if fr.Kind == media.Voice && c.media.native != nil && fr.Format != c.media.native {
		chain := c.media.toWire[fr.Format]
		if chain == nil {
			p, perr := translator.Path(fr.Format, c.media.native)
			if perr != nil {
				c.media.mu.Unlock()
				return fmt.Errorf("write %s to %s (%s): %w", fr.Format, c.Name(), c.media.native, perr)
			}
			chain = p.NewChain()
			if c.media.toWire == nil {
				c.media.toWire = map[*media.Format]*media.Chain{}
			}
			c.media.toWire[fr.Format] = chain
		}
		c.media.mu.Unlock()
		if fr, err = chain.Translate(fr); err != nil {
			return fmt.Errorf("write to %s: %w", c.Name(), err)
		}
		if len(fr.Payload) == 0 {
			return nil // an encoder buffering towards a whole frame (GSM)
		}
		// The chain's buffer is reused by the next frame; the stream
		// owns what it is handed.
		fr.Payload = append([]byte(nil), fr.Payload...)
	} else {
		c.media.mu.Unlock()
	}
	if c.HangupRequested() {
		return ErrHangup
	}
	if fr.Kind == media.Voice {
		c.media.taps.frame(TapWrite, fr)
		fr = c.manipulate(TapWrite, fr)
		// After the taps: a spy whispering does not hear itself back.
		fr = c.whisperInto(fr)
	} else if fr.Kind == media.DTMFEnd {
		c.media.taps.dtmf(TapWrite, fr)
	}
	if err := s.WriteFrame(fr); err != nil {
		if c.HangupRequested() {
			return ErrHangup
		}
		if c.streamReplaced(s) {
			// The driver changed format under this frame
			// (MediaFormatChanged): the next one goes to the new stream.
			return nil
		}
		return fmt.Errorf("write to %s: %w", c.Name(), err)
	}
	return nil
}

// Drainer is implemented by streams that queue written voice before it
// goes out (an RTP session paces from a queue of a few frames).
type Drainer interface {
	// Drain waits until the voice written so far has been sent, or the
	// stream closed.
	Drain()
}

// DrainMedia waits until the voice written to the channel so far has gone
// out. A prompt's writer calls it before it says the prompt has played:
// Asterisk writes each frame as it is due, so when its playback ends the
// audio is out, and what the channel does next (hang up, join a bridge)
// neither cuts the prompt's last frames nor sends after their backlog.
func (c *Channel) DrainMedia() {
	c.media.mu.Lock()
	s := c.media.stream
	c.media.mu.Unlock()
	if d, ok := s.(Drainer); ok {
		d.Drain()
	}
}

// FlushMedia drops voice written but not yet sent.
func (c *Channel) FlushMedia() {
	c.media.mu.Lock()
	s := c.media.stream
	c.media.mu.Unlock()
	if s != nil {
		s.Flush()
	}
}

// InjectFrame queues a frame that Read returns as if it came from the far
// end: drivers use it for DTMF that arrives in signalling (SIP INFO) and
// for hold and unhold. It never blocks; a full queue drops the frame.
func (c *Channel) InjectFrame(fr media.Frame) {
	select {
	case c.media.injected <- fr:
	default:
	}
}

// --- interruption ---

// Interrupted returns a channel closed when Interrupt is called; apps and
// bridges select on it to give the channel up without hanging it up.
func (c *Channel) Interrupted() <-chan struct{} {
	c.media.intMu.Lock()
	defer c.media.intMu.Unlock()
	return c.media.interrupt
}

// Interrupt takes the channel out of the application or bridge it is in,
// without hanging it up (transfers, parking, AMI Redirect). Whoever owns
// the channel next calls ClearInterrupt.
func (c *Channel) Interrupt() {
	c.media.intMu.Lock()
	defer c.media.intMu.Unlock()
	select {
	case <-c.media.interrupt:
	default:
		close(c.media.interrupt)
	}
}

// ClearInterrupt re-arms Interrupted after an interruption was handled.
func (c *Channel) ClearInterrupt() {
	c.media.intMu.Lock()
	defer c.media.intMu.Unlock()
	select {
	case <-c.media.interrupt:
		c.media.interrupt = make(chan struct{})
	default:
	}
}

// --- generators ---

// Generator produces audio on a channel while its owner does something
// else (music on hold while Dial rings, tones while WaitExten waits). It
// writes with Channel.Write until ctx ends, then returns.
type Generator interface {
	Generate(ctx context.Context, ch *Channel) error
}

// GeneratorFunc adapts a function to Generator.
type GeneratorFunc func(ctx context.Context, ch *Channel) error

// Generate calls f.
func (f GeneratorFunc) Generate(ctx context.Context, ch *Channel) error { return f(ctx, ch) }

type runningGenerator struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// StartGenerator runs g on the channel, replacing any generator running.
// The channel owns the goroutine: StopGenerator, CloseMedia and Hangup
// stop it.
func (c *Channel) StartGenerator(g Generator) {
	c.StopGenerator()
	ctx, cancel := context.WithCancel(context.Background())
	rg := &runningGenerator{cancel: cancel, done: make(chan struct{})}
	c.media.genMu.Lock()
	c.media.gen = rg
	c.media.genMu.Unlock()
	go func() {
		defer close(rg.done)
		defer cancel()
		// A hangup ends the generator as StopGenerator would.
		go func() {
			select {
			case <-c.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		if err := g.Generate(ctx, c); err != nil && ctx.Err() == nil && !errors.Is(err, ErrHangup) && c.eng != nil {
			c.eng.log.Warning("Generator on %s stopped: %v\n", c.Name(), err)
		}
	}()
}

// GeneratorActive reports whether a generator runs on the channel.
func (c *Channel) GeneratorActive() bool {
	c.media.genMu.Lock()
	rg := c.media.gen
	c.media.genMu.Unlock()
	if rg == nil {
		return false
	}
	select {
	case <-rg.done:
		return false
	default:
		return true
	}
}

// StopGenerator stops the running generator and waits for it to return.
func (c *Channel) StopGenerator() {
	c.media.genMu.Lock()
	rg := c.media.gen
	c.media.gen = nil
	c.media.genMu.Unlock()
	if rg == nil {
		return
	}
	rg.cancel()
	<-rg.done
	c.FlushMedia()
}

// publishFrame reports DTMF read from the far end.
func (c *Channel) publishFrame(fr media.Frame) {
	if c.eng == nil {
		return
	}
	ev := BusEvent{Channel: c, Digit: fr.Digit, Duration: fr.Duration, Direction: "Received"}
	switch {
	case fr.Kind == media.DTMFBegin:
		ev.Type = BusDTMFBegin
	case fr.Kind == media.DTMFEnd:
		ev.Type = BusDTMFEnd
	default:
		return
	}
	if c.eng.bus.Wants(ev.Type) {
		c.eng.bus.Publish(ev)
	}
}

// mediaFormat is the format CHANNEL(audio...format) names: the native
// one, or what Read returns; Write takes any format and converts it, so
// Asterisk's write format is the native one here.
func (c *Channel) mediaFormat(item string) *media.Format {
	native := c.NativeFormat()
	if item == "audioreadformat" {
		c.media.mu.Lock()
		rf := c.media.readFmt
		c.media.mu.Unlock()
		if rf != nil {
			return rf
		}
	}
	return native
}
