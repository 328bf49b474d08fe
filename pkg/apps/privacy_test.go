package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const privacyPlan = `
[p]
exten => pm,1,PrivacyManager()
 same => n,NoOp(${PRIVACYMGRSTATUS} ${CALLERID(name)}/${CALLERID(num)})
exten => once,1,PrivacyManager(1,4,,numbers)
 same => n,NoOp(${PRIVACYMGRSTATUS})
exten => cid,1,Set(CALLERID(num)=0612345678)
 same => n,PrivacyManager()
 same => n,NoOp(status=${PRIVACYMGRSTATUS})

[numbers]
exten => _06XXXXXXXX,1,NoOp()
`

func TestPrivacyManager(t *testing.T) {
	needSounds(t)
	tests := []struct {
		name, exten, keys string
		want              []string
	}{
		{name: "number entered", exten: "pm", keys: "0612345678#",
			want: []string{"Changed Caller*ID number to '0612345678'", `NoOp("Test/6001-00000000", "SUCCESS Privacy Manager/0612345678")`}},
		{name: "too short, one try", exten: "once", keys: "123#",
			want: []string{"Playing 'privacy-incorrect.", `NoOp("Test/6001-00000000", "FAILED")`}},
		{name: "not in the check context", exten: "once", keys: "12345#",
			want: []string{"Playing 'privacy-incorrect.", `NoOp("Test/6001-00000000", "FAILED")`}},
		{name: "caller id present", exten: "cid",
			want: []string{"CallerID number present: Skipping", `NoOp("Test/6001-00000000", "status=")`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, privacyPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			c := l.start(t, phone, "p", tc.exten)
			if tc.keys != "" {
				l.waitLog(t, "Playing 'privacy-prompt.", 5*time.Second)
				time.Sleep(100 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 10*time.Second)
			for _, w := range tc.want {
				l.waitLog(t, w, time.Second)
			}
		})
	}
}
