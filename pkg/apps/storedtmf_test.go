package apps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const storeDTMFConf = `
[sd]
exten => rx,1,Answer()
 same => n,StoreDTMF(RX,DIGITS,3)
 same => n,Read(X,,4,,1,2)
 same => n,NoOp(rx ${DIGITS})
 same => n,StoreDTMF(remove)
 same => n,NoOp(not reached)
exten => tx,1,Answer()
 same => n,StoreDTMF(tx,SENT)
 same => n,StoreDTMF(rx,OTHER)
 same => n,SendDTMF(42#,20,40)
 same => n,NoOp(tx ${SENT})
 same => n,StoreDTMF(remove)
 same => n,SendDTMF(9,20,40)
 same => n,NoOp(tx ${SENT} after remove)
exten => bad,1,StoreDTMF(up,X)
 same => n,NoOp(not reached)
`

// StoreDTMF appends what the caller presses (RX, up to max_digits, then
// stops) or what it is sent (TX) to a variable; remove stops it, and
// fails when nothing runs.
func TestStoreDTMF(t *testing.T) {
	tests := []struct {
		exten, keys string
		want        []string
		log         string
		reached     bool
	}{
		{exten: "rx", keys: "1234", want: []string{"rx 123"}, // the 4th key ends the store
			log: "WARNING: Cannot remove StoreDTMF from Test/6001-00000000: StoreDTMF not currently enabled"},
		{exten: "tx", want: []string{"tx 42#", "tx 42# after remove"}, log: "WARNING: StoreDTMF already set on 'Test/6001-00000000'", reached: true},
		{exten: "bad", log: "Direction must be either RX or TX"},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, storeDTMFConf, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "sd", tt.exten)
			if tt.keys != "" {
				l.waitLog(t, "Read(", 2*time.Second)
				time.Sleep(50 * time.Millisecond)
				for _, k := range tt.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 5*time.Second)
			for _, w := range tt.want {
				if !strings.Contains(strings.Join(l.log.Lines(), "\n"), `NoOp("Test/6001-00000000", "`+w+`")`) {
					t.Errorf("log lacks NoOp(%s):\n%s", w, strings.Join(l.log.Lines(), "\n"))
				}
			}
			if got := strings.Contains(strings.Join(l.log.Lines(), "\n"), "not reached"); got {
				t.Error("the dialplan went on after a failure")
			}
			if !strings.Contains(strings.Join(l.log.Lines(), "\n"), tt.log) {
				t.Errorf("log lacks %q", tt.log)
			}
		})
	}
}
