package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// With autofallthrough=no, a caller who heard the menu to its end can
// still dial: the dialplan waits the response timeout for keys.
const noFallthroughPlan = `
[general]
autofallthrough=no
[menu]
exten => s,1,Answer()
 same => n,Background(beep)
exten => 12,1,NoOp(twelve)
 same => n,Hangup()
exten => t,1,NoOp(timeout)
 same => n,Hangup()
`

func TestNoAutofallthroughCollectsDigits(t *testing.T) {
	needSounds(t)
	tests := []struct {
		keys     string
		response string // TIMEOUT(response): long enough for the keys
		log      []string
	}{
		{keys: "12", response: "5", log: []string{`    -- Executing [12@menu:1] NoOp("Test/6001-00000000", "twelve") in new stack`}},
		{response: "0.4", log: []string{
			`    -- Timeout on Test/6001-00000000`,
			`    -- Executing [t@menu:1] NoOp("Test/6001-00000000", "timeout") in new stack`,
		}},
	}
	for _, tc := range tests {
		t.Run("keys="+tc.keys, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, noFallthroughPlan, apps.Config{})
			// TIMEOUT(response) shortens the wait, as a dialplan would.
			if err := l.e.RegisterFunction(pbx.Function{Name: "TIMEOUT", Read: func(_ *pbx.Channel, kind string) (string, error) {
				return map[string]string{"response": tc.response, "digit": "2"}[kind], nil
			}}); err != nil {
				t.Fatal(err)
			}
			phone := pbxtest.NewPhone(media.ULaw)
			c := l.start(t, phone, "menu", "s")
			start := time.Now()
			if tc.keys != "" {
				l.waitLog(t, "Playing 'beep.slin'", 2*time.Second)
				time.Sleep(100 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 5*time.Second)
			l.log.has(t, tc.log...)
			if tc.keys == "" && time.Since(start) < 400*time.Millisecond {
				t.Errorf("timed out after %v, before TIMEOUT(response)", time.Since(start))
			}
		})
	}
}
