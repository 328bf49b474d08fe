package harness

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Sipp describes one sipp run.
type Sipp struct {
	Scenario  string   // path of the XML scenario
	Target    string   // host:port to send to (UAC); empty for a UAS
	LocalIP   string   // -i (default 127.0.0.1; "::1" for an IPv6 phone)
	LocalPort int      // -p (0: a free port)
	Calls     int      // -m (default 1)
	Rate      int      // -r (default 10)
	Inf       string   // -inf injection file
	Extra     []string // more flags
	Timeout   time.Duration
}

// SippResult is what sipp did.
type SippResult struct {
	ExitCode int
	Output   string
	ErrLog   string // content of the -trace_err file
}

// RequireSipp skips the test when sipp is not installed (make test installs it).
func RequireSipp(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		t.Skip("sipp not installed (make test-deps installs sip-tester)")
	}
	return p
}

func (s *Sipp) args(t testing.TB, dir string) []string {
	if s.LocalPort == 0 {
		s.LocalPort = FreePort(t)
	}
	if s.Calls == 0 {
		s.Calls = 1
	}
	if s.Rate == 0 {
		s.Rate = 10
	}
	if s.Timeout == 0 {
		s.Timeout = 30 * time.Second
	}
	if s.LocalIP == "" {
		s.LocalIP = "127.0.0.1"
	}
	args := []string{"-sf", s.Scenario, "-i", s.LocalIP, "-p", strconv.Itoa(s.LocalPort),
		"-m", strconv.Itoa(s.Calls), "-r", strconv.Itoa(s.Rate), "-nostdin",
		"-mp", strconv.Itoa(FreeRTPRange(t, 4)),
		"-timeout", strconv.Itoa(int(s.Timeout.Seconds())) + "s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "err.log")}
	if s.Inf != "" {
		args = append(args, "-inf", s.Inf)
	}
	args = append(args, s.Extra...)
	if s.Target != "" {
		args = append(args, s.Target)
	}
	return args
}

// Run runs sipp to completion (bounded by Timeout plus a margin).
func (s *Sipp) Run(t testing.TB) SippResult {
	t.Helper()
	bin := RequireSipp(t)
	dir := t.TempDir()
	args := s.args(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout+15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	res := SippResult{Output: string(out)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.ExitCode = ee.ExitCode()
	} else if err != nil {
		res.ExitCode = -1
	}
	if b, err := os.ReadFile(filepath.Join(dir, "err.log")); err == nil {
		res.ErrLog = string(b)
	}
	return res
}

// Start runs sipp in the background (e.g. a UAS) and returns a function that
// waits for it and returns its result. The process is killed at test end.
func (s *Sipp) Start(t testing.TB) func() SippResult {
	t.Helper()
	bin := RequireSipp(t)
	dir := t.TempDir()
	args := s.args(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), s.Timeout+15*time.Second)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	buf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan SippResult, 1)
	go func() {
		err := cmd.Wait()
		res := SippResult{Output: buf.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			res.ExitCode = ee.ExitCode()
		} else if err != nil {
			res.ExitCode = -1
		}
		if b, err := os.ReadFile(filepath.Join(dir, "err.log")); err == nil {
			res.ErrLog = string(b)
		}
		done <- res
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	var once SippResult
	var got bool
	return func() SippResult {
		if !got {
			once = <-done
			got = true
			done <- once
		}
		return once
	}
}
