package apps_test

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
)

const labConf = `
[globals]
TRUNK=SIP/trunk-ovh
PREFIX=${TRUNK}/00

[t]
exten => noanswer,1,Dial(SIP/7000,0.05)
 same => n,Hangup(16)
exten => cause,1,Hangup(USER_BUSY)
exten => inherit,1,Set(__DEEP=yes)
 same => n,Set(_ONCE=one)
 same => n,Set(PLAIN=no)
 same => n,Dial(SIP/6000)
exten => flow,1,MSet(A=1,B=)
 same => n,GotoIf($[${A} = 1]?yes:no)
 same => n(no),Set(WENT=no)
 same => n,Hangup()
 same => n(yes),Set(WENT=yes)
 same => n,ExecIf(${ISNULL(${B})}?Set(EMPTYB=1):Set(EMPTYB=0))
 same => n,Gosub(sub,s,1(x,y))
 same => n,Set(AFTER=${GOSUB_RETVAL}/${ARG1})
 same => n,Macro(m,z)
 same => n,Set(LEN=${LEN(${PREFIX})})
 same => n,Set(CUT=${CUT(PREFIX,/,2)})
 same => n,Set(GLOBAL(SEEN)=1)
 same => n,Goto(nowhere,1)
exten => i,1,Set(INV=${INVALID_EXTEN})
 same => n,Hangup()
exten => h,1,Set(HRAN=1)

[sub]
exten => s,1,Set(SUBARGS=${ARG1}${ARG2})
 same => n,Return(ret)

[macro-m]
exten => s,1,Set(MARG=${ARG1}@${MACRO_EXTEN})
 same => n,MacroExit()
 same => n,Set(MARG=after-exit)

[keepgoing]
exten => g,1,Dial(SIP/6000,,g)
 same => n,Set(CONTINUED=1)
`

func TestDialplanApplications(t *testing.T) {
	noLeaks(t)
	plan := loadPlan(t, "lab.conf", []byte(labConf))
	t.Run("no answer then Hangup(16)", func(t *testing.T) {
		l := newLab(t, plan, map[string]behaviour{"7000": ringForever})
		ch, _ := l.call(t, "t", "noanswer")
		vars(t, ch, map[string]string{"DIALSTATUS": "NOANSWER", "HRAN": "1"})
		l.log.has(t, "    -- Nobody picked up in 50 ms")
		if got := l.log.executed(); !slices.Equal(got, []string{"Dial", "Hangup", "Set"}) {
			t.Errorf("applications = %v", got)
		}
		if ch.HangupCause() != 16 {
			t.Errorf("cause %d", ch.HangupCause())
		}
	})
	t.Run("Hangup with a cause name", func(t *testing.T) {
		l := newLab(t, plan, nil)
		ch, _ := l.call(t, "t", "cause")
		if ch.HangupCause() != pbx.CauseUserBusy {
			t.Errorf("cause %d", ch.HangupCause())
		}
	})
	t.Run("variable inheritance", func(t *testing.T) {
		l := newLab(t, plan, map[string]behaviour{"6000": answerThenHangup})
		l.call(t, "t", "inherit")
		out := l.tech.outbound()[0]
		for name, want := range map[string]string{"DEEP": "yes", "ONCE": "one"} {
			if v, _ := out.Var(name); v != want {
				t.Errorf("outbound %s = %q, want %q", name, v, want)
			}
		}
		if _, ok := out.Var("PLAIN"); ok {
			t.Error("PLAIN inherited")
		}
		got := strings.Join(out.Vars(), " ")
		if !strings.Contains(got, "__DEEP=yes") || strings.Contains(got, "_ONCE") {
			t.Errorf("outbound vars %s: __ must stay inheritable, _ must not", got)
		}
	})
	t.Run("flow control", func(t *testing.T) {
		l := newLab(t, plan, nil)
		l.e.ReplaceGlobals(pbx.GlobalsOf(mustDialplan(t)))
		ch, _ := l.call(t, "t", "flow")
		vars(t, ch, map[string]string{
			"WENT": "yes", "EMPTYB": "1", "SUBARGS": "xy", "AFTER": "ret/", "MARG": "z@flow",
			"LEN": "16", "CUT": "trunk-ovh", "INV": "nowhere", "HRAN": "1",
		})
		if v, _ := l.e.GlobalVar("SEEN"); v != "1" {
			t.Errorf("GLOBAL(SEEN) = %q", v)
		}
		l.log.has(t, "    -- Channel 'SIP/6001-00000000' sent to invalid extension: context,exten,priority=t,nowhere,1")
	})
	t.Run("g continues after the callee hangs up", func(t *testing.T) {
		l := newLab(t, plan, map[string]behaviour{"6000": answerThenHangup})
		ch, _ := l.call(t, "keepgoing", "g")
		vars(t, ch, map[string]string{"CONTINUED": "1", "DIALSTATUS": "ANSWER"})
	})
}

func mustDialplan(t *testing.T) *dialplan.Dialplan {
	cfg, _ := confparse.Parse("lab.conf", []byte(labConf), confparse.Options{Dir: "testdata"})
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return dp
}

func TestCallerHangsUpWhileRinging(t *testing.T) {
	noLeaks(t)
	l := newLab(t, referencePlan(t), map[string]behaviour{"6000": ringForever})
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, CallerID: pbx.CallerID{Num: "6001"}})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(t.Context(), ch, "work", "6000", 1) }()
	for len(l.tech.outbound()) == 0 || l.tech.outbound()[0].State() != pbx.StateRinging {
		time.Sleep(time.Millisecond)
	}
	ch.HungUp(pbx.CauseNormalClearing)
	<-done
	l.tech.wg.Wait()
	vars(t, ch, map[string]string{"DIALSTATUS": "CANCEL"})
	if !l.tech.outbound()[0].Gone() {
		t.Error("callee not hung up")
	}
}

// TestCLIDuringCall compares `core show channels` with Asterisk's output
// while 6001 talks to 6000.
func TestCLIDuringCall(t *testing.T) {
	noLeaks(t)
	l := newLab(t, referencePlan(t), map[string]behaviour{"6000": answerAndStay})
	reg := cli.NewRegistry()
	if err := pbx.RegisterCLI(reg, l.e); err != nil {
		t.Fatal(err)
	}
	run := func(line string) string {
		var b bytes.Buffer
		if err := reg.Execute(nil, line, &b); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return b.String()
	}
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Driver: d, CallerID: pbx.CallerID{Num: "6001"}})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(t.Context(), ch, "work", "6000", 1) }()
	for ch.BridgeID() == "" {
		time.Sleep(time.Millisecond)
	}
	golden(t, "core-show-channels.during-call-6001-to-6000.txt", run("core show channels"))
	verbose := strings.Split(run("core show channels verbose"), "\n")
	if len(verbose) != 7 || len(verbose[1]) != 252 || !strings.HasPrefix(verbose[1], "SIP/6000-00000001") ||
		!strings.Contains(verbose[2], " 6000                        1 Up      Dial         SIP/6000,20               6001            00:00:00") {
		t.Errorf("core show channels verbose:\n%s", strings.Join(verbose, "\n"))
	}
	ch.HungUp(pbx.CauseNormalClearing)
	<-done
	l.tech.wg.Wait()
	golden(t, "core-show-channels.after-call.txt", run("core show channels"))

	// RetryDial is listed as Asterisk lists it.
	golden(t, "core-show-applications-like-Dial.txt", run("core show applications like Dial"))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	want, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got: %q\nwant: %q", name, got, want)
	}
}
