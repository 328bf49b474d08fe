package chanspy

import (
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// call stands for a bridge around the spied channel: it reads what its
// party says (the tap's read direction) and writes a tone to it (the
// write direction), until stopped.
type call struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func runCall(t *testing.T, ch *pbx.Channel, heardTone string) *call {
	t.Helper()
	c := &call{stop: make(chan struct{})}
	frames, err := pbxtest.ToneFrames(heardTone, 4*time.Second, media.ULaw)
	if err != nil {
		t.Fatal(err)
	}
	c.wg.Add(2)
	go func() {
		defer c.wg.Done()
		for {
			select {
			case <-c.stop:
				return
			default:
			}
			deadline := time.After(50 * time.Millisecond)
			_, _ = ch.ReadUntil(deadline)
		}
	}()
	go func() {
		defer c.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for _, fr := range frames {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			if ch.Write(fr) != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { close(c.stop); c.wg.Wait() })
	return c
}

func TestChanSpyHearsBothPartiesAndWhispers(t *testing.T) {
	tests := []struct {
		name        string
		opts        string
		spyHears    []float64 // tones the spy must hear
		spyNotHears []float64
		whisper     bool // the spied party hears the spy's 1800 Hz
	}{
		{"listen", "q", []float64{600, 1000}, nil, false},
		{"only the spied party", "qo", []float64{600}, []float64{1000}, false},
		{"whisper", "qw", []float64{600, 1000}, nil, true},
		{"private whisper", "qW", nil, []float64{600, 1000}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := pbx.New(pbx.Config{})
			if err := Register(eng); err != nil {
				t.Fatal(err)
			}
			agentPhone := pbxtest.NewPhone(media.ULaw)
			agent := agentPhone.NewChannel(eng, "agent", "default", "s")
			// The agent says 600 Hz; the customer's 1000 Hz is written to
			// the agent's channel.
			said, _ := pbxtest.ToneFrames("600", 3*time.Second, media.ULaw)
			go func() {
				for _, fr := range said {
					if agentPhone.Say(fr) != nil {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			}()
			runCall(t, agent, "1000")

			supPhone := pbxtest.NewPhone(media.ULaw)
			sup := supPhone.NewChannel(eng, "sup", "default", "s")
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _ = eng.ExecApp(sup, "ChanSpy", "Test/agent,"+tc.opts)
			}()
			spySays, _ := pbxtest.ToneFrames("1800", 3*time.Second, media.ULaw)
			go func() {
				for _, fr := range spySays {
					if supPhone.Say(fr) != nil {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			}()
			time.Sleep(2 * time.Second)
			sup.SoftHangup(pbx.CauseNormalClearing)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("ChanSpy did not end when the spy hung up")
			}
			heard, _ := supPhone.HeardPCM()
			for _, f := range tc.spyHears {
				if p := dsp.ToneShare(heard, f, 8000); p < 0.1 {
					t.Errorf("the spy hears %.0f Hz at %.3f of its audio (%d samples)", f, p, len(heard))
				}
			}
			for _, f := range tc.spyNotHears {
				if p := dsp.ToneShare(heard, f, 8000); p > 0.02 {
					t.Errorf("the spy hears %.0f Hz at %.3f, want nothing of it", f, p)
				}
			}
			toAgent, _ := agentPhone.HeardPCM()
			p := dsp.ToneShare(toAgent, 1800, 8000)
			if tc.whisper && p < 0.05 {
				t.Errorf("the agent hears the whisper at %.3f of its audio", p)
			}
			if !tc.whisper && p > 0.01 {
				t.Errorf("the agent hears the spy at %.3f without whisper", p)
			}
		})
	}
}

func TestSelector(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	spy := ph.NewChannel(eng, "spy", "default", "s")
	a := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "6000", "internal", "6001")
	b := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "6002", "internal", "7000")
	a.SetVar("SPYGROUP", "sales:support")
	for _, tc := range []struct {
		name string
		sel  selector
		want []*pbx.Channel
	}{
		{"all", selector{}, []*pbx.Channel{a, b}},
		{"prefix", selector{prefix: "test/6000"}, []*pbx.Channel{a}},
		{"group", selector{groups: []string{"support"}}, []*pbx.Channel{a}},
		{"enforced", selector{enforce: []string{"6002"}}, []*pbx.Channel{b}},
		{"exten", selector{exten: "7000", context: "internal"}, []*pbx.Channel{b}},
		{"bridged only", selector{bridgedOnly: true}, nil},
	} {
		s := &session{ch: spy, sel: tc.sel}
		got := s.candidates("")
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d channels, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: channel %d is %s, want %s", tc.name, i, got[i].Name(), tc.want[i].Name())
			}
		}
	}
}
