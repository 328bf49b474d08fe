package agi

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestURIEncode(t *testing.T) {
	for in, want := range map[string]string{
		"200 result=0\n":          "200%20result%3D0%0A",
		"agi_channel: SIP/6001-1": "agi_channel%3A%20SIP%2F6001-1",
		"a-_.!~*'()z":             "a-_.!~*'()z",
		"é":                       "%C3%A9",
	} {
		if got := uriEncode(in); got != want {
			t.Errorf("uriEncode(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAsyncAGI: AGI(agi:async) through a manager session: the
// environment in AsyncAGIStart, commands by the AGI action answered in
// AsyncAGIExec with their CommandID, ASYNCAGI BREAK ending the run with
// AsyncAGIEnd and AGISTATUS=SUCCESS; the action's refusals.
func TestAsyncAGI(t *testing.T) {
	m, eng, ch := setup(t, t.TempDir())
	defer ch.Hangup(pbx.CauseNormalClearing)
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	c := managertest.Dial(t, mgr)
	if got := c.Do("Action: AGI", "Channel: "+ch.Name(), "Command: NOOP"); !strings.Contains(got, "Message: Failed to add AGI command to channel "+ch.Name()+" queue\r\n") {
		t.Errorf("AGI before agi:async: %q", got)
	}
	if got := c.Do("Action: AGI", "Channel: SIP/nobody-1", "Command: NOOP"); !strings.Contains(got, "Message: Channel SIP/nobody-1 does not exist.\r\n") {
		t.Errorf("AGI to no channel: %q", got)
	}
	if got := c.Do("Action: AGI", "Channel: "+ch.Name()); !strings.Contains(got, "Message: Both, Channel and Command are *required*\r\n") {
		t.Errorf("AGI without a command: %q", got)
	}
	c.Do("Action: Events", "EventMask: agi")

	done := make(chan pbx.Result, 1)
	go func() {
		res, _ := m.exec(ch, "agi:async,first")
		done <- res
	}()
	event := func(name string) map[string]string {
		t.Helper()
		for {
			msg := c.Read()
			if !strings.HasPrefix(msg, "Event: "+name+"\r\n") {
				continue
			}
			out := map[string]string{}
			for _, l := range strings.Split(strings.TrimSuffix(msg, "\r\n"), "\r\n") {
				k, v, _ := strings.Cut(l, ": ")
				out[k] = v
			}
			return out
		}
	}
	start := event("AsyncAGIStart")
	env, err := url.PathUnescape(start["Env"])
	if err != nil || start["Channel"] != ch.Name() || !strings.Contains(env, "agi_request: async\nagi_channel: "+ch.Name()+"\n") ||
		!strings.HasSuffix(env, "agi_arg_1: first\n\n") {
		t.Errorf("AsyncAGIStart %v (env %q, %v)", start, env, err)
	}
	for _, tc := range []struct{ cmd, id, result string }{
		{"SET VARIABLE FOO bar", "c1", "200 result=1\n"},
		{"GET VARIABLE FOO", "c2", "200 result=1 (bar)\n"},
		{"NO SUCH THING", "", "510 Invalid or unknown command\n"},
		{"ASYNCAGI BREAK", "c4", "200 result=0\n"},
	} {
		lines := []string{"Action: AGI", "Channel: " + ch.Name(), "Command: " + tc.cmd}
		if tc.id != "" {
			lines = append(lines, "CommandID: "+tc.id)
		}
		if got := c.Do(lines...); !strings.Contains(got, "Message: Added AGI command to queue\r\n") {
			t.Fatalf("AGI %s: %q", tc.cmd, got)
		}
		ex := event("AsyncAGIExec")
		res, _ := url.PathUnescape(ex["Result"])
		if ex["CommandID"] != tc.id || res != tc.result {
			t.Errorf("%s: CommandID %q Result %q, want %q %q", tc.cmd, ex["CommandID"], res, tc.id, tc.result)
		}
	}
	event("AsyncAGIEnd")
	select {
	case res := <-done:
		if res.Action == pbx.ActHangup {
			t.Errorf("ASYNCAGI BREAK hung up: %+v", res)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("AGI(agi:async) still running after ASYNCAGI BREAK")
	}
	if v, _ := ch.Var("AGISTATUS"); v != "SUCCESS" {
		t.Errorf("AGISTATUS=%q", v)
	}
	if v, _ := ch.Var("FOO"); v != "bar" {
		t.Errorf("FOO=%q", v)
	}

	// A hangup ends a run with AsyncAGIEnd and AGISTATUS=HANGUP.
	go func() {
		res, _ := m.exec(ch, "agi:async")
		done <- res
	}()
	event("AsyncAGIStart")
	ch.SoftHangup(pbx.CauseNormalClearing)
	event("AsyncAGIEnd")
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("AGI(agi:async) still running after a hangup")
	}
	if v, _ := ch.Var("AGISTATUS"); v != "HANGUP" {
		t.Errorf("AGISTATUS=%q after a hangup", v)
	}
}
