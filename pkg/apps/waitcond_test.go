package apps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
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
