package apps

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var bridgeWaitApp = &pbx.App{
	Name:     "BridgeWait",
	Synopsis: "Put a call into the holding bridge.",
	Syntax:   "BridgeWait([name[,role[,options]]])",
	Description: "This application places the incoming channel into a holding bridge. The channel will then wait in the holding bridge until some event occurs " +
		"which removes it from the holding bridge.\n\n" +
		"This application will answer calls which haven't already been answered, unless the n option is provided.",
	Arguments: "name - Name of the holding bridge to join. This is a handle for BridgeWait only and does not affect the actual bridges that are created. If not provided, the reserved name default will be used.\n" +
		"role - Defines the channel's purpose for entering the holding bridge. Values are case sensitive.\n" +
		"    participant - The channel will enter the holding bridge to be placed on hold until it is removed from the bridge for some reason. (default)\n" +
		"    announcer - The channel will enter the holding bridge to make announcements to channels that are currently in the holding bridge. " +
		"While an announcer is present, holding for the participants will be suspended.\n" +
		"options - m(class): The specified MOH class will be used/suggested for music on hold operations. This option will only be useful for entertainment modes that use it (m and h).\n" +
		"          e(m|r|s|h|n): Which entertainment mechanism should be used while on hold in the holding bridge. Only the first letter is read. " +
		"m: Play music on hold (default), r: Ring without pause, s: Generate silent audio, h: Put the channel on hold, n: No entertainment\n" +
		"          S(duration): Automatically exit the bridge and return to the PBX after duration seconds.\n" +
		"          n: Do not automatically answer the channel.",
	Exec: bridgeWait,
}

// holding is one named holding bridge: its participants hear their
// entertainment unless an announcer is there, whose audio they hear.
type holding struct {
	name, id string
	mu       sync.Mutex
	parts    map[*pbx.Channel]struct{}
	annc     map[*pbx.Channel]struct{}
	changed  chan struct{} // closed and replaced when the announcers change
}

// holdings are the named holding bridges of each engine.
var holdings struct {
	mu sync.Mutex
	m  map[holdingKey]*holding
}

type holdingKey struct {
	e    *pbx.Engine
	name string
}

// joinHolding adds ch to the holding bridge name (created on first use).
func joinHolding(e *pbx.Engine, name string, ch *pbx.Channel, announcer bool) *holding {
	holdings.mu.Lock()
	defer holdings.mu.Unlock()
	if holdings.m == nil {
		holdings.m = map[holdingKey]*holding{}
	}
	k := holdingKey{e, name}
	h := holdings.m[k]
	if h == nil {
		h = &holding{name: name, id: newUUID(), parts: map[*pbx.Channel]struct{}{}, annc: map[*pbx.Channel]struct{}{}, changed: make(chan struct{})}
		holdings.m[k] = h
	}
	h.mu.Lock()
	if announcer {
		h.annc[ch] = struct{}{}
		h.notifyLocked()
	} else {
		h.parts[ch] = struct{}{}
	}
	h.mu.Unlock()
	return h
}

// leave takes ch out; the bridge goes when nobody is left.
func (h *holding) leave(e *pbx.Engine, ch *pbx.Channel) {
	holdings.mu.Lock()
	defer holdings.mu.Unlock()
	h.mu.Lock()
	if _, ok := h.annc[ch]; ok {
		delete(h.annc, ch)
		h.notifyLocked()
	}
	delete(h.parts, ch)
	empty := len(h.parts)+len(h.annc) == 0
	h.mu.Unlock()
	if empty {
		delete(holdings.m, holdingKey{e, h.name})
	}
}

func (h *holding) notifyLocked() {
	close(h.changed)
	h.changed = make(chan struct{})
}

// state returns whether an announcer is present and the channel closed
// at the next change.
func (h *holding) state() (bool, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.annc) > 0, h.changed
}

// participants returns the channels on hold.
func (h *holding) participants() []*pbx.Channel {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*pbx.Channel, 0, len(h.parts))
	for c := range h.parts {
		out = append(out, c)
	}
	return out
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func bridgeWait(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	name := strings.TrimSpace(args[0])
	if name == "" {
		name = "default"
	}
	announcer := false
	switch role := strings.TrimSpace(args[1]); role {
	case "", "participant":
	case "announcer":
		announcer = true
	default:
		logError(ch, "Requested waiting bridge role '%s' is invalid.\n", role)
		return pbx.HangupResult, nil
	}
	opts := pbx.ParseAppOptions(args[2])
	if _, n := opts['n']; !n && !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	entertainment := byte('m')
	if v, ok := opts['e']; ok {
		if v == "" || strings.IndexByte("mrshn", v[0]) < 0 {
			logError(ch, "Invalid argument for BridgeWait entertainment '%s'\n", v)
			return pbx.HangupResult, nil
		}
		entertainment = v[0]
	}
	var timeout <-chan time.Time
	if v, ok := opts['S']; ok {
		if v == "" {
			logError(ch, "Timeout option 'S': No value provided.\n")
			return pbx.HangupResult, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			logError(ch, "Timeout option 'S': Invalid value provided '%s'.\n", v)
			return pbx.HangupResult, nil
		}
		if n > 0 {
			t := time.NewTimer(time.Duration(n) * time.Second)
			defer t.Stop()
			timeout = t.C
		}
	}
	h := joinHolding(e, name, ch, announcer)
	defer h.leave(e, ch)
	e.Log().Verbose(3, "%s is entering waiting bridge %s:%s\n", ch.Name(), name, h.id)
	var gone bool
	if announcer {
		gone = h.announce(ch, timeout)
	} else {
		gone = h.hold(ch, entertainment, opts['m'], timeout)
	}
	if gone || ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// hold keeps a participant until it hangs up (true), is taken out or its
// time is up; its entertainment pauses while an announcer speaks.
func (h *holding) hold(ch *pbx.Channel, ent byte, class string, timeout <-chan time.Time) bool {
	playing, held := false, false
	stop := func() {
		if playing {
			ch.StopGenerator()
			playing = false
		}
		if held {
			indicate(ch, pbx.IndUnhold)
			held = false
		}
	}
	defer stop()
	for {
		announced, changed := h.state()
		switch {
		case announced:
			stop()
		case !playing && !held:
			switch ent {
			case 'm':
				playing = startHoldMusic(ch, class)
			case 'r':
				if list, ok := toneByName(ch, "ring"); ok {
					ch.StartGenerator(toneGenerator(list))
					playing = true
				}
			case 's':
				ch.StartGenerator(silenceGenerator())
				playing = true
			case 'h':
				indicate(ch, pbx.IndHold)
				held = true
			}
		}
		if hungUp, left := waitInBridge(ch, timeout, changed); left {
			return hungUp
		}
	}
}

// announce passes the announcer's voice to every participant until it
// hangs up (true), is taken out or its time is up.
func (h *holding) announce(ch *pbx.Channel, timeout <-chan time.Time) bool {
	for {
		fr, err := ch.ReadUntil(timeout)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			ch.Engine().Log().Verbose(3, "Channel %s timed out.\n", ch.Name())
			return false
		case errors.Is(err, pbx.ErrInterrupted):
			return false
		case errors.Is(err, pbx.ErrNoMedia):
			// Nothing to pass on: wait for the end as a participant would.
			hungUp, _ := waitInBridge(ch, timeout, nil)
			return hungUp
		case err != nil:
			return true
		}
		if fr.Kind != media.Voice {
			continue
		}
		for _, p := range h.participants() {
			_ = p.Write(fr)
		}
	}
}

// silenceGenerator writes 20 ms of signed linear silence at a time (the
// s entertainment: the phone keeps receiving audio).
func silenceGenerator() pbx.Generator {
	return pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
		payload := make([]byte, 320)
		var ts uint32
		for ctx.Err() == nil {
			if err := ch.Write(media.VoiceFrame(media.SLin, payload, ts)); err != nil {
				return err
			}
			ts += 160
		}
		return nil
	})
}

// waitInBridge waits until ch hangs up (hungUp), is taken out or its time
// is up (left), or changed is closed (neither: the caller looks again).
// A nil changed never fires.
func waitInBridge(ch *pbx.Channel, timeout <-chan time.Time, changed <-chan struct{}) (hungUp, left bool) {
	select {
	case <-ch.Done():
		return true, true
	case <-ch.Interrupted():
		return false, true
	case <-timeout:
		ch.Engine().Log().Verbose(3, "Channel %s timed out.\n", ch.Name())
		return false, true
	case <-changed:
		return false, false
	}
}
