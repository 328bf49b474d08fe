package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const readPlan = `
[read]
exten => 1,1,Read(NUM,beep,3)
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 2,1,Read(NUM,,,,2,0.2)
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 3,1,Read(NUM,beep)
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 4,1,Read(NUM,no-such-prompt)
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 5,1,Read(NUM,beep,,s)
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 6,1,Read(NUM,beep,,t(*))
 same => n,NoOp(${NUM}/${READSTATUS})
exten => 11,1,ReadExten(EXT,beep,menu)
 same => n,NoOp(${EXT}/${READEXTENSTATUS}/${INVALID_EXTEN})
exten => 12,1,ReadExten(EXT,,menu,,1)
 same => n,NoOp(${EXT}/${READEXTENSTATUS})
exten => 13,1,ReadExten(EXT,beep,menu,p)
 same => n,NoOp(${EXT}/${READEXTENSTATUS}/${INVALID_EXTEN})
[menu]
exten => 1,1,NoOp()
exten => 21,1,NoOp()
`

func TestRead(t *testing.T) {
	needSounds(t)
	tests := []struct {
		exten, keys, result string
		log                 []string
	}{
		{exten: "1", keys: "1234", result: "123/OK", log: []string{
			`    -- Accepting a maximum of 3 digits.`,
			`    -- <Test/6001-00000000> Playing 'beep.slin' (language 'en')`,
			`    -- User entered '123'`,
		}},
		{exten: "2", result: "/TIMEOUT", log: []string{
			`    -- User entered nothing, 1 chance left`,
			`    -- User entered nothing.`,
		}},
		{exten: "3", keys: "45#", result: "45/OK"},
		{exten: "3", keys: "#", result: "/OK", log: []string{`    -- User entered nothing.`}},
		{exten: "4", result: "/ERROR", log: []string{
			`WARNING: File no-such-prompt does not exist in any format`,
			`    -- User disconnected`,
		}},
		{exten: "5", result: "/SKIPPED"},
		{exten: "6", keys: "7#8*", result: "7#8/OK"},
		{exten: "11", keys: "21", result: "21/OK/"},
		{exten: "11", keys: "9", result: "i/INVALID/9"},
		{exten: "11", keys: "1", result: "1/OK/"},
		{exten: "12", result: "t/TIMEOUT"},
		{exten: "13", keys: "2#", result: "i/INVALID/2"},
	}
	for _, tc := range tests {
		t.Run(tc.exten+"-"+tc.keys, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, readPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "read", tc.exten)
			if tc.exten == "5" {
				// s: skipped while the line is not up
			} else {
				l.waitLog(t, "Read", 2*time.Second)
			}
			if tc.keys != "" {
				time.Sleep(50 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 5*time.Second)
			l.log.has(t, append(tc.log, `    -- Executing [`+tc.exten+`@read:2] NoOp("Test/6001-00000000", "`+tc.result+`") in new stack`)...)
		})
	}
}
