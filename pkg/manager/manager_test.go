package manager

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// logLines records what the module logs.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(level, format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, level+" "+fmt.Sprintf(format, args...))
	l.mu.Unlock()
}
func (l *logLines) Verbose(n int, f string, a ...any) { l.add(fmt.Sprintf("VERBOSE%d", n), f, a...) }
func (l *logLines) Notice(f string, a ...any)         { l.add("NOTICE", f, a...) }
func (l *logLines) Warning(f string, a ...any)        { l.add("WARNING", f, a...) }

func (l *logLines) find(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

const testConf = `[general]
enabled = yes
port = 5038
bindaddr = 127.0.0.1
authtimeout = 2
authlimit = 3

[admin]
secret = s3cret
read = all
write = all

[reader]
secret = r
read = system,call
write = system
eventfilter = !Event: Newstate

[single]
secret = one
read = call
write = call
allowmultiplelogin = no

[nobody]
secret = n
deny = 0.0.0.0/0.0.0.0
permit = 10.0.0.0/8
read = all
write = all
`

type lab struct {
	t   *testing.T
	m   *Module
	eng *pbx.Engine
	log *logLines
}

func newLab(t *testing.T, conf string) *lab {
	t.Helper()
	return newLabWith(t, conf, pbx.Config{})
}

// newLabWith is newLab on an engine built with ecfg (a dialplan).
func newLabWith(t *testing.T, conf string, ecfg pbx.Config) *lab {
	t.Helper()
	pc, diags := confparse.Parse("manager.conf", []byte(conf), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, d := Load(pc)
	if len(d) > 0 {
		t.Fatalf("diagnostics: %v", d)
	}
	cfg.Port = 0
	eng := pbx.New(ecfg)
	reg := cli.NewRegistry()
	reg.MustRegister(&cli.Command{Words: []string{"say", "hello"}, Summary: "x",
		Handler: func(a *cli.Args) error { a.Printf("hello\nworld\n"); return nil }})
	l := &logLines{}
	m := New(Options{Engine: eng, Log: l, CLI: reg, FailedLoginDelay: time.Millisecond, Started: time.Now()}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); m.Close() })
	return &lab{t: t, m: m, eng: eng, log: l}
}

// client is a raw AMI connection.
type client struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func (l *lab) dial() *client {
	l.t.Helper()
	c, err := net.Dial("tcp", l.m.Addr().String())
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { c.Close() })
	cl := &client{t: l.t, c: c, br: bufio.NewReader(c)}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	banner, err := cl.br.ReadString('\n')
	if err != nil {
		l.t.Fatalf("banner: %v", err)
	}
	if banner != Banner+"\r\n" {
		l.t.Fatalf("banner %q", banner)
	}
	return cl
}

func (c *client) send(lines ...string) {
	c.t.Helper()
	if _, err := c.c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// read returns the next message as text ("" and an error at EOF).
func (c *client) read() (string, error) {
	var b strings.Builder
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			return b.String(), err
		}
		if line == "\r\n" {
			return b.String(), nil
		}
		b.WriteString(line)
	}
}

func (c *client) must() string {
	c.t.Helper()
	s, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, s)
	}
	return s
}

// resp reads the next response, skipping events.
func (c *client) resp() string {
	c.t.Helper()
	for {
		s := c.must()
		if !strings.HasPrefix(s, "Event: ") {
			return s
		}
	}
}

// until reads messages until one contains sub.
func (c *client) until(sub string) string {
	c.t.Helper()
	for {
		s := c.must()
		if strings.Contains(s, sub) {
			return s
		}
	}
}

func (c *client) login(user, secret string) {
	c.t.Helper()
	c.send("Action: Login", "Username: "+user, "Secret: "+secret, "ActionID: L")
	if got := c.must(); got != "Response: Success\r\nActionID: L\r\nMessage: Authentication accepted\r\n" {
		c.t.Fatalf("login: %q", got)
	}
}

func TestRequests(t *testing.T) {
	l := newLab(t, testConf)
	for _, tc := range []struct {
		name  string
		login bool
		req   []string
		want  string
	}{
		{"before login", false, []string{"Action: Ping", "ActionID: 1"}, "Response: Error\r\nActionID: 1\r\nMessage: Permission denied\r\n"},
		{"no action", true, []string{"Foo: bar"}, "Response: Error\r\nMessage: Missing action in request\r\n"},
		{"unknown", true, []string{"Action: Frobnicate", "ActionID: x"}, "Response: Error\r\nActionID: x\r\nMessage: Invalid/unknown command: Frobnicate. Use Action: ListCommands to show available commands.\r\n"},
		{"command", true, []string{"Action: Command", "Command: say hello", "ActionID: 7"}, "Response: Success\r\nActionID: 7\r\nMessage: Command output follows\r\nOutput: hello\r\nOutput: world\r\n"},
		{"no such command", true, []string{"Action: Command", "Command: nope"}, "Response: Error\r\nMessage: Command output follows\r\nOutput: No such command 'nope' (type 'core show help nope' for other possible commands)\r\n"},
		{"blacklisted", true, []string{"Action: Command", "Command: module load x"}, "Response: Error\r\nMessage: Command blacklisted\r\n"},
		{"setvar global", true, []string{"Action: Setvar", "Variable: FOO", "Value: bar"}, "Response: Success\r\nMessage: Variable Set\r\n"},
		{"getvar no channel", true, []string{"Action: Getvar", "Channel: SIP/none-0001", "Variable: X"}, "Response: Error\r\nMessage: No such channel\r\n"},
		{"blind transfer no channel", true, []string{"Action: BlindTransfer", "Exten: 6000"}, "Response: Error\r\nMessage: No channel specified\r\n"},
		{"blind transfer unknown", true, []string{"Action: BlindTransfer", "Channel: SIP/none-0001", "Exten: 6000"}, "Response: Error\r\nMessage: Channel specified does not exist\r\n"},
		{"hangup unknown", true, []string{"Action: Hangup", "Channel: SIP/none-0001"}, "Response: Error\r\nMessage: No such channel\r\n"},
		{"originate no channel", true, []string{"Action: Originate", "Exten: 1"}, "Response: Error\r\nMessage: Channel not specified\r\n"},
		{"originate bad tech", true, []string{"Action: Originate", "Channel: Nope/1", "Exten: 1", "Context: default"}, "Response: Error\r\nMessage: Originate failed\r\n"},
		{"events off", true, []string{"Action: Events", "EventMask: off"}, "Response: Success\r\nEvents: Off\r\n"},
		{"events classes", true, []string{"Action: Events", "EventMask: call,user", "ActionID: e"}, "Response: Success\r\nActionID: e\r\nEvents: On\r\n"},
		{"events empty", true, []string{"Action: Events"}, "Response: Error\r\nMessage: Invalid event mask\r\n"},
		{"challenge no type", true, []string{"Action: Challenge"}, "Response: Error\r\nMessage: Must specify AuthType\r\n"},
		{"mailbox count", true, []string{"Action: MailboxCount", "Mailbox: 6000@default"}, "Response: Success\r\nMessage: Mailbox Message Count\r\nMailbox: 6000@default\r\nUrgMessages: 0\r\nNewMessages: 0\r\nOldMessages: 0\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := l.dial()
			if tc.login {
				c.login("admin", "s3cret")
			}
			c.send(tc.req...)
			got := c.resp()
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
	if v, _ := l.eng.GlobalVar("FOO"); v != "bar" {
		t.Errorf("global FOO = %q", v)
	}
}

func TestGetvarGlobal(t *testing.T) {
	l := newLab(t, testConf)
	l.eng.SetGlobalVar("COLOR", "blue")
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Getvar", "Variable: COLOR")
	if got := c.resp(); got != "Response: Success\r\nVariable: COLOR\r\nValue: blue\r\n" {
		t.Errorf("got %q", got)
	}
}

func TestLoginFailures(t *testing.T) {
	l := newLab(t, testConf)
	for _, tc := range []struct {
		name, user, secret, log string
	}{
		{"wrong secret", "admin", "nope", "127.0.0.1 failed to authenticate as 'admin'"},
		{"unknown user", "ghost", "x", "127.0.0.1 tried to authenticate with nonexistent user 'ghost'"},
		{"unknown user, the line fail2ban reads", "ghost2", "x", "127.0.0.1 failed to authenticate as 'ghost2'"},
		{"acl", "nobody", "n", "127.0.0.1 failed to pass IP ACL as 'nobody'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := l.dial()
			c.send("Action: Login", "Username: "+tc.user, "Secret: "+tc.secret)
			if got := c.must(); got != "Response: Error\r\nMessage: Authentication failed\r\n" {
				t.Errorf("got %q", got)
			}
			if _, err := c.read(); err == nil {
				t.Errorf("the session stayed open after a failed login")
			}
			if !l.log.find(tc.log) {
				t.Errorf("no log line %q in %q", tc.log, l.log.lines)
			}
		})
	}
}

func TestChallengeLogin(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.send("Action: Challenge", "AuthType: MD5", "ActionID: c")
	got := c.must()
	const pre = "Response: Success\r\nActionID: c\r\nChallenge: "
	if !strings.HasPrefix(got, pre) {
		t.Fatalf("challenge: %q", got)
	}
	ch := strings.TrimSuffix(strings.TrimPrefix(got, pre), "\r\n")
	sum := md5.Sum([]byte(ch + "s3cret"))
	c.send("Action: Login", "AuthType: MD5", "Username: admin", "Key: "+hex.EncodeToString(sum[:]))
	if got := c.must(); got != "Response: Success\r\nMessage: Authentication accepted\r\n" {
		t.Fatalf("md5 login: %q", got)
	}
	c.send("Action: Logoff")
	if got := c.resp(); got != "Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n" {
		t.Errorf("logoff: %q", got)
	}
}

func TestAuthLimitAndTimeout(t *testing.T) {
	l := newLab(t, testConf) // authlimit 3, authtimeout 2
	var conns []*client
	for i := 0; i < 3; i++ {
		conns = append(conns, l.dial())
	}
	// the fourth unauthenticated connection is closed at once
	c, err := net.Dial("tcp", l.m.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 100)
	if n, err := c.Read(buf); err == nil {
		t.Errorf("4th connection got %q, want closed", buf[:n])
	}
	// logging in frees a place
	conns[0].login("admin", "s3cret")
	time.Sleep(50 * time.Millisecond)
	l.dial()
	// the others are cut at authtimeout
	if _, err := conns[1].read(); err == nil {
		t.Errorf("unauthenticated session survived authtimeout")
	}
	if !l.log.find("failed to authenticate in 2 seconds") {
		t.Errorf("no authtimeout log line: %q", l.log.lines)
	}
}

func TestGarbageAndLongLines(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	c.c.Write([]byte("Action: Ping\r\nX: " + strings.Repeat("a", 5000) + "\r\nActionID: z\r\n\r\n"))
	if got := c.until("Ping"); !strings.HasPrefix(got, "Response: Success\r\nActionID: z\r\nPing: Pong\r\n") {
		t.Errorf("got %q", got)
	}
	if !l.log.find("Dumping long line with no return from 127.0.0.1") {
		t.Errorf("no long line warning")
	}
	c.c.Write([]byte("\x00\xff garbage without colon\r\n\r\n"))
	if got := c.must(); got != "Response: Error\r\nMessage: Missing action in request\r\n" {
		t.Errorf("garbage: %q", got)
	}
}

// TestEventsPermsAndFilters: a UserEvent reaches the sessions reading the
// user class; a reader without it, or whose filter drops the event, gets
// nothing; engine events carry the snapshot block.
func TestEventsPermsAndFilters(t *testing.T) {
	l := newLab(t, testConf)
	admin := l.dial()
	admin.login("admin", "s3cret")
	reader := l.dial()
	reader.login("reader", "r")
	sender := l.dial()
	sender.login("admin", "s3cret")
	sender.send("Action: UserEvent", "UserEvent: Hello", "Foo: bar", "ActionID: u")
	if got := sender.until("Event Sent"); got != "Response: Success\r\nActionID: u\r\nMessage: Event Sent\r\n" {
		t.Errorf("got %q", got)
	}
	ev := admin.until("UserEvent")
	if ev != "Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: Hello\r\nFoo: bar\r\nActionID: u\r\n" {
		t.Errorf("user event %q", ev)
	}
	// call class: Newchannel passes the reader's filter, Newstate not.
	ch := l.eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "a", Context: "default", Exten: "100",
		CallerID: pbx.CallerID{Num: "6001", Name: "Alice"}})
	ch.SetState(pbx.StateRing)
	ch.UpdateCDR(func(*pbx.CDR) {})
	got := reader.until("Event:")
	want := "Event: Newchannel\r\nPrivilege: call,all\r\nChannel: " + ch.Name() + "\r\nChannelState: 0\r\nChannelStateDesc: Down\r\n" +
		"CallerIDNum: 6001\r\nCallerIDName: Alice\r\nConnectedLineNum: <unknown>\r\nConnectedLineName: <unknown>\r\n" +
		"Language: en\r\nAccountCode: \r\nContext: default\r\nExten: 100\r\nPriority: 1\r\nUniqueid: " + ch.UniqueID() +
		"\r\nLinkedid: " + ch.UniqueID() + "\r\n"
	if got != want {
		t.Errorf("Newchannel\n%q\nwant\n%q", got, want)
	}
	if got := admin.until("Newstate"); !strings.Contains(got, "ChannelState: 4\r\nChannelStateDesc: Ring\r\n") {
		t.Errorf("admin's Newstate %q", got)
	}
	ch.Hangup(pbx.CauseNormalClearing)
	got = reader.until("Event:")
	if !strings.HasPrefix(got, "Event: Hangup\r\n") || !strings.HasSuffix(got, "Cause: 16\r\nCause-txt: Normal Clearing\r\n") {
		t.Errorf("reader after hangup got %q (Newstate should be filtered)", got)
	}
}

// TestSecurityClass: a refused login reaches the sessions reading the
// security class as an AMI event with res_security_log's fields.
func TestSecurityClass(t *testing.T) {
	l := newLab(t, testConf)
	admin := l.dial()
	admin.login("admin", "s3cret")
	bad := l.dial()
	bad.send("Action: Login", "Username: admin", "Secret: wrong")
	ev := admin.until("InvalidPassword")
	for _, w := range []string{"Event: InvalidPassword\r\nPrivilege: security,all\r\nEventTV: ", "Severity: Error\r\nService: AMI\r\nEventVersion: ",
		"AccountID: admin\r\n", "RemoteAddress: IPV4/TCP/127.0.0.1/"} {
		if !strings.Contains(ev, w) {
			t.Errorf("security event lacks %q:\n%s", w, ev)
		}
	}
}

func TestAllowMultipleLogin(t *testing.T) {
	l := newLab(t, testConf)
	first := l.dial()
	first.login("single", "one")
	second := l.dial()
	second.send("Action: Login", "Username: single", "Secret: one")
	if got := second.resp(); got != "Response: Error\r\nMessage: Login Already In Use\r\n" {
		t.Errorf("second login: %q", got)
	}
	if _, err := second.read(); err == nil {
		t.Errorf("the refused session stayed open")
	}
	first.send("Action: Logoff")
	first.resp()
	time.Sleep(50 * time.Millisecond)
	l.dial().login("single", "one")
}

// TestBridgeAndDialEvents: bus events of a two-party call become
// Asterisk's sequence, BridgeCreate before the first BridgeEnter and
// BridgeDestroy after the last BridgeLeave.
func TestBridgeAndDialEvents(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Events", "EventMask: call")
	c.resp()
	a := l.eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "a", Context: "default", Exten: "100"})
	b := l.eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "b", Context: "default", Requestor: a})
	bus := l.eng.Bus()
	bus.Publish(pbx.BusEvent{Type: pbx.BusDialBegin, Channel: a, Peer: b, DialString: "b"})
	bus.Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: a, Peer: b, DialStatus: "ANSWER"})
	for _, ch := range []*pbx.Channel{b, a} {
		bus.Publish(pbx.BusEvent{Type: pbx.BusBridgeEnter, Channel: ch, BridgeID: "br-1", BridgeType: "basic"})
	}
	for _, ch := range []*pbx.Channel{a, b} {
		bus.Publish(pbx.BusEvent{Type: pbx.BusBridgeLeave, Channel: ch, BridgeID: "br-1", BridgeType: "basic"})
	}
	var got []string
	for len(got) < 10 {
		m := c.must()
		name, _, _ := strings.Cut(strings.TrimPrefix(m, "Event: "), "\r\n")
		switch name {
		case "DialBegin", "DialEnd":
			if !strings.Contains(m, "\r\nDestChannel: "+b.Name()+"\r\n") || !strings.Contains(m, "\r\nChannel: "+a.Name()+"\r\n") {
				t.Errorf("%s without both blocks: %q", name, m)
			}
		case "BridgeEnter", "BridgeLeave", "BridgeCreate", "BridgeDestroy":
			n := regexp.MustCompile(`BridgeNumChannels: (\d)`).FindStringSubmatch(m)
			name += "/" + n[1]
		}
		got = append(got, name)
	}
	want := []string{"Newchannel", "Newchannel", "DialBegin", "DialEnd", "BridgeCreate/0", "BridgeEnter/1", "BridgeEnter/2",
		"BridgeLeave/1", "BridgeLeave/0", "BridgeDestroy/0"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events %v\nwant %v", got, want)
	}
}

// TestOriginateFailure: an asynchronous Originate to a channel that
// cannot be created is queued, then reported as failed.
func TestOriginateFailure(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Originate", "Channel: Nope/123", "Context: default", "Exten: 100", "Priority: 1",
		"Async: true", "ActionID: o1", "CallerID: \"Bob\" <6002>")
	if got := c.resp(); got != "Response: Success\r\nActionID: o1\r\nMessage: Originate successfully queued\r\n" {
		t.Fatalf("originate: %q", got)
	}
	ev := c.until("OriginateResponse")
	want := "Event: OriginateResponse\r\nPrivilege: call,all\r\nActionID: o1\r\nResponse: Failure\r\nChannel: Nope/123\r\n" +
		"Context: default\r\nExten: 100\r\nReason: 0\r\nUniqueid: <unknown>\r\nCallerIDNum: 6002\r\nCallerIDName: Bob\r\n"
	if ev != want {
		t.Errorf("OriginateResponse\n%q\nwant\n%q", ev, want)
	}
}

func TestWaitEvent(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: WaitEvent", "Timeout: 5", "ActionID: w")
	if got := c.resp(); got != "Response: Success\r\nActionID: w\r\nMessage: Waiting for Event completed.\r\n" {
		t.Fatalf("WaitEvent: %q", got)
	}
	time.Sleep(50 * time.Millisecond)
	l.eng.Bus().Publish(pbx.BusEvent{Type: pbx.BusUserEvent, EventName: "Wake"})
	if got := c.until("WaitEventComplete"); got != "Event: WaitEventComplete\r\nActionID: w\r\n" {
		t.Errorf("got %q", got)
	}
}

// TestLocalBridgeEvent: the event of a Local pair carries both halves'
// snapshots with the LocalOne and LocalTwo prefixes, then its own lines.
func TestLocalBridgeEvent(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: Events", "EventMask: call")
	c.resp()
	one := l.eng.NewChannel(pbx.ChannelSpec{Name: "Local/6000@inner-00000000;1", Tech: "Local"})
	two := l.eng.NewChannel(pbx.ChannelSpec{Name: "Local/6000@inner-00000000;2", Tech: "Local", Context: "inner", Exten: "6000"})
	l.eng.Bus().Publish(pbx.BusEvent{Type: pbx.BusLocalBridge, Channel: one, Peer: two, Fields: []pbx.EventField{
		{Key: "Context", Value: "inner"}, {Key: "Exten", Value: "6000"}, {Key: "LocalOptimization", Value: "No"}}})
	m := c.until("Event: LocalBridge")
	for _, want := range []string{
		"\r\nLocalOneChannel: " + one.Name() + "\r\n", "\r\nLocalOneUniqueid: " + one.UniqueID() + "\r\n",
		"\r\nLocalTwoChannel: " + two.Name() + "\r\n", "\r\nLocalTwoExten: 6000\r\n",
		"\r\nLocalTwoLinkedid: " + two.LinkedID() + "\r\nContext: inner\r\nExten: 6000\r\nLocalOptimization: No\r\n",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("LocalBridge lacks %q:\n%s", want, m)
		}
	}
}
