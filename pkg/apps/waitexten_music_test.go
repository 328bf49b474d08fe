package apps_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const waitPlan = `
[w]
exten => moh,1,Answer()
 same => n,WaitExten(0.5,m(jazz))
 same => n,NoOp(continued)
exten => nomoh,1,Answer()
 same => n,WaitExten(0.2,m)
 same => n,NoOp(continued)
exten => dial,1,Answer()
 same => n,WaitExten(0.5,d)
exten => t,1,NoOp(timeout)
exten => bgmissing,1,Background(no-such-prompt)
 same => n,NoOp(${BACKGROUNDSTATUS})
exten => unix,1,SayUnixTime(86400,UTC,ABdY)
`

// heardHz runs a call to exten in [w] and returns the frequency heard.
func heardHz(t *testing.T, cfg apps.Config, exten string) (float64, *mediaLab) {
	t.Helper()
	l := newMediaLab(t, waitPlan, cfg)
	phone := pbxtest.NewPhone(media.ULaw)
	phone.Pace = true
	l.run(t, phone, "w", exten)
	heard, err := phone.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) < 1600 {
		return 0, l
	}
	return dominantHz(heard, 8000), l
}

func TestWaitExtenMusicAndDialTone(t *testing.T) {
	noLeaks(t)
	var classes []string
	apps.HoldMusic = func(ch *pbx.Channel, class string) pbx.Generator {
		classes = append(classes, class)
		list, _ := dsp.ParseToneList("300")
		return pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
			p := dsp.NewTonePlayer(list, 8000)
			for ctx.Err() == nil {
				if err := ch.Write(media.VoiceFrame(media.SLin, media.EncodeSLin(nil, p.Read(make([]int16, 160))), 0)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	t.Cleanup(func() { apps.HoldMusic = nil })

	hz, l := heardHz(t, apps.Config{}, "moh")
	if hz < 294 || hz > 306 || len(classes) != 1 || classes[0] != "jazz" {
		t.Errorf("WaitExten m(jazz): heard %.0f Hz, classes %v; want 300 Hz from class jazz", hz, classes)
	}
	l.log.has(t, `    -- Timeout on Test/6001-00000000, continuing...`,
		`    -- Executing [moh@w:3] NoOp("Test/6001-00000000", "continued") in new stack`)

	hz, l = heardHz(t, apps.Config{}, "nomoh")
	if hz != 0 {
		t.Errorf("WaitExten m without class played %.0f Hz", hz)
	}
	l.log.has(t, `WARNING: The 'm' option has been specified for WaitExten without a class.`)

	// Without indications the dial tone is 350+440 Hz; a tone zone's
	// comes from Config.Tone.
	cfg := apps.Config{Tone: func(_ *pbx.Channel, name string) (dsp.ToneList, bool) {
		l, err := dsp.ParseToneList("440")
		return l, name == "dial" && err == nil
	}}
	hz, l = heardHz(t, cfg, "dial")
	if hz < 431 || hz > 449 {
		t.Errorf("WaitExten d heard %.0f Hz, want the zone's 440 Hz", hz)
	}
	l.log.has(t, `    -- Timeout on Test/6001-00000000, going to 't'`)
}

func TestBackgroundMissingFileAndSayUnixTime(t *testing.T) {
	needSounds(t)
	noLeaks(t)
	l := newMediaLab(t, waitPlan, apps.Config{})
	l.run(t, pbxtest.NewPhone(media.ULaw), "w", "bgmissing")
	l.log.has(t,
		`WARNING: File no-such-prompt does not exist in any format`,
		`WARNING: ast_streamfile failed on Test/6001-00000000 for no-such-prompt`,
		`    -- Executing [bgmissing@w:2] NoOp("Test/6001-00000000", "FAILED") in new stack`)

	l = newMediaLab(t, waitPlan, apps.Config{})
	l.run(t, pbxtest.NewPhone(media.ULaw), "w", "unix")
	var played []string
	for _, s := range l.log.Lines() {
		if rest, ok := strings.CutPrefix(s, "    -- <Test/6001-00000000> Playing "); ok {
			played = append(played, rest)
		}
	}
	want := []string{"'digits/day-5.slin' (language 'en')", "'digits/mon-0.slin' (language 'en')",
		"'digits/h-2.slin' (language 'en')", "'digits/19.slin' (language 'en')", "'digits/70.slin' (language 'en')"}
	if len(played) != len(want) {
		t.Fatalf("SayUnixTime played %q, want %q", played, want)
	}
	for i := range want {
		if played[i] != want[i] {
			t.Errorf("prompt %d = %s, want %s", i, played[i], want[i])
		}
	}
}
