package tests

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// ptyConsole is "gostrisk -r" running on a pseudo-terminal, as an operator
// would use it.
type ptyConsole struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	buf  strings.Builder
	mark int // expect searches output after this offset
	done chan struct{}
	err  error // Wait's result, valid once done is closed
}

// ansi matches the escape sequences readline draws with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func startConsole(t *testing.T, in *harness.Instance, args ...string) *ptyConsole {
	t.Helper()
	cmd := exec.Command(in.Bin, append([]string{"-C", in.Conf}, args...)...)
	// A private HOME keeps ~/.asterisk_history out of the developer's.
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatalf("start console on a pty: %v", err)
	}
	c := &ptyConsole{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			c.mu.Lock()
			c.buf.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		c.err = cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			cmd.Process.Kill()
			<-c.done
		}
		tty.Close()
		<-readerDone
		if t.Failed() {
			t.Logf("console output:\n%s", c.text())
		}
	})
	return c
}

// text is everything the console printed, escape sequences removed.
func (c *ptyConsole) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return ansi.ReplaceAllString(c.buf.String(), "")
}

func (c *ptyConsole) send(s string) {
	c.t.Helper()
	if _, err := c.tty.Write([]byte(s)); err != nil {
		c.t.Fatalf("write to console: %v", err)
	}
}

// expect waits until re matches output printed after the last match, and
// returns the match.
func (c *ptyConsole) expect(re *regexp.Regexp, timeout time.Duration) string {
	c.t.Helper()
	var got string
	ok := harness.PollUntil(timeout, func() bool {
		s := c.text()
		if c.mark > len(s) {
			c.mark = len(s)
		}
		loc := re.FindStringIndex(s[c.mark:])
		if loc == nil {
			return false
		}
		got = s[c.mark+loc[0] : c.mark+loc[1]]
		c.mark += loc[1]
		return true
	})
	if !ok {
		c.t.Fatalf("console: no %q within %v; after the last match it printed:\n%q", re, timeout, c.text()[c.mark:])
	}
	return got
}

func TestConsole(t *testing.T) {
	in := harness.Start(t, harness.Options{})
	in.DumpOnFailure()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	prompt := regexp.MustCompile(regexp.QuoteMeta(host + "*CLI> "))
	c := startConsole(t, in, "-rvvv")
	c.expect(regexp.MustCompile(`Connected to Asterisk \S+ currently running on \S+ \(pid = \d+\)`), 10*time.Second)
	c.expect(prompt, 10*time.Second)

	t.Run("command", func(t *testing.T) {
		c.send("core show version\r")
		c.expect(regexp.MustCompile(`(?m)^Asterisk \S+ built by \S+ @ \S+ on a \S+ running \S+ on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\r?\n`), 5*time.Second)
		c.expect(prompt, 5*time.Second)
	})

	t.Run("completion dialplan sh", func(t *testing.T) {
		c.send("dialplan sh\t")
		c.expect(regexp.MustCompile(`dialplan show $`), 5*time.Second)
		// Run the completed line: it must be the command "dialplan show".
		c.send("\r")
		c.expect(regexp.MustCompile(`-= \d+ extensions? \(\d+ priorit(?:y|ies)\) in \d+ contexts?\. =-`), 5*time.Second)
		c.expect(prompt, 5*time.Second)
	})

	t.Run("completion sip show pe", func(t *testing.T) {
		requireSIPDriver(t, in)
		c.send("sip show pe\t")
		// One Tab completes the common prefix, the second lists both.
		c.expect(regexp.MustCompile(`sip show peer`), 5*time.Second)
		c.send("\t")
		c.expect(regexp.MustCompile(`\bpeer\s+peers\b`), 5*time.Second)
		c.send("s\r")
		c.expect(regexp.MustCompile(`Name/username\s+Host`), 5*time.Second)
		c.expect(prompt, 5*time.Second)
	})

	t.Run("live verbose", func(t *testing.T) {
		// A reload started elsewhere reaches this console (verbosity 3)
		// as Asterisk's level-2 "  == Parsing" lines.
		if out := in.MustRX("dialplan reload"); out != "Dialplan reloaded.\n" {
			t.Fatalf("dialplan reload: %q", out)
		}
		c.expect(regexp.MustCompile(`  == Parsing '[^']*extensions\.conf': Found`), 5*time.Second)
	})

	t.Run("exit", func(t *testing.T) {
		c.send("exit\r")
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			t.Fatal("console still running 5 s after exit")
		}
		var ee *exec.ExitError
		if errors.As(c.err, &ee) || c.err != nil {
			t.Errorf("console exit status: %v, want 0", c.err)
		}
		if out := in.MustRX("core show version"); !versionShape.MatchString(out) {
			t.Errorf("daemon no longer answers after the console left: %q", out)
		}
		if in.Exited() {
			t.Error("leaving the console stopped the daemon")
		}
	})
}

// TestConsoleQuietBelowLevel: a console at verbosity 0 does not get the
// level-2 reload lines (each console has its own level).
func TestConsoleQuietBelowLevel(t *testing.T) {
	in := harness.Start(t, harness.Options{})
	in.DumpOnFailure()
	host, _ := os.Hostname()
	prompt := regexp.MustCompile(regexp.QuoteMeta(host + "*CLI> "))
	c := startConsole(t, in, "-r")
	c.expect(prompt, 10*time.Second)
	c.send("core set verbose 0\r")
	c.expect(prompt, 5*time.Second)
	in.MustRX("dialplan reload")
	// Events travel apart from command output: give them time to arrive.
	time.Sleep(300 * time.Millisecond)
	// Then a marker command whose output we wait for: anything the reload
	// published has been printed by then.
	c.send("core show version\r")
	c.expect(regexp.MustCompile(`built by`), 5*time.Second)
	if strings.Contains(c.text(), "== Parsing") {
		t.Errorf("console at verbosity 0 printed level-2 lines:\n%s", c.text())
	}
	c.send("quit\r")
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("console still running 5 s after quit")
	}
}
