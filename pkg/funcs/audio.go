package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is the functions that change a channel's voice through a
// pbx.AudioHook: func_volume.c's VOLUME, res_mutestream.c's MUTEAUDIO and
// func_scramble.c's SCRAMBLE. RX is what the channel's party says (read
// from the channel), TX what it hears (written to it). A channel's hook
// is added by the first setting that changes audio and removed once all
// are back to neutral, so the call can return to the native relay.

// audioState is a channel's settings; one hook serves all three functions.
type audioState struct {
	mu             sync.Mutex
	rxGain, txGain float64 // VOLUME: >0 multiplies, <0 divides, 0 leaves
	volumeSet      bool    // VOLUME was written (it reads nothing before)
	muteIn         bool    // MUTEAUDIO(in)
	muteOut        bool    // MUTEAUDIO(out)
	scrambleRX     bool    // SCRAMBLE
	scrambleTX     bool
	dtmfVolume     bool   // VOLUME's p option: '*' raises both gains, '#' lowers them
	remove         func() // the installed hook's remover, nil when none
}

type audioKey struct{}

func audioOf(ch *pbx.Channel) *audioState {
	var st *audioState
	ch.UpdateDatastore(audioKey{}, func(old any) any {
		if o, ok := old.(*audioState); ok {
			st = o
			return o
		}
		st = &audioState{}
		return st
	})
	return st
}

// Manipulate applies the settings to one frame (pbx.AudioHook).
func (s *audioState) Manipulate(dir pbx.TapDirection, pcm []int16) {
	s.mu.Lock()
	gain, mute, scramble := s.rxGain, s.muteIn, s.scrambleRX
	if dir == pbx.TapWrite {
		gain, mute, scramble = s.txGain, s.muteOut, s.scrambleTX
	}
	s.mu.Unlock()
	if mute {
		clear(pcm)
		return
	}
	if gain != 0 {
		adjustVolume(pcm, gain)
	}
	if scramble {
		for i := 0; i < len(pcm); i += 2 { // spectrum inversion
			pcm[i] = -pcm[i]
		}
	}
}

// Digit is VOLUME's p option (pbx.DigitHook): a '*' the party presses
// adds 1 to both gains, a '#' takes 1 off, as func_volume.c's callback.
func (s *audioState) Digit(_ pbx.TapDirection, d rune) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dtmfVolume {
		return
	}
	switch d {
	case '*':
		s.txGain++
		s.rxGain++
	case '#':
		s.txGain--
		s.rxGain--
	}
}

// adjustVolume is ast_frame_adjust_volume_float: a positive gain
// multiplies, a negative one divides by its size, saturating.
func adjustVolume(pcm []int16, gain float64) {
	for i, v := range pcm {
		f := float64(v)
		if gain > 0 {
			f *= gain
		} else {
			f /= -gain
		}
		pcm[i] = int16(max(-32768, min(32767, f)))
	}
}

// sync installs or removes the hook after a change; s.mu is held.
func (s *audioState) sync(ch *pbx.Channel) {
	active := s.rxGain != 0 || s.txGain != 0 || s.dtmfVolume || s.muteIn || s.muteOut || s.scrambleRX || s.scrambleTX
	switch {
	case active && s.remove == nil:
		s.remove = ch.AddAudioHook(s)
	case !active && s.remove != nil:
		s.remove()
		s.remove = nil
	}
}

func audioFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "VOLUME", Synopsis: "Set or get the TX or RX volume of a channel.", Syntax: "VOLUME(direction[,options])",
			Description: "The VOLUME function can be used to increase or decrease the tx or rx gain of any channel: a positive value multiplies the samples, a negative one divides them, 0 leaves them. direction: TX or RX. options: p - enable DTMF volume control ('*' raises both gains by 1, '#' lowers them).",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("VOLUME")
				}
				st, ok := ch.Datastore(audioKey{}).(*audioState)
				if !ok {
					return "", nil
				}
				st.mu.Lock()
				defer st.mu.Unlock()
				if !st.volumeSet {
					return "", nil // no volume hook yet: nothing to read
				}
				dir := arg(args(s), 0)
				switch {
				case dir == "":
					return "", errorf("Direction must be specified for VOLUME function")
				case strings.EqualFold(dir, "tx"):
					return strconv.FormatFloat(st.txGain, 'f', 6, 64), nil
				case strings.EqualFold(dir, "rx"):
					return strconv.FormatFloat(st.rxGain, 'f', 6, 64), nil
				}
				return "", errorf("Direction must be either RX or TX")
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("VOLUME")
				}
				a := args(s)
				dir := arg(a, 0)
				if dir == "" {
					return errorf("Direction must be specified for VOLUME function")
				}
				if !strings.EqualFold(dir, "tx") && !strings.EqualFold(dir, "rx") {
					return errorf("Direction must be either RX or TX")
				}
				g, _ := cNumber(value) // atof: no number is 0
				st := audioOf(ch)
				st.mu.Lock()
				defer st.mu.Unlock()
				st.volumeSet = true
				st.dtmfVolume = strings.Contains(arg(a, 1), "p") // options are replaced by each write
				if strings.EqualFold(dir, "tx") {
					st.txGain = g
				} else {
					st.rxGain = g
				}
				st.sync(ch)
				return nil
			}},
		{Name: "MUTEAUDIO", Synopsis: "Muting audio streams in the channel", Syntax: "MUTEAUDIO(direction)",
			Description: "The MUTEAUDIO function can be used to mute inbound (to the PBX) or outbound audio in a call. direction: in, out or all; the value turns muting on or off. (gostrisk sends silence where Asterisk drops the frames.)",
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("MUTEAUDIO")
				}
				in, out := s == "in" || s == "all", s == "out" || s == "all"
				if !in && !out {
					return fmt.Errorf("Failed to mute/unmute %s on %s", s, ch.Name())
				}
				on := confparse.True(value)
				st := audioOf(ch)
				st.mu.Lock()
				defer st.mu.Unlock()
				if in {
					st.muteIn = on
				}
				if out {
					st.muteOut = on
				}
				st.sync(ch)
				return nil
			}},
		{Name: "SCRAMBLE", Synopsis: "Scrambles audio on a channel.", Syntax: "SCRAMBLE([direction])",
			Description: "Scrambles audio on a channel using whole spectrum inversion. This is not intended to be used for securely scrambling audio. It merely renders obfuscates audio on a channel to render it unintelligible, as a privacy enhancement. direction: TX, RX, both (the default) or remove.",
			Write: func(ch *pbx.Channel, _, value string) error {
				if ch == nil {
					return errNoChannel("SCRAMBLE")
				}
				dir := strings.ToLower(arg(args(value), 0))
				rx, tx := true, true
				switch dir {
				case "remove":
					rx, tx = false, false
				case "tx", "rx":
					// func_scramble.c scrambles only what the channel is
					// sent for either value.
					rx, tx = false, true
				case "both", "":
				default:
					return errorf("Direction must be either RX, TX, both, or remove")
				}
				st := audioOf(ch)
				st.mu.Lock()
				defer st.mu.Unlock()
				st.scrambleRX, st.scrambleTX = rx, tx
				st.sync(ch)
				return nil
			}},
	}
}
