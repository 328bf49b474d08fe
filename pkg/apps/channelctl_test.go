package apps_test

import (
	"context"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const channelCtlPlan = `
[t]
exten => wait,1,Wait(30)
 same => n,Set(AFTER=not-redirected)
exten => dest,1,Set(WHERE=${CONTEXT},${EXTEN},${PRIORITY})
 same => n,Wait(30)
exten => redirect,1,ChannelRedirect(${TARGET},t,dest,1)
 same => n,Set(STATUS=${CHANNELREDIRECT_STATUS})
exten => kill,1,SoftHangup(${TARGET}${OPTS})
`

// waiting starts a channel on t,wait and returns it once it waits.
func waiting(t *testing.T, l *lab, resource string) (*pbx.Channel, chan struct{}) {
	t.Helper()
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: resource, Driver: d, Context: "t", Exten: "wait"})
	d.ch = ch
	done := make(chan struct{})
	go func() { defer close(done); l.e.Run(context.Background(), ch, "t", "wait", 1) }()
	waitFor(t, func() bool { app, _ := ch.Application(); return app == "Wait" })
	return ch, done
}

// run runs exten on a new channel with vars set and returns it when its
// dialplan ended.
func runWith(t *testing.T, l *lab, exten string, vars map[string]string) *pbx.Channel {
	t.Helper()
	d := &fakeDriver{tech: l.tech}
	ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "ctl", Driver: d, Context: "t", Exten: exten})
	d.ch = ch
	for k, v := range vars {
		ch.SetVar(k, v)
	}
	l.e.Run(context.Background(), ch, "t", exten, 1)
	return ch
}

func TestChannelRedirect(t *testing.T) {
	l := newLab(t, loadPlan(t, "extensions.conf", []byte(channelCtlPlan)), nil)
	target, done := waiting(t, l, "6000")
	ctl := runWith(t, l, "redirect", map[string]string{"TARGET": target.Name()})
	if got, _ := ctl.Var("STATUS"); got != "SUCCESS" {
		t.Errorf("CHANNELREDIRECT_STATUS=%q, want SUCCESS", got)
	}
	waitFor(t, func() bool { v, _ := target.Var("WHERE"); return v == "t,dest,1" })
	if got, _ := target.Var("AFTER"); got != "" {
		t.Errorf("the redirected channel went on after its Wait (AFTER=%q)", got)
	}
	target.SoftHangup(pbx.CauseNormalClearing)
	<-done

	ctl = runWith(t, l, "redirect", map[string]string{"TARGET": "SIP/nobody-00000099"})
	if got, _ := ctl.Var("STATUS"); got != "NOCHANNEL" {
		t.Errorf("CHANNELREDIRECT_STATUS=%q for a missing channel, want NOCHANNEL", got)
	}
}

func TestSoftHangup(t *testing.T) {
	for _, tc := range []struct {
		name, opts string
		wantUp     int // of the two channels of SIP/6000
	}{
		{"first match", "", 1},
		{"all of the device", ",a", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, loadPlan(t, "extensions.conf", []byte(channelCtlPlan)), nil)
			a, doneA := waiting(t, l, "6000")
			b, doneB := waiting(t, l, "6000")
			other, doneO := waiting(t, l, "6001")
			runWith(t, l, "kill", map[string]string{"TARGET": "sip/6000", "OPTS": tc.opts})
			up := 0
			for _, c := range []*pbx.Channel{a, b} {
				if !c.HangupRequested() {
					up++
				}
			}
			if up != tc.wantUp {
				t.Errorf("%d channels of SIP/6000 still up, want %d", up, tc.wantUp)
			}
			if other.HangupRequested() {
				t.Error("SIP/6001 was hung up")
			}
			for _, c := range []*pbx.Channel{a, b, other} {
				c.SoftHangup(pbx.CauseNormalClearing)
			}
			<-doneA
			<-doneB
			<-doneO
		})
	}
}
