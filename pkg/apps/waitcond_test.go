package apps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const waitCondConf = `
[wc]
exten => true,1,WaitForCondition(#,#[#{COND} = 1],5,0.01)
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => commas,1,WaitForCondition(#,#["#{IF(1?a,b)}" = "a,b"],1)
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => timeout,1,WaitForCondition(#,#[#{COND} = 1],0.1)
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => nobrackets,1,WaitForCondition(#,1)
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => badrep,1,WaitForCondition({,{[1])
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => badsep,1,WaitForCondition(#:#[1])
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => badstart,1,WaitForCondition(#,x[1])
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => unbalanced,1,WaitForCondition(#,#[[1]x)
 same => n,NoOp(${WAITFORCONDITIONSTATUS})
exten => badpoll,1,WaitForCondition(#,#[1],1,0)
 same => n,NoOp(not reached)
`

func TestWaitForCondition(t *testing.T) {
	tests := []struct {
		exten, status, log string
		setLater           bool
	}{
		{exten: "true", status: "TRUE", setLater: true},
		{exten: "commas", status: "TRUE"},
		{exten: "timeout", status: "TIMEOUT"},
		{exten: "nobrackets", status: "FAILURE", log: "No expression detected. Did you forget to replace the $ signs?"},
		{exten: "badrep", status: "FAILURE", log: "Dollar sign replacement cannot be {."},
		{exten: "badsep", status: "FAILURE", log: "Invalid separator: :"},
		{exten: "badstart", status: "FAILURE", log: "Expression start does not match provided replacement: x"},
		{exten: "unbalanced", status: "FAILURE", log: "Could not parse end of expression."},
		{exten: "badpoll", log: "WARNING: Polling interval cannot be less than 1ms. Default unchanged."},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			l := newMediaLab(t, waitCondConf, apps.Config{})
			c := l.start(t, pbxtest.NewPhone(media.ULaw), "wc", tt.exten)
			if tt.setLater {
				time.Sleep(100 * time.Millisecond)
				c.ch.SetVar("COND", "1")
			}
			c.wait(t, l, 5*time.Second)
			all := strings.Join(l.log.Lines(), "\n")
			if tt.status != "" {
				l.log.has(t, `    -- Executing [`+tt.exten+`@wc:2] NoOp("Test/6001-00000000", "`+tt.status+`") in new stack`)
			} else if strings.Contains(all, "not reached") {
				t.Error("the dialplan went on")
			}
			if tt.log != "" && !strings.Contains(all, tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, all)
			}
		})
	}
}

const morseConf = `
[mc]
exten => s,1,Set(MORSEDITLEN=40)
 same => n,Set(MORSETONE=1200)
 same => n,Morsecode(TT)
 same => n,NoOp(after)
`

// Morsecode plays its dahs at MORSETONE for three dits each: "TT" is
// two 120 ms tones of 1200 Hz with 40+80 ms gaps, 400 ms in all.
func TestMorsecode(t *testing.T) {
	l := newMediaLab(t, morseConf, apps.Config{})
	phone := pbxtest.NewPhone(media.SLin)
	phone.Pace = true
	start := time.Now()
	l.run(t, phone, "mc", "s")
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("Morsecode took %v, want about 400 ms", took)
	}
	pcm, err := phone.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	if len(pcm) < 3000 {
		t.Fatalf("heard %d samples, want about 3200", len(pcm))
	}
	// The first 120 ms are the first dah.
	if share := dsp.ToneShare(pcm[80:880], 1200, 8000); share < 0.8 {
		t.Errorf("1200 Hz share of the first dah %.2f", share)
	}
	// 120..160 ms is the gap inside the character gap: silence.
	var energy int64
	for _, s := range pcm[1000:1240] {
		energy += int64(s) * int64(s)
	}
	if energy > 1000*240 {
		t.Errorf("the gap is not silent (energy %d)", energy)
	}
	l.log.has(t, `    -- Executing [s@mc:4] NoOp("Test/6001-00000000", "after") in new stack`)
}

const signalConf = `
[sig]
exten => wait,1,WaitForSignal(Work,5)
 same => n,NoOp(${WAITFORSIGNALSTATUS}|${WAITFORSIGNALPAYLOAD})
exten => send,1,Signal(work,done at 5)
 same => n,NoOp(${SIGNALSTATUS})
exten => short,1,WaitForSignal(none,0.05)
 same => n,NoOp(${WAITFORSIGNALSTATUS})
exten => noname,1,Signal()
 same => n,NoOp(not reached)
`

// Signal wakes every channel waiting for its name (case-insensitive)
// with the payload; a signal nobody waits for fails.
func TestSignalAndWaitForSignal(t *testing.T) {
	l := newMediaLab(t, signalConf, apps.Config{})
	w1 := l.start(t, pbxtest.NewPhone(media.ULaw), "sig", "wait")
	w2 := l.start(t, pbxtest.NewPhone(media.ULaw), "sig", "wait")
	l.waitLogCount(t, "WaitForSignal(", 2, 2*time.Second)
	time.Sleep(50 * time.Millisecond)
	l.run(t, pbxtest.NewPhone(media.ULaw), "sig", "send")
	w1.wait(t, l, 3*time.Second)
	w2.wait(t, l, 3*time.Second)
	for _, ch := range []string{"Test/6001-00000000", "Test/6001-00000001"} {
		l.log.has(t, `    -- Executing [wait@sig:2] NoOp("`+ch+`", "SIGNALED|done at 5") in new stack`)
	}
	l.log.has(t, `    -- Executing [send@sig:2] NoOp("Test/6001-00000002", "SUCCESS") in new stack`)
	// Nobody waits any more: the next signal is lost.
	l.run(t, pbxtest.NewPhone(media.ULaw), "sig", "send")
	l.log.has(t, `    -- Executing [send@sig:2] NoOp("Test/6001-00000003", "FAILURE") in new stack`)
	l.run(t, pbxtest.NewPhone(media.ULaw), "sig", "short")
	l.log.has(t, `    -- Executing [short@sig:2] NoOp("Test/6001-00000004", "TIMEOUT") in new stack`,
		"    -- Channel 'Test/6001-00000004' timed out, waiting for signal 'none'")
	l.run(t, pbxtest.NewPhone(media.ULaw), "sig", "noname")
	l.log.has(t, "WARNING: Signal() requires arguments")
}
