package apps_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const originateConf = `
[orig]
exten => exten,1,Originate(SIP/6000,exten,dest,s,1,,c(123)n(Front desk)v(A=1^B=x=y))
 same => n,Set(R=${ORIGINATE_STATUS})
exten => short,1,Originate(SIP/6000,exten,dest)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => app,1,Originate(SIP/6000,app,Set,FROMAPP=yes)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => busy,1,Originate(SIP/busy,exten,dest,s,1)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => absent,1,Originate(SIP/absent,exten,dest,s,1)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => noanswer,1,Originate(SIP/ring,exten,dest,s,1,1)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => async,1,Originate(SIP/6000,exten,dest,s,1,,a)
 same => n,Set(R=${ORIGINATE_STATUS})
exten => badtype,1,Originate(SIP/6000,queue,x)
 same => n,Set(R=reached)
exten => badopt,1,Originate(SIP/6000,exten,dest,s,1,,C(ulaw))
 same => n,Set(R=reached)
exten => predial,1,Originate(SIP/6000,exten,dest,s,1,,b(sub^callee^1(x^y))B(sub^caller^1(z)))
 same => n,Set(R=${ORIGINATE_STATUS}/${CALLERPRE})

[sub]
exten => callee,1,Set(PRE=${ARG1}${ARG2}:${CHANNEL(name)})
 same => n,Return()
exten => caller,1,Set(CALLERPRE=${ARG1})
 same => n,Return()

[dest]
exten => s,1,Set(DEST=${CALLERID(num)}/${CALLERID(name)}/${A}/${B})
 same => n,Hangup()
`

func TestOriginate(t *testing.T) {
	noLeaks(t)
	plan := loadPlan(t, "originate.conf", []byte(originateConf))
	tests := []struct {
		exten, status string
		outVars       map[string]string // on the originated channel
		log           string
	}{
		{exten: "exten", status: "SUCCESS", outVars: map[string]string{"DEST": "123/Front desk/1/x=y"}},
		{exten: "short", status: "SUCCESS", outVars: map[string]string{"DEST": "///"}},
		{exten: "app", status: "SUCCESS", outVars: map[string]string{"FROMAPP": "yes"}},
		{exten: "busy", status: "BUSY"},
		{exten: "absent", status: "FAILED", log: "NOTICE: Unable to request channel SIP/absent"},
		{exten: "noanswer", status: "RINGING"},
		{exten: "async", status: "SUCCESS", outVars: map[string]string{"DEST": "///"}},
		{exten: "badtype", log: "WARNING: Incorrect type, it should be 'exten' or 'app': queue"},
		{exten: "badopt", log: "WARNING: Invalid options: 'C(ulaw)'"},
		{exten: "predial", status: "SUCCESS/z", outVars: map[string]string{"PRE": "xy:SIP/6000-00000001", "DEST": "///"}},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			l := newLab(t, plan, map[string]behaviour{"6000": answerAndStay, "busy": busy, "absent": unavailable, "ring": ringForever})
			ch, _ := l.call(t, "orig", tt.exten)
			l.e.Wait() // the originated channels' own runs
			l.tech.wg.Wait()
			if tt.status != "" {
				vars(t, ch, map[string]string{"R": tt.status})
			} else if v, ok := ch.Var("R"); ok {
				t.Errorf("the dialplan went on (R=%q)", v)
			}
			if tt.outVars != nil {
				outs := l.tech.outbound()
				if len(outs) != 1 {
					t.Fatalf("%d originated channels", len(outs))
				}
				vars(t, outs[0], tt.outVars)
			}
			for _, out := range l.tech.outbound() {
				if !out.Gone() {
					t.Errorf("%s still up", out.Name())
					out.Hangup(pbx.CauseNormalClearing)
				}
			}
			if tt.log != "" && !strings.Contains(strings.Join(l.log.Lines(), "\n"), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, strings.Join(l.log.Lines(), "\n"))
			}
		})
	}
}

// "channel originate" (res_clioriginate) places the call in the background
// to an extension (default s@default) or an application; a bad command
// line gets its usage.
func TestChannelOriginateCLI(t *testing.T) {
	noLeaks(t)
	plan := loadPlan(t, "originate.conf", []byte(originateConf+"\n[default]\nexten => s,1,Set(DEF=yes)\n same => n,Hangup()\n"))
	for _, tc := range []struct {
		line    string
		outVars map[string]string
		usage   bool
		printed string
	}{
		{line: "channel originate SIP/6000 extension s@dest", outVars: map[string]string{"DEST": "///"}},
		{line: "channel originate SIP/6000 extension", outVars: map[string]string{"DEF": "yes"}},
		{line: "channel originate SIP/6000 application Set FROMCLI=1", outVars: map[string]string{"FROMCLI": "1"}},
		{line: "channel originate SIP/6000 queue x", usage: true},
		{line: "channel originate SIP/6000 application", usage: true},
		{line: "channel originate SIP extension s@dest", usage: true, printed: "*** No data provided after channel type! ***\n"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			l := newLab(t, plan, map[string]behaviour{"6000": answerAndStay})
			reg := cli.NewRegistry()
			if err := apps.RegisterOriginateCLI(reg, l.e); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			err := reg.Execute(nil, tc.line, &b)
			if shown := errors.Is(err, cli.ErrShowUsage) || strings.Contains(b.String(), "Usage1:"); shown != tc.usage {
				t.Errorf("%s: err %v, output %q", tc.line, err, b.String())
			}
			if tc.printed != "" && !strings.Contains(b.String(), tc.printed) {
				t.Errorf("%s: printed %q, want %q", tc.line, b.String(), tc.printed)
			}
			l.e.Wait()
			l.tech.wg.Wait()
			outs := l.tech.outbound()
			if tc.outVars == nil {
				if len(outs) != 0 {
					t.Errorf("%s: %d calls placed", tc.line, len(outs))
				}
				return
			}
			if len(outs) != 1 {
				t.Fatalf("%s: %d calls placed", tc.line, len(outs))
			}
			vars(t, outs[0], tc.outVars)
			for _, out := range outs {
				if !out.Gone() {
					out.Hangup(pbx.CauseNormalClearing)
				}
			}
		})
	}
}
