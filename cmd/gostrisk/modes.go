package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/core"
)

func runMain(f *flags, stdout, stderr io.Writer) int {
	if f.version {
		fmt.Fprintf(stdout, "Asterisk %s\n", core.Version)
		return 0
	}
	if f.exec != "" {
		f.remote = true
	}
	if f.remote || f.reconnect {
		return runRemote(f, stdout, stderr)
	}
	if f.console {
		f.foreground = true
	}
	if !f.foreground && !f.daemonized {
		return daemonize(f, stderr)
	}
	opts := core.RunOptions{
		ConfigPath: f.config, Verbose: f.verbose, Debug: f.debug, Quiet: f.quiet || f.daemonized,
		Timestamps: f.timestamps, Console: f.console, User: f.user, Group: f.group, Pprof: f.pprof,
		HighPriority: f.highPrio, Stdout: stdout, Stderr: stderr,
	}
	err := core.Run(context.Background(), opts)
	if errors.Is(err, core.ErrRestart) {
		exe, xerr := os.Executable()
		if xerr == nil {
			xerr = syscall.Exec(exe, os.Args, os.Environ())
		}
		fmt.Fprintf(stderr, "gostrisk: restart failed: %v\n", xerr)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 1
	}
	return 0
}

// ctlPath finds the control socket from asterisk.conf, as the remote console
// of Asterisk does.
func ctlPath(config string) string {
	ac, _ := core.LoadAsteriskConf(config)
	return ac.CtlPath()
}

func runRemote(f *flags, stdout, stderr io.Writer) int {
	path := ctlPath(f.config)
	dial := func() (*cli.Client, error) {
		return cli.DialOptions(path, cli.ClientOptions{Verbose: f.verbose, Events: f.exec == ""})
	}
	c, err := dial()
	if err != nil {
		if f.reconnect && f.exec == "" {
			c, err = waitForDaemon(dial, 30*time.Second)
		}
		if err != nil {
			fmt.Fprintf(stderr, "Unable to connect to remote asterisk (does %s exist?)\n", path)
			return 1
		}
	}
	defer c.Close()
	if f.exec != "" {
		if _, err := c.Run(f.exec, stdout); err != nil {
			fmt.Fprintf(stderr, "gostrisk: %v\n", err)
			return 1
		}
		return 0
	}
	info := c.Info()
	fmt.Fprintf(stdout, "Connected to Asterisk %s currently running on %s (pid = %d)\n", info.Version, info.Hostname, info.PID)
	home, _ := os.UserHomeDir()
	opts := cli.ConsoleOptions{
		Prompt:      cli.DefaultPrompt(info.Hostname),
		HistoryFile: filepath.Join(home, ".asterisk_history"),
		Stdout:      stdout, Stderr: stderr,
	}
	if f.reconnect {
		opts.Redial = func(ctx context.Context) (cli.Backend, error) { return dial() }
	}
	if err := cli.RunConsole(context.Background(), c, opts); err != nil && !errors.Is(err, cli.ErrDisconnected) {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 1
	}
	return 0
}

func waitForDaemon(dial func() (*cli.Client, error), d time.Duration) (*cli.Client, error) {
	deadline := time.Now().Add(d)
	for {
		c, err := dial()
		if err == nil || time.Now().After(deadline) {
			return c, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// daemonize starts the daemon as a detached child (Go cannot fork) and
// returns once it answers on the control socket, or reports why it failed.
func daemonize(f *flags, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 1
	}
	args := []string{"--daemonized", "-C", f.config}
	for i := 0; i < f.verbose; i++ {
		args = append(args, "-v")
	}
	for i := 0; i < f.debug; i++ {
		args = append(args, "-d")
	}
	if f.user != "" {
		args = append(args, "-U", f.user)
	}
	if f.group != "" {
		args = append(args, "-G", f.group)
	}
	if f.timestamps {
		args = append(args, "-T")
	}
	if f.highPrio {
		args = append(args, "-p")
	}
	if f.pprof != "" {
		args = append(args, "--pprof", f.pprof)
	}
	errFile, err := os.CreateTemp("", "gostrisk-start-*.log")
	if err != nil {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 1
	}
	defer os.Remove(errFile.Name())
	defer errFile.Close()
	cmd := exec.Command(exe, args...)
	cmd.Stdout = nil
	cmd.Stderr = errFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 1
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	path := ctlPath(f.config)
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-exited:
			b, _ := os.ReadFile(errFile.Name())
			stderr.Write(b)
			return 1
		case <-deadline:
			fmt.Fprintf(stderr, "gostrisk: the daemon did not answer on %s within 30 s\n", path)
			return 1
		case <-time.After(50 * time.Millisecond):
			if c, err := cli.Dial(path); err == nil {
				c.Close()
				cmd.Process.Release()
				return 0
			}
		}
	}
}

// runCheck loads everything the daemon would load and reports every
// diagnostic with file:line, then a one-line summary.
func runCheck(config string, stdout, stderr io.Writer) int {
	ac, diags := core.LoadAsteriskConf(config)
	var snap *core.Snapshot
	if !diags.HasErrors() {
		var d confparse.Diagnostics
		snap, d = core.LoadSnapshot(ac)
		diags = append(diags, d...)
	}
	diags = append(diags, core.CheckFiles(ac, snap)...)
	report, err := core.CheckConfig(ac, snap)
	if err != nil {
		fmt.Fprintf(stderr, "gostrisk check: %v\n", err)
		return 1
	}
	diags = append(diags, report.Diags...)
	for _, d := range diags {
		fmt.Fprintln(stdout, d.String())
	}
	errs, warns := 0, 0
	for _, d := range diags {
		if d.Severity == confparse.Error {
			errs++
		} else {
			warns++
		}
	}
	summary := ""
	if snap != nil {
		summary = snap.Summary() + "; "
	}
	extra := ""
	if snap != nil {
		extra = "; " + report.Summary()
	}
	fmt.Fprintf(stdout, "%s: %s%s, %s%s\n", config, summary, count(errs, "error"), count(warns, "warning"), extra)
	if errs > 0 {
		fmt.Fprintf(stderr, "gostrisk check: the configuration has errors; the daemon would not start\n")
		return 1
	}
	return 0
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, strings.TrimSuffix(word, "s"))
}
