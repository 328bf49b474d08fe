package funcs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_periodic_hook.c's PERIODIC_HOOK: every interval
// seconds a Local/exten@context channel runs the hook's extension (with
// HOOK_CHANNEL and HOOK_ID set) and what it plays is mixed into what the
// hooked channel and the party it is bridged with hear, as Asterisk's
// ChanSpy(${HOOK_CHANNEL},qEB) on the Local channel does. The hook stops
// with the channel; PERIODIC_HOOK(id)=off pauses it, on resumes it.

var hookIDs atomic.Uint32

type hookKey struct{ id string }

// periodicHook is one hook of a channel.
type periodicHook struct {
	e              *pbx.Engine
	ch             *pbx.Channel
	id             string
	context, exten string
	interval       time.Duration
	mu             sync.Mutex
	enabled        bool
	running        bool // a hook call is playing
}

func periodicHookFunc(e *pbx.Engine) pbx.Function {
	return pbx.Function{
		Name: "PERIODIC_HOOK", Synopsis: "Execute a periodic dialplan hook into the audio of a call.",
		Syntax:      "PERIODIC_HOOK([context,extension,interval,[hook_id]])",
		Description: "For example, you could use this function to enable playing a periodic beep sound in a call: Set(BEEPID=${PERIODIC_HOOK(hooks,beep,180)}), Set(PERIODIC_HOOK(${BEEPID})=off), Set(PERIODIC_HOOK(${BEEPID})=on). The hook does not run on the channel itself: it runs on a new Local channel, and its audio is injected into the call of the channel PERIODIC_HOOK() was set on. The hook dialplan has HOOK_CHANNEL and HOOK_ID.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", nil
			}
			a := args(s)
			secs, err := strconv.ParseUint(leadingInt(arg(a, 2)), 10, 31)
			if err != nil || secs == 0 {
				return "", fmt.Errorf("Invalid hook interval: '%s'", arg(a, 2))
			}
			if arg(a, 0) == "" || arg(a, 1) == "" {
				return "", fmt.Errorf("A context and extension are required for PERIODIC_HOOK().")
			}
			h := &periodicHook{e: e, ch: ch, id: strconv.FormatUint(uint64(hookIDs.Add(1)-1), 10),
				context: a[0], exten: a[1], interval: time.Duration(secs) * time.Second, enabled: true}
			ch.SetDatastore(hookKey{h.id}, h)
			go h.loop()
			return h.id, nil
		},
		Write: func(ch *pbx.Channel, s, value string) error {
			if ch == nil {
				return nil
			}
			var on bool
			switch {
			case confparse.False(value):
			case confparse.True(value):
				on = true
			default:
				return fmt.Errorf("Invalid value for PERIODIC_HOOK function: '%s'", value)
			}
			h, ok := ch.Datastore(hookKey{strings.TrimSpace(s)}).(*periodicHook)
			if !ok {
				if on {
					return fmt.Errorf("Hook with ID '%s' not found on '%s'", s, ch.Name())
				}
				return fmt.Errorf("Hook with ID '%s' not found on channel '%s'", s, ch.Name())
			}
			h.mu.Lock()
			h.enabled = on
			h.mu.Unlock()
			return nil
		},
	}
}

// loop fires the hook every interval until the channel is done; it is
// the hook's only goroutine besides the call it runs.
func (h *periodicHook) loop() {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for {
		select {
		case <-h.ch.Done():
			return
		case <-t.C:
			h.mu.Lock()
			fire := h.enabled && !h.running
			if fire {
				h.running = true
			}
			h.mu.Unlock()
			if fire {
				h.run()
				h.mu.Lock()
				h.running = false
				h.mu.Unlock()
			}
		}
	}
}

// run places Local/exten@context, reads what it plays one frame per
// frame time and mixes it into the hooked channel and its peer.
func (h *periodicHook) run() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // ast_pbx_outgoing_exten's 60 s
	defer cancel()
	dest := h.exten + "@" + h.context
	out, err := h.e.Request(ctx, "Local", dest, h.ch)
	if err != nil {
		h.e.Log().Warning("PERIODIC_HOOK %s on %s: %v\n", h.id, h.ch.Name(), err)
		return
	}
	defer out.Hangup(pbx.CauseNormalClearing)
	out.SetVar("HOOK_CHANNEL", h.ch.Name())
	out.SetVar("HOOK_ID", h.id)
	if err := out.Driver().Call(ctx, dest, time.Minute); err != nil {
		h.e.Log().Warning("PERIODIC_HOOK %s on %s: %v\n", h.id, h.ch.Name(), err)
		return
	}
	var mine, peers pbx.Whisper
	defer h.ch.AddWhisper(&mine)()
	if p := h.ch.Peer(); p != nil {
		defer p.AddWhisper(&peers)()
	}
	var dec *media.Chain
	limit := time.NewTimer(time.Minute)
	defer limit.Stop()
	pace := time.NewTicker(20 * time.Millisecond)
	defer pace.Stop()
	for {
		fr, err := out.ReadUntil(limit.C)
		if err != nil {
			return // the hook's extension ended (or the minute is up)
		}
		if fr.Kind != media.Voice {
			continue
		}
		lin := fr
		if fr.Format != media.SLin {
			if dec == nil || dec.Path().From != fr.Format {
				p, err := pbx.Translator().Path(fr.Format, media.SLin)
				if err != nil {
					return
				}
				dec = p.NewChain()
			}
			if lin, err = dec.Translate(fr); err != nil {
				continue
			}
		}
		pcm := media.DecodeSLin(nil, lin.Payload)
		mine.Write(pcm)
		peers.Write(pcm)
		select { // one frame per frame time: the whisper holds only 200 ms
		case <-pace.C:
		case <-h.ch.Done():
			return
		}
	}
}
