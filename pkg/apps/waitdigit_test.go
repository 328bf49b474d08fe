package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const waitDigitPlan = `
[wd]
exten => keys,1,Answer()
 same => n,WaitDigit(3,12)
 same => n,NoOp(${WAITDIGITSTATUS}/${WAITDIGITRESULT})
exten => quiet,1,Answer()
 same => n,WaitDigit(50ms)
 same => n,NoOp(${WAITDIGITSTATUS}/${WAITDIGITRESULT})
exten => bad,1,WaitDigit(soon)
 same => n,NoOp(${WAITDIGITSTATUS})
exten => proceed,1,Proceeding()
 same => n,NoOp(done)
`

func TestWaitDigit(t *testing.T) {
	tests := []struct {
		exten, keys, result string
	}{
		{exten: "keys", keys: "52", result: "DTMF/2"}, // 5 is not accepted
		{exten: "quiet", result: "TIMEOUT/"},
		{exten: "bad", result: "ERROR"},
		{exten: "proceed", result: "done"},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, waitDigitPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "wd", tc.exten)
			if tc.keys != "" {
				l.waitLog(t, "WaitDigit", 2*time.Second)
				time.Sleep(50 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 5*time.Second)
			l.log.has(t, `    -- Executing [`+tc.exten+`@wd:`+map[bool]string{true: "3", false: "2"}[tc.exten == "keys" || tc.exten == "quiet"]+
				`] NoOp("Test/6001-00000000", "`+tc.result+`") in new stack`)
		})
	}
}
