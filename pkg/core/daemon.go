package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gostrisk/gostrisk/pkg/agentpool"
	"github.com/gostrisk/gostrisk/pkg/agi"
	"github.com/gostrisk/gostrisk/pkg/amd"
	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/devstate"
	"github.com/gostrisk/gostrisk/pkg/features"
	"github.com/gostrisk/gostrisk/pkg/followme"
	"github.com/gostrisk/gostrisk/pkg/logger"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/meetme"
	"github.com/gostrisk/gostrisk/pkg/mixmonitor"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/parking"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pickup"
	"github.com/gostrisk/gostrisk/pkg/queue"
	"github.com/gostrisk/gostrisk/pkg/realtime"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

// RunOptions are the command-line settings of a daemon run.
type RunOptions struct {
	ConfigPath string
	Verbose    int  // -v count, added to asterisk.conf's verbose
	Debug      int  // -d count
	Quiet      bool // -q
	Timestamps bool // -T
	Console    bool // -c: a console on this terminal
	// HighPriority is -p: the process's threads under SCHED_RR, as
	// asterisk.conf's highpriority.
	HighPriority bool
	User         string
	Group        string
	Pprof        string // address for net/http/pprof, empty: off
	Stdin        io.ReadCloser
	Stdout       io.Writer
	Stderr       io.Writer
	// Ready, when set, is closed once the control socket answers.
	Ready chan struct{}
}

// stopMode says how the daemon was asked to stop.
type stopMode int

const (
	stopNow stopMode = iota + 1
	stopGracefully
	stopWhenConvenient
	restartNow
	restartGracefully
)

// Daemon is one running gostrisk.
type Daemon struct {
	opts   RunOptions
	conf   *AsteriskConf
	snap   atomic.Pointer[Snapshot]
	log    *logger.Logger
	reg    *cli.Registry
	server *cli.Server
	db     *astdb.DB
	cdr    *cdr.Writer
	engine *pbx.Engine
	moh    *moh.Module       // nil when res_musiconhold.so is not loaded
	vm     *voicemail.Module // nil when app_voicemail.so is not loaded
	ami    *manager.Module
	secTee *securityTee
	agi    *agi.Module // nil when res_agi.so is not loaded
	sip    *chansip.Driver
	// devstate is the hint table and device state module (devstatewiring.go).
	devstate *devstate.Service
	// confbridge and mixmon are app_confbridge and app_mixmonitor (nil
	// when modules.conf does not load them); see conferences.go.
	confbridge *confbridge.Module
	mixmon     *mixmonitor.Module
	meetme     *meetme.Module
	queue      *queue.Module // nil when app_queue.so is not loaded
	// queueLog is astlogdir/queue_log, open while app_queue runs.
	queueLog *queue.Log
	// parking is res_parking (nil when not loaded; parking.go).
	parking *parking.Module
	// followme is app_followme (nil when not loaded; followme.go).
	followme *followme.Module
	// agentpool is app_agent_pool (nil when not loaded; agentpool.go).
	agentpool *agentpool.Module
	// amd is app_amd (nil when not loaded; amd.go).
	amd *amd.Module
	// pickup is call pickup (features.go).
	pickup *pickup.Module
	// features runs the bridges' DTMF features (features.go).
	features *features.Module
	// catalogue is the running engine's applications and functions, for
	// the dialplan warnings logged at start and on a dialplan reload.
	catalogue *Catalogue
	started   time.Time
	reloaded  atomic.Int64 // unix nanos of the last reload
	booted    atomic.Bool

	reloadMu sync.Mutex // one reload at a time
	stopCh   chan stopMode
	modules  []module
}

// module is one subsystem with a lifecycle bound to the snapshot.
type module struct {
	info   ModuleInfo
	reload func(s *Snapshot) error
	stop   func()
}

// Run starts the daemon and blocks until it stops. It returns an error when
// start-up fails (bad config, port in use, unreadable files), so the
// process exits non-zero with a clear message.
func Run(ctx context.Context, opts RunOptions) (err error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	ac, diags := LoadAsteriskConf(opts.ConfigPath)
	if diags.HasErrors() {
		return fmt.Errorf("%s: configuration errors:\n%s", opts.ConfigPath, FormatDiagnostics(diags))
	}
	d := &Daemon{opts: opts, conf: ac, started: time.Now(), stopCh: make(chan stopMode, 1)}
	d.reloaded.Store(d.started.UnixNano())
	for _, dir := range []string{ac.Directories.RunDir, ac.Directories.LogDir, ac.Directories.DBDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("cannot create %s: %w", dir, err)
		}
	}
	tuneMemory(os.Getenv)
	snap, sdiags := LoadSnapshot(ac)
	diags = append(diags, sdiags...)
	if sdiags.HasErrors() {
		return fmt.Errorf("configuration errors, not starting:\n%s", FormatDiagnostics(diags))
	}
	d.snap.Store(snap)

	verbose := ac.Options.Verbose + opts.Verbose
	if opts.Quiet {
		verbose = 0
	}
	d.log, err = logger.New(logger.Options{
		LogDir: ac.Directories.LogDir, Config: snap.Logger, Verbose: verbose,
		Debug: ac.Options.Debug + opts.Debug, Timestamps: opts.Timestamps || ac.Options.Timestamp,
		Version: "gostrisk " + Version,
	})
	if err != nil {
		return fmt.Errorf("logger: %w", err)
	}
	defer d.log.Close()
	for _, dg := range diags {
		if dg.Severity == confparse.Warning {
			d.log.Warning("%s", logText(dg))
		}
	}
	if n := ac.Options.MaxFiles; n > 0 {
		if err := setMaxFiles(n); err != nil {
			d.log.Warning("%v", err)
		} else {
			d.log.Notice("Setting max files open to %d", n)
		}
	}

	d.db, err = astdb.Open(filepath.Join(ac.Directories.DBDir, "astdb.sqlite3"))
	if err != nil {
		return fmt.Errorf("astdb: %w", err)
	}
	d.db.SetLogger(slog.New(d.log.Handler()))
	d.logParsed(snap)
	defer d.db.Close()

	d.cdr, err = cdr.NewWriter(ac.Directories.LogDir, snap.CDR)
	if err != nil {
		return err
	}

	d.reg = cli.NewRegistry()
	cli.RegisterBuiltins(d.reg)
	d.registerCoreCLI()
	if err := astdb.RegisterCLI(d.reg, d.db); err != nil {
		return err
	}
	if err := logger.RegisterCLI(d.reg, d.log, d.reloadLogger); err != nil {
		return err
	}
	// A foreground daemon without a console shows the log from here on,
	// so what modules say while they start (and the dialplan check) is seen.
	if !opts.Console && !opts.Quiet {
		cancelStdout := d.log.Subscribe(d.log.VerboseLevel, func(ev logger.Event) {
			io.WriteString(opts.Stdout, ev.Text)
		})
		defer cancelStdout()
	}
	if opts.HighPriority || ac.Options.HighPriority {
		if err := realtime.Enable(); err != nil {
			d.log.Warning("%v", err)
		} else {
			d.log.Verbose(1, "Set to realtime thread")
		}
	}
	if err := d.startModules(ctx, snap); err != nil {
		d.stopModules()
		return err
	}
	defer d.stopModules()
	d.logDialplanCheck(snap.Dialplan)
	for _, dg := range UnreadFiles(ac, snap) {
		d.log.Warning("%s", logText(dg))
	}

	// The pid file exists before the control socket answers, so whoever
	// waits for the socket (a background start, an init script) finds it.
	if err := os.WriteFile(ac.PidPath(), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return fmt.Errorf("pid file: %w", err)
	}
	defer os.Remove(ac.PidPath())

	d.server = cli.NewServer(d.reg, cli.ServerOptions{
		Path: ac.CtlPath(), Mode: ac.Files.CtlPermissions,
		Owner: ac.Files.CtlOwner, Group: ac.Files.CtlGroup, Version: Version,
	})
	if err := d.server.Listen(); err != nil {
		return fmt.Errorf("control socket %s: %w", ac.CtlPath(), err)
	}
	serveCtx, cancelServe := context.WithCancel(context.Background())
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		d.server.Serve(serveCtx)
	}()
	defer func() {
		cancelServe()
		d.server.Close()
		<-serveDone
		os.Remove(ac.CtlPath())
	}()
	cancelLogFeed := d.log.Subscribe(func() int { return 1 << 30 }, func(ev logger.Event) {
		d.server.Publish(cli.Event{Verbose: ev.Verbose, Text: ev.Text})
	})
	defer cancelLogFeed()

	if err := d.dropPrivileges(); err != nil {
		return err
	}

	if opts.Pprof != "" {
		stopPprof, err := startPprof(opts.Pprof)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	var consoleDone chan struct{}
	if opts.Console {
		consoleDone = make(chan struct{})
		go func() {
			defer close(consoleDone)
			d.runLocalConsole(verbose)
		}()
	}

	releaseMemory()
	defer startMemoryReturner()()
	d.booted.Store(true)
	if d.ami != nil {
		d.ami.Booted()
	}
	d.log.Verbose(1, "Asterisk Ready.")
	if opts.Ready != nil {
		close(opts.Ready)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	mode := stopNow
wait:
	for {
		select {
		case <-ctx.Done():
			break wait
		case s := <-sigs:
			if s == syscall.SIGHUP {
				d.log.Notice("Hangup detected: reloading configuration")
				d.Reload("")
				continue
			}
			mode = stopGracefully
			break wait
		case m := <-d.stopCh:
			mode = m
			break wait
		case <-consoleDone:
			// Leaving the daemon's own console (-c) stops it, as Asterisk does.
			break wait
		}
	}
	d.shutdown(mode)
	if mode == restartNow || mode == restartGracefully {
		return ErrRestart
	}
	return nil
}

// ErrRestart asks the caller to re-execute the binary (core restart).
var ErrRestart = errors.New("restart requested")

func (d *Daemon) shutdown(mode stopMode) {
	switch mode {
	case stopGracefully, stopWhenConvenient, restartGracefully:
		d.log.Verbose(1, "Beginning asterisk shutdown....")
		d.waitForCalls()
	}
	d.log.Verbose(0, "Executing last minute cleanups")
}

func (d *Daemon) requestStop(m stopMode) {
	select {
	case d.stopCh <- m:
	default:
	}
}

// Snapshot returns the running configuration.
func (d *Daemon) Snapshot() *Snapshot { return d.snap.Load() }

func (d *Daemon) reloadLogger() error {
	cfg, diags := loadFile(d.conf, "logger.conf", false)
	if diags.HasErrors() {
		return fmt.Errorf("logger.conf not reloaded:\n%s", FormatDiagnostics(diags))
	}
	return d.log.Reload(cfg)
}

// Reload re-reads the configuration and applies it to one module (by its
// Asterisk name) or all (""). A configuration with errors is refused as a
// whole: the running one stays, and the errors are logged with file:line.
func (d *Daemon) Reload(moduleName string) error {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	snap, diags := LoadSnapshot(d.conf)
	d.logParsed(snap)
	for _, dg := range diags {
		if dg.Severity == confparse.Error {
			d.log.Error("%s", logText(dg))
		} else {
			d.log.Warning("%s", logText(dg))
		}
	}
	if diags.HasErrors() {
		return fmt.Errorf("configuration has errors; keeping the running configuration:\n%s", FormatDiagnostics(onlyErrors(diags)))
	}
	old := d.snap.Load()
	merged := *old
	apply := func(name string) bool { return moduleName == "" || moduleName == name }
	if apply("pbx_config.so") {
		merged.Dialplan = snap.Dialplan
	}
	if apply("chan_sip.so") {
		merged.SIP = snap.SIP
	}
	if apply("res_rtp_asterisk.so") {
		merged.RTP = snap.RTP
	}
	if apply("cdr_csv.so") {
		merged.CDR = snap.CDR
	}
	if apply("cdr_manager.so") {
		merged.CDRManager = snap.CDRManager
	}
	if apply("res_musiconhold.so") {
		merged.MOH = snap.MOH
	}
	if moduleName == "" || moduleName == "features" {
		merged.Features = snap.Features
	}
	if apply("res_parking.so") {
		// The lots' extensions are part of the dialplan.
		merged.Parking, merged.Dialplan = snap.Parking, snap.Dialplan
	}
	if apply("app_voicemail.so") {
		merged.VM = snap.VM
	}
	if apply("app_followme.so") {
		merged.FollowMe = snap.FollowMe
	}
	if apply("app_agent_pool.so") {
		merged.Agents = snap.Agents
	}
	if apply("app_amd.so") {
		merged.AMD = snap.AMD
	}
	if moduleName == "" || moduleName == "manager" {
		merged.Manager = snap.Manager
	}
	if apply("app_queue.so") {
		merged.Queues = snap.Queues
	}
	if moduleName == "" || moduleName == "indications" {
		merged.Indications = snap.Indications
	}
	if moduleName == "" || moduleName == "logger" {
		merged.Logger = snap.Logger
		if err := d.log.Reload(snap.Logger); err != nil {
			d.log.Error("logger.conf: %v", err)
		}
	}
	merged.Modules = snap.Modules
	d.snap.Store(&merged)
	d.cdr.SetConfig(merged.CDR)
	var errs []error
	for _, m := range d.modules {
		if m.reload != nil && apply(m.info.Name) {
			if err := m.reload(&merged); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", m.info.Name, err))
			}
		}
	}
	if apply("pbx_config.so") {
		d.logDialplanCheck(merged.Dialplan)
	}
	d.reloaded.Store(time.Now().UnixNano())
	releaseMemory()
	return errors.Join(errs...)
}

// logDialplanCheck logs what "gostrisk check" says of the dialplan: the
// applications and functions it uses that the running engine lacks, and
// While loops without their end, so the log says what will not run
// before a call finds out.
func (d *Daemon) logDialplanCheck(dp *dialplan.Dialplan) {
	for _, dg := range CheckDialplan(dp, d.catalogue).Diags {
		d.log.Warning("%s", logText(dg))
	}
}

func (d *Daemon) logParsed(s *Snapshot) {
	for _, f := range s.Files {
		d.log.Verbose(2, "Parsing '%s': Found", f)
	}
}

func onlyErrors(ds confparse.Diagnostics) confparse.Diagnostics {
	var out confparse.Diagnostics
	for _, d := range ds {
		if d.Severity == confparse.Error {
			out = append(out, d)
		}
	}
	return out
}

func (d *Daemon) stopModules() {
	for i := len(d.modules) - 1; i >= 0; i-- {
		if d.modules[i].stop != nil {
			d.modules[i].stop()
		}
	}
	d.modules = nil
}

func (d *Daemon) runLocalConsole(verbose int) {
	sess := cli.NewSession(verbose)
	be := cli.NewLocalBackend(d.reg, sess)
	cancel := d.log.Subscribe(sess.Verbose, func(ev logger.Event) {
		be.Publish(cli.Event{Verbose: ev.Verbose, Text: ev.Text})
	})
	defer cancel()
	defer be.Close()
	home, _ := os.UserHomeDir()
	cli.RunConsole(context.Background(), be, cli.ConsoleOptions{
		HistoryFile: filepath.Join(home, ".asterisk_history"),
		Stdin:       d.opts.Stdin, Stdout: d.opts.Stdout, Stderr: d.opts.Stderr,
	})
}

// dropPrivileges switches to runuser/rungroup (or -U/-G) once every socket
// is bound, as Asterisk does.
func (d *Daemon) dropPrivileges() error {
	userName, groupName := d.opts.User, d.opts.Group
	if userName == "" {
		userName = d.conf.Options.RunUser
	}
	if groupName == "" {
		groupName = d.conf.Options.RunGroup
	}
	if userName == "" && groupName == "" {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("cannot switch to user %q / group %q: not running as root", userName, groupName)
	}
	gid, uid := -1, -1
	if groupName != "" {
		g, err := user.LookupGroup(groupName)
		if err != nil {
			return fmt.Errorf("rungroup %q: %w", groupName, err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if userName != "" {
		u, err := user.Lookup(userName)
		if err != nil {
			return fmt.Errorf("runuser %q: %w", userName, err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		if gid < 0 {
			gid, _ = strconv.Atoi(u.Gid)
		}
	}
	// Files created so far (pid file, logs, astdb) must stay writable.
	for _, dir := range []string{d.conf.Directories.RunDir, d.conf.Directories.LogDir, d.conf.Directories.DBDir} {
		filepath.Walk(dir, func(path string, _ os.FileInfo, err error) error {
			if err == nil {
				os.Lchown(path, uid, gid)
			}
			return nil
		})
	}
	if gid >= 0 {
		if err := syscall.Setgroups([]int{gid}); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := syscall.Setgid(gid); err != nil {
			return fmt.Errorf("setgid %d: %w", gid, err)
		}
	}
	if uid >= 0 {
		if err := syscall.Setuid(uid); err != nil {
			return fmt.Errorf("setuid %d: %w", uid, err)
		}
	}
	d.log.Verbose(1, "Running as user '%s', group '%s'", userName, groupName)
	return nil
}

func startPprof(addr string) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := netListen(addr)
	if err != nil {
		return nil, fmt.Errorf("pprof listener: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	return func() {
		srv.Close()
		<-done
	}, nil
}
