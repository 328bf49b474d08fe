package tests

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// amiStream reads a logged-in manager connection message by message.
type amiStream struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func newAMIStream(t *testing.T, port int) *amiStream {
	c := amiLogin(t, port)
	return &amiStream{t: t, c: c, br: bufio.NewReader(c)}
}

// next reads messages until pred accepts one, within 10 s.
func (s *amiStream) next(pred func(string) bool) string {
	s.t.Helper()
	var msg strings.Builder
	s.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			s.t.Fatalf("read: %v", err)
		}
		if line != "\r\n" {
			msg.WriteString(line)
			continue
		}
		if pred(msg.String()) {
			return msg.String()
		}
		msg.Reset()
	}
}

// do sends an action with ActionID id and returns its response.
func (s *amiStream) do(id string, lines ...string) string {
	s.t.Helper()
	fmt.Fprintf(s.c, "%s\r\nActionID: %s\r\n\r\n", strings.Join(lines, "\r\n"), id)
	return s.next(func(m string) bool {
		return strings.HasPrefix(m, "Response: ") && strings.Contains(m, "ActionID: "+id+"\r\n")
	})
}

// event waits for an event of that type whose text contains every part.
func (s *amiStream) event(typ string, parts ...string) string {
	s.t.Helper()
	return s.next(func(m string) bool {
		if !strings.HasPrefix(m, "Event: "+typ+"\r\n") {
			return false
		}
		for _, p := range parts {
			if !strings.Contains(m, p) {
				return false
			}
		}
		return true
	})
}

func amiChannelOf(m string) string {
	return regexp.MustCompile(`(?m)^Channel: (\S+)\r$`).FindStringSubmatch(m)[1]
}

// TestAMISIPnotifyDialog: SIPnotify with the Call-ID of a call sends the
// NOTIFY inside that dialog (sipp checks Call-ID, its tag in To, Event,
// Subscription-State and the body, answers 200 and hangs up); an unknown
// Call-ID is chan_sip's "Call-ID not found".
func TestAMISIPnotifyDialog(t *testing.T) {
	harness.RequireSipp(t)
	in, port := amiInstance(t, map[string][]string{"6001": {"context=notifytest"}}, "", func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
		f["extensions.conf"] += "\n[notifytest]\nexten => 7200,1,Answer()\nsame => n,Wait(20)\n"
	})
	requireSIPCalls(t, in)
	s := newAMIStream(t, port)
	// -cid_str: a Call-ID the test knows (sipp matches answers by it).
	wait := (&harness.Sipp{Scenario: callScenario(t, "notify-uac-6001-indialog.xml"), Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort),
		Extra: []string{"-cid_str", "ami-notify-%u@h23"}, Timeout: 30 * time.Second}).Start(t)
	defer func() {
		if t.Failed() {
			r := wait()
			t.Logf("sipp exit %d\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
		}
	}()
	s.event("Newexten", "Application: Wait\r\n")
	if got := s.do("n0", "Action: SIPnotify", "Channel: SIP/6001", "Call-ID: nosuchcall@h23", "Variable: Event=check-sync"); got != "Response: Error\r\nActionID: n0\r\nMessage: Call-ID not found\r\n" {
		t.Errorf("unknown Call-ID: %q", got)
	}
	if got := s.do("n1", "Action: SIPnotify", "Channel: SIP/6001", "Call-ID: ami-notify-1@h23",
		"Variable: Event=check-sync,Content-Type=text/plain", "Variable: Content=reboot=now"); got != "Response: Success\r\nActionID: n1\r\nMessage: Notify Sent\r\n" {
		t.Fatalf("SIPnotify: %q", got)
	}
	if r := wait(); r.ExitCode != 0 {
		t.Fatalf("sipp exit %d (the NOTIFY did not come in the dialog as expected)\n%s\n%s", r.ExitCode, r.Output, r.ErrLog)
	}
	s.event("Hangup", "Channel: SIP/6001-")
}
