package local_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/local"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const plan = `
[from]
exten => 100,1,Set(__DEEP=yes)
 same => n,Set(_ONCE=1)
 same => n,Set(PLAIN=no)
 same => n,Dial(Local/${DEST},2)
 same => n,Hangup()

exten => 200,1,Dial(Local/${DEST})

[internal]
exten => 6000,1,Set(SEEN=${DEEP}/${ONCE}/${PLAIN}/${CALLERID(num)})
 same => n,Dial(Test/answer)
exten => busy,1,Dial(Test/busy)
exten => cong,1,Dial(Test/cong)
exten => ring,1,Dial(Test/ring,1)
exten => late,1,Ringing()
 same => n,Wait(10)
exten => park,1,Answer()
 same => n,Block()
`

// farTech is a technology whose far ends follow pbxtest.FarEnd scripts
// named by the resource.
type farTech struct {
	e  *pbx.Engine
	wg sync.WaitGroup
}

func (f *farTech) Type() string        { return "Test" }
func (f *farTech) Description() string { return "test far ends" }
func (f *farTech) Request(_ context.Context, data string, req *pbx.Channel) (*pbx.Channel, error) {
	d := &farDriver{t: f, script: data}
	d.ch = f.e.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: data, Driver: d, Requestor: req})
	return d.ch, nil
}

type farDriver struct {
	t      *farTech
	ch     *pbx.Channel
	script string
}

func (d *farDriver) Call(context.Context, string, time.Duration) error {
	far := pbxtest.FarEnd{Ring: 5 * time.Millisecond, Hold: 50 * time.Millisecond}
	switch d.script {
	case "busy":
		far.Busy = true
	case "cong":
		far.Congested = true
	case "ring":
		far.Ring = -1
	}
	d.t.wg.Add(1)
	go func() {
		defer d.t.wg.Done()
		far.Play(d.ch)
	}()
	return nil
}
func (d *farDriver) Answer() error                 { return nil }
func (d *farDriver) Indicate(pbx.Indication) error { return nil }
func (d *farDriver) Hangup(int) error              { return nil }

type lab struct {
	e    *pbx.Engine
	log  *pbxtest.Log
	far  *farTech
	tech *local.Tech
}

func newLab(t *testing.T) *lab {
	t.Helper()
	cfg, diags := confparse.Parse("extensions.conf", []byte(plan), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(cfg, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := pbx.FromDialplan(dp)
	l := &lab{log: &pbxtest.Log{}}
	l.e = pbx.New(pbx.Config{Logger: l.log, Plan: func() pbx.Plan { return p },
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, env) }})
	bridge.Install(l.e, bridge.Options{})
	if err := apps.Register(l.e); err != nil {
		t.Fatal(err)
	}
	// Block holds a channel until it hangs up, without reading its media.
	if err := l.e.RegisterApp(&pbx.App{Name: "Block", Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		<-ch.Done()
		return pbx.HangupResult, nil
	}}); err != nil {
		t.Fatal(err)
	}
	l.far = &farTech{e: l.e}
	l.tech = local.New(l.e, local.Options{})
	for _, tech := range []pbx.Technology{l.far, l.tech} {
		if err := l.e.RegisterTechnology(tech); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// call runs from,100 with DEST set, from caller 6001, to its end.
func (l *lab) call(t *testing.T, dest string) *pbx.Channel {
	t.Helper()
	phone := pbxtest.NewPhone(media.ULaw)
	ch := phone.NewChannel(l.e, "6001", "from", "100")
	ch.SetCallerID(pbx.CallerID{Num: "6001", Name: "Six"})
	ch.SetVar("DEST", dest)
	ch.SetState(pbx.StateRing)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.e.Run(context.Background(), ch, "from", "100", 1)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("call did not end; log:\n%s", strings.Join(l.log.Lines(), "\n"))
	}
	l.e.Wait()
	l.far.wg.Wait()
	return ch
}

func TestDialStatus(t *testing.T) {
	tests := []struct {
		dest, status, local string
	}{
		{"6000@internal", "ANSWER", "ANSWER"},
		{"404@internal", "CHANUNAVAIL", ""},
		{"busy@internal", "BUSY", "BUSY"},
		{"cong@internal/n", "CONGESTION", "CONGESTION"},
		{"ring@internal", "NOANSWER", "NOANSWER"},
		{"late@internal", "NOANSWER", ""}, // the outer Dial's 2 s pass
	}
	for _, tc := range tests {
		t.Run(tc.dest, func(t *testing.T) {
			l := newLab(t)
			ch := l.call(t, tc.dest)
			if got, _ := ch.Var("DIALSTATUS"); got != tc.status {
				t.Errorf("DIALSTATUS = %q, want %q; log:\n%s", got, tc.status, strings.Join(l.log.Lines(), "\n"))
			}
			if n := len(l.e.Channels()); n != 0 {
				t.Errorf("%d channels left: %v", n, names(l.e.Channels()))
			}
			if ps := l.tech.Pairs(); len(ps) != 0 {
				t.Errorf("pairs left: %v", ps)
			}
		})
	}
}

func names(chs []*pbx.Channel) []string {
	var out []string
	for _, c := range chs {
		out = append(out, c.Name())
	}
	return out
}

func TestVariablesAndCallerCross(t *testing.T) {
	l := newLab(t)
	sub := l.e.Bus().SubscribeTo(pbx.BusVarSet, pbx.BusLocalBridge)
	defer sub.Close()
	l.call(t, "6000@internal")
	var seen, name2 string
	bridged := 0
	for _, ev := range sub.Take() {
		if ev.Variable == "SEEN" {
			seen, name2 = ev.Value, ev.Channel.Name()
		}
		if ev.Type == pbx.BusLocalBridge {
			bridged++
			if !strings.HasSuffix(ev.Channel.Name(), ";1") || !strings.HasSuffix(ev.Peer.Name(), ";2") || len(ev.Fields) != 3 ||
				ev.Fields[0].Value != "internal" || ev.Fields[1].Value != "6000" || ev.Fields[2] != (pbx.EventField{Key: "LocalOptimization", Value: "No"}) {
				t.Errorf("LocalBridge event: %s %s %v", ev.Channel.Name(), ev.Peer.Name(), ev.Fields)
			}
		}
	}
	if bridged != 1 {
		t.Errorf("%d LocalBridge events, want 1", bridged)
	}
	if seen != "yes/1//6001" {
		t.Errorf(";2 saw DEEP/ONCE/PLAIN/CALLERID = %q, want yes/1//6001", seen)
	}
	if !strings.HasPrefix(name2, "Local/6000@internal-") || !strings.HasSuffix(name2, ";2") {
		t.Errorf(";2 is named %q", name2)
	}
}

// waitEvent waits for an event of kind k on ch.
func waitEvent(t *testing.T, ch *pbx.Channel, k pbx.EventKind) {
	t.Helper()
	wake := make(chan struct{}, 1)
	stop := ch.Watch(wake)
	defer stop()
	deadline := time.After(3 * time.Second)
	for {
		for _, ev := range ch.TakeEvents() {
			if ev.Kind == k {
				return
			}
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("%s: no event %v", ch.Name(), k)
		}
	}
}

func TestMediaBothWays(t *testing.T) {
	l := newLab(t)
	phone := pbxtest.NewPhone(media.ALaw)
	caller := phone.NewChannel(l.e, "6001", "from", "100")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	one, err := l.e.Request(ctx, "Local", "park@internal/m", caller)
	if err != nil {
		t.Fatal(err)
	}
	if err := one.Driver().Call(ctx, "park@internal/m", 0); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, one, pbx.EventAnswer)
	if one.NativeFormat() != media.ALaw {
		t.Errorf(";1 speaks %v, want the dialer's alaw", one.NativeFormat())
	}
	var two *pbx.Channel
	for _, c := range l.e.Channels() {
		if strings.HasSuffix(c.Name(), ";2") {
			two = c
		}
	}
	if two == nil {
		t.Fatal("no ;2")
	}
	if ps := l.tech.Pairs(); len(ps) != 1 || ps[0].Name != "park@internal" || ps[0].Owner != one.Name() {
		t.Errorf("pairs = %v", ps)
	}
	frames := []struct {
		from, to *pbx.Channel
		fr       media.Frame
	}{
		{one, two, media.VoiceFrame(media.ALaw, []byte{1, 2, 3}, 160)},
		{two, one, media.VoiceFrame(media.ALaw, []byte{4, 5, 6}, 160)},
		{one, two, media.Frame{Kind: media.DTMFEnd, Digit: '5', Duration: 80 * time.Millisecond}},
		{two, one, media.Frame{Kind: media.DTMFBegin, Digit: '#'}},
	}
	for _, f := range frames {
		if err := f.from.Write(f.fr); err != nil {
			t.Fatal(err)
		}
		got, err := f.to.ReadUntil(time.After(2 * time.Second))
		if err != nil {
			t.Fatalf("%s read: %v", f.to.Name(), err)
		}
		if got.Kind != f.fr.Kind || got.Digit != f.fr.Digit || string(got.Payload) != string(f.fr.Payload) {
			t.Errorf("%s -> %s: got %v, want %v", f.from.Name(), f.to.Name(), got, f.fr)
		}
	}
	// Nobody reads: the queue stays bounded and writes are not stuck.
	start := time.Now()
	for i := 0; i < 20; i++ {
		if err := one.Write(media.VoiceFrame(media.ALaw, make([]byte, 160), 160)); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("20 unread frames took %v", d)
	}
	// Hold crosses with /m.
	if err := one.Indicate(pbx.IndHold); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, two, pbx.EventHold)
	one.Hangup(pbx.CauseNormalClearing)
	l.e.Wait()
	if n := len(l.e.Channels()); n != 1 { // the caller is ours
		t.Errorf("channels left: %v", names(l.e.Channels()))
	}
	if cause := two.HangupCause(); cause != pbx.CauseNormalClearing {
		t.Errorf(";2 ended with cause %d", cause)
	}
	caller.Hangup(pbx.CauseNormalClearing)
}

func TestDeviceState(t *testing.T) {
	l := newLab(t)
	for res, want := range map[string]pbx.DeviceState{
		"6000@internal": pbx.DeviceNotInUse, "404@internal": pbx.DeviceInvalid, "6000@nowhere": pbx.DeviceInvalid,
	} {
		if got := l.e.DeviceState("Local/" + res); got != want {
			t.Errorf("Local/%s: %v, want %v", res, got, want)
		}
	}
	one, err := l.e.Request(context.Background(), "Local", "6000@internal", nil)
	if err != nil {
		t.Fatal(err)
	}
	one.SetState(pbx.StateUp)
	for _, dev := range []string{"Local/6000@internal", "Local/6000@internal/n"} {
		if got := l.e.DeviceState(dev); got != pbx.DeviceInUse {
			t.Errorf("%s with a pair up: %v, want INUSE", dev, got)
		}
	}
	one.Hangup(pbx.CauseNormalClearing)
	if n := len(l.e.Channels()); n != 0 {
		t.Errorf("an uncalled pair left %v", names(l.e.Channels()))
	}
}

func TestShowChannels(t *testing.T) {
	l := newLab(t)
	reg := cli.NewRegistry()
	if err := local.RegisterCLI(reg, l.tech); err != nil {
		t.Fatal(err)
	}
	run := func() string {
		var out strings.Builder
		if err := reg.Execute(cli.NewSession(3), "local show channels", &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := run(); got != "No local channels in use\n" {
		t.Errorf("empty: %q", got)
	}
	a, _ := l.e.Request(context.Background(), "Local", "6000@internal/n", nil)
	b, _ := l.e.Request(context.Background(), "Local", "busy", nil)
	want := a.Name() + " -- 6000@internal\n" + b.Name() + " -- busy@default\n"
	if got := run(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.HasSuffix(a.Name(), "-00000000;1") || b.Name() != "Local/busy@default-00000001;1" {
		t.Errorf("names %s, %s", a.Name(), b.Name())
	}
	a.Hangup(pbx.CauseNormalClearing)
	b.Hangup(pbx.CauseNormalClearing)
	if got := run(); got != "No local channels in use\n" {
		t.Errorf("after hangup: %q", got)
	}
}

// TestHoldThroughBridge: the caller, bridged to ;1, holds. With /m the
// hold reaches ;2 (whose own bridge would play the music further on);
// without it chan_local keeps the hold on ;1, where the bridge plays music.
func TestHoldThroughBridge(t *testing.T) {
	for _, tc := range []struct {
		dest   string
		passed bool
	}{{"park@internal/m", true}, {"park@internal", false}} {
		t.Run(tc.dest, func(t *testing.T) {
			l := newLab(t)
			phone := pbxtest.NewPhone(media.ULaw)
			caller := phone.NewChannel(l.e, "6001", "from", "200")
			caller.SetVar("DEST", tc.dest)
			done := make(chan struct{})
			go func() {
				defer close(done)
				l.e.Run(context.Background(), caller, "from", "200", 1)
			}()
			var two *pbx.Channel
			if !pbxtestPoll(func() bool {
				for _, c := range l.e.Channels() {
					if strings.HasSuffix(c.Name(), ";2") {
						two = c
					}
				}
				return two != nil && caller.BridgeID() != ""
			}) {
				t.Fatalf("never bridged; log:\n%s", strings.Join(l.log.Lines(), "\n"))
			}
			two.TakeEvents()
			caller.Held("")
			held := false
			deadline := time.Now().Add(500 * time.Millisecond)
			for !held && time.Now().Before(deadline) {
				for _, ev := range two.TakeEvents() {
					held = held || ev.Kind == pbx.EventHold
				}
				time.Sleep(5 * time.Millisecond)
			}
			if held != tc.passed {
				t.Errorf(";2 held = %v, want %v", held, tc.passed)
			}
			caller.SoftHangup(pbx.CauseNormalClearing)
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				t.Fatal("the call did not end")
			}
			l.e.Wait()
			if n := len(l.e.Channels()); n != 0 {
				t.Errorf("channels left: %v", names(l.e.Channels()))
			}
		})
	}
}

func pbxtestPoll(cond func() bool) bool {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

func TestParseOptions(t *testing.T) {
	l := newLab(t)
	for _, tc := range []struct {
		data, pair string
		warn       bool
	}{
		{"6000@internal/nj", "6000@internal", false},
		{"6000@internal/j", "6000@internal", true},
		{"6000/m", "6000@default", false},
		{"6000@internal/bxyz", "6000@internal", false},
	} {
		before := len(l.log.Lines())
		ch, err := l.e.Request(context.Background(), "Local", tc.data, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.data, err)
		}
		if ps := l.tech.Pairs(); len(ps) != 1 || ps[0].Name != tc.pair {
			t.Errorf("%s: pairs %v, want %s", tc.data, ps, tc.pair)
		}
		warned := false
		for _, s := range l.log.Lines()[before:] {
			warned = warned || strings.Contains(s, "You must use the 'n' option with the 'j' option")
		}
		if warned != tc.warn {
			t.Errorf("%s: warned %v, want %v", tc.data, warned, tc.warn)
		}
		ch.Hangup(pbx.CauseNormalClearing)
	}
	if _, err := l.e.Request(context.Background(), "Local", "@internal", nil); err == nil {
		t.Error("Local/@internal was accepted")
	}
}
