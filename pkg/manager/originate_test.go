package manager

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// answeringTech makes channels whose far end answers at once.
type answeringTech struct{ eng *pbx.Engine }

func (answeringTech) Type() string        { return "Fake" }
func (answeringTech) Description() string { return "answers every call" }
func (t answeringTech) Request(_ context.Context, data string, _ *pbx.Channel) (*pbx.Channel, error) {
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(t.eng, data, "", "")
	time.AfterFunc(20*time.Millisecond, ch.Answered)
	return ch, nil
}

// TestOriginateApplication: Originate to an application sets the caller
// ID and variables on the new channel, runs the application once it
// answers and reports OriginateResponse Success with its unique id.
func TestOriginateApplication(t *testing.T) {
	l := newLab(t, testConf)
	if err := l.eng.RegisterTechnology(answeringTech{l.eng}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ran []string
	l.eng.RegisterApp(&pbx.App{Name: "Record1", Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		a, _ := ch.Var("A")
		b, _ := ch.Var("B")
		mu.Lock()
		ran = append(ran, ch.Name()+" "+data+" "+ch.CallerID().Num+" "+a+b)
		mu.Unlock()
		return pbx.HangupResult, nil
	}})
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Originate", "Channel: Fake/100", "Application: Record1", "Data: hello", "CallerID: <6005>",
		"Variable: A=1", "Variable: B=2", "ActionID: o2", "Async: yes")
	c.resp()
	ev := c.until("OriginateResponse")
	if !strings.Contains(ev, "Response: Success\r\nChannel: Test/100-") || !strings.Contains(ev, "Application: Record1\r\nData: hello\r\nReason: 4\r\n") {
		t.Errorf("OriginateResponse %q", ev)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		mu.Lock()
		n := len(ran)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ran) != 1 || !strings.HasSuffix(ran[0], " hello 6005 12") {
		t.Errorf("application runs %q", ran)
	}
}

type mapDB map[string]string

func (d mapDB) Get(f, k string) (string, bool) { v, ok := d[f+"/"+k]; return v, ok }
func (d mapDB) Put(f, k, v string) error       { d[f+"/"+k] = v; return nil }
func (d mapDB) Del(f, k string) error          { delete(d, f+"/"+k); return nil }
func (d mapDB) DelTree(f, s string) (int, error) {
	n := 0
	for k := range d {
		if strings.HasPrefix(k, f+"/"+s) {
			delete(d, k)
			n++
		}
	}
	return n, nil
}

// TestListLayouts: the event lists put ActionID where Asterisk does.
func TestListLayouts(t *testing.T) {
	l := newLab(t, testConf)
	l.m.opts.DB = mapDB{}
	ch := l.eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "x", Context: "default", Exten: "100"})
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Events", "EventMask: off")
	c.resp()
	c.send("Action: CoreShowChannels", "ActionID: l")
	if got := c.resp(); got != "Response: Success\r\nActionID: l\r\nEventList: start\r\nMessage: Channels will follow\r\n" {
		t.Errorf("ack %q", got)
	}
	item := c.must()
	if !strings.HasPrefix(item, "Event: CoreShowChannel\r\nActionID: l\r\nChannel: "+ch.Name()+"\r\n") ||
		!strings.HasSuffix(item, "Duration: 00:00:00\r\nBridgeId: \r\n") {
		t.Errorf("CoreShowChannel %q", item)
	}
	if got := c.must(); got != "Event: CoreShowChannelsComplete\r\nActionID: l\r\nEventList: Complete\r\nListItems: 1\r\n" {
		t.Errorf("complete %q", got)
	}
	c.send("Action: Status", "ActionID: s", "Channel: "+ch.Name(), "Variables: FOO")
	c.resp()
	item = c.must()
	if !strings.HasPrefix(item, "Event: Status\r\nPrivilege: Call\r\nChannel: ") || !strings.HasSuffix(item, "Variable: FOO=\r\nActionID: s\r\n") {
		t.Errorf("Status %q", item)
	}
	if got := c.must(); got != "Event: StatusComplete\r\nActionID: s\r\nEventList: Complete\r\nListItems: 1\r\nItems: 1\r\n" {
		t.Errorf("StatusComplete %q", got)
	}
	for _, step := range []struct{ req, want string }{
		{"Action: DBPut\r\nFamily: fam\r\nKey: k\r\nVal: v 1", "Response: Success\r\nMessage: Updated database successfully\r\n"},
		{"Action: DBGet\r\nFamily: fam\r\nKey: k\r\nActionID: d", "Response: Success\r\nActionID: d\r\nEventList: start\r\nMessage: Result will follow\r\n"},
		{"", "Event: DBGetResponse\r\nFamily: fam\r\nKey: k\r\nVal: v 1\r\nActionID: d\r\n"},
		{"", "Event: DBGetComplete\r\nActionID: d\r\nEventList: Complete\r\nListItems: 1\r\n"},
		{"Action: DBDelTree\r\nFamily: fam", "Response: Success\r\nMessage: Key tree deleted successfully\r\n"},
		{"Action: DBGet\r\nFamily: fam\r\nKey: k", "Response: Error\r\nMessage: Database entry not found\r\n"},
		{"Action: DBDel\r\nFamily: fam", "Response: Error\r\nMessage: No key specified.\r\n"},
	} {
		if step.req != "" {
			c.send(step.req)
		}
		if got := c.must(); got != step.want {
			t.Errorf("%q: got %q, want %q", step.req, got, step.want)
		}
	}
}
