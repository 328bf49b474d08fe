package mixmonitor

import (
	"strconv"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// MixMonitor's B(interval): while the call is recorded, both parties hear
// "beep" every interval seconds (15 by default). Asterisk does it with a
// periodic hook that barges into the call through ChanSpy; here the beep
// is whispered (pbx.Whisper) into the recorded channel and into the
// channel it is bridged with at that moment.

const defaultBeepInterval = 15 * time.Second

// beepInterval reads B's argument as app_mixmonitor: whole seconds, the
// default with a warning when it is not a number.
func (m *Module) beepInterval(arg string) time.Duration {
	if arg == "" {
		return defaultBeepInterval
	}
	n, err := strconv.ParseUint(arg, 10, 31)
	if err != nil {
		m.log.Warning("Invalid interval '%s' for periodic beep. Using default of %d\n", arg, int(defaultBeepInterval/time.Second))
		return defaultBeepInterval
	}
	return time.Duration(n) * time.Second
}

// beeper runs until the recording ends; the module's wait group owns it.
func (r *recording) beeper(every time.Duration) {
	defer r.m.wg.Done()
	if every <= 0 {
		return
	}
	beep, err := apps.PromptPCM(r.ch, "beep", 8000*5)
	if err != nil || len(beep) == 0 {
		r.m.log.Warning("Unable to enable periodic beep on %s: %v\n", r.ch.Name(), err)
		return
	}
	whispers := map[*pbx.Channel]*pbx.Whisper{}
	var removes []func()
	defer func() {
		for _, rm := range removes {
			rm()
		}
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-r.ch.Done():
			return
		case <-t.C:
		}
		for _, c := range []*pbx.Channel{r.ch, r.ch.Peer()} {
			if c == nil {
				continue
			}
			w := whispers[c]
			if w == nil {
				w = &pbx.Whisper{}
				whispers[c] = w
				removes = append(removes, c.AddWhisper(w))
			}
			w.Write(beep)
		}
	}
}
