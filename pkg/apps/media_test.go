package apps_test

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const soundsDir = pbxtest.SoundsDir

func needSounds(t *testing.T) { pbxtest.NeedSounds(t, "hello-world") }

// mediaLab is an engine with the applications, a dialplan given as text
// and fake phones.
type mediaLab struct {
	e   *pbx.Engine
	log *recLog
}

func newMediaLab(t *testing.T, conf string, cfg apps.Config) *mediaLab {
	t.Helper()
	plan := loadPlan(t, "extensions.conf", []byte(conf))
	l := &mediaLab{log: &recLog{}}
	l.e = pbx.New(pbx.Config{
		Logger:     l.log,
		Plan:       func() pbx.Plan { return plan },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) },
	})
	if cfg.DataDir == "" {
		cfg.DataDir = soundsDir
	}
	if err := apps.RegisterWith(l.e, cfg); err != nil {
		t.Fatal(err)
	}
	return l
}

// call is a running inbound call from a fake phone.
type call struct {
	ch    *pbx.Channel
	phone *pbxtest.Phone
	done  chan struct{}
}

// start places a call from phone to exten@dpContext; the channel rings.
func (l *mediaLab) start(t *testing.T, phone *pbxtest.Phone, dpContext, exten string) *call {
	t.Helper()
	ch := phone.NewChannel(l.e, "6001", dpContext, exten)
	ch.SetState(pbx.StateRing)
	c := &call{ch: ch, phone: phone, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		l.e.Run(context.Background(), ch, dpContext, exten, 1)
	}()
	t.Cleanup(func() {
		ch.SoftHangup(pbx.CauseNormalClearing)
		<-c.done
	})
	return c
}

// wait waits for the dialplan to end.
func (c *call) wait(t *testing.T, l *mediaLab, d time.Duration) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(d):
		t.Fatalf("call did not end in %v; log:\n%s", d, strings.Join(l.log.Lines(), "\n"))
	}
}

// run places a call and waits for its end.
func (l *mediaLab) run(t *testing.T, phone *pbxtest.Phone, dpContext, exten string) *call {
	t.Helper()
	c := l.start(t, phone, dpContext, exten)
	c.wait(t, l, 10*time.Second)
	return c
}

// waitLog waits until the log has a line containing s.
func (l *mediaLab) waitLog(t *testing.T, s string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, line := range l.log.Lines() {
			if strings.Contains(line, s) {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no log line with %q in %v; log:\n%s", s, d, strings.Join(l.log.Lines(), "\n"))
}

// filePCM decodes a sound file to 8 kHz samples.
func filePCM(t *testing.T, name, lang string) []int16 {
	t.Helper()
	path, ff, err := (&sound.Finder{DataDir: soundsDir}).Find(name, lang, func(f *media.Format) int {
		if f == media.SLin {
			return 0
		}
		return -1
	})
	if err != nil {
		t.Fatal(err)
	}
	return readPCM(t, path, ff)
}

func readPCM(t *testing.T, path string, ff *sound.FileFormat) []int16 {
	t.Helper()
	r, err := sound.Open(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var chain *media.Chain
	var out []int16
	for {
		fr, err := r.ReadFrame()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if fr.Format != media.SLin {
			if chain == nil {
				p, err := pbx.Translator().Path(fr.Format, media.SLin)
				if err != nil {
					t.Fatal(err)
				}
				chain = p.NewChain()
			}
			if fr, err = chain.Translate(fr); err != nil {
				t.Fatal(err)
			}
		}
		out = media.DecodeSLin(out, fr.Payload)
	}
}

// correlation is the normalised cross-correlation of a and b at lag 0,
// over the shorter length.
func correlation(a, b []int16) float64 {
	n := min(len(a), len(b))
	var ab, aa, bb float64
	for i := 0; i < n; i++ {
		x, y := float64(a[i]), float64(b[i])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// dominantHz estimates the frequency of a tone from its zero crossings.
func dominantHz(s []int16, rate int) float64 {
	crossings := 0
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
	}
	return float64(crossings) / 2 / (float64(len(s)) / float64(rate))
}

func TestPlayback(t *testing.T) {
	needSounds(t)
	noLeaks(t)
	const plan = `
[test]
exten => 100,1,Playback(hello-world)
 same => n,NoOp(${PLAYBACKSTATUS})
exten => 101,1,Playback(no-such-prompt&beep)
 same => n,NoOp(${PLAYBACKSTATUS})
exten => 102,1,Playback(hello-world,noanswer)
exten => 103,1,Playback(hello-world,skip)
 same => n,NoOp(${PLAYBACKSTATUS})
`
	tests := []struct {
		exten    string
		status   string
		answered bool
		heard    string // prompt the phone must have heard, "" for none
		log      []string
	}{
		{exten: "100", status: "SUCCESS", answered: true, heard: "hello-world", log: []string{
			`    -- <Test/6001-00000000> Playing 'hello-world.slin' (language 'en')`,
		}},
		{exten: "101", status: "FAILED", answered: true, heard: "beep", log: []string{
			`WARNING: File no-such-prompt does not exist in any format`,
			`WARNING: Unable to open no-such-prompt (format (ulaw)): No such file or directory`,
			`WARNING: Playback failed on Test/6001-00000000 for no-such-prompt&beep`,
			`    -- <Test/6001-00000000> Playing 'beep.slin' (language 'en')`,
		}},
		{exten: "102", answered: false, heard: "hello-world"},
		{exten: "103", status: "SUCCESS", answered: false},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			l := newMediaLab(t, plan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			l.run(t, phone, "test", tc.exten)
			// The channel is gone: PLAYBACKSTATUS was read by NoOp.
			if tc.status != "" {
				l.log.has(t, `    -- Executing [`+tc.exten+`@test:2] NoOp("Test/6001-00000000", "`+tc.status+`") in new stack`)
			}
			l.log.has(t, tc.log...)
			if phone.Answered() != tc.answered {
				t.Errorf("answered = %v, want %v", phone.Answered(), tc.answered)
			}
			heard, err := phone.HeardPCM()
			if err != nil {
				t.Fatal(err)
			}
			if tc.heard == "" {
				if len(heard) != 0 {
					t.Errorf("phone heard %d samples, want none", len(heard))
				}
				return
			}
			want := filePCM(t, tc.heard, "en")
			if d := len(heard) - len(want); d < 0 || d > 160 {
				t.Errorf("phone heard %d samples, file has %d", len(heard), len(want))
			}
			if r := correlation(heard, want); r < 0.99 {
				t.Errorf("correlation of what the phone heard with %s = %.3f, want > 0.99", tc.heard, r)
			}
		})
	}
}

// TestPlaybackPicksCheapestFormat plays hello-world (.wav and .gsm on
// disk) to phones of several codecs: the file whose codec costs least to
// translate to the phone's is played, and the phone hears the prompt.
func TestPlaybackPicksCheapestFormat(t *testing.T) {
	needSounds(t)
	tests := []struct {
		phone *media.Format
		file  string // format named in the Playing line
		min   float64
	}{
		{media.ULaw, "slin", 0.99},
		{media.ALaw, "slin", 0.99},
		{media.GSM, "gsm", 0.999}, // the .gsm file, sent as it is
		{media.G722, "slin", 0},   // 16 kHz: checked for length only
	}
	for _, tc := range tests {
		t.Run(tc.phone.Name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, "[p]\nexten => 1,1,Playback(hello-world)\n", apps.Config{})
			phone := pbxtest.NewPhone(tc.phone)
			l.run(t, phone, "p", "1")
			l.log.has(t, `    -- <Test/6001-00000000> Playing 'hello-world.`+tc.file+`' (language 'en')`)
			heard, err := phone.HeardPCM()
			if err != nil {
				t.Fatal(err)
			}
			var want []int16
			if tc.file == "gsm" {
				path, ff, err := (&sound.Finder{DataDir: soundsDir}).Find("hello-world", "en", func(f *media.Format) int {
					if f == media.GSM {
						return 0
					}
					return -1
				})
				if err != nil {
					t.Fatal(err)
				}
				want = readPCM(t, path, ff)
			} else {
				want = filePCM(t, "hello-world", "en")
			}
			rate := tc.phone.SampleRate / 8000
			if d := len(heard)/rate - len(want); d < -160 || d > 160 {
				t.Errorf("phone heard %d samples at %d Hz, the file has %d at 8 kHz", len(heard), tc.phone.SampleRate, len(want))
			}
			if tc.min > 0 {
				if r := correlation(heard, want); r < tc.min {
					t.Errorf("correlation %.4f, want > %.3f", r, tc.min)
				}
			}
		})
	}
}
