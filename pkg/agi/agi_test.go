package agi

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"STREAM FILE hello-world \"\"", []string{"STREAM", "FILE", "hello-world", ""}},
		{`SET VARIABLE "MY VAR" "a \"b\" c"`, []string{"SET", "VARIABLE", "MY VAR", `a "b" c`}},
		{"  NOOP   ", []string{"NOOP"}},
		{`VERBOSE a\ b 1`, []string{"VERBOSE", "a b", "1"}},
		{"", nil},
		{`x"y z"w`, []string{"xy zw"}},
	} {
		if got := ParseArgs(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

type quiet struct {
	mu    sync.Mutex
	lines []string
}

func (q *quiet) add(s string)                      { q.mu.Lock(); q.lines = append(q.lines, s); q.mu.Unlock() }
func (q *quiet) Verbose(_ int, f string, a ...any) { q.add(fmt.Sprintf(f, a...)) }
func (q *quiet) Notice(f string, a ...any)         { q.add(fmt.Sprintf(f, a...)) }
func (q *quiet) Warning(f string, a ...any)        { q.add(fmt.Sprintf(f, a...)) }

type memDB struct {
	mu sync.Mutex
	m  map[string]string
}

func (d *memDB) Get(f, k string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v, ok := d.m[f+"/"+k]
	return v, ok
}
func (d *memDB) Put(f, k, v string) error { d.mu.Lock(); d.m[f+"/"+k] = v; d.mu.Unlock(); return nil }
func (d *memDB) Del(f, k string) error    { d.mu.Lock(); delete(d.m, f+"/"+k); d.mu.Unlock(); return nil }
func (d *memDB) DelTree(f, s string) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for k := range d.m {
		if strings.HasPrefix(k, f+"/"+s) {
			delete(d.m, k)
			n++
		}
	}
	return n, nil
}

func setup(t *testing.T, dir string) (*Module, *pbx.Engine, *pbx.Channel) {
	t.Helper()
	eng := pbx.New(pbx.Config{Substitute: func(s string, env pbx.Env) string {
		if strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") {
			v, _ := env.Var(s[2 : len(s)-1])
			return v
		}
		return s
	}})
	m := New(Options{Log: &quiet{}, AGIDir: dir, DB: &memDB{m: map[string]string{}}, Version: "18.26.4", DeadWait: 300 * time.Millisecond})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "6001", "default", "100")
	ch.SetCallerID(pbx.CallerID{Num: "6001", Name: "Alice"})
	return m, eng, ch
}

// fastServer runs a FastAGI server for one connection: it reads the
// environment, sends each command and records the answers.
func fastServer(t *testing.T, cmds []string) (addr string, result func() (env []string, answers []string)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan struct{})
	var env, answers []string
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\n")
			if l == "" {
				break
			}
			env = append(env, l)
		}
		for _, cmd := range cmds {
			fmt.Fprintf(c, "%s\n", cmd)
			var ans []string
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return
				}
				l = strings.TrimRight(l, "\n")
				ans = append(ans, l)
				if !strings.HasPrefix(l, "520-") && (len(ans) == 1 || strings.HasPrefix(l, "520 ")) {
					if !strings.HasPrefix(ans[0], "520-") || strings.HasPrefix(l, "520 ") {
						break
					}
				}
			}
			answers = append(answers, strings.Join(ans, "|"))
		}
	}()
	return ln.Addr().String(), func() ([]string, []string) { <-done; return env, answers }
}

func TestFastAGICommands(t *testing.T) {
	_, eng, ch := setup(t, t.TempDir())
	addr, result := fastServer(t, []string{
		"ANSWER",
		"SET VARIABLE FOO \"bar baz\"",
		"GET VARIABLE FOO",
		"GET VARIABLE NOPE",
		"GET FULL VARIABLE ${FOO}",
		"DATABASE PUT fam key val",
		"DATABASE GET fam key",
		"DATABASE DEL fam key",
		"DATABASE GET fam key",
		"CHANNEL STATUS",
		"SET CONTEXT other",
		"SET EXTENSION 200",
		"SET PRIORITY 3",
		"SET CALLERID \"Bob\" <6002>",
		"NOOP",
		"FOO BAR",
		"SET VARIABLE",
		"EXEC NoSuchApp x",
		"SEND TEXT \"hi\"",
	})
	sub := eng.Bus().Subscribe()
	defer sub.Close()
	res, err := eng.ExecApp(ch, "AGI", "agi://"+addr+"/myscript?x=1,first,second")
	if err != nil || res.Action != pbx.ActContinue {
		t.Fatalf("AGI: %v %v", res, err)
	}
	env, answers := result()
	want := []string{
		"200 result=0", "200 result=1", "200 result=1 (bar baz)", "200 result=0", "200 result=1 (bar baz)",
		"200 result=1", "200 result=1 (val)", "200 result=1", "200 result=0",
		"200 result=6", "200 result=0", "200 result=0", "200 result=0", "200 result=1", "200 result=0",
		"510 Invalid or unknown command",
		"520-Invalid command syntax.  Proper usage follows:| Usage: SET VARIABLE <variablename> <value>|520 End of proper usage.",
		"200 result=-2", "200 result=0",
	}
	if !reflect.DeepEqual(answers, want) {
		t.Errorf("answers\n%q\nwant\n%q", answers, want)
	}
	for _, e := range []string{"agi_network: yes", "agi_network_script: myscript?x=1", "agi_channel: " + ch.Name(),
		"agi_callerid: 6001", "agi_calleridname: Alice", "agi_context: default", "agi_extension: 100",
		"agi_priority: 1", "agi_arg_1: first", "agi_arg_2: second", "agi_version: 18.26.4", "agi_type: Test"} {
		found := false
		for _, l := range env {
			if l == e {
				found = true
			}
		}
		if !found {
			t.Errorf("environment lacks %q: %q", e, env)
		}
	}
	if v, _ := ch.Var("AGISTATUS"); v != "SUCCESS" {
		t.Errorf("AGISTATUS %q", v)
	}
	// res_agi's AGIExecStart/AGIExecEnd for each command, on the bus
	var ends []string
	for _, ev := range sub.Take() {
		if ev.Type == "AGIExecEnd" && len(ev.Fields) == 4 && ev.Channel == ch {
			ends = append(ends, ev.Fields[1].Value+" -> "+ev.Fields[2].Value+" "+ev.Fields[3].Value)
		}
	}
	if len(ends) != len(want) || ends[15] != "FOO BAR -> 510 Invalid or unknown command" || ends[16] != "SET VARIABLE -> 520 Usage" || ends[0] != "ANSWER -> 200 Success" {
		t.Errorf("AGIExecEnd events: %q", ends)
	}
	if c, x, p := ch.Location(); c != "other" || x != "200" || p != 3 {
		t.Errorf("location %s,%s,%d", c, x, p)
	}
	if id := ch.CallerID(); id.Num != "6002" || id.Name != "Bob" {
		t.Errorf("caller id %+v", id)
	}
}

// TestFastAGIHungServer: a server that never answers does not hold the
// channel once it hangs up, nor a server that cannot be reached.
func TestFastAGIHungServer(t *testing.T) {
	_, eng, ch := setup(t, t.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if l == "HANGUP\n" {
				got <- l
			}
		}
	}()
	time.AfterFunc(200*time.Millisecond, func() { ch.SoftHangup(pbx.CauseNormalClearing) })
	start := time.Now()
	res, _ := eng.ExecApp(ch, "AGI", "agi://"+ln.Addr().String())
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("AGI held the hung up channel %v", d)
	}
	if res.Action != pbx.ActHangup {
		t.Errorf("result %v", res)
	}
	if v, _ := ch.Var("AGISTATUS"); v != "HANGUP" {
		t.Errorf("AGISTATUS %q", v)
	}
	select {
	case <-got:
	case <-time.After(2 * time.Second):
		t.Errorf("the server was not sent HANGUP")
	}

	_, eng2, ch2 := setup(t, t.TempDir())
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	a := dead.Addr().String()
	dead.Close()
	eng2.ExecApp(ch2, "AGI", "agi://"+a)
	if v, _ := ch2.Var("AGISTATUS"); v != "FAILURE" {
		t.Errorf("unreachable server: AGISTATUS %q", v)
	}
}

func TestScriptAGI(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\nwhile read l && [ -n \"$l\" ]; do :; done\necho \"SET VARIABLE FROMSCRIPT $1\"\nread r\necho \"GET VARIABLE FROMSCRIPT\"\nread r\necho \"VERBOSE \\\"$r\\\" 1\"\nread r\n"
	if err := os.WriteFile(filepath.Join(dir, "t.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	m, eng, ch := setup(t, dir)
	eng.ExecApp(ch, "AGI", "t.sh,hello")
	if v, _ := ch.Var("FROMSCRIPT"); v != "hello" {
		t.Errorf("FROMSCRIPT = %q", v)
	}
	if v, _ := ch.Var("AGISTATUS"); v != "SUCCESS" {
		t.Errorf("AGISTATUS %q", v)
	}
	q := m.opts.Log.(*quiet)
	found := false
	for _, l := range q.lines {
		if strings.Contains(l, "t.sh: 200 result=1 (hello)") {
			found = true
		}
	}
	if !found {
		t.Errorf("VERBOSE line missing: %q", q.lines)
	}
	eng.ExecApp(ch, "AGI", "missing.sh")
	if v, _ := ch.Var("AGISTATUS"); v != "NOTFOUND" {
		t.Errorf("missing script: AGISTATUS %q", v)
	}
}

func TestShowCommands(t *testing.T) {
	m := New(Options{Log: &quiet{}})
	out := m.ShowCommands()
	for _, l := range []string{fmt.Sprintf("%5s %30s   %s", "Dead", "Command", "Description"),
		fmt.Sprintf("%5s %30s   %s", "No", "stream file", "Sends audio file on channel."),
		fmt.Sprintf("%5s %30s   %s", "Yes", "database get", "Gets database value")} {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("missing %q in\n%s", l, out)
		}
	}
}

// TestEAGINetwork: res_agi has no audio for a network or manager script,
// so EAGI of agi:// (and hagi://) fails before connecting, silently, and
// of agi:async with its warning; the dialplan goes on with
// AGISTATUS=FAILURE. On a hung up channel EAGI refuses with its error and
// leaves AGISTATUS alone.
func TestEAGINetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	for _, tc := range []struct {
		name, data, log string
		hungup          bool
		status          string
	}{
		{"fastagi", "agi://" + ln.Addr().String() + "/x,1", "", false, "FAILURE"},
		{"ha", "hagi://_agi._tcp.example.invalid/x", "", false, "FAILURE"},
		{"async", "agi:async", "Async AGI does not support Enhanced AGI yet\n", false, "FAILURE"},
		{"hungup", "agi://" + ln.Addr().String(), "EAGI cannot be run on a dead/hungup channel, please use AGI.\n", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, eng, ch := setup(t, t.TempDir())
			if tc.hungup {
				ch.SoftHangup(pbx.CauseNormalClearing)
			}
			res, err := eng.ExecApp(ch, "EAGI", tc.data)
			if err != nil || res.Action != pbx.ActContinue {
				t.Errorf("result %v %v, want continue", res, err)
			}
			if v, _ := ch.Var("AGISTATUS"); v != tc.status {
				t.Errorf("AGISTATUS %q, want %q", v, tc.status)
			}
			q := m.opts.Log.(*quiet)
			if got := strings.Join(q.lines, ""); got != tc.log {
				t.Errorf("logged %q, want %q", got, tc.log)
			}
		})
	}
	select {
	case <-accepted:
		t.Errorf("EAGI connected to the FastAGI server")
	case <-time.After(100 * time.Millisecond):
	}
	// AGI itself still reaches the server.
	_, eng, ch := setup(t, t.TempDir())
	eng.ExecApp(ch, "AGI", "agi://"+ln.Addr().String())
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Errorf("AGI did not connect")
	}
}
