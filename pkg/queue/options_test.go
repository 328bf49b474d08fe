package queue

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const optionsPlan = `
[member-sub]
exten => s,1,Set(QTEST=gosub-${ARG1})
 same => n,Return()

[macro-mm]
exten => s,1,Set(QTEST=macro-${ARG1})

[pre]
exten => s,1,Set(QTEST=before-${ARG1})
 same => n,Return()

[after]
exten => s,1,Set(QTEST=after)
 same => n,Hangup()
`

// Queue's per-call options and arguments reach the member's channel.
func TestQueueMemberOptions(t *testing.T) {
	cases := []struct {
		name      string
		conf      string // extra queue lines
		data      string // Queue() after the queue name
		want      string // member's QTEST at its hangup
		features  pbx.FeatureFlags
		callerVar string // the caller's QTEST after Queue
	}{
		{name: "gosub argument", data: ",,,,,,,member-sub", want: "gosub-"},
		{name: "membergosub", conf: "membergosub = member-sub,def", want: "gosub-def"},
		{name: "gosub argument beats membergosub", conf: "membergosub = member-sub,def", data: ",,,,,,,member-sub", want: "gosub-"},
		{name: "macro argument", data: ",,,,,,mm", want: "macro-"},
		{name: "membermacro", conf: "membermacro = mm,cfg", want: "macro-cfg"},
		{name: "b on the member", data: ",b(pre^s^1(m))", want: "before-m"},
		{name: "B on the caller", data: ",B(pre^s^1(c))", callerVar: "before-c"},
		{name: "member features", data: ",tkhx", features: pbx.FeatureTransfer | pbx.FeaturePark | pbx.FeatureDisconnect | pbx.FeatureAutomixmon},
		{name: "caller features only", data: ",TW"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newPlanLab(t, "[support]\nstrategy = ringall\ntimeout = 5\nmember => SIP/6000\n"+tc.conf+"\n",
				optionsPlan, map[string]agent{"6000": answers})
			ch := l.caller("100")
			l.talkThenHangUp(t, ch, "support"+tc.data)
			var got legEnd
			eventually(t, 2*time.Second, "the member's hangup", func() bool {
				var ok bool
				got, ok = l.tech.end("6000")
				return ok
			})
			if got.qtest != tc.want {
				t.Errorf("member's QTEST = %q, want %q\n%s", got.qtest, tc.want, l.log.text())
			}
			if got.features != tc.features {
				t.Errorf("member's features = %b, want %b", got.features, tc.features)
			}
			if v, _ := ch.Var("QTEST"); v != tc.callerVar {
				t.Errorf("caller's QTEST = %q, want %q", v, tc.callerVar)
			}
			if strings.HasPrefix(tc.data, ",TW") && ch.FeatureFlags() != pbx.FeatureTransfer|pbx.FeatureAutomon {
				t.Errorf("caller's features = %b", ch.FeatureFlags())
			}
		})
	}
}

// The members that lose are cancelled as answered elsewhere when one
// answered, and always with C; a plain timeout is a normal clearing.
func TestQueueCancelAnsweredElsewhere(t *testing.T) {
	for _, tc := range []struct {
		opts   string
		answer agent // 6001's behaviour
		want   int
	}{
		{"", answers, pbx.CauseAnsweredElsewhere},
		{"C", answers, pbx.CauseAnsweredElsewhere},
		{"n", noAnswer, pbx.CauseNormalClearing},
		{"nC", noAnswer, pbx.CauseAnsweredElsewhere},
	} {
		l := newLab(t, "[support]\nstrategy = ringall\ntimeout = 1\nretry = 1\nmember => SIP/6000\nmember => SIP/6001\n",
			map[string]agent{"6000": noAnswer, "6001": tc.answer})
		l.tech.talk = 50 * time.Millisecond
		l.run(l.caller("100"), "support,"+tc.opts+",,,3")
		e, ok := l.tech.end("6000")
		if !ok || e.cause != tc.want {
			t.Errorf("options %q: the losing leg ended %+v (%v), want cause %d", tc.opts, e, ok, tc.want)
		}
	}
}

// F: when the caller hangs up first, the member goes on in the dialplan.
func TestQueueContinueMember(t *testing.T) {
	for _, tc := range []struct {
		opts string
		want string
	}{{"F(after^s^1)", "after"}, {"", ""}} {
		l := newPlanLab(t, "[support]\nstrategy = ringall\ntimeout = 5\nmember => SIP/6000\n", optionsPlan,
			map[string]agent{"6000": answers})
		l.talkThenHangUp(t, l.caller("100"), "support,"+tc.opts)
		var got legEnd
		eventually(t, 2*time.Second, "the member's hangup", func() bool {
			var ok bool
			got, ok = l.tech.end("6000")
			return ok
		})
		if got.qtest != tc.want {
			t.Errorf("option %q: member's QTEST = %q, want %q", tc.opts, got.qtest, tc.want)
		}
		l.e.Wait()
	}
}

// The AGI argument runs on the caller and monitor-format starts the
// recording application with app_queue's arguments, before the bridge.
func TestQueueAGIAndRecording(t *testing.T) {
	cases := []struct {
		name, conf, general, filename string
		app, want                     string
	}{
		{name: "mixmonitor by uniqueid", general: "monitor-type = MixMonitor", conf: "monitor-format = wav",
			app: "MixMonitor", want: "UID.wav,b"},
		{name: "mixmonitor named", conf: "monitor-type = mixmonitor\nmonitor-format = gsm", filename: "call-1",
			app: "MixMonitor", want: "call-1.gsm,b"},
		{name: "monitor", conf: "monitor-format = wav", app: "Monitor", want: "wav,UID"},
		{name: "monitor named", conf: "monitor-format = gsm", filename: "call-2", app: "Monitor", want: "gsm,call-2"},
		{name: "no format, no recording", general: "monitor-type = MixMonitor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, "[general]\n"+tc.general+"\n[support]\nstrategy = ringall\ntimeout = 5\nmember => SIP/6000\n"+tc.conf+"\n",
				map[string]agent{"6000": answers})
			l.tech.talk = 50 * time.Millisecond
			var mu sync.Mutex
			var caller *pbx.Channel
			ran := map[string]string{}
			for _, name := range []string{"AGI", "MixMonitor", "Monitor"} {
				if err := l.e.RegisterApp(&pbx.App{Name: name, Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
					mu.Lock()
					defer mu.Unlock()
					if name == "Monitor" && ch == caller {
						t.Errorf("Monitor ran on the caller")
					}
					if ch.Peer() != nil {
						t.Errorf("%s ran during the bridge", name)
					}
					ran[name] = strings.ReplaceAll(data, caller.UniqueID(), "UID")
					return pbx.Continue, nil
				}}); err != nil {
					t.Fatal(err)
				}
			}
			ch := l.caller("100")
			caller = ch
			if tc.filename != "" {
				ch.SetVar("MONITOR_FILENAME", tc.filename)
			}
			l.run(ch, "support,,,,,agi://127.0.0.1/x")
			mu.Lock()
			defer mu.Unlock()
			if ran["AGI"] != "agi://127.0.0.1/x" {
				t.Errorf("AGI ran with %q", ran["AGI"])
			}
			for _, app := range []string{"MixMonitor", "Monitor"} {
				want := ""
				if app == tc.app {
					want = tc.want
				}
				if ran[app] != want {
					t.Errorf("%s ran with %q, want %q", app, ran[app], want)
				}
			}
		})
	}
}

// talkThenHangUp runs Queue(data) for ch, waits for the bridge with the
// member and hangs the caller up.
func (l *lab) talkThenHangUp(t *testing.T, ch *pbx.Channel, data string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = l.m.queueExec(ch, data)
	}()
	eventually(t, 3*time.Second, "the bridge", func() bool { return ch.Peer() != nil })
	ch.HungUp(pbx.CauseNormalClearing)
	<-done
	ch.Hangup(0)
}
