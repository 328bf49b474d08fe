package core

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// ModuleInfo describes one of gostrisk's modules under its Asterisk name,
// for "module show" and modules.conf.
type ModuleInfo struct {
	Name        string // Asterisk's file name, e.g. chan_sip.so
	Description string
	Support     string // core, extended, deprecated
	Reloadable  bool
}

// KnownModules are the Asterisk modules gostrisk has counterparts of, in
// load order.
var KnownModules = []ModuleInfo{
	{"res_rtp_asterisk.so", "Asterisk RTP Stack", "core", true},
	{"res_srtp.so", "Secure RTP (SRTP)", "core", false},
	{"res_security_log.so", "Security Event Logging", "core", false},
	{"codec_alaw.so", "A-law Coder/Decoder", "core", false},
	{"codec_ulaw.so", "mu-Law Coder/Decoder", "core", false},
	{"func_callerid.so", "Party ID related dialplan functions (Caller-ID, Connected-line, Redirecting)", "core", false},
	{"func_cut.so", "Cut out information from a string", "core", false},
	{"func_db.so", "Database (astdb) related dialplan functions", "core", false},
	{"func_global.so", "Variable dialplan functions", "core", false},
	{"func_logic.so", "Logical dialplan functions", "core", false},
	{"func_strings.so", "String handling dialplan functions", "core", false},
	{"app_dial.so", "Dialing Application", "core", false},
	{"app_exec.so", "Executes dialplan applications", "core", false},
	{"app_macro.so", "Extension Macros", "deprecated", false},
	{"app_stack.so", "Dialplan subroutines (Gosub, Return, etc)", "core", false},
	{"app_verbose.so", "Send verbose output", "core", false},
	{"cdr_csv.so", "Comma Separated Values CDR Backend", "extended", true},
	{"pbx_config.so", "Text Extension Configuration", "core", true},
	{"res_musiconhold.so", "Music On Hold Resource", "core", true},
	{"chan_sip.so", "Session Initiation Protocol (SIP)", "deprecated", true},
}

// Modules is modules.conf as gostrisk applies it.
type Modules struct {
	noload map[string]bool
	// manual is autoload=no: only the modules named by load (require,
	// preload) run.
	manual bool
	load   map[string]bool
}

// Enabled reports whether a module runs: not listed as noload, and with
// autoload=no, listed by load.
func (m Modules) Enabled(name string) bool {
	name = strings.ToLower(name)
	if m.manual && !m.load[name] {
		return false
	}
	return !m.noload[name]
}

// LoadModules reads modules.conf (nil: everything loads). noload of a module
// gostrisk has no counterpart for is accepted silently; so is load.
func LoadModules(cfg *confparse.Config) (Modules, confparse.Diagnostics) {
	m := Modules{noload: map[string]bool{}, load: map[string]bool{}}
	if cfg == nil {
		return m, nil
	}
	var diags confparse.Diagnostics
	for _, cat := range cfg.Browse() {
		if !strings.EqualFold(cat.Name, "modules") {
			diags = append(diags, confparse.Diagnostic{File: cat.File, Line: cat.Line, Severity: confparse.Warning,
				Message: fmt.Sprintf("Unknown section [%s] in modules.conf", cat.Name)})
			continue
		}
		for _, v := range cat.Vars {
			name := strings.ToLower(strings.TrimSpace(v.Value))
			if name != "" && !strings.HasSuffix(name, ".so") {
				name += ".so"
			}
			switch strings.ToLower(v.Name) {
			case "noload":
				m.noload[name] = true
			case "load", "require", "preload", "preload-require":
				delete(m.noload, name)
				m.load[name] = true
			case "autoload":
				b, ok := ParseBool(v.Value)
				if !ok {
					diags = append(diags, errf(v, "Invalid value '%s' for option 'autoload': expected yes or no", v.Value))
				}
				m.manual = ok && !b
			default:
				diags = append(diags, warnf(v, "Unknown option '%s' in [modules]", v.Name))
			}
		}
	}
	return m, diags
}
