package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// startServer serves testRegistry on a socket in a temp dir and stops it at
// the end of the test.
func startServer(t *testing.T, opts ServerOptions) (*Server, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "asterisk.ctl")
	opts.Path = path
	srv := NewServer(testRegistry(t), opts)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(context.Background()) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, path
}

func dial(t *testing.T, path string, opts ClientOptions) *Client {
	t.Helper()
	c, err := DialOptions(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSocketMode(t *testing.T) {
	for _, tc := range []struct {
		mode, want os.FileMode
	}{{0, 0o660}, {0o600, 0o600}, {0o666, 0o660}, {0o777, 0o770}} {
		_, path := startServer(t, ServerOptions{Mode: tc.mode})
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != tc.want {
			t.Errorf("mode %o: socket is %v, want perm %o", tc.mode, st.Mode(), tc.want)
		}
	}
}

func TestExecOverSocket(t *testing.T) {
	_, path := startServer(t, ServerOptions{Hostname: "pbx", Version: "gostrisk test"})
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Info().Hostname != "pbx" || c.Info().PID != os.Getpid() {
		t.Errorf("info %+v", c.Info())
	}
	want, _ := os.ReadFile("testdata/core-show-help-sip-show.txt")
	for _, tc := range []struct {
		line, out string
		ok        bool
	}{
		{"core show help sip show", string(want), true},
		{"sip show peer 6000", "ran sip|show|peer|6000\n", true},
		{"help sip show", "No such command 'help sip show' (type 'core show help help sip' for other possible commands)\n", false},
		{"sip reload", "reload refused\nCommand 'sip reload' failed.\n", false},
	} {
		out, ok, err := c.Exec(tc.line)
		if err != nil || ok != tc.ok || out != tc.out {
			t.Errorf("Exec(%q) = %q, %v, %v; want %q, %v", tc.line, out, ok, err, tc.out, tc.ok)
		}
	}
	got, err := c.Complete("sip show pe")
	if err != nil || strings.Join(got, ",") != "peer,peers" {
		t.Errorf("Complete = %q, %v", got, err)
	}
}

func TestDialNoServer(t *testing.T) {
	_, err := Dial(filepath.Join(t.TempDir(), "none.ctl"))
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial error %v, want ErrNoServer", err)
	}
}

func TestSecondServerRefused(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	if err := NewServer(NewRegistry(), ServerOptions{Path: path}).Listen(); err == nil {
		t.Fatal("second server took over a live socket")
	}
}

func recvEvent(t *testing.T, c *Client) (Event, bool) {
	t.Helper()
	select {
	case ev := <-c.Events():
		return ev, true
	case <-time.After(300 * time.Millisecond):
		return Event{}, false
	}
}

// TestPublishFiltering checks that each console sees log lines and only the
// verbose lines its own verbosity allows, and -rx clients see none.
func TestPublishFiltering(t *testing.T) {
	srv, path := startServer(t, ServerOptions{})
	quiet := dial(t, path, ClientOptions{Verbose: 0, Events: true})
	loud := dial(t, path, ClientOptions{Verbose: 3, Events: true})
	oneShot := dial(t, path, ClientOptions{Verbose: 10})
	// A round trip guarantees the hello was processed before publishing.
	for _, c := range []*Client{quiet, loud, oneShot} {
		if _, _, err := c.Exec("core show help core stop now"); err != nil {
			t.Fatal(err)
		}
	}
	srv.Publish(Event{Verbose: 3, Text: "    -- Executing [6000@work:1]\n"})
	srv.Publish(Event{Verbose: 0, Text: "[Nov 22 11:49:18] NOTICE[1]: x\n"})

	if ev, ok := recvEvent(t, loud); !ok || ev.Verbose != 3 {
		t.Errorf("loud console: first event %+v %v", ev, ok)
	}
	if ev, ok := recvEvent(t, loud); !ok || ev.Verbose != 0 {
		t.Errorf("loud console: second event %+v %v", ev, ok)
	}
	if ev, ok := recvEvent(t, quiet); !ok || !strings.Contains(ev.Text, "NOTICE") {
		t.Errorf("quiet console: %+v %v", ev, ok)
	}
	if ev, ok := recvEvent(t, quiet); ok {
		t.Errorf("quiet console got %+v", ev)
	}
	if ev, ok := recvEvent(t, oneShot); ok {
		t.Errorf("-rx client got %+v", ev)
	}

	// Raising verbosity through the CLI changes what the console gets.
	if out, _, _ := quiet.Exec("core set verbose 3"); out != "Console verbose was OFF and is now 3.\n" {
		t.Errorf("core set verbose: %q", out)
	}
	srv.Publish(Event{Verbose: 3, Text: "now visible\n"})
	if ev, ok := recvEvent(t, quiet); !ok || ev.Text != "now visible\n" {
		t.Errorf("after core set verbose: %+v %v", ev, ok)
	}
	if err := quiet.SetVerbose(0); err != nil {
		t.Fatal(err)
	}
	quiet.Exec("core show help core stop now")
	srv.Publish(Event{Verbose: 1, Text: "hidden again\n"})
	if ev, ok := recvEvent(t, quiet); ok {
		t.Errorf("after SetVerbose(0) got %+v", ev)
	}
}

// TestSlowConsoleDoesNotBlock publishes far more than the queue holds to a
// console that never reads: Publish must return at once, and the console
// must still work and see the newest events.
func TestSlowConsoleDoesNotBlock(t *testing.T) {
	srv, path := startServer(t, ServerOptions{QueueLen: 8})
	slow := dial(t, path, ClientOptions{Verbose: 5, Events: true, EventQueue: 4})
	slow.Exec("core show help core stop now")
	start := time.Now()
	big := strings.Repeat("x", 4096) + "\n"
	for i := 0; i < 20000; i++ {
		srv.Publish(Event{Verbose: 1, Text: big})
	}
	srv.Publish(Event{Verbose: 1, Text: "last\n"})
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Publish took %v with a stalled console", d)
	}
	if out, ok, err := slow.Exec("sip show peer 6000"); err != nil || !ok || out != "ran sip|show|peer|6000\n" {
		t.Fatalf("slow console exec: %q %v %v", out, ok, err)
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-slow.Events():
			if ev.Text == "last\n" {
				return
			}
		case <-deadline:
			t.Fatal("newest event never arrived")
		}
	}
}

func TestConcurrentConsoles(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	errc := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			c, err := Dial(path)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			for j := 0; j < 50; j++ {
				out, ok, err := c.Exec("sip show peers like 6")
				if err != nil || !ok || out != "ran sip|show|peers|like|6\n" {
					errc <- errors.New("bad reply: " + out)
					return
				}
			}
			errc <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseStopsEverything checks that Close disconnects clients and leaves
// no goroutine behind.
func TestCloseStopsEverything(t *testing.T) {
	before := runtime.NumGoroutine()
	path := filepath.Join(t.TempDir(), "asterisk.ctl")
	srv := NewServer(testRegistry(t), ServerOptions{Path: path})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go func() { errc <- srv.Serve(ctx) }()
	var clients []*Client
	for i := 0; i < 4; i++ {
		c, err := DialOptions(path, ClientOptions{Events: true, Verbose: 1})
		if err != nil {
			t.Fatal(err)
		}
		c.Exec("core show help core stop now")
		clients = append(clients, c)
	}
	srv.Publish(Event{Verbose: 1, Text: "x\n"})
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	srv.Close()
	for _, c := range clients {
		select {
		case <-c.Done():
		case <-time.After(2 * time.Second):
			t.Fatal("client not disconnected")
		}
		if _, _, err := c.Exec("sip reload"); !errors.Is(err, ErrDisconnected) {
			t.Errorf("Exec after close: %v", err)
		}
		c.Close()
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket file left behind: %v", err)
	}
	// A busy client's connection is closed by a goroutine that sleeps
	// busyGrace first: give it that long, and then some on a loaded machine.
	deadline := time.Now().Add(busyGrace + 2*time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// A command that stops the server ("core stop now") still gets its
// answer: shutdown waits for the console running it.
func TestCommandThatStopsTheServerIsAnswered(t *testing.T) {
	reg := NewRegistry()
	path := filepath.Join(t.TempDir(), "asterisk.ctl")
	srv := NewServer(reg, ServerOptions{Path: path})
	closed := make(chan struct{})
	reg.MustRegister(&Command{Words: []string{"core", "stop", "now"}, Summary: "stop",
		Handler: func(a *Args) error {
			go func() { srv.Close(); close(closed) }()
			// Let the shutdown reach this console before the answer.
			time.Sleep(100 * time.Millisecond)
			a.Out.Write([]byte("stopping\n"))
			return nil
		}})
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(context.Background()) }()
	c := dial(t, path, ClientOptions{})
	out, ok, err := c.Exec("core stop now")
	if err != nil || !ok || out != "stopping\n" {
		t.Errorf("Exec = %q, %v, %v; want the answer before the server goes", out, ok, err)
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the answer")
	}
	if err := <-errc; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
