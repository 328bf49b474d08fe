package apps_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const menuPlan = `
[menu]
exten => s,1,Background(hello-world)
 same => n,WaitExten(0.3)
exten => w,1,Answer()
 same => n,WaitExten(5)
 same => n,NoOp(after wait)
exten => 1,1,NoOp(one)
exten => 21,1,NoOp(twentyone)
exten => i,1,NoOp(invalid ${INVALID_EXTEN})
exten => t,1,NoOp(timeout)
[other]
exten => 5,1,NoOp(five)
[bgctx]
exten => s,1,Background(hello-world,,,other)
`

func TestBackgroundAndWaitExten(t *testing.T) {
	needSounds(t)
	tests := []struct {
		name  string
		exten string
		keys  string
		after string // log line to wait for before pressing the keys
		apps  []string
		log   []string
		cut   bool // the prompt was interrupted
	}{
		{name: "one-digit extension stops the prompt", exten: "s", keys: "1", after: "Playing 'hello-world.slin'",
			apps: []string{"Background", "NoOp"}, cut: true,
			log: []string{`    -- Executing [1@menu:1] NoOp("Test/6001-00000000", "one") in new stack`}},
		{name: "digits collected after the prompt", exten: "s", keys: "21", after: "Playing 'hello-world.slin'",
			apps: []string{"Background", "NoOp"}, cut: true,
			log: []string{`    -- Executing [21@menu:1] NoOp("Test/6001-00000000", "twentyone") in new stack`}},
		{name: "invalid key", exten: "s", keys: "9", after: "Playing 'hello-world.slin'",
			apps: []string{"Background", "NoOp"}, cut: true,
			log: []string{
				`    -- Invalid extension '9' in context 'menu' on Test/6001-00000000`,
				`    -- Executing [i@menu:1] NoOp("Test/6001-00000000", "invalid 9") in new stack`,
			}},
		{name: "no key: timeout", exten: "s",
			apps: []string{"Background", "WaitExten", "NoOp"},
			log: []string{
				`    -- Timeout on Test/6001-00000000, going to 't'`,
				`    -- Executing [t@menu:1] NoOp("Test/6001-00000000", "timeout") in new stack`,
			}},
		{name: "WaitExten takes the key", exten: "w", keys: "1", after: "WaitExten(",
			apps: []string{"Answer", "WaitExten", "NoOp"},
			log:  []string{`    -- Executing [1@menu:1] NoOp("Test/6001-00000000", "one") in new stack`}},
		{name: "WaitExten collects two keys", exten: "w", keys: "21", after: "WaitExten(",
			apps: []string{"Answer", "WaitExten", "NoOp"},
			log:  []string{`    -- Executing [21@menu:1] NoOp("Test/6001-00000000", "twentyone") in new stack`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, menuPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "menu", tc.exten)
			if tc.keys != "" {
				l.waitLog(t, tc.after, 2*time.Second)
				time.Sleep(100 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
				}
			}
			c.wait(t, l, 5*time.Second)
			if got := l.log.executed(); !slices.Equal(got, tc.apps) {
				t.Errorf("applications = %v, want %v", got, tc.apps)
			}
			l.log.has(t, tc.log...)
			heard, _ := phone.HeardPCM()
			full := len(filePCM(t, "hello-world", "en"))
			if tc.exten == "s" && tc.cut != (len(heard) < full-800) {
				t.Errorf("phone heard %d samples of %d, interrupted = %v", len(heard), full, tc.cut)
			}
		})
	}
}

func TestBackgroundOtherContext(t *testing.T) {
	needSounds(t)
	noLeaks(t)
	l := newMediaLab(t, menuPlan, apps.Config{})
	phone := pbxtest.NewPhone(media.ULaw)
	phone.Pace = true
	c := l.start(t, phone, "bgctx", "s")
	l.waitLog(t, "Playing 'hello-world.slin'", 2*time.Second)
	if err := phone.Press('5'); err != nil {
		t.Fatal(err)
	}
	c.wait(t, l, 5*time.Second)
	l.log.has(t, `    -- Executing [5@other:1] NoOp("Test/6001-00000000", "five") in new stack`)
	vars(t, c.ch, map[string]string{"BACKGROUNDSTATUS": "SUCCESS"})
}
