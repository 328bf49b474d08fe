package chansip

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// fakeMailboxes stands in for the voicemail module.
type fakeMailboxes struct {
	mu sync.Mutex
	m  map[string]pbx.MailboxCounts
}

func (f *fakeMailboxes) MailboxCounts(mb string) (pbx.MailboxCounts, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.m[mb]
	return c, ok
}

func (f *fakeMailboxes) set(mb string, c pbx.MailboxCounts) {
	f.mu.Lock()
	f.m[mb] = c
	f.mu.Unlock()
}

// recvRequest reads the next datagram, which must be a request, and
// answers it 200 OK as a phone does.
func (p *phone) recvRequest(method string) string {
	p.t.Helper()
	buf := make([]byte, 65535)
	p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := p.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		p.t.Fatalf("no %s: %v", method, err)
	}
	raw := string(buf[:n])
	if !strings.HasPrefix(raw, method+" ") {
		p.t.Fatalf("want a %s, got:\n%s", method, raw)
	}
	var b strings.Builder
	b.WriteString("SIP/2.0 200 OK\r\n")
	for _, l := range strings.Split(raw, "\r\n") {
		k, _, _ := strings.Cut(l, ":")
		switch strings.ToLower(k) {
		case "via", "from", "to", "call-id", "cseq":
			b.WriteString(l + "\r\n")
		}
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	p.conn.WriteToUDPAddrPort([]byte(b.String()), from)
	return raw
}

// TestUnsolicitedMWI: a peer with mailbox= gets a message-summary NOTIFY
// when it registers and when its mailbox changes (BusMessageWaiting), in
// chan_sip's body; "sip show peer" shows LastMsgsSent 32767/65535 until
// the first one, then the counts sent.
func TestUnsolicitedMWI(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	boxes := &fakeMailboxes{m: map[string]pbx.MailboxCounts{"6000@default": {New: 2, Old: 1}}}
	eng.SetMailboxProvider(boxes)
	cfg := loadConf(t, "[general]\n[6000]\ntype=friend\nhost=dynamic\nsecret=test\nmailbox=6000@default\n")
	env := &testEnv{log: &logRec{}, store: newMemStore()}
	d, err := New(Options{Config: cfg, Log: env.log, Store: env.store, Version: "18.26.4", Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	if _, st, _ := d.PeerState("6000"); st.NewMessages != 32767 || st.OldMessages != 65535 {
		t.Fatalf("before any NOTIFY: LastMsgsSent %d/%d", st.NewMessages, st.OldMessages)
	}
	ph := newPhone(t, d.LocalAddr())
	if _, ok := ph.registerAuth(regOpts{user: "6000", authUser: "6000", password: "test", expires: "3600"}); ok == nil || ok.code != 200 {
		t.Fatal("registration failed")
	}
	port := d.LocalAddr().Port()
	want := fmt.Sprintf("Messages-Waiting: yes\r\nMessage-Account: sip:asterisk@127.0.0.1:%d\r\nVoice-Message: 2/1 (0/0)\r\n", port)
	raw := ph.recvRequest("NOTIFY")
	if !strings.HasSuffix(raw, "\r\n\r\n"+want) || !strings.Contains(raw, "Event: message-summary\r\n") ||
		!strings.Contains(raw, "Content-Type: application/simple-message-summary\r\n") || strings.Contains(raw, "Subscription-State") {
		t.Fatalf("NOTIFY after REGISTER:\n%s", raw)
	}
	boxes.set("6000@default", pbx.MailboxCounts{New: 0, Old: 3})
	eng.PublishMessageWaiting("6000@default")
	raw = ph.recvRequest("NOTIFY")
	want = fmt.Sprintf("Messages-Waiting: no\r\nMessage-Account: sip:asterisk@127.0.0.1:%d\r\nVoice-Message: 0/3 (0/0)\r\n", port)
	if !strings.HasSuffix(raw, "\r\n\r\n"+want) {
		t.Fatalf("NOTIFY after MessageWaiting:\n%s", raw)
	}
	if _, st, _ := d.PeerState("6000"); st.NewMessages != 0 || st.OldMessages != 3 {
		t.Fatalf("LastMsgsSent %d/%d, want 0/3", st.NewMessages, st.OldMessages)
	}
}
