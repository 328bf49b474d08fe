package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_talkdetect.c's TALK_DETECT: a tap on the voice the
// channel reads judges each frame with the DSP's silence test and
// publishes ChannelTalkingStart when talk begins and ChannelTalkingStop
// (Duration: the talk in ms, less the silence that ended it) once
// silence has lasted dsp_silence_threshold ms. Durations are counted in
// audio time (what the frames last), which is wall time on a live call.

const defaultTalkSilence = 2500 // func_talkdetect.c's DEFAULT_SILENCE_THRESHOLD, ms

// The manager events (Asterisk's stasis channel blobs).
const (
	busTalkingStart pbx.BusEventType = "ChannelTalkingStart"
	busTalkingStop  pbx.BusEventType = "ChannelTalkingStop"
)

type talkKey struct{}

// talkDetector is a channel's TALK_DETECT tap.
type talkDetector struct {
	e  *pbx.Engine
	ch *pbx.Channel

	mu        sync.Mutex
	remove    func() // takes the tap off; nil once removed
	silenceMS int
	det       *dsp.SilenceDetector
	dec       *media.Chain
	pcm       []int16
	talking   bool
	clock     time.Duration // audio time so far
	startedAt time.Duration // audio time talk began
}

// TapFrame judges voice read from the channel (pbx.Tap).
func (t *talkDetector) TapFrame(dir pbx.TapDirection, fr media.Frame) {
	if dir != pbx.TapRead || fr.Kind != media.Voice {
		return
	}
	t.mu.Lock()
	lin := fr
	if fr.Format != media.SLin {
		if t.dec == nil || t.dec.Path().From != fr.Format {
			p, err := pbx.Translator().Path(fr.Format, media.SLin)
			if err != nil {
				t.mu.Unlock()
				return
			}
			t.dec = p.NewChain()
		}
		out, err := t.dec.Translate(fr)
		if err != nil {
			t.mu.Unlock()
			return
		}
		lin = out
	}
	t.pcm = media.DecodeSLin(t.pcm[:0], lin.Payload)
	t.clock += time.Duration(len(t.pcm)) * time.Second / 8000
	silent, silentFor, _ := t.det.Process(t.pcm)
	var ev *pbx.BusEvent
	switch {
	case !silent && !t.talking:
		t.talking, t.startedAt = true, t.clock-time.Duration(len(t.pcm))*time.Second/8000
		ev = &pbx.BusEvent{Type: busTalkingStart, Channel: t.ch}
	case silent && t.talking && silentFor >= time.Duration(t.silenceMS)*time.Millisecond:
		t.talking = false
		ms := (t.clock-t.startedAt)/time.Millisecond - time.Duration(t.silenceMS)
		ev = &pbx.BusEvent{Type: busTalkingStop, Channel: t.ch,
			Fields: []pbx.EventField{{Key: "Duration", Value: strconv.FormatInt(int64(ms), 10)}}}
	}
	t.mu.Unlock()
	if ev != nil {
		state := "silent"
		if ev.Type == busTalkingStart {
			state = "talking"
		}
		t.e.Log().Verbose(4, "%s is now %s\n", t.ch.Name(), state)
		if t.e.Bus().Wants(ev.Type) {
			ev.Time = time.Now()
			t.e.Bus().Publish(*ev)
		}
	}
}

func talkDetectFunc(e *pbx.Engine) pbx.Function {
	return pbx.Function{
		Name: "TALK_DETECT", Synopsis: "Raises notifications when Asterisk detects silence or talking on a channel.",
		Syntax:      "TALK_DETECT(action)",
		Description: "The TALK_DETECT function enables events on the channel it is applied to (ChannelTalkingStart, ChannelTalkingStop). action: remove, or set with the value dsp_silence_threshold[,dsp_talking_threshold]: the ms of silence that end talk (2500) and the average sample magnitude below which a frame is silence (256).",
		Write: func(ch *pbx.Channel, s, value string) error {
			if ch == nil {
				return nil
			}
			switch {
			case s == "":
				return fmt.Errorf("TALK_DETECT requires an argument")
			case strings.EqualFold(s, "remove"):
				var t *talkDetector
				ch.UpdateDatastore(talkKey{}, func(old any) any {
					t, _ = old.(*talkDetector)
					return nil
				})
				if t != nil {
					t.mu.Lock()
					remove := t.remove
					t.remove = nil
					t.mu.Unlock()
					if remove != nil {
						remove()
					}
				}
				return nil
			case !strings.EqualFold(s, "set"):
				return fmt.Errorf("TALK_DETECT: unknown option %s", s)
			}
			silence, talking := defaultTalkSilence, dsp.DefaultSilenceThreshold
			a := args(value)
			for i, p := range []*int{&silence, &talking} {
				v := arg(a, i)
				if v == "" {
					continue
				}
				name := [2]string{"dsp_silence_threshold", "dsp_talking_threshold"}[i]
				n, err := strconv.Atoi(leadingInt(v))
				if err != nil {
					return fmt.Errorf("Failed to parse %s for %s", v, name)
				}
				if n < 1 {
					return fmt.Errorf("Invalid value %d for %s", n, name)
				}
				*p = n
			}
			var fresh *talkDetector
			ch.UpdateDatastore(talkKey{}, func(old any) any {
				if t, ok := old.(*talkDetector); ok {
					t.mu.Lock()
					t.silenceMS, t.det = silence, dsp.NewSilenceDetector(talking)
					t.mu.Unlock()
					return t
				}
				fresh = &talkDetector{e: e, ch: ch, silenceMS: silence, det: dsp.NewSilenceDetector(talking)}
				return fresh
			})
			if fresh != nil {
				// Outside UpdateDatastore: AddTap posts to the channel.
				remove := ch.AddTap(fresh)
				fresh.mu.Lock()
				fresh.remove = remove
				fresh.mu.Unlock()
			}
			return nil
		},
	}
}
