package chanspy

import (
	"errors"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// spy listens to t until t goes, the spy asks for another channel or
// leaves. It returns how it ended, the X digit for jumpTo and the digits
// for byName.
func (s *session) spy(t *pbx.Channel) (outcome, rune, string) {
	ch := s.ch
	log := ch.Engine().Log()
	log.Verbose(2, "Spying on channel %s\n", t.Name())
	defer log.Verbose(2, "Done Spying on channel %s\n", t.Name())

	l := newListener(has(s.opts, 'o'), s.volume)
	var removeTap func()
	listen := func(on bool) {
		switch {
		case on && removeTap == nil:
			removeTap = t.AddTap(l)
		case !on && removeTap != nil:
			removeTap()
			removeTap = nil
		}
	}
	listen(!s.private)
	defer listen(false)
	ch.StartGenerator(l.generator())
	defer ch.StopGenerator()

	w := s.newWhisper(t)
	defer w.stop()
	w.set(s.mode)

	digits := ""
	// The spy's reads wake every poll to notice the spied channel's end.
	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-t.Done():
			return spiedHungUp, 0, ""
		default:
		}
		fr, err := ch.ReadUntil(poll.C)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			continue
		case errors.Is(err, pbx.ErrNoMedia):
			select {
			case <-t.Done():
				return spiedHungUp, 0, ""
			case <-ch.Done():
				return exitApp, 0, ""
			case <-poll.C:
				continue
			}
		case err != nil:
			// The spy hung up or was taken away (a redirect).
			if !ch.HangupRequested() && t.HangupRequested() {
				return spiedHungUp, 0, ""
			}
			return exitApp, 0, ""
		}
		switch fr.Kind {
		case media.Voice:
			w.say(fr)
			continue
		case media.DTMFEnd:
		default:
			continue
		}
		d := fr.Digit
		switch {
		case s.exitDigit(d):
			return exitApp, 0, ""
		case has(s.opts, 'X') && d != '#' && d != '*':
			if _, ok := s.exitTo(d, t); ok {
				return jumpTo, d, ""
			}
		}
		if c, ok := s.opts['c']; ok && c != "" && rune(c[0]) == d {
			return nextChannel, 0, ""
		}
		if has(s.opts, 'd') {
			// Option d: the keys change the mode instead of naming channels.
			switch d {
			case '4':
				s.mode = modeSpy
			case '5':
				s.mode = modeWhisper
			case '6':
				s.mode = modeBarge
			}
			w.set(s.mode)
			continue
		}
		switch {
		case d == '*':
			return nextChannel, 0, ""
		case d == '#' && digits != "":
			return byName, 0, digits
		case d == '#':
			s.volume++
			if s.volume > 4 {
				s.volume = -4
			}
			l.setVolume(s.volume)
			log.Verbose(3, "Setting spy volume on %s to %d\n", ch.Name(), s.volume)
		case strings.ContainsRune("0123456789", d) && !has(s.opts, 'X'):
			digits += string(d)
		}
	}
}

// whisperer carries the spy's voice to the spied channel (whisper) or to
// both parties (barge), as the mode says.
type whisperer struct {
	spied *pbx.Channel
	// Each channel takes its own copy of the voice as it writes.
	toSpied, toPeer pbx.Whisper
	mode            mode
	// removers of the whisper on the spied channel and its bridge peer.
	onSpied, onPeer func()
	pcm             []int16
	dec             *media.Chain
}

func (s *session) newWhisper(t *pbx.Channel) *whisperer { return &whisperer{spied: t} }

// set switches the whisper on the channels the mode talks to.
func (w *whisperer) set(m mode) {
	w.mode = m
	talk := m == modeWhisper || m == modeBarge
	switch {
	case talk && w.onSpied == nil:
		w.onSpied = w.spied.AddWhisper(&w.toSpied)
	case !talk && w.onSpied != nil:
		w.onSpied()
		w.onSpied = nil
	}
	peer := w.spied.Peer()
	switch {
	case m == modeBarge && w.onPeer == nil && peer != nil:
		w.onPeer = peer.AddWhisper(&w.toPeer)
	case m != modeBarge && w.onPeer != nil:
		w.onPeer()
		w.onPeer = nil
	}
}

// say queues one frame of the spy's voice where the mode sends it.
func (w *whisperer) say(fr media.Frame) {
	if w.onSpied == nil {
		return
	}
	if fr.Format != media.SLin {
		if w.dec == nil || w.dec.Path().From != fr.Format {
			p, err := pbx.Translator().Path(fr.Format, media.SLin)
			if err != nil {
				return
			}
			w.dec = p.NewChain()
		}
		out, err := w.dec.Translate(fr)
		if err != nil {
			return
		}
		fr = out
	}
	w.pcm = media.DecodeSLin(w.pcm[:0], fr.Payload)
	w.toSpied.Write(w.pcm)
	if w.onPeer != nil {
		w.toPeer.Write(w.pcm)
	}
}

func (w *whisperer) stop() { w.set(modeSpy) }
