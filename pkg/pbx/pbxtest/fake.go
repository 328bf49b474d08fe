package pbxtest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Phone is the far end of a fake channel and the channel's driver.
type Phone struct {
	// Format is the voice format the phone "negotiated".
	Format *media.Format
	// Mode is the DTMF mode it reports ("rfc2833" when empty).
	Mode string
	// Pace makes WriteFrame take a frame's duration, as a real leg does;
	// without it writes return at once (fast tests).
	Pace bool

	mu       sync.Mutex
	heard    []media.Frame
	stream   *stream
	answered bool
	indic    []pbx.Indication
	hungUp   int
	opened   int
	noVoice  bool
	wrote    chan struct{}
}

// NewPhone returns a phone speaking format f.
func NewPhone(f *media.Format) *Phone {
	return &Phone{Format: f, wrote: make(chan struct{}, 1)}
}

// NewChannel creates a channel on eng driven by the phone, as an inbound
// call to context/exten.
func (p *Phone) NewChannel(eng *pbx.Engine, resource, context, exten string) *pbx.Channel {
	return eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: resource, Driver: p, Context: context, Exten: exten})
}

// --- pbx.Driver ---

// Call does nothing: fake phones are only called through Answer.
func (p *Phone) Call(context.Context, string, time.Duration) error { return nil }

// Answer records the answer.
func (p *Phone) Answer() error { p.mu.Lock(); p.answered = true; p.mu.Unlock(); return nil }

// Indicate records the indication.
func (p *Phone) Indicate(ind pbx.Indication) error {
	p.mu.Lock()
	p.indic = append(p.indic, ind)
	p.mu.Unlock()
	return nil
}

// Hangup records the cause and ends the media.
func (p *Phone) Hangup(cause int) error {
	p.mu.Lock()
	p.hungUp = cause
	s := p.stream
	p.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
	return nil
}

// --- pbx.MediaDriver ---

// NativeFormat is the phone's format.
func (p *Phone) NativeFormat() *media.Format { return p.Format }

// DTMFMode is the phone's DTMF mode.
func (p *Phone) DTMFMode() string {
	if p.Mode == "" {
		return "rfc2833"
	}
	return p.Mode
}

// OpenMedia opens (or returns) the in-memory stream.
func (p *Phone) OpenMedia() (pbx.MediaStream, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stream == nil || p.stream.closed() {
		p.stream = &stream{p: p, in: make(chan media.Frame, 256), done: make(chan struct{})}
		p.opened++
	}
	return p.stream, nil
}

// Opened counts how many times the core opened the phone's media.
func (p *Phone) Opened() int { p.mu.Lock(); defer p.mu.Unlock(); return p.opened }

// --- the far end's side ---

// Say sends frames to the channel as if the phone spoke them; it waits
// until the core opened the media.
func (p *Phone) Say(frames ...media.Frame) error {
	s, err := p.openStream(2 * time.Second)
	if err != nil {
		return err
	}
	for _, fr := range frames {
		select {
		case s.in <- fr:
		case <-s.done:
			return errors.New("pbxtest: media closed")
		}
	}
	return nil
}

// Press sends a digit as an RFC 2833 begin and end.
func (p *Phone) Press(digit rune) error {
	return p.Say(media.Frame{Kind: media.DTMFBegin, Digit: digit},
		media.Frame{Kind: media.DTMFEnd, Digit: digit, Duration: 100 * time.Millisecond})
}

func (p *Phone) openStream(wait time.Duration) (*stream, error) {
	deadline := time.Now().Add(wait)
	for {
		p.mu.Lock()
		s := p.stream
		p.mu.Unlock()
		if s != nil && !s.closed() {
			return s, nil
		}
		if time.Now().After(deadline) {
			return nil, errors.New("pbxtest: the core never opened the media")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Heard returns a copy of every frame the core wrote to the phone.
func (p *Phone) Heard() []media.Frame {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]media.Frame(nil), p.heard...)
}

// HeardPCM decodes the voice the phone heard to 8 or 16 kHz samples (the
// phone format's rate).
func (p *Phone) HeardPCM() ([]int16, error) {
	slin := media.SLin
	if p.Format.SampleRate == 16000 {
		slin = media.SLin16
	}
	var out []int16
	var chain *media.Chain
	for _, fr := range p.Heard() {
		if fr.Kind != media.Voice {
			continue
		}
		if fr.Format != slin {
			if chain == nil {
				path, err := pbx.Translator().Path(fr.Format, slin)
				if err != nil {
					return nil, err
				}
				chain = path.NewChain()
			}
			var err error
			if fr, err = chain.Translate(fr); err != nil {
				return nil, err
			}
		}
		out = media.DecodeSLin(out, fr.Payload)
	}
	return out, nil
}

// WaitHeard waits until the phone heard at least n frames.
func (p *Phone) WaitHeard(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		got := len(p.heard)
		p.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-p.wrote:
		case <-deadline:
			return false
		}
	}
}

// Answered reports whether the core answered the channel.
func (p *Phone) Answered() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.answered }

// Indications returns what the core indicated.
func (p *Phone) Indications() []pbx.Indication {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pbx.Indication(nil), p.indic...)
}

// HangupCause is the cause the core hung up with (0 while up).
func (p *Phone) HangupCause() int { p.mu.Lock(); defer p.mu.Unlock(); return p.hungUp }

type stream struct {
	p    *Phone
	in   chan media.Frame
	once sync.Once
	done chan struct{}
}

func (s *stream) closed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// Frames never closes: the channel's hangup ends a Read, as it does for
// a real leg whose session outlives the BYE by a moment.
func (s *stream) Frames() <-chan media.Frame { return s.in }

func (s *stream) WriteFrame(fr media.Frame) error {
	if s.closed() {
		return errors.New("pbxtest: media closed")
	}
	if fr.Kind == media.Voice && fr.Format != s.p.Format {
		return errors.New("pbxtest: voice in " + fr.Format.Name + ", phone speaks " + s.p.Format.Name)
	}
	fr.Payload = append([]byte(nil), fr.Payload...)
	s.p.mu.Lock()
	s.p.heard = append(s.p.heard, fr)
	s.p.mu.Unlock()
	select {
	case s.p.wrote <- struct{}{}:
	default:
	}
	if s.p.Pace && fr.Kind == media.Voice {
		select {
		case <-time.After(fr.Length()):
		case <-s.done:
		}
	}
	return nil
}

func (s *stream) Flush() {}

// DeliverVoice records whether the core wants the phone's voice (it still
// comes: the channel skips it, as it would a late packet).
func (s *stream) DeliverVoice(on bool) {
	s.p.mu.Lock()
	s.p.noVoice = !on
	s.p.mu.Unlock()
}

// VoiceWanted reports what the core last asked of the stream.
func (p *Phone) VoiceWanted() bool { p.mu.Lock(); defer p.mu.Unlock(); return !p.noVoice }

func (s *stream) Close() error {
	s.once.Do(func() { close(s.done) })
	return nil
}
