package tests

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestApps3AgentPool: 6001 logs in as agent 1001 (AgentLogin, ackcall
// with acceptdtmf #) and waits with music; 6000 runs AgentRequest(1001),
// the agent hears the beep, presses # and the two are bridged (each hears
// the other's tone). The agent CLI follows each step; after the caller
// hangs up the agent is back in holding, and `agent logoff` ends its call.
func TestApps3AgentPool(t *testing.T) {
	requireBaresip(t)
	in := mediaInstance(t, map[string][]string{
		"6000": {"disallow=all", "allow=ulaw", "directmedia=no"},
		"6001": {"disallow=all", "allow=ulaw", "directmedia=no"},
	}, func(f map[string]string) {
		f["agents.conf"] = "[general]\n[agent-standard](!)\nackcall=yes\nacceptdtmf=#\nmusiconhold=default\n" +
			"[1001](agent-standard)\nfullname=Agent One\n[1002](agent-standard)\nfullname=Agent Two\n"
		addDialplan("exten => 8800,1,AgentLogin(1001)\n same => n,NoOp(login ${AGENT_STATUS})\n"+
			"exten => 8801,1,NoOp(agent ${AGENT(1001:status)} ${AGENT(1001:name)})\n same => n,AgentRequest(1001)\n same => n,NoOp(after request ${AGENT_STATUS})\n"+
			"exten => 8802,1,AgentRequest(1002)\n same => n,NoOp(status 1002 ${AGENT_STATUS})\n same => n,Hangup()\n", "")(f)
	})
	requireApps(t, in, "AgentLogin", "AgentRequest")
	caller := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
	agent := &confPhone{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050}
	defer func() {
		caller.Stop()
		agent.Stop()
	}()
	uri := func(ext string) string { return "sip:" + ext + "@127.0.0.1:" + strconv.Itoa(in.SIPPort) }

	// Agent 1002 is not logged in: NOT_LOGGED_IN, the call goes on.
	caller.command("dial", uri("8802"))
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(fullLog(t, in), "status 1002 NOT_LOGGED_IN") }) {
		t.Fatalf("no NOT_LOGGED_IN for 1002:\n%s", fullLog(t, in))
	}
	if err := caller.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatal(err)
	}

	agent.command("dial", uri("8800"))
	if err := agent.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("agent login call: %v", err)
	}
	agent.joined = time.Now()
	row := regexp.MustCompile(`(?m)^1001     Agent One            Not in use  SIP/6001-[0-9a-f]{8} +$`)
	// The login's probation (5 s) comes before the agent takes calls.
	if !harness.PollUntil(9*time.Second, func() bool { out, _ := in.RX("agent show online"); return row.MatchString(out) }) {
		out, _ := in.RX("agent show online")
		t.Fatalf("agent show online after login:\n%s", out)
	}
	if out, _ := in.RX("agent show all"); !strings.Contains(out, "\nDefined agents: 2, Logged in: 1, Talking: 0\n") ||
		!strings.Contains(out, "1002     Agent Two            Unavailable") {
		t.Errorf("agent show all:\n%s", out)
	}

	caller.command("dial", uri("8801"))
	if !harness.PollUntil(5*time.Second, func() bool { return strings.Contains(fullLog(t, in), "Playing 'beep.") }) {
		t.Fatalf("the agent was not alerted:\n%s", fullLog(t, in))
	}
	time.Sleep(700 * time.Millisecond)
	agent.command("sndcode", "#")
	if err := caller.waitEvent("CALL_ESTABLISHED", 5*time.Second); err != nil {
		t.Fatalf("caller not connected after the agent's #: %v", err)
	}
	caller.joined = time.Now()
	talking := regexp.MustCompile(`(?m)^1001     Agent One            In use      SIP/6001-[0-9a-f]{8} +SIP/6000-[0-9a-f]{8}$`)
	if !harness.PollUntil(3*time.Second, func() bool { out, _ := in.RX("agent show online"); return talking.MatchString(out) }) {
		out, _ := in.RX("agent show online")
		t.Errorf("agent show online on the call:\n%s", out)
	}
	from := time.Now()
	time.Sleep(2500 * time.Millisecond)
	to := time.Now()
	caller.command("hangup", "")
	if err := caller.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// A phone's recording is complete once its call ended.
	s, rate := caller.heardBetween(t, from.Add(300*time.Millisecond), to)
	checkHears(t, "caller bridged with the agent", s, rate, []float64{1050}, nil)
	// Back in holding (no wrapuptime): available again, its call still up.
	if !harness.PollUntil(5*time.Second, func() bool { out, _ := in.RX("agent show online"); return row.MatchString(out) }) {
		out, _ := in.RX("agent show online")
		t.Errorf("agent show online after the call:\n%s", out)
	}
	if out := in.MustRX("agent logoff 1001"); out != "Logging out 1001\n" {
		t.Errorf("agent logoff: %q", out)
	}
	if err := agent.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
		t.Fatalf("the agent's call stayed up after agent logoff: %v", err)
	}
	s, rate = agent.heardBetween(t, from.Add(300*time.Millisecond), to)
	checkHears(t, "agent bridged with the caller", s, rate, []float64{440}, nil)
	log := fullLog(t, in)
	for _, want := range []string{
		"Playing 'agent-loginok.",
		"Agent '1001' logged in (format ulaw/ulaw)",
		"agent LOGGEDIN Agent One",
		"Agent '1002' not logged in.",
		"Agent '1001' logged out.  Logged in for ",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(log, "after request") {
		t.Error("AgentRequest went on in the dialplan after a connected call")
	}
}
