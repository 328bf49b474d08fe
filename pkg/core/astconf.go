package core

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Directories are asterisk.conf's [directories], absolute after loading.
type Directories struct {
	EtcDir    string // astetcdir: where every other config file lives
	ModDir    string
	VarLibDir string
	DBDir     string // astdb.sqlite3 lives here
	KeyDir    string
	DataDir   string // sounds, moh
	AGIDir    string
	SpoolDir  string
	RunDir    string // asterisk.pid and asterisk.ctl
	LogDir    string
	SbinDir   string
	CacheDir  string
}

// Options are asterisk.conf's [options] that gostrisk honours.
type Options struct {
	Verbose      int
	Debug        int
	NoColor      bool
	Timestamp    bool
	MaxCalls     int
	MaxFiles     int // open-file limit to set at start-up; 0: leave the process's
	RunUser      string
	RunGroup     string
	ExecIncludes bool
	SystemName   string
	HighPriority bool // run the process's threads under SCHED_RR (as -p)
}

// Files are asterisk.conf's [files]: the control socket.
type Files struct {
	Ctl            string      // socket file name in RunDir (astctl)
	CtlPermissions os.FileMode // astctlpermissions, default 0660
	CtlOwner       string
	CtlGroup       string
}

// AsteriskConf is the typed asterisk.conf.
type AsteriskConf struct {
	Path        string // the asterisk.conf that was read
	Directories Directories
	Options     Options
	Files       Files
}

// CtlPath is the control socket's path.
func (a *AsteriskConf) CtlPath() string { return filepath.Join(a.Directories.RunDir, a.Files.Ctl) }

// PidPath is the pid file's path.
func (a *AsteriskConf) PidPath() string { return filepath.Join(a.Directories.RunDir, "asterisk.pid") }

// DefaultAsteriskConf is what Asterisk uses when asterisk.conf says nothing.
func DefaultAsteriskConf() *AsteriskConf {
	return &AsteriskConf{
		Directories: Directories{
			EtcDir:    "/etc/asterisk",
			ModDir:    "/usr/lib/asterisk/modules",
			VarLibDir: "/var/lib/asterisk",
			DBDir:     "/var/lib/asterisk",
			KeyDir:    "/var/lib/asterisk",
			DataDir:   "/var/lib/asterisk",
			AGIDir:    "/var/lib/asterisk/agi-bin",
			SpoolDir:  "/var/spool/asterisk",
			RunDir:    "/var/run/asterisk",
			LogDir:    "/var/log/asterisk",
			SbinDir:   "/usr/sbin",
			CacheDir:  "/var/cache/asterisk",
		},
		Options: Options{MaxCalls: 0},
		Files:   Files{Ctl: "asterisk.ctl", CtlPermissions: 0o660},
	}
}

// LoadAsteriskConf reads asterisk.conf. A missing file is not an error for
// Asterisk (it runs on defaults); it is reported as a warning. Relative
// directories are taken relative to the directory holding asterisk.conf, so
// a config set runs from a checkout.
func LoadAsteriskConf(path string) (*AsteriskConf, confparse.Diagnostics) {
	ac := DefaultAsteriskConf()
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	ac.Path = abs
	base := filepath.Dir(abs)
	var diags confparse.Diagnostics
	if _, err := os.Stat(abs); err != nil {
		diags = append(diags, confparse.Diagnostic{File: path, Severity: confparse.Warning,
			Message: fmt.Sprintf("Unable to open specified master config file '%s', using built-in defaults", path)})
		return ac, diags
	}
	cfg, d := confparse.Load(filepath.Base(abs), confparse.Options{Dir: base})
	diags = append(diags, d...)
	if d.HasErrors() {
		return ac, diags
	}
	dirs := map[string]*string{
		"astetcdir": &ac.Directories.EtcDir, "astmoddir": &ac.Directories.ModDir,
		"astvarlibdir": &ac.Directories.VarLibDir, "astdbdir": &ac.Directories.DBDir,
		"astkeydir": &ac.Directories.KeyDir, "astdatadir": &ac.Directories.DataDir,
		"astagidir": &ac.Directories.AGIDir, "astspooldir": &ac.Directories.SpoolDir,
		"astrundir": &ac.Directories.RunDir, "astlogdir": &ac.Directories.LogDir,
		"astsbindir": &ac.Directories.SbinDir, "astcachedir": &ac.Directories.CacheDir,
	}
	for _, cat := range cfg.Browse() {
		switch strings.ToLower(cat.Name) {
		case "directories":
			for _, v := range cat.Vars {
				p, ok := dirs[strings.ToLower(v.Name)]
				if !ok {
					diags = append(diags, warnf(v, "Unknown directory setting '%s'", v.Name))
					continue
				}
				dir := v.Value
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(base, dir)
				}
				*p = filepath.Clean(dir)
			}
		case "options":
			diags = append(diags, ac.Options.apply(cat)...)
		case "files":
			diags = append(diags, ac.Files.apply(cat)...)
		case "compat":
			// Compatibility switches for old Asterisk versions: accepted, nothing to do.
		default:
			diags = append(diags, confparse.Diagnostic{File: cat.File, Line: cat.Line, Severity: confparse.Warning,
				Message: fmt.Sprintf("Unknown section [%s] in asterisk.conf", cat.Name)})
		}
	}
	return ac, diags
}

func warnf(v *confparse.Variable, format string, args ...any) confparse.Diagnostic {
	return confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Warning, Message: fmt.Sprintf(format, args...)}
}

func errf(v *confparse.Variable, format string, args ...any) confparse.Diagnostic {
	return confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Error, Message: fmt.Sprintf(format, args...)}
}

// ParseBool reads Asterisk's truth values (ast_true / ast_false).
func ParseBool(s string) (value, ok bool) {
	switch {
	case confparse.True(s):
		return true, true
	case confparse.False(s):
		return false, true
	}
	return false, false
}

// asteriskOptionsIgnored are [options] Asterisk knows that have no effect in
// gostrisk; they are accepted silently so an existing file loads clean.
var asteriskOptionsIgnored = map[string]bool{
	"dumpcore": true, "cache_record_files": true, "record_cache_dir": true, "transcode_via_sln": true,
	"transmit_silence": true, "transmit_silence_during_record": true, "languageprefix": true,
	"internal_timing": true, "initcrypto": true, "quiet": true, "console": true,
	"dontwarn": true, "autosystemname": true, "maxload": true, "minmemfree": true,
	"mindtmfduration": true, "lightbackground": true, "forceblackbackground": true, "defaultlanguage": true,
	"documentation_language": true, "hideconnect": true, "lockconfdir": true, "stdexten": true,
	"live_dangerously": true, "entityid": true, "rtp_use_dynamic": true, "rtp_pt_dynamic": true,
	"sendfullybooted": true, "cache_media_frames": true, "astforceblackbackground": true,
	"verbose_timestamp": true, "hide_messaging_ami_events": true, "disable_remote_console_shell": true,
}

func (o *Options) apply(cat *confparse.Category) confparse.Diagnostics {
	var diags confparse.Diagnostics
	for _, v := range cat.Vars {
		name := strings.ToLower(v.Name)
		switch name {
		case "verbose", "debug", "maxcalls", "maxfiles":
			n, err := strconv.Atoi(v.Value)
			if err != nil || n < 0 {
				diags = append(diags, errf(v, "Invalid value '%s' for option '%s': not a non-negative number", v.Value, v.Name))
				continue
			}
			switch name {
			case "verbose":
				o.Verbose = n
			case "debug":
				o.Debug = n
			case "maxfiles":
				if n == 0 {
					diags = append(diags, warnf(v, "maxfiles = 0 leaves the open-file limit as it is"))
				}
				o.MaxFiles = n
			default:
				o.MaxCalls = n
			}
		case "nocolor", "timestamp", "execincludes", "highpriority":
			b, ok := ParseBool(v.Value)
			if !ok {
				diags = append(diags, errf(v, "Invalid value '%s' for option '%s': expected yes or no", v.Value, v.Name))
				continue
			}
			switch name {
			case "nocolor":
				o.NoColor = b
			case "timestamp":
				o.Timestamp = b
			case "highpriority":
				o.HighPriority = b
			default:
				o.ExecIncludes = b
			}
		case "runuser":
			o.RunUser = v.Value
		case "rungroup":
			o.RunGroup = v.Value
		case "systemname":
			o.SystemName = v.Value
		default:
			if !asteriskOptionsIgnored[name] {
				diags = append(diags, warnf(v, "Unknown option '%s' in [options]", v.Name))
			}
		}
	}
	return diags
}

func (f *Files) apply(cat *confparse.Category) confparse.Diagnostics {
	var diags confparse.Diagnostics
	for _, v := range cat.Vars {
		switch strings.ToLower(v.Name) {
		case "astctl":
			f.Ctl = v.Value
		case "astctlpermissions":
			n, err := strconv.ParseUint(v.Value, 8, 32)
			if err != nil {
				diags = append(diags, errf(v, "Invalid value '%s' for option 'astctlpermissions': not an octal mode", v.Value))
				continue
			}
			mode := os.FileMode(n) & 0o777
			if mode&0o002 != 0 {
				diags = append(diags, warnf(v, "astctlpermissions %04o would make the control socket world-writable; using %04o", mode, mode&^0o007))
				mode &^= 0o007
			}
			f.CtlPermissions = mode
		case "astctlowner":
			f.CtlOwner = v.Value
		case "astctlgroup":
			f.CtlGroup = v.Value
		case "astctlenabled":
		default:
			diags = append(diags, warnf(v, "Unknown option '%s' in [files]", v.Name))
		}
	}
	return diags
}
