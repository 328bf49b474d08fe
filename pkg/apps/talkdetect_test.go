package apps_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const talkPlan = `
[d]
exten => bd,1,BackgroundDetect(demo-congrats)
 same => n,NoOp(no talk)
exten => talk,1,NoOp(talk ${TALK_DETECTED})
exten => 1,1,NoOp(pressed 1)
exten => short,1,BackgroundDetect(beep)
 same => n,NoOp(played out)
`

func TestBackgroundDetect(t *testing.T) {
	needSounds(t)
	silence := func(d time.Duration) []media.Frame {
		n := int(d / (20 * time.Millisecond))
		out := make([]media.Frame, n)
		for i := range out {
			p := make([]byte, 160)
			for j := range p {
				p[j] = 0xff // µ-law silence
			}
			out[i] = media.VoiceFrame(media.ULaw, p, uint32(i*160))
		}
		return out
	}
	t.Run("talk", func(t *testing.T) {
		noLeaks(t)
		l := newMediaLab(t, talkPlan, apps.Config{})
		phone := pbxtest.NewPhone(media.ULaw)
		phone.Pace = true
		c := l.start(t, phone, "d", "bd")
		l.waitLog(t, "Playing 'demo-congrats.", 2*time.Second)
		var frames []media.Frame
		frames = append(frames, silence(300*time.Millisecond)...)
		frames = append(frames, toneFrames(t, "500", 600*time.Millisecond, media.ULaw)...)
		frames = append(frames, silence(1200*time.Millisecond)...)
		if err := phone.Say(frames...); err != nil {
			t.Fatal(err)
		}
		l.waitLog(t, `NoOp("Test/6001-00000000", "talk `, 3*time.Second)
		ms, _ := c.ch.Var("TALK_DETECTED")
		if n, _ := strconv.Atoi(ms); n < 800 || n > 1000 {
			t.Errorf("TALK_DETECTED=%q, want about 900 (the token from the first frame, as app_talkdetect counts it)", ms)
		}
		c.wait(t, l, 3*time.Second)
	})
	t.Run("digit", func(t *testing.T) {
		noLeaks(t)
		l := newMediaLab(t, talkPlan, apps.Config{})
		phone := pbxtest.NewPhone(media.ULaw)
		phone.Pace = true
		c := l.start(t, phone, "d", "bd")
		l.waitLog(t, "Playing 'demo-congrats.", 2*time.Second)
		if err := phone.Press('1'); err != nil {
			t.Fatal(err)
		}
		c.wait(t, l, 8*time.Second)
		l.log.has(t, `    -- Executing [1@d:1] NoOp("Test/6001-00000000", "pressed 1") in new stack`)
	})
	t.Run("played out", func(t *testing.T) {
		noLeaks(t)
		l := newMediaLab(t, talkPlan, apps.Config{})
		l.run(t, pbxtest.NewPhone(media.ULaw), "d", "short")
		l.log.has(t, `    -- Executing [short@d:2] NoOp("Test/6001-00000000", "played out") in new stack`)
	})
}
