package apps_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const miscConf = `
[misc]
exten => pop,1,Gosub(popsub,s,1(a))
 same => n,Set(NOTREACHED=1)
exten => popped,1,Set(AFTERPOP=${ARG1}/${ARGC})
exten => import,1,Set(SRC=from-me)
 same => n,ImportVar(COPY=${CHANNEL},SRC)
 same => n,ImportVar(NONE=SIP/nobody,SRC)
exten => wait,1,WaitUntil(1)
 same => n,Set(W1=${WAITUNTILSTATUS})
 same => n,WaitUntil(soon)
 same => n,Set(W2=${WAITUNTILSTATUS})
 same => n,WaitUntil(${FUTURE})
 same => n,Set(W3=${WAITUNTILSTATUS})
exten => event,1,UserEvent(Alarm,Level: high,Zone:kitchen,nocolon,Level: low)
 same => n,UserEvent()
exten => dump,1,Set(SEEN=yes)
 same => n,DumpChan()
exten => macroif,1,MacroIf($[1 = 1]?m,yes:m,no)
 same => n,Set(FIRST=${MARG})
 same => n,MacroIf(0?m,yes:m,no)
 same => n,Set(SECOND=${MARG})
 same => n,MacroIf(0?m,yes)
 same => n,MacroExclusive(m,excl)
 same => n,Set(THIRD=${MARG})
exten => cdr,1,SetAMAFlags(billing)
 same => n,Answer()
 same => n,ForkCDR(e)
 same => n,NoCDR()
exten => cdr2,1,NoCDR()
 same => n,SetAMAFlags(2)
 same => n,ResetCDR(e)
exten => cdr3,1,SetAMAFlags(nonsense)
exten => dtmf,1,SIPDtmfMode(info)
exten => set,1,Set(MULTI=a,b)
 same => n,MSet(X=1,Y=2=3,bad)
 same => n,Set(noeq)
 same => n,Set()

[popsub]
exten => s,1,StackPop()
 same => n,Goto(misc,popped,1)

[macro-m]
exten => s,1,Set(MARG=${ARG1})
`

func TestMiscApplications(t *testing.T) {
	noLeaks(t)
	plan := loadPlan(t, "misc.conf", []byte(miscConf))
	future := time.Now().Add(60 * time.Millisecond)
	tests := []struct {
		exten  string
		want   map[string]string
		absent []string
		log    []string
		check  func(t *testing.T, ch *pbx.Channel, l *lab)
	}{
		{exten: "pop", want: map[string]string{"AFTERPOP": "/"}, absent: []string{"NOTREACHED"},
			check: func(t *testing.T, ch *pbx.Channel, _ *lab) {
				if d := ch.StackDepth(); d != 0 {
					t.Errorf("stack depth %d after StackPop", d)
				}
			}},
		{exten: "import", want: map[string]string{"COPY": "from-me", "NONE": ""},
			log: []string{"WARNING: ImportVar is deprecated.  Please use Set(varname=${IMPORT(channel,variable)}) instead."}},
		{exten: "wait", want: map[string]string{"W1": "PAST", "W2": "FAILURE", "W3": "OK"},
			log: []string{"WARNING: WaitUntil called with non-numeric argument"},
			check: func(t *testing.T, _ *pbx.Channel, _ *lab) {
				if time.Now().Before(future) {
					t.Error("WaitUntil returned early")
				}
			}},
		{exten: "event", log: []string{"WARNING: UserEvent requires an argument (eventname,optional event body)"}},
		{exten: "dump", log: []string{"Name=               SIP/6001-00000000"}},
		{exten: "macroif", want: map[string]string{"FIRST": "yes", "SECOND": "no", "THIRD": "excl"}},
		{exten: "cdr", check: func(t *testing.T, ch *pbx.Channel, _ *lab) {
			r := ch.CDR()
			if !r.Disabled || r.AMAFlags != "BILLING" || len(r.Forks) != 1 {
				t.Fatalf("CDR = %+v", r)
			}
			f := r.Forks[0]
			if f.Disposition != "ANSWERED" || f.End.IsZero() || f.AMAFlags != "BILLING" || f.LastApp != "ForkCDR" {
				t.Errorf("fork = %+v", f)
			}
			if r.Disposition != "ANSWERED" || r.End.Before(f.End) {
				t.Errorf("record = %+v", r)
			}
		}},
		{exten: "cdr2", check: func(t *testing.T, ch *pbx.Channel, _ *lab) {
			if r := ch.CDR(); r.Disabled || r.AMAFlags != "BILLING" {
				t.Errorf("CDR = %+v", r)
			}
		}, log: []string{"WARNING: The SetAMAFlags application is deprecated. Please use the CHANNEL function instead."}},
		// the fake driver is no SIP dialog
		{exten: "dtmf", log: []string{"WARNING: Call this application only on SIP incoming calls"}},
		{exten: "set", want: map[string]string{"MULTI": "a,b", "X": "1", "Y": "2=3"}, log: []string{
			"WARNING: MSet: ignoring entry 'bad' with no '=' (in set@misc:2",
			"WARNING: Set requires an '=' to be a valid assignment.",
			"WARNING: Set requires one variable name/value pair.",
		}},
		{exten: "cdr3", check: func(t *testing.T, ch *pbx.Channel, _ *lab) {
			if r := ch.CDR(); r.AMAFlags != "Unknown" {
				t.Errorf("AMA flags %q", r.AMAFlags)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.exten, func(t *testing.T) {
			l := newLab(t, plan, nil)
			l.e.SetGlobalVar("FUTURE", fmt.Sprintf("%d.%06d", future.Unix(), future.Nanosecond()/1000))
			sub := l.e.Bus().Subscribe()
			defer sub.Close()
			ch, _ := l.call(t, "misc", tt.exten)
			vars(t, ch, tt.want)
			for _, name := range tt.absent {
				if v, ok := ch.Var(name); ok {
					t.Errorf("%s is set (%q)", name, v)
				}
			}
			logged := strings.Join(l.log.Lines(), "\n")
			for _, w := range tt.log {
				if !strings.Contains(logged, w) {
					t.Errorf("log lacks %q", w)
				}
			}
			if tt.check != nil {
				tt.check(t, ch, l)
			}
			if tt.exten == "event" {
				var got []pbx.BusEvent
				for _, ev := range sub.Take() {
					if ev.Type == pbx.BusUserEvent {
						got = append(got, ev)
					}
				}
				var fields []string
				if len(got) == 1 {
					for _, f := range got[0].Fields {
						fields = append(fields, f.Key+": "+f.Value)
					}
				}
				if len(got) != 1 || got[0].EventName != "Alarm" || got[0].Channel != ch ||
					strings.Join(fields, ", ") != "Level: low, Zone: kitchen" {
					t.Errorf("user events %+v", got)
				}
			}
			if t.Failed() {
				t.Log(logged)
			}
		})
	}
}

const availConf = `
[avail]
exten => s,1,ChanIsAvail(SIP/absent&SIP/6000&SIP/6002,a)
 same => n,Set(R1=${AVAILCHAN}|${AVAILORIGCHAN}|${AVAILSTATUS}|${AVAILCAUSECODE})
 same => n,ChanIsAvail(SIP/6000&SIP/6002)
 same => n,Set(R2=${AVAILORIGCHAN}|${AVAILSTATUS})
 same => n,ChanIsAvail(garbage&IAX2/x&SIP/6001,s)
 same => n,Set(R3=${AVAILORIGCHAN}|${AVAILSTATUS})
 same => n,ChanIsAvail(SIP/6001&SIP/6000,t)
 same => n,Set(R4=${AVAILORIGCHAN}|${AVAILSTATUS})
`

func TestChanIsAvail(t *testing.T) {
	noLeaks(t)
	l := newLab(t, loadPlan(t, "avail.conf", []byte(availConf)), map[string]behaviour{"absent": unavailable})
	ch, _ := l.call(t, "avail", "s")
	// The caller is SIP/6001-00000000 and Up-less (Ring): option s sees it
	// ringing (6), t too; the probes are SIP/6000-00000001, -2, -3.
	vars(t, ch, map[string]string{
		"R1": "SIP/6000-00000001&SIP/6002-00000002|SIP/6000&SIP/6002|0&0&0|0&0",
		"R2": "SIP/6000|0",
		"R3": "|4&4&6",
		"R4": "SIP/6000|6&0",
	})
	l.log.has(t, "WARNING: Invalid ChanIsAvail technology/resource argument: 'garbage'")
	for _, out := range l.tech.outbound() {
		if !out.Gone() {
			t.Errorf("probe %s left up", out.Name())
		}
	}
}
