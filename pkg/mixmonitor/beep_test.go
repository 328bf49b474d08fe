package mixmonitor

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// MixMonitor p beeps to the channel when the recording starts,
// StopMixMonitor after P when it stops; neither beeps otherwise.
func TestMixMonitorBeeps(t *testing.T) {
	pbxtest.NeedSounds(t, "beep")
	tests := []struct {
		name, opts      string
		atStart, atStop bool
	}{
		{name: "none", opts: ""},
		{name: "p", opts: "p", atStart: true},
		{name: "P", opts: "P", atStop: true},
		{name: "pP", opts: "pP", atStart: true, atStop: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			log := &memLog{}
			m := New(Options{Log: log, SpoolDir: dir})
			eng := pbx.New(pbx.Config{Logger: log})
			if err := apps.RegisterWith(eng, apps.Config{DataDir: pbxtest.SoundsDir}); err != nil {
				t.Fatal(err)
			}
			if err := m.Register(eng); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ph := pbxtest.NewPhone(media.ULaw)
			ch := ph.NewChannel(eng, "b", "work", "s")
			if _, err := m.mixMonitorExec(ch, "beep.wav,"+tt.opts); err != nil {
				t.Fatal(err)
			}
			started := len(ph.Heard())
			if _, err := m.stopMixMonitorExec(ch, ""); err != nil {
				t.Fatal(err)
			}
			stopped := len(ph.Heard()) - started
			if (started > 0) != tt.atStart || (stopped > 0) != tt.atStop {
				t.Errorf("frames heard at start %d, at stop %d; want beeps %v/%v", started, stopped, tt.atStart, tt.atStop)
			}
		})
	}
}

// B(1): a second after MixMonitor starts, the channel (here playing
// silence) carries a beep.
func TestMixMonitorPeriodicBeep(t *testing.T) {
	pbxtest.NeedSounds(t, "beep")
	dir := t.TempDir()
	log := &memLog{}
	m := New(Options{Log: log, SpoolDir: dir})
	eng := pbx.New(pbx.Config{Logger: log})
	if err := apps.RegisterWith(eng, apps.Config{DataDir: pbxtest.SoundsDir}); err != nil {
		t.Fatal(err)
	}
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ph := pbxtest.NewPhone(media.SLin)
	ph.Pace = true
	ch := ph.NewChannel(eng, "b", "work", "s")
	if err := ch.OpenMedia(); err != nil {
		t.Fatal(err)
	}
	tones, _ := eng.App("PlayTones")
	if _, err := tones.Exec(ch, "0/3000"); err != nil {
		t.Fatal(err)
	}
	defer ch.StopGenerator()
	if _, err := m.mixMonitorExec(ch, "periodic.wav,B(1)"); err != nil {
		t.Fatal(err)
	}
	loud := func() bool {
		pcm, err := ph.HeardPCM()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range pcm {
			if s > 1000 || s < -1000 {
				return true
			}
		}
		return false
	}
	time.Sleep(700 * time.Millisecond)
	if loud() {
		t.Fatal("a beep before the interval")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !loud() {
		if time.Now().After(deadline) {
			t.Fatalf("no beep after the interval\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := m.stopMixMonitorExec(ch, ""); err != nil {
		t.Fatal(err)
	}
}
