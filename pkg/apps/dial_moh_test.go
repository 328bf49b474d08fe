package apps_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// slowTech's far ends ring for a while, then answer and hang up soon
// after. It records how much music the caller had heard when the callee
// answered.
type slowTech struct {
	e      *pbx.Engine
	ring   time.Duration
	caller *pbxtest.Phone
	wg     sync.WaitGroup

	mu              sync.Mutex
	heardAtAnswer   int
	answeredChannel *pbx.Channel
}

func (s *slowTech) Type() string        { return "Slow" }
func (s *slowTech) Description() string { return "Slow answering test phones" }

func (s *slowTech) Request(_ context.Context, data string, req *pbx.Channel) (*pbx.Channel, error) {
	d := &slowDriver{tech: s}
	d.ch = s.e.NewChannel(pbx.ChannelSpec{Tech: "Slow", Resource: data, Driver: d, Requestor: req})
	return d.ch, nil
}

type slowDriver struct {
	tech *slowTech
	ch   *pbx.Channel
}

func (d *slowDriver) Call(context.Context, string, time.Duration) error {
	d.tech.wg.Add(1)
	far := pbxtest.FarEnd{Ring: d.tech.ring, Hold: 100 * time.Millisecond, OnAnswer: func() {
		d.tech.mu.Lock()
		d.tech.heardAtAnswer = voiceFrames(d.tech.caller)
		d.tech.answeredChannel = d.ch
		d.tech.mu.Unlock()
	}}
	go func() {
		defer d.tech.wg.Done()
		far.Play(d.ch)
	}()
	return nil
}

func (d *slowDriver) Answer() error                 { return nil }
func (d *slowDriver) Indicate(pbx.Indication) error { return nil }
func (d *slowDriver) Hangup(int) error              { return nil }

func voiceFrames(p *pbxtest.Phone) int {
	n := 0
	for _, fr := range p.Heard() {
		if fr.Kind == media.Voice {
			n++
		}
	}
	return n
}

// dialWithMusic runs Dial(Slow/6000,5,<opts>) from a µ-law phone.
// hook makes apps.HoldMusic from the lab's log (nil: no module).
func dialWithMusic(t *testing.T, opts string, hook func(log pbx.Logger) func(*pbx.Channel, string) pbx.Generator) (*lab, *pbxtest.Phone, *slowTech, *pbx.Channel) {
	t.Helper()
	plan := loadPlan(t, "extensions.conf", []byte("[test]\nexten => 700,1,Dial(Slow/6000,5,"+opts+")\n same => n,Hangup()\n"))
	l := newLab(t, plan, nil)
	old := apps.HoldMusic
	apps.HoldMusic = nil
	if hook != nil {
		apps.HoldMusic = hook(l.log)
	}
	t.Cleanup(func() { apps.HoldMusic = old })
	ph := pbxtest.NewPhone(media.ULaw)
	st := &slowTech{e: l.e, ring: 400 * time.Millisecond, caller: ph}
	if err := l.e.RegisterTechnology(st); err != nil {
		t.Fatal(err)
	}
	ch := ph.NewChannel(l.e, "6001", "test", "700")
	ch.SetState(pbx.StateRing)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.e.Run(context.Background(), ch, "test", "700", 1)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("call did not end; log:\n%s", strings.Join(l.log.Lines(), "\n"))
	}
	st.wg.Wait()
	return l, ph, st, ch
}

// Dial's m option plays music on hold to the caller while the callee
// rings, with early media instead of ringing, and stops at the answer.
func TestDialMusicOnHold(t *testing.T) {
	if _, err := os.Stat("/usr/share/asterisk/moh/macroform-cold_day.wav"); err != nil {
		t.Skip("asterisk-moh-opsound-wav is not installed (make test-deps)")
	}
	cfg, diags := confparse.Parse("musiconhold.conf", []byte("[default]\nmode=files\ndirectory=moh\n[jazz]\nmode=files\ndirectory=moh\n"), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	mc, d := moh.Load(cfg, "/usr/share/asterisk")
	if len(d) != 0 {
		t.Fatal(d)
	}
	for _, tt := range []struct{ opts, class string }{{"m", "default"}, {"m(jazz)", "jazz"}} {
		t.Run(tt.opts, func(t *testing.T) {
			l, ph, st, ch := dialWithMusic(t, tt.opts, func(log pbx.Logger) func(*pbx.Channel, string) pbx.Generator {
				m := moh.New(moh.Options{Log: log, DataDir: "/usr/share/asterisk"}, mc)
				t.Cleanup(m.Close)
				return m.Music
			})
			st.mu.Lock()
			atAnswer := st.heardAtAnswer
			st.mu.Unlock()
			// 400 ms of ringing is 20 frames of music.
			if atAnswer < 12 {
				t.Errorf("the caller heard %d frames of music while the callee rang, want about 20", atAnswer)
			}
			// After the answer, a frame or two in flight at most.
			if total := voiceFrames(ph); total > atAnswer+3 {
				t.Errorf("music went on after the answer: %d frames, %d at the answer", total, atAnswer)
			}
			inds := ph.Indications()
			for _, ind := range inds {
				if ind == pbx.IndRinging {
					t.Errorf("caller got ringing with m: %v", inds)
				}
			}
			if len(inds) == 0 || inds[0] != pbx.IndProgress {
				t.Errorf("caller indications %v, want progress first", inds)
			}
			if ch.MusicClass() != "" {
				t.Errorf("Dial left the caller's class at %q", ch.MusicClass())
			}
			l.log.has(t,
				"    -- Called Slow/6000",
				"    -- Started music on hold, class '"+tt.class+"', on channel '"+ch.Name()+"'",
				"    -- Stopped music on hold on "+ch.Name())
		})
	}
}

// Without the module, Dial m gives the caller early media and silence,
// after Asterisk's verbose line.
func TestDialMusicOnHoldWithoutModule(t *testing.T) {
	l, ph, _, _ := dialWithMusic(t, "m", nil)
	if n := voiceFrames(ph); n != 0 {
		t.Errorf("caller heard %d frames without a music module", n)
	}
	l.log.has(t, "    -- Music class default requested but no musiconhold loaded.")
}
