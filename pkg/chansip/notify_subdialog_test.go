package chansip

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
)

// TestManagerNotifySubscriptionDialog: SIPnotify's Call-ID also finds a
// SUBSCRIBE dialog (chan_sip searches every dialog): the NOTIFY goes to
// the subscriber inside that dialog (its Call-ID, its tag in To, our tag
// in From, the CSeq after the subscription's own NOTIFYs) with the
// action's Event and body; an unknown Call-ID is call.ErrNoDialog.
func TestManagerNotifySubscriptionDialog(t *testing.T) {
	d, ph := subLab(t, "[general]\ncontext=default\nallowguest=yes\n", "[default]\nexten => 100,hint,SIP/100\n")
	if r := ph.subscribe("sn-1", "100", "dialog", "application/dialog-info+xml", 600); r.code != 200 {
		t.Fatalf("SUBSCRIBE: %d\n%s", r.code, r.raw)
	}
	first := ph.recvRequest("NOTIFY") // the subscription's state
	cseqRe := regexp.MustCompile(`(?m)^CSeq: (\d+) NOTIFY\r$`)
	fromRe := regexp.MustCompile(`(?m)^From: (.*)\r$`)
	if !strings.Contains(first, "Event: dialog\r\n") || cseqRe.FindStringSubmatch(first) == nil {
		t.Fatalf("first NOTIFY:\n%s", first)
	}
	if err := d.ManagerNotifyDialog("nosuch", [][2]string{{"Event", "x"}}); !errors.Is(err, call.ErrNoDialog) {
		t.Fatalf("unknown Call-ID: %v, want ErrNoDialog", err)
	}
	if err := d.ManagerNotifyDialog("sn-1", [][2]string{{"Event", "check-sync"}, {"Content-Type", "text/plain"}, {"Content", "reboot"}}); err != nil {
		t.Fatal(err)
	}
	raw := ph.recvRequest("NOTIFY")
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	for _, want := range []string{"\r\nCall-ID: sn-1\r\n", "\r\nTo: <sip:guest@", ";tag=g-sn-1\r\n",
		"\r\nSubscription-State: terminated\r\nEvent: check-sync\r\nContent-Type: text/plain\r\n"} {
		if !strings.Contains(head, want) {
			t.Errorf("NOTIFY lacks %q:\n%s", want, head)
		}
	}
	if got, want := fromRe.FindStringSubmatch(head)[1], fromRe.FindStringSubmatch(first)[1]; got != want {
		t.Errorf("From %q, want the dialog's %q", got, want)
	}
	n0, _ := strconv.Atoi(cseqRe.FindStringSubmatch(first)[1])
	if m := cseqRe.FindStringSubmatch(head); m == nil || m[1] != strconv.Itoa(n0+1) {
		t.Errorf("CSeq %v, want %d", m, n0+1)
	}
	if body != "reboot" {
		t.Errorf("body %q", body)
	}
}
