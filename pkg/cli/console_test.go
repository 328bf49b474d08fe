package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// term collects what the console writes to the pseudo-terminal.
type term struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *term) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.Write(p)
}

// waitFor waits until the output since mark contains s and returns the new
// mark.
func (t *term) waitFor(tb testing.TB, mark int, s string) int {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		t.mu.Lock()
		out := t.buf.String()
		t.mu.Unlock()
		if i := strings.Index(out[mark:], s); i >= 0 {
			return mark + i + len(s)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tb.Fatalf("console never printed %q; output after mark:\n%q", s, t.buf.String()[mark:])
	return 0
}

func openPTY(t *testing.T) (ptmx, tty *os.File, out *term) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	out = &term{}
	copied := make(chan struct{})
	go func() { // ends when ptmx is closed
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		// A console stopped by its context leaves readline's stdin reader
		// blocked on the tty; one more byte lets it see it was cancelled.
		ptmx.WriteString("\r")
		time.Sleep(20 * time.Millisecond)
		tty.Close()
		ptmx.Close()
		select {
		case <-copied:
		case <-time.After(2 * time.Second):
			t.Error("pty reader did not stop")
		}
	})
	return ptmx, tty, out
}

// TestRemoteConsole drives RunConsole over a pseudo-terminal against a real
// server: completion, a command, a published event, history, exit.
func TestRemoteConsole(t *testing.T) {
	srv, path := startServer(t, ServerOptions{Hostname: "pbx"})
	c := dial(t, path, ClientOptions{Verbose: 3, Events: true})
	ptmx, tty, out := openPTY(t)
	hist := filepath.Join(t.TempDir(), ".asterisk_history")

	done := make(chan error, 1)
	go func() {
		done <- RunConsole(context.Background(), c, ConsoleOptions{
			Prompt: DefaultPrompt(c.Info().Hostname), HistoryFile: hist,
			Stdin: tty, Stdout: tty, Stderr: tty,
		})
	}()
	mark := out.waitFor(t, 0, "pbx*CLI> ")

	ptmx.WriteString("sip show pe\t\t")
	mark = out.waitFor(t, mark, "peers")
	ptmx.WriteString("\x15") // Ctrl-U: clear the line

	ptmx.WriteString("sip show peer 6000\r")
	mark = out.waitFor(t, mark, "ran sip|show|peer|6000")

	ptmx.WriteString("!echo from-$((40+2))\r")
	mark = out.waitFor(t, mark, "from-42")

	srv.Publish(Event{Verbose: 3, Text: "    -- Executing [6000@work:1] Dial\n"})
	srv.Publish(Event{Verbose: 4, Text: "too verbose\n"})
	srv.Publish(Event{Verbose: 0, Text: "[Nov 22 11:49:18] NOTICE[1]: live\n"})
	mark = out.waitFor(t, mark, "-- Executing [6000@work:1] Dial")
	out.waitFor(t, mark, "NOTICE[1]: live")

	ptmx.WriteString("exit\r")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunConsole: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("console did not leave on exit")
	}
	out.mu.Lock()
	all := out.buf.String()
	out.mu.Unlock()
	if strings.Contains(all, "too verbose") {
		t.Error("console showed an event above its verbosity")
	}
	h, err := os.ReadFile(hist)
	if err != nil || !strings.Contains(string(h), "sip show peer 6000") {
		t.Errorf("history file: %q %v", h, err)
	}
	// Leaving the console must not have stopped the server.
	if _, ok, err := c.Exec("sip show peer 6001"); err != nil || !ok {
		t.Errorf("server after console exit: %v %v", ok, err)
	}
}

// TestConsoleCtrlC leaves on Ctrl-C with a local backend.
func TestConsoleCtrlC(t *testing.T) {
	be := NewLocalBackend(testRegistry(t), NewSession(1))
	defer be.Close()
	ptmx, tty, out := openPTY(t)
	done := make(chan error, 1)
	go func() {
		done <- RunConsole(context.Background(), be, ConsoleOptions{Prompt: "local*CLI> ", Stdin: tty, Stdout: tty, Stderr: tty})
	}()
	mark := out.waitFor(t, 0, "local*CLI> ")
	ptmx.WriteString("core set verbose 2\r")
	mark = out.waitFor(t, mark, "Console verbose was 1 and is now 2.")
	be.Publish(Event{Verbose: 2, Text: "local event\n"})
	out.waitFor(t, mark, "local event")
	ptmx.WriteString("\x03")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("console did not leave on Ctrl-C")
	}
}

// TestConsoleReconnect stops the server under a -R console and starts a new
// one on the same socket: the console must reconnect and keep working.
func TestConsoleReconnect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "asterisk.ctl")
	serve := func() (*Server, chan error) {
		srv := NewServer(testRegistry(t), ServerOptions{Path: path})
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(context.Background()) }()
		return srv, errc
	}
	srv1, errc1 := serve()
	redial := func(context.Context) (Backend, error) {
		return DialOptions(path, ClientOptions{Verbose: 1, Events: true})
	}
	be, err := redial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ptmx, tty, out := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- RunConsole(ctx, be, ConsoleOptions{Prompt: "r*CLI> ", Stdin: tty, Stdout: tty, Stderr: tty,
			Redial: redial, ReconnectFor: 5 * time.Second})
	}()
	mark := out.waitFor(t, 0, "r*CLI> ")
	srv1.Close()
	<-errc1
	mark = out.waitFor(t, mark, "Attempting to reconnect for 5 seconds")
	srv2, errc2 := serve()
	defer func() { srv2.Close(); <-errc2 }()
	mark = out.waitFor(t, mark, "Reconnect succeeded after")
	ptmx.WriteString("sip show peer 6000\r")
	out.waitFor(t, mark, "ran sip|show|peer|6000")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("console did not stop with its context")
	}
}
