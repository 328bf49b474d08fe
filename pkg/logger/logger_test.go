package logger

import (
	"bytes"
	"fmt"
	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

var fixedNow = time.Date(2025, time.November, 2, 11, 49, 18, 123456789, time.UTC)

const refConf = `[general]

[logfiles]
console => notice,warning,error,verbose
full => notice,warning,error,debug,verbose,dtmf,security
messages => notice,warning,error,security
`

func parse(t *testing.T, text string) *confparse.Config {
	t.Helper()
	cfg, diags := confparse.Parse("logger.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg
}

type consoleSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *consoleSink) add(e Event) {
	c.mu.Lock()
	c.buf.WriteString(e.Text)
	c.mu.Unlock()
}

func (c *consoleSink) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

func newTest(t *testing.T, conf string, mod func(*Options)) (*Logger, string) {
	t.Helper()
	dir := t.TempDir()
	opts := Options{LogDir: dir, Verbose: 3, Debug: 1, PID: 1629, Now: func() time.Time { return fixedNow }, Hostname: "pbx1"}
	if conf != "" {
		opts.Config = parse(t, conf)
	}
	if mod != nil {
		mod(&opts)
	}
	l, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join("testdata", name)
	}
	goldenfile.Check(t, path, got)
}

func TestLineShapes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		timestamps bool
	}{{"shapes.golden", false}, {"shapes-timestamps.golden", true}} {
		t.Run(tc.name, func(t *testing.T) {
			l, dir := newTest(t, refConf, func(o *Options) { o.Timestamps = tc.timestamps; o.Verbose = 5 })
			var con consoleSink
			cancel := l.Subscribe(nil, con.add)
			defer cancel()
			handleRegister(l)
			runCall(l)
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			got := "== console\n" + con.String() +
				"== messages\n" + readFile(t, filepath.Join(dir, "messages")) +
				"== full\n" + readFile(t, filepath.Join(dir, "full"))
			golden(t, tc.name, got)
		})
	}
}

// fail2ban's stock asterisk filter must match both shapes.
func TestFail2banPrefix(t *testing.T) {
	re := regexp.MustCompile(`(?:NOTICE|SECURITY|WARNING)\s*\[\d+\]:?(?:\[C-[\da-f]*\])?:? [^:]+:\d*(?:(?: in)? [^:]+:)? `)
	l, dir := newTest(t, refConf, nil)
	var con consoleSink
	l.Subscribe(nil, con.add)
	handleRegister(l)
	l.WithCall("C-0000000a").Notice("Registration from '<sip:6000@127.0.0.1>' failed for '127.0.0.1:5061' - Wrong password")
	l.WithCall("C-0000000a").Security("hacking attempt detected '127.0.0.1'")
	l.Sync()
	var lines []string
	lines = append(lines, strings.Split(strings.TrimSpace(con.String()), "\n")...)
	lines = append(lines, strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, "messages"))), "\n")...)
	// The console channel carries no SECURITY: 3 console + 4 file lines.
	if len(lines) != 7 {
		t.Fatalf("got %d lines, want 7:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, line := range lines {
		m := re.FindStringIndex(line)
		if m == nil {
			t.Errorf("prefix regex does not match %q", line)
			continue
		}
		// What follows the prefix must be the message itself.
		rest := line[m[1]:]
		if !strings.HasPrefix(rest, "Registration from") && !strings.HasPrefix(rest, "username mismatch") && !strings.HasPrefix(rest, "hacking attempt") {
			t.Errorf("prefix ate part of the message: %q", rest)
		}
	}
}

// When fail2ban is installed, its own tool must count every failure in
// the messages file, with the date recognised.
func TestFail2banRegexTool(t *testing.T) {
	tool, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed")
	}
	filter := "/etc/fail2ban/filter.d/asterisk.conf"
	if _, err := os.Stat(filter); err != nil {
		t.Skip("no stock asterisk filter")
	}
	now := time.Now()
	l, dir := newTest(t, refConf, func(o *Options) { o.Now = func() time.Time { return now } })
	for i := range 5 {
		l.Notice("Registration from '<sip:6000@127.0.0.1>' failed for '192.0.2.%d:5061' - Wrong password", i+1)
	}
	l.WithCallID(3).Notice("Call from '' (192.0.2.9:5060) to extension '0033123' rejected because extension not found in context 'public'.")
	l.Notice("Peer 'trunk-ovh' is now Reachable. (1ms / 2000ms)")
	l.Close()
	out, err := exec.Command(tool, filepath.Join(dir, "messages"), filter).CombinedOutput()
	if err != nil {
		t.Fatalf("fail2ban-regex: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`Lines: 7 lines, 0 ignored, 6 matched, 1 missed`).Match(out) {
		t.Errorf("fail2ban-regex did not match the failures:\n%s", out)
	}
}

func TestVerbosePrefixes(t *testing.T) {
	want := map[int]string{0: "", 1: " ", 2: "  == ", 3: "    -- ", 4: "       > ", 5: "        > ", 9: "            > ", 10: "             > ", 12: "             > "}
	for n, p := range want {
		if got := verbosePrefix(n); got != p {
			t.Errorf("verbosePrefix(%d) = %q, want %q", n, got, p)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cfg := parse(t, `[general]
dateformat = %F %T
appendhostname = yes
rotatestrategy = rotate
queue_log = no

[logfiles]
console => notice,bogus
full => [plain]*
/var/log/abs.log => verbose(4),notice
syslog.local3 => warning
`)
	s, diags := ParseConfig(cfg, "/logs", "pbx1")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(diags) != 1 || diags[0].Line != 8 || !strings.Contains(diags[0].Message, "bogus") {
		t.Fatalf("want one warning at line 8 about 'bogus', got %v", diags)
	}
	if s.DateFormat != "%F %T" || s.Rotate != RotateRotate || s.Hostname != "pbx1" {
		t.Fatalf("general parsed wrong: %+v", s)
	}
	want := []struct {
		kind      Kind
		path, fmt string
		mask      uint32
		verbosity int
	}{
		{KindConsole, "", "default", LevelNotice.bit() | LevelVerbose.bit(), -1},
		{KindFile, "/logs/full.pbx1", "plain", ^uint32(0), -1},
		{KindFile, "/var/log/abs.log.pbx1", "default", LevelVerbose.bit() | LevelNotice.bit(), 4},
		{KindSyslog, "syslog.local3", "default", LevelWarning.bit(), -1},
	}
	if len(s.Channels) != len(want) {
		t.Fatalf("channels = %+v", s.Channels)
	}
	for i, w := range want {
		c := s.Channels[i]
		if c.Kind != w.kind || c.Path != w.path || c.Formatter != w.fmt || c.Mask != w.mask || c.Verbosity != w.verbosity {
			t.Errorf("channel %d = %+v, want %+v", i, c, w)
		}
	}
	_, diags = ParseConfig(parse(t, "[logfiles]\nsyslog.nowhere => notice\n"), "/logs", "")
	if !diags.HasErrors() || diags[0].Line != 2 {
		t.Fatalf("bad facility must be an error at line 2, got %v", diags)
	}
	if s, _ := ParseConfig(nil, "/logs", ""); len(s.Channels) != 1 || s.Channels[0].Kind != KindConsole {
		t.Fatalf("default settings = %+v", s.Channels)
	}
}

func TestShowChannels(t *testing.T) {
	goldenPath, err := filepath.Abs(filepath.Join("testdata", "show-channels.golden"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	abs := filepath.Join(t.TempDir(), "x.log")
	l, _ := newTest(t, refConf+abs+" => verbose(3)\nsyslog.local0 => [plain]notice\n", func(o *Options) {
		o.LogDir = "var/log/asterisk"
	})
	var b bytes.Buffer
	l.ShowChannels(&b)
	got := b.String()
	// The temp dir's name is random and may be cut at 35 columns.
	got = strings.Replace(got, fmt.Sprintf("%-35.35s", abs), fmt.Sprintf("%-35s", "/abs/x.log"), 1)
	golden(t, goldenPath, got)
}

func TestFileVerbosity(t *testing.T) {
	l, dir := newTest(t, "[logfiles]\nconsole => notice\nv2 => verbose(2)\nvroot => verbose\n", nil)
	var low, high consoleSink
	l.Subscribe(func() int { return 1 }, low.add)
	l.Subscribe(func() int { return 5 }, high.add)
	for n := 1; n <= 5; n++ {
		l.Verbose(n, "level %d", n)
	}
	l.Sync()
	count := func(s string) int { return strings.Count(s, "level ") }
	if n := count(readFile(t, filepath.Join(dir, "v2"))); n != 2 {
		t.Errorf("verbose(2) file got %d lines, want 2", n)
	}
	if n := count(readFile(t, filepath.Join(dir, "vroot"))); n != 3 {
		t.Errorf("verbose file at root level 3 got %d lines, want 3", n)
	}
	if n := count(low.String()); n != 1 {
		t.Errorf("console at -v got %d lines, want 1", n)
	}
	if n := count(high.String()); n != 5 {
		t.Errorf("console at -vvvvv got %d lines, want 5", n)
	}
}

func TestRotate(t *testing.T) {
	tests := []struct {
		strategy string
		existing []string
		want     map[string]string // file -> first message it must hold
	}{
		{"sequential", []string{"messages.0"}, map[string]string{"messages.1": "before", "messages": "after", "messages.0": "old0"}},
		{"rotate", []string{"messages.0", "messages.1.gz"}, map[string]string{"messages.0": "before", "messages.1": "old0", "messages.2.gz": "old1.gz", "messages": "after"}},
		{"timestamp", nil, map[string]string{fmt.Sprintf("messages.%d", fixedNow.Unix()): "before", "messages": "after"}},
		{"none", nil, map[string]string{"messages": "before"}},
	}
	for _, tc := range tests {
		t.Run(tc.strategy, func(t *testing.T) {
			dir := t.TempDir()
			for i, name := range tc.existing {
				content := fmt.Sprintf("old%d", i)
				if strings.HasSuffix(name, ".gz") {
					content += ".gz"
				}
				os.WriteFile(filepath.Join(dir, name), []byte(content+"\n"), 0o644)
			}
			l, err := New(Options{LogDir: dir, PID: 1, Now: func() time.Time { return fixedNow },
				Config: parse(t, "[general]\nrotatestrategy="+tc.strategy+"\n[logfiles]\nmessages => notice\n")})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.Notice("before")
			if err := l.Rotate(); err != nil {
				t.Fatal(err)
			}
			l.Notice("after")
			l.Sync()
			for name, first := range tc.want {
				content := readFile(t, filepath.Join(dir, name))
				if !strings.Contains(strings.SplitN(content, "\n", 2)[0], first) {
					t.Errorf("%s starts %q, want it to hold %q", name, content, first)
				}
			}
		})
	}
}

// After an external logrotate moved the file away, Rotate (strategy none)
// makes the logger write to a fresh file.
func TestRotateReopensForLogrotate(t *testing.T) {
	l, dir := newTest(t, "[general]\nrotatestrategy=none\n[logfiles]\nmessages => notice\n", nil)
	l.Notice("one")
	l.Sync()
	os.Rename(filepath.Join(dir, "messages"), filepath.Join(dir, "messages.1"))
	if err := l.Rotate(); err != nil {
		t.Fatal(err)
	}
	l.Notice("two")
	l.Sync()
	if got := readFile(t, filepath.Join(dir, "messages")); !strings.Contains(got, "two") || strings.Contains(got, "one") {
		t.Fatalf("new messages = %q", got)
	}
}

func TestReloadKeepsOldOnError(t *testing.T) {
	l, dir := newTest(t, "[logfiles]\nmessages => notice\n", nil)
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, nil, 0o644)
	for _, bad := range []string{
		"[logfiles]\nsyslog.nowhere => notice\nother => notice\n",
		"[logfiles]\nother => notice\n" + blocker + "/sub/file => notice\n",
	} {
		if err := l.Reload(parse(t, bad)); err == nil {
			t.Fatalf("Reload(%q) succeeded", bad)
		}
	}
	l.Notice("still here")
	l.Sync()
	if !strings.Contains(readFile(t, filepath.Join(dir, "messages")), "still here") {
		t.Fatal("old channel lost after failed reload")
	}
	if _, err := os.Stat(filepath.Join(dir, "other")); err == nil {
		// Opening it is allowed, but it must not receive lines.
		if s := readFile(t, filepath.Join(dir, "other")); s != "" {
			t.Fatalf("channel of a rejected config got %q", s)
		}
	}
	if err := l.Reload(parse(t, "[logfiles]\nother => notice,warning,bogus\n")); err != nil {
		t.Fatal(err)
	}
	l.Notice("moved")
	l.Sync()
	if !strings.Contains(readFile(t, filepath.Join(dir, "other")), "moved") ||
		strings.Contains(readFile(t, filepath.Join(dir, "messages")), "moved") {
		t.Fatal("good reload did not switch channels")
	}
	if d := l.Diagnostics(); len(d) != 1 || !strings.Contains(d[0].Message, "bogus") {
		t.Fatalf("Diagnostics = %v", d)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, "other")), "logger.conf:2: warning: unknown log level 'bogus'") {
		t.Fatal("reload warning not logged with file:line")
	}
}

// High-rate logging from many goroutines loses nothing on Close.
func TestNothingLostOnClose(t *testing.T) {
	dir := t.TempDir()
	l, err := New(Options{LogDir: dir, PID: 1, Config: parse(t, "[logfiles]\nmessages => notice\n")})
	if err != nil {
		t.Fatal(err)
	}
	var con consoleSink
	l.Subscribe(nil, con.add) // no console channel: receives nothing
	var wg sync.WaitGroup
	const workers, each = 8, 2500
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l.WithCallID(uint32(w)).Notice("Registration from '<sip:%d@x>' failed for '10.0.0.%d:5060' - Wrong password", i, w)
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(readFile(t, filepath.Join(dir, "messages")), "\n"); n != workers*each {
		t.Fatalf("messages has %d lines, want %d", n, workers*each)
	}
	if con.String() != "" {
		t.Fatal("console subscriber got lines without a console channel")
	}
	l.Notice("after close is dropped, not a panic")
	if err := l.Close(); err != ErrClosed {
		t.Fatalf("second Close = %v", err)
	}
}

func TestSlogHandler(t *testing.T) {
	l, dir := newTest(t, refConf, nil)
	var con consoleSink
	l.Subscribe(nil, con.add)
	sl := slog.New(l.Handler())
	sl.Info("Registered SIP '6000' at 127.0.0.1:5061", SlogVerbose, 3)
	sl.Warn("peer unreachable", "peer", "trunk-ovh", SlogCall, "C-00000002")
	sl.Debug("hidden unless debug", "n", 1)
	sl.With("module", "chansip").WithGroup("g").Error("boom", "k", "v")
	l.SetDebug(0)
	sl.Debug("not at debug 0")
	l.Sync()
	got := con.String()
	for _, want := range []string{
		"    -- Registered SIP '6000' at 127.0.0.1:5061\n",
		"WARNING[1629][C-00000002]: logger_test.go:",
		"TestSlogHandler: peer unreachable peer=trunk-ovh\n",
		"ERROR[1629]: logger_test.go:",
		"boom module=chansip g.k=v\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console lacks %q:\n%s", want, got)
		}
	}
	full := readFile(t, filepath.Join(dir, "full"))
	if !strings.Contains(full, "DEBUG[1629] logger_test.go: hidden unless debug n=1") || strings.Contains(full, "not at debug 0") {
		t.Errorf("debug handling wrong in full:\n%s", full)
	}
}

func TestShortFuncName(t *testing.T) {
	tests := map[string]string{
		"github.com/gostrisk/gostrisk/pkg/chansip.(*Registrar).handleRegister":       "handleRegister",
		"github.com/gostrisk/gostrisk/pkg/chansip.(*Registrar).handleRegister.func1": "handleRegister",
		"github.com/gostrisk/gostrisk/pkg/chansip.pokePeer.func2.1":                  "pokePeer",
		"main.main": "main",
	}
	for in, want := range tests {
		if got := shortFuncName(in); got != want {
			t.Errorf("shortFuncName(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkNoticeToFile(b *testing.B) {
	l, err := New(Options{LogDir: b.TempDir(), PID: 1, Config: confparseMust(b, refConf)})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for b.Loop() {
		l.Notice("Registration from '<sip:%s@127.0.0.1>' failed for '%s' - Wrong password", "6000", "127.0.0.1:5061")
	}
	l.Sync()
}

func confparseMust(b *testing.B, text string) *confparse.Config {
	cfg, diags := confparse.Parse("logger.conf", []byte(text), confparse.Options{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	return cfg
}
