package harness

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// RepoRoot is the checkout's top directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir is ../shared next to the checkout (reference material), or ""
// when it is not there.
func SharedDir() string {
	d := filepath.Join(RepoRoot(), "..", "shared")
	if _, err := os.Stat(d); err != nil {
		return ""
	}
	return d
}

// Binary builds gostrisk once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gostrisk-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gostrisk")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/gostrisk")
		cmd.Dir = RepoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// FreePort returns a loopback port free for both UDP and TCP at the time of
// the call.
func FreePort(t testing.TB) int {
	t.Helper()
	for i := 0; i < 50; i++ {
		u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("no free port")
	return 0
}

// FreeRTPRange returns the start of a range of n even ports that are free on
// UDP at the time of the call. Ranges stay below 32768, where Linux's
// ephemeral ports begin: a socket anyone binds to port 0 (the daemon's
// own included) never lands in them, so the tests' "RTP ports released"
// checks see only media sockets.
//
// make test runs several test processes at once, and a free port is only
// free until someone binds it: two processes could both pick overlapping
// ranges, and one test's packet capture would then see the other's media.
// So the space is cut into slots of rtpSlotPorts, and a range is made of
// whole slots held with flock(2) until the test ends: across processes
// (and within one) a slot belongs to one test at a time.
func FreeRTPRange(t testing.TB, n int) int {
	t.Helper()
	slots := (n + rtpSlotPorts - 1) / rtpSlotPorts
	first := int(time.Now().UnixNano() % rtpSlotCount)
	for try := 0; try < rtpSlotCount; try++ {
		slot := (first + try) % rtpSlotCount
		if slot+slots > rtpSlotCount {
			continue
		}
		locks, ok := lockRTPSlots(slot, slots)
		if !ok {
			continue
		}
		start := rtpSlotLow + slot*rtpSlotPorts
		if !udpPortsFree(start, n) {
			closeAll(locks)
			continue
		}
		t.Cleanup(func() { closeAll(locks) })
		return start
	}
	t.Fatal("no free RTP range")
	return 0
}

const (
	rtpSlotLow   = 20000
	rtpSlotPorts = 256
	rtpSlotCount = (32768 - rtpSlotLow) / rtpSlotPorts
)

// lockRTPSlots takes the locks of slots [slot, slot+count), all or none.
func lockRTPSlots(slot, count int) ([]*os.File, bool) {
	dir := filepath.Join(os.TempDir(), "gostrisk-tests-rtp-slots")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, false
	}
	var locks []*os.File
	for s := slot; s < slot+count; s++ {
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(s)), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			closeAll(locks)
			return nil, false
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			closeAll(locks)
			return nil, false
		}
		locks = append(locks, f)
	}
	return locks, true
}

// closeAll releases the locks: closing the file drops its flock.
func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// udpPortsFree reports whether every UDP port in [start, start+n) can be
// bound on loopback now.
func udpPortsFree(start, n int) bool {
	for p := start; p < start+n; p++ {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
		if err != nil {
			return false
		}
		c.Close()
	}
	return true
}

// Instance is one running gostrisk with its own config set.
type Instance struct {
	t       testing.TB
	Bin     string
	Dir     string // config dir (astetcdir)
	Conf    string // asterisk.conf path
	SIPPort int
	RTPBase int
	cmd     *exec.Cmd
	out     *lockedBuffer
	done    chan struct{}
}

// Options choose the config template and edits.
type Options struct {
	// Template is a directory of *.conf files copied into the instance
	// (default: the sample config).
	Template string
	// Edit may change file contents (keyed by base name) before start.
	Edit func(files map[string]string)
	// Args are extra daemon flags.
	Args []string
	// NoStart writes the config but does not start the daemon.
	NoStart bool
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	if l == nil {
		return "(no daemon output: the test started gostrisk itself)"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	reBindPort = regexp.MustCompile(`(?m)^bindport\s*=.*$`)
	reRTPStart = regexp.MustCompile(`(?m)^rtpstart\s*=.*$`)
	reRTPEnd   = regexp.MustCompile(`(?m)^rtpend\s*=.*$`)
	reDirs     = regexp.MustCompile(`(?ms)^\[directories\].*?(^\[|\z)`)
)

// Start writes a private config set with free ports and starts the daemon
// in the foreground (-f). It is stopped when the test ends.
func Start(t testing.TB, opts Options) *Instance {
	t.Helper()
	if opts.Template == "" {
		opts.Template = filepath.Join(RepoRoot(), "samples", "etc-asterisk")
	}
	dir := t.TempDir()
	files := map[string]string{}
	entries, err := os.ReadDir(opts.Template)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".conf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(opts.Template, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	in := &Instance{t: t, Bin: Binary(t), Dir: dir, Conf: filepath.Join(dir, "asterisk.conf")}
	in.SIPPort = FreePort(t)
	in.RTPBase = FreeRTPRange(t, 200)
	dirs := "[directories]\nastetcdir => .\nastvarlibdir => var/lib\nastdbdir => var/lib\nastdatadir => var/lib\n" +
		"astspooldir => var/spool\nastrundir => var/run\nastlogdir => var/log\nastcachedir => var/cache\n\n"
	ast := files["asterisk.conf"]
	if reDirs.MatchString(ast) {
		ast = reDirs.ReplaceAllStringFunc(ast, func(m string) string {
			if strings.HasSuffix(m, "[") {
				return dirs + "["
			}
			return dirs
		})
	} else {
		ast = dirs + ast
	}
	files["asterisk.conf"] = ast
	files["sip.conf"] = reBindPort.ReplaceAllString(files["sip.conf"], "bindport="+strconv.Itoa(in.SIPPort))
	rtp := files["rtp.conf"]
	if rtp == "" {
		rtp = "[general]\nrtpstart=0\nrtpend=0\n"
	}
	rtp = reRTPStart.ReplaceAllString(rtp, "rtpstart="+strconv.Itoa(in.RTPBase))
	rtp = reRTPEnd.ReplaceAllString(rtp, "rtpend="+strconv.Itoa(in.RTPBase+199))
	files["rtp.conf"] = rtp
	if opts.Edit != nil {
		opts.Edit(files)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !opts.NoStart {
		in.StartDaemon(opts.Args...)
	}
	return in
}

// StartDaemon starts the daemon on the instance's config and waits until its
// control socket answers.
func (in *Instance) StartDaemon(args ...string) {
	in.t.Helper()
	all := append([]string{"-f", "-C", in.Conf}, args...)
	in.cmd = exec.Command(in.Bin, all...)
	in.out = &lockedBuffer{}
	in.cmd.Stdout = in.out
	in.cmd.Stderr = in.out
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.done = make(chan struct{})
	go func() {
		in.cmd.Wait()
		close(in.done)
	}()
	in.t.Cleanup(in.Kill)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-in.done:
			in.t.Fatalf("gostrisk exited during start-up:\n%s", in.out.String())
		default:
		}
		if out, err := in.RX("core waitfullybooted"); err == nil && strings.Contains(out, "fully booted") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("gostrisk did not become ready:\n%s", in.out.String())
}

// Output is what the daemon printed so far.
func (in *Instance) Output() string { return in.out.String() }

// RX runs "gostrisk -C conf -rx cmd".
func (in *Instance) RX(command string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, in.Bin, "-C", in.Conf, "-rx", command).CombinedOutput()
	return string(out), err
}

// MustRX is RX failing the test on error.
func (in *Instance) MustRX(command string) string {
	in.t.Helper()
	out, err := in.RX(command)
	if err != nil {
		in.t.Fatalf("-rx %q: %v\n%s\ndaemon output:\n%s", command, err, out, in.Output())
	}
	return out
}

// Wait waits for the daemon to exit on its own.
func (in *Instance) Wait(timeout time.Duration) bool {
	select {
	case <-in.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Kill stops the daemon if it still runs (SIGTERM, then SIGKILL).
func (in *Instance) Kill() {
	if in.cmd == nil || in.cmd.Process == nil {
		return
	}
	select {
	case <-in.done:
		return
	default:
	}
	in.cmd.Process.Signal(os.Interrupt)
	if !in.Wait(10 * time.Second) {
		in.cmd.Process.Kill()
		in.Wait(5 * time.Second)
	}
}

// Path joins a path inside the instance's directory.
func (in *Instance) Path(elem ...string) string {
	return filepath.Join(append([]string{in.Dir}, elem...)...)
}

// DumpOnFailure prints the daemon's output when the test failed.
func (in *Instance) DumpOnFailure() {
	in.t.Cleanup(func() {
		if in.t.Failed() {
			in.t.Logf("daemon output:\n%s", in.Output())
		}
	})
}
