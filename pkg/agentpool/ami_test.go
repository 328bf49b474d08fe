package agentpool

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestManagerActions: Agents with one agent idle and two logged off, then
// AgentLogoff's answers.
func TestManagerActions(t *testing.T) {
	f := newFixture(t, sample)
	agentCh, done := f.login(t, "1001", "6000")
	waitFor(t, "ready", func() bool { return f.eng.DeviceState("Agent:1001") == pbx.DeviceNotInUse })
	mgr := managertest.Start(t, f.eng)
	if err := f.m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	cl := managertest.Dial(t, mgr)
	login := regexp.MustCompile(`LoggedInTime: \d+`)
	rep := strings.NewReplacer(agentCh.UniqueID(), "<uniqueid>", agentCh.Name(), "SIP/6000-<seq>")
	var out strings.Builder
	for _, action := range [][]string{
		{"Action: Agents"},
		{"Action: AgentLogoff"},
		{"Action: AgentLogoff", "Agent: 4242"},
	} {
		out.WriteString("> " + strings.Join(action, " | ") + "\n")
		for _, msg := range cl.List(action...) {
			msg = login.ReplaceAllString(msg, "LoggedInTime: <time>")
			out.WriteString(rep.Replace(msg) + "\n")
		}
	}
	out.WriteString("> Action: AgentLogoff | Agent: 1001 | Soft: true\n")
	out.WriteString(cl.Do("Action: AgentLogoff", "Agent: 1001", "Soft: true") + "\n")
	goldenfile.Check(t, "testdata/ami.golden", out.String())
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the soft AgentLogoff did not end the login")
	}
}
