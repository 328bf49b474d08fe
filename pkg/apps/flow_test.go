package apps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const flowConf = `
[loops]
exten => count,1,Set(I=0)
 same => n,Set(OUT=)
 same => n,While($[${I} < 5])
 same => n,Set(I=$[${I} + 1])
 same => n,GotoIf($[${I} = 2]?skip)
 same => n,ExecIf($[${I} = 4]?ExitWhile())
 same => n,Set(OUT=${OUT}${I})
 same => n(skip),EndWhile()
 same => n,Set(DONE=${OUT}/${I})
exten => never,1,While(0)
 same => n,Set(INSIDE=1)
 same => n,While(1)
 same => n,EndWhile()
 same => n,EndWhile()
 same => n,Set(AFTER=1)
exten => nested,1,Set(I=0)
 same => n,Set(OUT=)
 same => n,While($[${I} < 2])
 same => n,Set(I=$[${I} + 1])
 same => n,Set(J=0)
 same => n,While($[${J} < 2])
 same => n,Set(J=$[${J} + 1])
 same => n,Set(OUT=${OUT}${I}${J})
 same => n,EndWhile()
 same => n,EndWhile()
 same => n,Set(DONE=${OUT})
exten => cont,1,Set(I=0)
 same => n,Set(OUT=)
 same => n,While($[${I} < 4])
 same => n,Set(I=$[${I} + 1])
 same => n,ExecIf($[${I} = 2]?ContinueWhile())
 same => n,Set(OUT=${OUT}${I})
 same => n,EndWhile()
 same => n,Set(DONE=${OUT})
exten => noend,1,While(0)
 same => n,Set(X=1)

[time]
exten => s,1,Set(TESTTIME=1764667800)
 same => n,GotoIfTime(09:00-10:00,tue,2,dec,UTC?open)
 same => n,Set(WHERE=closed)
 same => n,Hangup()
 same => n(open),Set(WHERE=open)
 same => n,GotoIfTime(10:00-11:00,*,*,*,UTC?:shut)
 same => n,Set(WHERE2=wrong)
 same => n(shut),Set(WHERE2=shut)
 same => n,ExecIfTime(*,*,*,*?Set(EIT=${EXTEN}))
 same => n,ExecIfTime(*,*,*,*,UTC?NoSuchApp(x))
 same => n,Set(NOTREACHED=1)
exten => bad,1,Set(TESTTIME=soon)
 same => n,GotoIfTime(*,*,*,*?yes:no)
 same => n(yes),Set(B=yes)
 same => n,Hangup()
 same => n(no),Set(B=no)

[exec]
exten => s,1,Set(ARGS=dynamic)
 same => n,Exec(Set(E1=${ARGS}))
 same => n,TryExec(NoSuchApp(1))
 same => n,Set(T1=${TRYSTATUS})
 same => n,TryExec(Set(E2=ok))
 same => n,Set(T2=${TRYSTATUS})
 same => n,TryExec(Hangup())
 same => n,Set(T3=${TRYSTATUS})
 same => n,TryExec(Goto(there))
 same => n,Set(JUMPED=no)
 same => n(there),Set(JUMPED=yes)
 same => n,Exec(NoSuchApp(2))
 same => n,Set(NOTREACHED=1)

[system]
exten => s,1,System(exit 0)
 same => n,Set(S1=${SYSTEMSTATUS})
 same => n,TrySystem(exit 3)
 same => n,Set(S2=${SYSTEMSTATUS})
 same => n,TrySystem(/nonexistent/command-h17)
 same => n,Set(S3=${SYSTEMSTATUS})
 same => n,TrySystem()
 same => n,Set(S4=${SYSTEMSTATUS})
 same => n,System('test -n "x"')
 same => n,Set(S5=${SYSTEMSTATUS})
 same => n,System(/nonexistent/command-h17)
 same => n,Set(NOTREACHED=1)
`

func TestFlowApplications(t *testing.T) {
	noLeaks(t)
	plan := loadPlan(t, "flow.conf", []byte(flowConf))
	tests := []struct {
		context, exten string
		want           map[string]string
		absent         []string
		log            []string
	}{
		{context: "loops", exten: "count", want: map[string]string{"DONE": "13/4"}, absent: []string{"WHILE_0", "END_WHILE_0"}},
		{context: "loops", exten: "never", want: map[string]string{"AFTER": "1"}, absent: []string{"INSIDE"},
			log: []string{"    -- Jumping to priority 5"}},
		{context: "loops", exten: "nested", want: map[string]string{"DONE": "11122122"}},
		{context: "loops", exten: "cont", want: map[string]string{"DONE": "134"}},
		{context: "loops", exten: "noend", want: map[string]string{"X": "1"}, // Asterisk carries on
			log: []string{"WARNING: Couldn't find matching EndWhile? (While at loops@noend priority 1)"}},
		// 1764667800 is Tuesday 2025-12-02 09:30 UTC.
		{context: "time", exten: "s", want: map[string]string{"WHERE": "open", "WHERE2": "shut", "EIT": "s"},
			absent: []string{"NOTREACHED"}, log: []string{"WARNING: Could not find application (NoSuchApp)"}},
		{context: "time", exten: "bad", absent: []string{"TESTTIME"}, log: []string{"WARNING: Using current time to evaluate"}},
		{context: "exec", exten: "s", want: map[string]string{
			"E1": "dynamic", "T1": "NOAPP", "E2": "ok", "T2": "SUCCESS", "T3": "FAILED", "JUMPED": "yes",
		}, absent: []string{"NOTREACHED"}, log: []string{"WARNING: Could not find application (NoSuchApp)"}},
		{context: "system", exten: "s", want: map[string]string{
			"S1": "SUCCESS", "S2": "APPERROR", "S3": "FAILURE", "S4": "FAILURE", "S5": "SUCCESS",
		}, absent: []string{"NOTREACHED"}, log: []string{
			"WARNING: Unable to execute '/nonexistent/command-h17'",
			"WARNING: System requires an argument(command)",
			"NOTICE: It is not necessary to quote the argument to the System application.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.context+"/"+tt.exten, func(t *testing.T) {
			l := newLab(t, plan, nil)
			ch, _ := l.call(t, tt.context, tt.exten)
			vars(t, ch, tt.want)
			for _, name := range tt.absent {
				if v, ok := ch.Var(name); ok {
					t.Errorf("%s is set (%q)", name, v)
				}
			}
			l.log.has(t, tt.log...)
			if t.Failed() {
				t.Log(strings.Join(l.log.Lines(), "\n"))
			}
		})
	}
}

func TestSystemTimeout(t *testing.T) {
	noLeaks(t)
	l := newMediaLab(t, `
[sys]
exten => s,1,TrySystem(sleep 30 || echo never)
 same => n,NoOp(${SYSTEMSTATUS})
`, apps.Config{SystemTimeout: 200 * time.Millisecond})
	start := time.Now()
	l.run(t, pbxtest.NewPhone(media.ULaw), "sys", "s")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("TrySystem took %v with a 200 ms timeout", d)
	}
	l.log.has(t,
		"WARNING: Command 'sleep 30 || echo never' still running after 200ms: killed",
		"WARNING: Unable to execute 'sleep 30 || echo never'",
		`    -- Executing [s@sys:2] NoOp("Test/6001-00000000", "FAILURE") in new stack`)
}
