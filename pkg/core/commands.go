package core

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/indications"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func (d *Daemon) registerCoreCLI() {
	exact := func(n int, fn func(a *cli.Args) error) func(a *cli.Args) error {
		return func(a *cli.Args) error {
			if len(a.Argv) != n {
				return cli.ErrShowUsage
			}
			return fn(a)
		}
	}
	d.reg.MustRegister(
		&cli.Command{Words: []string{"core", "show", "version"}, Summary: "Display version info",
			Usage: "Usage: core show version\n       Shows Asterisk version information.\n",
			Handler: exact(3, func(a *cli.Args) error {
				a.Printf("%s\n", versionLine())
				return nil
			})},
		&cli.Command{Words: []string{"core", "show", "uptime", "[seconds]"}, Summary: "Show uptime information",
			Usage:   "Usage: core show uptime [seconds]\n       Shows Asterisk uptime information.\n       The seconds word returns the uptime in seconds only.\n",
			Handler: d.cliUptime},
		&cli.Command{Words: []string{"core", "show", "settings"}, Summary: "Show some core settings",
			Usage: "Usage: core show settings\n       Show core system settings.\n", Handler: exact(3, d.cliSettings)},
		&cli.Command{Words: []string{"core", "show", "sysinfo"}, Summary: "Show System Information",
			Usage: "Usage: core show sysinfo\n       List current system information.\n", Handler: exact(3, cliSysinfo)},
		&cli.Command{Words: []string{"core", "show", "file", "formats"}, Summary: "Displays file formats",
			Usage: "Usage: core show file formats\n       Displays currently registered file formats (if any).\n",
			Handler: exact(4, func(a *cli.Args) error {
				a.Printf("%s", sound.ShowFileFormats())
				return nil
			})},
		&cli.Command{Words: []string{"core", "stop", "now"}, Summary: "Shut down Asterisk immediately",
			Usage:   "Usage: core stop now\n       Shuts down a running Asterisk immediately, hanging up all active calls .\n",
			Handler: exact(3, d.stopper(stopNow))},
		&cli.Command{Words: []string{"core", "stop", "gracefully"}, Summary: "Gracefully shut down Asterisk",
			Usage:   "Usage: core stop gracefully\n       Causes Asterisk to not accept new calls, and exit when all\n       active calls have terminated normally.\n",
			Handler: exact(3, d.stopper(stopGracefully))},
		&cli.Command{Words: []string{"core", "stop", "when", "convenient"}, Summary: "Shut down Asterisk at empty call volume",
			Usage:   "Usage: core stop when convenient\n       Causes Asterisk to perform a shutdown when all active calls have ended.\n",
			Handler: exact(4, d.stopper(stopWhenConvenient))},
		&cli.Command{Words: []string{"core", "restart", "now"}, Summary: "Restart Asterisk immediately",
			Usage:   "Usage: core restart now\n       Causes Asterisk to hangup all calls and exec() itself performing a cold\n       restart.\n",
			Handler: exact(3, d.stopper(restartNow))},
		&cli.Command{Words: []string{"core", "restart", "gracefully"}, Summary: "Restart Asterisk gracefully",
			Usage:   "Usage: core restart gracefully\n       Causes Asterisk to stop accepting new calls and exec() itself performing a cold\n       restart when all active calls have ended.\n",
			Handler: exact(3, d.stopper(restartGracefully))},
		&cli.Command{Words: []string{"core", "reload"}, Summary: "Global reload",
			Usage: "Usage: core reload\n       Execute a global reload.\n",
			Handler: exact(2, func(a *cli.Args) error {
				if err := d.Reload(""); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			})},
		&cli.Command{Words: []string{"reload"}, Summary: "Reload configuration for a module",
			Usage:   "Usage: reload [module ...]\n       Reloads configuration files for all listed modules which support\n       reloading, or for all supported modules if none are listed.\n",
			Handler: d.cliModuleReload(1), Complete: completeModules},
		&cli.Command{Words: []string{"module", "reload"}, Summary: "Reload configuration for a module",
			Usage:   "Usage: module reload [module ...]\n       Reloads configuration files for all listed modules which support\n       reloading, or for all supported modules if none are listed.\n",
			Handler: d.cliModuleReload(2), Complete: completeModules},
		&cli.Command{Words: []string{"module", "show", "[like]"}, Summary: "List modules and info",
			Usage:   "Usage: module show [like keyword]\n       Shows Asterisk modules currently in use, and usage statistics.\n",
			Handler: d.cliModuleShow},
		&cli.Command{Words: []string{"core", "waitfullybooted"}, Summary: "Wait for Asterisk to be fully booted",
			Usage: "Usage: core waitfullybooted\n\tWait until Asterisk has fully booted.\n",
			Handler: exact(2, func(a *cli.Args) error {
				for !d.booted.Load() {
					time.Sleep(10 * time.Millisecond)
				}
				a.Printf("Asterisk has fully booted.\n")
				return nil
			})},
		indications.Command(func() *indications.Zones { return d.Snapshot().Indications }),
	)
	registerMediaCLI(d.reg, pbx.Translator())
}

func versionLine() string {
	host, _ := os.Hostname()
	bt := buildTime().UTC().Format("2006-01-02 15:04:05")
	return fmt.Sprintf("Asterisk %s built by gostrisk @ %s on a %s running %s on %s UTC", Version, host, archName(), osName(), bt)
}

func (d *Daemon) stopper(m stopMode) func(a *cli.Args) error {
	return func(a *cli.Args) error {
		d.requestStop(m)
		return nil
	}
}

// formatDuration renders Asterisk's "1 hour, 2 minutes, 3 seconds".
func formatDuration(sec int64) string {
	units := []struct {
		n    int64
		name string
	}{{365 * 86400, "year"}, {7 * 86400, "week"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}, {1, "second"}}
	var parts []string
	for _, u := range units {
		if sec >= u.n {
			v := sec / u.n
			sec %= u.n
			name := u.name
			if v != 1 {
				name += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", v, name))
		}
	}
	if len(parts) == 0 {
		return "<1 second"
	}
	return strings.Join(parts, ", ")
}

func (d *Daemon) cliUptime(a *cli.Args) error {
	seconds := false
	switch len(a.Argv) {
	case 3:
	case 4:
		if !strings.EqualFold(a.Argv[3], "seconds") {
			return cli.ErrShowUsage
		}
		seconds = true
	default:
		return cli.ErrShowUsage
	}
	now := time.Now()
	up := int64(now.Sub(d.started) / time.Second)
	rl := int64(now.Sub(time.Unix(0, d.reloaded.Load())) / time.Second)
	if seconds {
		a.Printf("System uptime: %d\nLast reload: %d\n", up, rl)
		return nil
	}
	a.Printf("System uptime: %s\nLast reload: %s\n", formatDuration(up), formatDuration(rl))
	return nil
}

func onOff(b bool, on, off string) string {
	if b {
		return on
	}
	return off
}

func (d *Daemon) cliSettings(a *cli.Args) error {
	ac := d.conf
	maxCalls := "Not set"
	if ac.Options.MaxCalls > 0 {
		maxCalls = strconv.Itoa(ac.Options.MaxCalls)
	}
	host, _ := os.Hostname()
	cwd, _ := os.Getwd()
	sess := a.Session
	current := 0
	if sess != nil {
		current = sess.Verbose()
	}
	userGroup := ac.Options.RunUser + "/" + ac.Options.RunGroup
	cdrEnabled := d.snap.Load().CDR.Enable
	lines := []string{
		"",
		"PBX Core settings",
		"-----------------",
		"  Version:                     " + Version,
		"  ABI related Build Options:   (none)",
		"  All Build Options:           (none)",
		"  Maximum calls:               " + maxCalls,
		"  Maximum open file handles:   " + strconv.FormatUint(maxFiles(), 10),
		"  Root console verbosity:      " + strconv.Itoa(d.log.VerboseLevel()),
		"  Current console verbosity:   " + strconv.Itoa(current),
		"  Debug level:                 " + strconv.Itoa(d.log.DebugLevel()),
		"  Trace level:                 0",
		"  Dump core on crash:          No",
		"  Core dump file:              core",
		"  Maximum load average:        0.000000",
		"  Minimum free memory:         0 MB",
		"  Startup time:                " + d.started.Format("15:04:05"),
		"  Last reload time:            " + time.Unix(0, d.reloaded.Load()).Format("15:04:05"),
		"  System:                      " + osName() + " built by gostrisk on " + archName() + " " + buildTime().UTC().Format("2006-01-02 15:04:05") + " UTC",
		"  System name:                 " + ac.Options.SystemName,
		"  Entity ID:                   00:00:00:00:00:00",
		"  PBX UUID:                    " + host,
		"  Default language:            en",
		"  Language prefix:             Enabled",
		"  User name and group:         " + userGroup,
		"  Running directory:           " + cwd,
		"  Executable includes:         " + onOff(ac.Options.ExecIncludes, "Enabled", "Disabled"),
		"  Transcode via SLIN:          Enabled",
		"  Transmit silence during rec: Disabled",
		"  Generic PLC:                 Disabled",
		"  Generic PLC on equal codecs: Disabled",
		"  Hide Msg Chan AMI events:    Disabled",
		"  Sounds search custom dir:    Disabled",
		"  Min DTMF duration::          80",
		"  Cache media frames:          Enabled",
		"  RTP use dynamic payloads:    1",
		"  RTP dynamic payload types:   35-63,96-127",
		"  Shell on remote consoles:    Enabled",
		"",
		"* Subsystems",
		"  -------------",
		"  Manager (AMI):               Disabled",
		"  Web Manager (AMI/HTTP):      Disabled",
		"  Call data records:           " + onOff(cdrEnabled, "Enabled", "Disabled"),
		"  Realtime Architecture (ARA): Disabled",
		"",
		"* Directories",
		"  -------------",
		"  Configuration file:          " + ac.Path,
		"  Configuration directory:     " + ac.Directories.EtcDir,
		"  Module directory:            " + ac.Directories.ModDir,
		"  Spool directory:             " + ac.Directories.SpoolDir,
		"  Log directory:               " + ac.Directories.LogDir,
		"  Run/Sockets directory:       " + ac.Directories.RunDir,
		"  PID file:                    " + ac.PidPath(),
		"  VarLib directory:            " + ac.Directories.VarLibDir,
		"  Data directory:              " + ac.Directories.DataDir,
		"  ASTDB:                       " + ac.Directories.DBDir + "/astdb",
		"  IAX2 Keys directory:         " + ac.Directories.KeyDir + "/keys",
		"  AGI Scripts directory:       " + ac.Directories.AGIDir,
		"",
		"",
	}
	a.Printf("%s", strings.Join(lines, "\n"))
	return nil
}

func maxFiles() uint64 {
	var rl syscallRlimit
	if getRlimitNoFile(&rl) == nil {
		return rl.Cur
	}
	return 0
}

func cliSysinfo(a *cli.Args) error {
	mem := readMeminfo()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	a.Printf("\nSystem Statistics\n-----------------\n")
	a.Printf("  System Uptime:             %d hours\n", uptimeHours())
	a.Printf("  Total RAM:                 %d KiB\n", mem["MemTotal"])
	a.Printf("  Free RAM:                  %d KiB\n", mem["MemFree"])
	a.Printf("  Buffer RAM:                %d KiB\n", mem["Buffers"])
	a.Printf("  Total Swap Space:          %d KiB\n", mem["SwapTotal"])
	a.Printf("  Free Swap Space:           %d KiB\n\n", mem["SwapFree"])
	a.Printf("  Number of Processes:       %d \n\n", countProcesses())
	a.Printf("  gostrisk heap in use:      %d KiB\n  goroutines:                %d\n", ms.HeapInuse/1024, runtime.NumGoroutine())
	return nil
}

func readMeminfo() map[string]uint64 {
	out := map[string]uint64{}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) > 0 {
			n, _ := strconv.ParseUint(fields[0], 10, 64)
			out[name] = n
		}
	}
	return out
}

func uptimeHours() int {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0
	}
	f, _ := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	return int(f / 3600)
}

func countProcesses() int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err == nil {
			n++
		}
	}
	return n
}

func completeModules(a *cli.Args, pos int, word string) []string {
	var out []string
	for _, m := range KnownModules {
		if m.Reloadable && strings.HasPrefix(m.Name, word) {
			out = append(out, m.Name)
		}
	}
	return out
}

// normalizeModule maps "chan_sip", "chan_sip.so" to the module name.
func normalizeModule(name string) (ModuleInfo, bool) {
	n := lowerTrim(name)
	if !strings.HasSuffix(n, ".so") {
		n += ".so"
	}
	for _, m := range KnownModules {
		if m.Name == n {
			return m, true
		}
	}
	return ModuleInfo{}, false
}

func (d *Daemon) cliModuleReload(words int) func(a *cli.Args) error {
	return func(a *cli.Args) error {
		names := a.Argv[words:]
		if len(names) == 0 {
			if err := d.Reload(""); err != nil {
				a.Printf("%v\n", err)
			}
			return nil
		}
		for _, n := range names {
			if lowerTrim(n) == "logger" {
				if err := d.reloadLogger(); err != nil {
					a.Printf("%v\n", err)
				} else {
					a.Printf("Module 'logger' reloaded successfully.\n")
				}
				continue
			}
			if part := lowerTrim(n); part == "indications" || part == "manager" { // core parts of Asterisk, not .so files
				if err := d.Reload(part); err != nil {
					a.Printf("%v\n", err)
				} else {
					a.Printf("Module '%s' reloaded successfully.\n", part)
				}
				continue
			}
			m, ok := normalizeModule(n)
			if !ok {
				a.Printf("The module '%s' was not properly initialized.  Before reloading the module, you must run \"module load %s\" and fix whatever is preventing the module from being initialized.\n", n, n)
				continue
			}
			if !m.Reloadable {
				a.Printf("The module '%s' does not support reloading.\n", m.Name)
				continue
			}
			if err := d.Reload(m.Name); err != nil {
				a.Printf("%v\n", err)
				continue
			}
			if words == 2 {
				a.Printf("Module '%s' reloaded successfully.\n", m.Name)
			}
		}
		return nil
	}
}

func (d *Daemon) cliModuleShow(a *cli.Args) error {
	like := ""
	switch {
	case len(a.Argv) == 2:
	case len(a.Argv) == 4 && strings.EqualFold(a.Argv[2], "like"):
		like = a.Argv[3]
	default:
		return cli.ErrShowUsage
	}
	snap := d.snap.Load()
	mods := append([]ModuleInfo(nil), KnownModules...)
	sort.Slice(mods, func(i, j int) bool { return mods[i].Name < mods[j].Name })
	a.Printf("%-30s %-40.40s %-10s %-11s %13s\n", "Module", "Description", "Use Count", "Status", "Support Level")
	n := 0
	for _, m := range mods {
		if like != "" && !strings.Contains(m.Name, like) {
			continue
		}
		if !snap.Modules.Enabled(m.Name) {
			continue
		}
		use := 0
		if m.Name == "chan_sip.so" && d.engine != nil {
			use = len(d.engine.Channels())
		}
		a.Printf("%-30s %-40.40s %-10d %-11s %13s\n", m.Name, m.Description, use, "Running", m.Support)
		n++
	}
	a.Printf("%d modules loaded\n", n)
	return nil
}
