package chansip

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/devstate"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
)

// subLab is a started driver whose engine has a dialplan with hints and
// the device state module watching them.
func subLab(t *testing.T, sipConf, extConf string) (*Driver, *phone) {
	t.Helper()
	ext, diags := confparse.Parse("extensions.conf", []byte(extConf), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ext, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	eng := pbx.New(pbx.Config{Plan: func() pbx.Plan { return pbx.FromDialplan(dp) }})
	ds := devstate.New(eng, nil)
	ds.Start()
	t.Cleanup(ds.Stop)
	d, err := New(Options{Config: loadConf(t, sipConf), Log: &logRec{}, Store: newMemStore(), Version: "18.26.4", Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	return d, newPhone(t, d.LocalAddr())
}

// subscribe sends a guest SUBSCRIBE and returns the response to it,
// answering the NOTIFYs that arrive meanwhile.
func (p *phone) subscribe(callID, exten, event, accept string, expires int) *response {
	p.t.Helper()
	me := p.addr()
	msg := fmt.Sprintf("SUBSCRIBE sip:%s@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-%s;rport\r\n"+
		"From: <sip:guest@%s>;tag=g-%s\r\nTo: <sip:%s@%s>\r\nCall-ID: %s\r\nCSeq: 1 SUBSCRIBE\r\n"+
		"Contact: <sip:guest@%s>\r\nEvent: %s\r\nAccept: %s\r\nExpires: %d\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		exten, p.to, me, callID, p.to.Addr(), callID, exten, p.to.Addr(), callID, me, event, accept, expires)
	p.send(msg)
	for {
		buf := make([]byte, 65535)
		p.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			p.t.Fatalf("no answer to SUBSCRIBE %s: %v", callID, err)
		}
		raw := string(buf[:n])
		if strings.HasPrefix(raw, "NOTIFY ") {
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
			continue
		}
		r := &response{raw: raw, headers: map[string]string{}}
		lines := strings.Split(raw, "\r\n")
		fmt.Sscanf(lines[0], "SIP/2.0 %d", &r.code)
		for _, l := range lines[1:] {
			if k, v, ok := strings.Cut(l, ":"); ok {
				r.headers[strings.ToLower(k)] = strings.TrimSpace(v)
			}
		}
		if r.headers["call-id"] == callID && r.code >= 200 {
			return r
		}
	}
}

// TestSubscriptionsBoundedPerPeer: one subscriber (here a guest address)
// gets maxSubsPerPeer subscriptions, then 503; the table never holds more.
func TestSubscriptionsBoundedPerPeer(t *testing.T) {
	d, ph := subLab(t, "[general]\ncontext=default\nallowguest=yes\n", "[default]\nexten => 100,hint,SIP/100\n")
	for i := 0; i < maxSubsPerPeer; i++ {
		if r := ph.subscribe(fmt.Sprintf("bound-%d", i), "100", "dialog", "application/dialog-info+xml", 600); r.code != 200 {
			t.Fatalf("subscription %d: %d\n%s", i, r.code, r.raw)
		}
	}
	if r := ph.subscribe("bound-last", "100", "dialog", "application/dialog-info+xml", 600); r.code != 503 {
		t.Fatalf("subscription past the bound: %d\n%s", r.code, r.raw)
	}
	if n := len(d.subscriptionRows()); n != maxSubsPerPeer {
		t.Fatalf("%d subscriptions listed, want %d", n, maxSubsPerPeer)
	}
}

// TestSubscribeAnswers: chan_sip's answers to SUBSCRIBEs it cannot take.
func TestSubscribeAnswers(t *testing.T) {
	_, ph := subLab(t, "[general]\ncontext=default\nallowguest=yes\n[nosub]\ntype=friend\nhost=dynamic\nallowsubscribe=no\n",
		"[default]\nexten => 100,hint,SIP/100\n")
	tests := []struct {
		name, exten, event, accept string
		expires, code              int
		reason                     string
	}{
		{"unknown event", "100", "x-foo", "text/plain", 600, 489, "Bad Event"},
		{"no hint", "999", "dialog", "application/dialog-info+xml", 600, 404, "Not Found"},
		{"unknown format", "100", "presence", "text/x-unknown", 600, 489, "Bad Event (format text/x-unknown)"},
		{"too short", "100", "dialog", "application/dialog-info+xml", 5, 423, "Interval too small"},
		{"mwi for a guest", "100", "message-summary", "application/simple-message-summary", 600, 404, "Not found"},
		{"xpidf", "100", "presence", "application/xpidf+xml", 600, 200, "OK"},
		{"expires 0", "100", "dialog", "application/dialog-info+xml", 0, 200, "OK"},
	}
	for i, tc := range tests {
		r := ph.subscribe(fmt.Sprintf("ans-%d", i), tc.exten, tc.event, tc.accept, tc.expires)
		if r.code != tc.code || !strings.HasPrefix(r.raw, fmt.Sprintf("SIP/2.0 %d %s\r\n", tc.code, tc.reason)) {
			t.Errorf("%s: got %q, want %d %s", tc.name, strings.SplitN(r.raw, "\r\n", 2)[0], tc.code, tc.reason)
		}
	}
}

// TestSubscriptionExpires: a subscription that is not refreshed ends with
// a NOTIFY "Subscription-State: terminated;reason=timeout" and leaves the
// table.
func TestSubscriptionExpires(t *testing.T) {
	old := expiryGrace
	expiryGrace = 0
	defer func() { expiryGrace = old }()
	d, ph := subLab(t, "[general]\ncontext=default\nallowguest=yes\nsubminexpiry=1\n", "[default]\nexten => 100,hint,SIP/100\n")
	if r := ph.subscribe("exp-1", "100", "presence", "application/pidf+xml", 1); r.code != 200 {
		t.Fatalf("SUBSCRIBE: %d", r.code)
	}
	// The first NOTIFY is the active state, the next one the end.
	raw := ph.recvRequest("NOTIFY")
	if strings.Contains(raw, "Subscription-State: active\r\n") {
		raw = ph.recvRequest("NOTIFY")
	}
	if !strings.Contains(raw, "Subscription-State: terminated;reason=timeout\r\n") || !strings.Contains(raw, "Event: presence\r\n") {
		t.Fatalf("final NOTIFY:\n%s", raw)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(d.subscriptionRows()) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("expired subscription still listed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
