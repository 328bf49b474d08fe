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
