package core

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/agentpool"
	"github.com/gostrisk/gostrisk/pkg/amd"
	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/cdr/cdrmanager"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/features"
	"github.com/gostrisk/gostrisk/pkg/followme"
	"github.com/gostrisk/gostrisk/pkg/indications"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/meetme"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/parking"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/queue"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

// Snapshot is one complete, validated configuration. It is immutable: a
// reload builds a new one and swaps it in, calls in progress keep theirs.
type Snapshot struct {
	Ast      *AsteriskConf
	Modules  Modules
	SIP      *sipconf.Config
	Dialplan *dialplan.Dialplan
	RTP      rtp.Config
	Logger   *confparse.Config // logger.conf (nil: Asterisk's defaults)
	CDR      cdr.Config
	// CDRManager is cdr_manager.conf (disabled when missing, when
	// cdr_manager.so is not loaded or cdr.conf disables CDRs).
	CDRManager *cdrmanager.Config
	// Indications are the tone zones of indications.conf (built-in "us"
	// when the file is missing).
	Indications *indications.Zones
	// MOH is musiconhold.conf (no classes when the file is missing or
	// res_musiconhold.so is not loaded).
	MOH *moh.Config
	// Parking is res_parking.conf with features.conf's old parking
	// options (the default lot alone when both are missing; nil when
	// res_parking.so is not loaded).
	Parking *parking.Config
	// FollowMe is followme.conf (nil when app_followme.so is not loaded).
	FollowMe *followme.Config
	// Agents is agents.conf (nil when app_agent_pool.so is not loaded).
	Agents *agentpool.Config
	// AMD is amd.conf (nil when app_amd.so is not loaded).
	AMD *amd.Config
	// Features is features.conf (Asterisk's defaults when missing).
	Features *features.Config
	// ConfBridge is confbridge.conf (the default profiles only when the
	// file is missing or app_confbridge.so is not loaded).
	ConfBridge *confbridge.Config
	// MeetMe is meetme.conf's rooms (none when the file is missing or
	// app_meetme.so is not loaded).
	MeetMe *meetme.Config
	// VM is voicemail.conf (no mailboxes when the file is missing or
	// app_voicemail.so is not loaded).
	VM *voicemail.Config
	// Manager is manager.conf (disabled when the file is missing).
	Manager *manager.Config
	// Queues are queues.conf and queuerules.conf (none when app_queue.so
	// is not loaded).
	Queues *queue.Config
	// Files are the config files that were read, for the "Parsing ...:
	// Found" verbose lines Asterisk prints on load and reload.
	Files []string
	// Read are the files of the config directory that were read, #include
	// and #tryinclude included, by name relative to it: "gostrisk check"
	// reports the others.
	Read map[string]bool
}

// Summary is the one-line count "gostrisk check" prints.
func (s *Snapshot) Summary() string {
	peers, users := 0, 0
	regs := 0
	if s.SIP != nil {
		for _, p := range s.SIP.Peers {
			if p.IsPeer() {
				peers++
			}
			if p.IsUser() {
				users++
			}
		}
		regs = len(s.SIP.Registrations)
	}
	ctx, ext, prio := 0, 0, 0
	if s.Dialplan != nil {
		ctx, ext, prio = s.Dialplan.Stats()
	}
	return fmt.Sprintf("%s, %s, %s, %s, %s, %s",
		plural(peers, "SIP peer", "SIP peers"), plural(users, "SIP user", "SIP users"),
		plural(regs, "registration", "registrations"), plural(ctx, "context", "contexts"),
		plural(ext, "extension", "extensions"), plural(prio, "priority", "priorities"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// loadFile parses one config file of the etc dir. A missing file is not an
// error for Asterisk (the module declines or uses defaults): it gives a nil
// config and, when required is set, a warning.
func loadFile(ac *AsteriskConf, name string, required bool) (*confparse.Config, confparse.Diagnostics) {
	path := filepath.Join(ac.Directories.EtcDir, name)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if required {
				return nil, confparse.Diagnostics{{File: name, Severity: confparse.Warning,
					Message: fmt.Sprintf("Unable to load config %s: no such file in %s", name, ac.Directories.EtcDir)}}
			}
			return nil, nil
		}
		return nil, confparse.Diagnostics{{File: name, Severity: confparse.Error, Message: fmt.Sprintf("Unable to load config %s: %v", name, err)}}
	}
	return confparse.Load(name, confparse.Options{Dir: ac.Directories.EtcDir, ExecIncludes: ac.Options.ExecIncludes})
}

// LoadSnapshot reads every config file the daemon uses, in module load
// order, and returns all diagnostics. diags.HasErrors() means the daemon
// must not start (or a reload must keep the old snapshot).
func LoadSnapshot(ac *AsteriskConf) (*Snapshot, confparse.Diagnostics) {
	s := &Snapshot{Ast: ac, Read: map[string]bool{"asterisk.conf": true}}
	var all confparse.Diagnostics
	load := func(name string, required bool) *confparse.Config {
		cfg, d := loadFile(ac, name, required)
		all = append(all, d...)
		if cfg != nil {
			s.Files = append(s.Files, filepath.Join(ac.Directories.EtcDir, name))
			s.Read[name] = true
			for _, cat := range cfg.Categories {
				s.Read[cat.File] = true
				for _, v := range cat.Vars {
					s.Read[v.File] = true
				}
			}
		}
		if d.HasErrors() {
			return nil
		}
		return cfg
	}

	modCfg := load("modules.conf", false)
	var d confparse.Diagnostics
	s.Modules, d = LoadModules(modCfg)
	all = append(all, d...)

	s.Logger = load("logger.conf", false)

	rtpCfg := load("rtp.conf", false)
	s.RTP, d = rtp.LoadConfig(rtpCfg)
	all = append(all, d...)

	users := load("users.conf", false)
	if s.Modules.Enabled("chan_sip.so") {
		sipCfg := load("sip.conf", true)
		if sipCfg != nil {
			s.SIP, d = sipconf.Load(sipCfg, users)
			all = append(all, d...)
		}
	}
	if s.SIP == nil {
		s.SIP, _ = sipconf.Load(&confparse.Config{File: "sip.conf"}, nil)
	}

	featuresConf := load("features.conf", false)
	s.Features, d = features.Load(featuresConf)
	all = append(all, d...)
	if s.Modules.Enabled("res_parking.so") {
		s.Parking, d = parking.Load(load("res_parking.conf", false), featuresConf)
		all = append(all, d...)
	}

	if s.Modules.Enabled("pbx_config.so") {
		if ext := load("extensions.conf", true); ext != nil {
			s.Dialplan, d = dialplan.Build(withParking(ext, s.Parking), users)
			all = append(all, d...)
		}
	}
	if s.Dialplan == nil {
		s.Dialplan, _ = dialplan.Build(&confparse.Config{File: "extensions.conf"}, nil)
	}

	s.MOH = &moh.Config{PreferChannelClass: true}
	if s.Modules.Enabled("res_musiconhold.so") {
		s.MOH, d = moh.Load(load("musiconhold.conf", false), ac.Directories.DataDir)
		all = append(all, d...)
	}

	if s.Modules.Enabled("app_amd.so") {
		s.AMD, d = amd.Load(load("amd.conf", false))
		all = append(all, d...)
	}
	if s.Modules.Enabled("app_followme.so") {
		s.FollowMe, d = followme.Load(load("followme.conf", false))
		all = append(all, d...)
	}
	if s.Modules.Enabled("app_agent_pool.so") {
		s.Agents, d = agentpool.Load(load("agents.conf", false))
		all = append(all, d...)
	}

	if s.Modules.Enabled("app_confbridge.so") {
		s.ConfBridge, d = confbridge.Load(load("confbridge.conf", false))
		all = append(all, d...)
	} else {
		s.ConfBridge, _ = confbridge.Load(nil)
	}
	s.MeetMe, _ = meetme.Load(nil)
	if s.Modules.Enabled("app_meetme.so") {
		s.MeetMe, d = meetme.Load(load("meetme.conf", false))
		all = append(all, d...)
	}
	s.VM, _ = voicemail.Load(nil)
	if s.Modules.Enabled("app_voicemail.so") || s.Modules.Enabled("app_directory.so") {
		s.VM, d = voicemail.Load(load("voicemail.conf", false))
		s.VM.EtcDir = ac.Directories.EtcDir
		all = append(all, d...)
		all = append(all, s.VM.AddUsersConf(users)...)
	}
	s.Manager, d = manager.Load(load("manager.conf", false))
	all = append(all, d...)
	s.Queues = &queue.Config{}
	if s.Modules.Enabled("app_queue.so") {
		s.Queues, d = queue.Load(load("queues.conf", false), load("queuerules.conf", false))
		all = append(all, d...)
	}

	cdrConf := load("cdr.conf", false)
	csvConf := load("cdr_csv.conf", false)
	s.CDR, d = cdr.LoadConfig(cdrConf, csvConf)
	all = append(all, d...)
	s.CDRManager = &cdrmanager.Config{}
	if s.Modules.Enabled("cdr_manager.so") {
		s.CDRManager, d = cdrmanager.Load(load("cdr_manager.conf", false))
		all = append(all, d...)
		s.CDRManager.Enabled = s.CDRManager.Enabled && s.CDR.Enable
	}
	if !s.Modules.Enabled("cdr_csv.so") {
		s.CDR.Enable = false
	}

	s.Indications = indications.DefaultTones()
	if ind := load("indications.conf", false); ind != nil {
		s.Indications, d = indications.Load(ind)
		all = append(all, d...)
	}
	return s, all
}

// FormatDiagnostics renders diagnostics one per line.
func FormatDiagnostics(ds confparse.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// logText is a diagnostic as a log message: the level is the log line's
// own, so only the position and the text remain.
func logText(d confparse.Diagnostic) string {
	if d.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return fmt.Sprintf("%s: %s", d.File, d.Message)
}
