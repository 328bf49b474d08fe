package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const waitSilencePlan = `
[t]
exten => silence,1,WaitForSilence(400,1,3)
 same => n,Set(GOT=${WAITSTATUS})
 same => n,Hangup()
exten => noise,1,WaitForNoise(200,1,3)
 same => n,Set(GOT=${WAITSTATUS})
 same => n,Hangup()
exten => never,1,WaitForSilence(400,1,1)
 same => n,Set(GOT=${WAITSTATUS})
 same => n,Hangup()
`

func TestWaitForSilenceAndNoise(t *testing.T) {
	tone, _ := pbxtest.ToneFrames("1000", 4*time.Second, media.ULaw)
	quiet, _ := pbxtest.ToneFrames("0", 4*time.Second, media.ULaw)
	for _, tc := range []struct {
		exten string
		say   []media.Frame // what the caller says, 20 ms apart
		want  string
		after time.Duration // the earliest the wait may end
	}{
		{"silence", append(append([]media.Frame(nil), tone[:25]...), quiet...), "SILENCE", 800 * time.Millisecond},
		{"noise", append(append([]media.Frame(nil), quiet[:25]...), tone...), "NOISE", 600 * time.Millisecond},
		{"never", tone, "TIMEOUT", 900 * time.Millisecond},
	} {
		t.Run(tc.exten, func(t *testing.T) {
			l := newMediaLab(t, waitSilencePlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			start := time.Now()
			c := l.start(t, phone, "t", tc.exten)
			go func() {
				for _, fr := range tc.say {
					if phone.Say(fr) != nil {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			}()
			c.wait(t, l, 6*time.Second)
			if got, _ := c.ch.Var("GOT"); got != tc.want {
				t.Errorf("WAITSTATUS=%q, want %s", got, tc.want)
			}
			if d := time.Since(start); d < tc.after {
				t.Errorf("the wait ended after %v, before %v", d, tc.after)
			}
		})
	}
}
