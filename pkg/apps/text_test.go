package apps_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// textPhone is a fake phone whose driver sends text (chan_sip's
// send_text); fail makes every send fail.
type textPhone struct {
	*pbxtest.Phone
	mu   sync.Mutex
	sent []string
	fail bool
}

func (p *textPhone) SendText(text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("dialog ended")
	}
	p.sent = append(p.sent, text)
	return nil
}

const textConf = `
[txt]
exten => send,1,SendText(hello\nworld \x41)
 same => n,NoOp(${SENDTEXTSTATUS})
exten => empty,1,SendText()
 same => n,NoOp(${SENDTEXTSTATUS})
exten => recv,1,ReceiveText(5)
 same => n,NoOp(${RECEIVETEXTSTATUS}|${RECEIVETEXTMESSAGE})
exten => recvto,1,ReceiveText(0.05)
 same => n,NoOp(${RECEIVETEXTSTATUS}|${RECEIVETEXTMESSAGE})
exten => recvbad,1,ReceiveText(soon)
 same => n,NoOp(not reached)
exten => url,1,SendURL(http://example.com/)
 same => n,NoOp(${SENDURLSTATUS})
exten => nourl,1,SendURL()
 same => n,NoOp(not reached)
`

func TestTextApplications(t *testing.T) {
	tests := []struct {
		name, exten string
		plain, fail bool   // plain: a driver without text
		incoming    string // text the phone sends during ReceiveText
		want        string // NoOp's argument; "" means the NoOp is not reached
		sent        []string
		log         string
	}{
		{name: "send", exten: "send", want: "SUCCESS", sent: []string{"hello\nworld A"}},
		{name: "send empty", exten: "empty", want: "SUCCESS", sent: []string{""}},
		{name: "send unsupported", exten: "send", plain: true, want: "UNSUPPORTED"},
		{name: "send failure", exten: "send", fail: true, want: "FAILURE"},
		{name: "receive", exten: "recv", incoming: "ping", want: "SUCCESS|ping"},
		{name: "receive timeout", exten: "recvto", want: "FAILURE|"},
		{name: "receive bad timeout", exten: "recvbad", log: "WARNING: Invalid timeout provided: soon. No timeout set."},
		{name: "url", exten: "url", want: "UNSUPPORTED"},
		{name: "url missing", exten: "nourl", log: "WARNING: SendURL requires an argument (URL)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, textConf, apps.Config{})
			phone := &textPhone{Phone: pbxtest.NewPhone(media.ULaw), fail: tt.fail}
			var drv pbx.Driver = phone
			if tt.plain {
				drv = phone.Phone
			}
			ch := l.e.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "6001", Driver: drv, Context: "txt", Exten: tt.exten})
			ch.SetState(pbx.StateRing)
			done := make(chan struct{})
			go func() {
				defer close(done)
				l.e.Run(context.Background(), ch, "txt", tt.exten, 1)
			}()
			if tt.incoming != "" {
				l.waitLog(t, "ReceiveText(", 2*time.Second)
				deadline := time.Now().Add(2 * time.Second)
				for !ch.QueueText(tt.incoming) {
					if time.Now().After(deadline) {
						t.Fatal("ReceiveText never waited for text")
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			select {
			case <-done:
			case <-time.After(8 * time.Second):
				ch.SoftHangup(pbx.CauseNormalClearing)
				<-done
				t.Fatalf("call did not end; log:\n%s", strings.Join(l.log.Lines(), "\n"))
			}
			if tt.want != "" {
				l.log.has(t, `    -- Executing [`+tt.exten+`@txt:2] NoOp("Test/6001-00000000", "`+tt.want+`") in new stack`)
			} else if strings.Contains(strings.Join(l.log.Lines(), "\n"), "not reached") {
				t.Error("the dialplan went on")
			}
			if tt.log != "" {
				l.log.has(t, tt.log)
			}
			if strings.Join(phone.sent, "|") != strings.Join(tt.sent, "|") || len(phone.sent) != len(tt.sent) {
				t.Errorf("sent %q, want %q", phone.sent, tt.sent)
			}
			// Nothing waits any more: a late text is dropped.
			if ch.QueueText("late") {
				t.Error("a text was taken after ReceiveText ended")
			}
		})
	}
}
