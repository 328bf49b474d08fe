package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const tonePlan = `
[wt]
exten => t,1,WaitForTone(1000,300,2)
 same => n,NoOp(status ${WAITFORTONESTATUS})
exten => twice,1,WaitForTone(1000,200,2,2)
 same => n,NoOp(status ${WAITFORTONESTATUS})
exten => bad,1,WaitForTone(1000+2000)
 same => n,NoOp(not reached)
`

func TestWaitForTone(t *testing.T) {
	tests := []struct {
		name, exten, tones string
		want               string
	}{
		{"tone", "t", "1000", `NoOp("Test/6001-00000000", "status SUCCESS")`},
		{"other tone", "t", "1400", `NoOp("Test/6001-00000000", "status TIMEOUT")`},
		{"one tone of two", "twice", "1000", `NoOp("Test/6001-00000000", "status TIMEOUT")`},
		{"two frequencies", "bad", "", "WARNING: Sorry, currently only 1 frequency is supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, tonePlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			c := l.start(t, phone, "wt", tc.exten)
			if tc.tones != "" {
				time.Sleep(50 * time.Millisecond)
				if err := phone.Say(toneFrames(t, tc.tones, 500*time.Millisecond, media.ULaw)...); err != nil {
					t.Fatal(err)
				}
			}
			c.wait(t, l, 5*time.Second)
			l.waitLog(t, tc.want, time.Second)
			if countHas(l.log.Lines(), "not reached") > 0 {
				t.Error("went on after an error")
			}
		})
	}
}
