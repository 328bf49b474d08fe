package core

import (
	"context"
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/chanspy"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/astdb"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/chansip"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/message"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
	"github.com/gostrisk/gostrisk/pkg/pbx/expr"
	"github.com/gostrisk/gostrisk/pkg/queue"
	"github.com/gostrisk/gostrisk/pkg/voicemail"
)

func netListen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

type exprEnv struct{ env pbx.Env }

func (e exprEnv) Var(name string) (string, bool)         { return e.env.Var(name) }
func (e exprEnv) Func(name, args string) (string, error) { return e.env.Func(name, args) }

// Warn passes substitution warnings (a failing function's message) to
// the engine's environment, which logs them.
func (e exprEnv) Warn(msg string) {
	if w, ok := e.env.(expr.Warner); ok {
		w.Warn(msg)
	}
}

// WarnFuncError passes a failing function's error on, so that the engine
// logs it at the level the function gave it.
func (e exprEnv) WarnFuncError(err error) {
	if w, ok := e.env.(expr.FuncErrorWarner); ok {
		w.WarnFuncError(err)
	} else {
		e.Warn(err.Error())
	}
}

// startModules brings the subsystems up in Asterisk's order: core
// resources, the dialplan and its applications, then the channel driver.
func (d *Daemon) startModules(ctx context.Context, snap *Snapshot) error {
	eng := pbx.New(pbx.Config{
		Logger: d.log,
		Plan: func() pbx.Plan {
			dp := d.snap.Load().Dialplan
			return d.parkingOverlay(pbx.FromDialplan(dp), dp)
		},
		Substitute: func(s string, env pbx.Env) string { return expr.Substitute(s, exprEnv{env}) },
	})
	d.engine = eng
	// Dial's bridges: the drivers' native relay, or frames translated by
	// the core; a held party hears res_musiconhold's music (silence when
	// the module is not loaded).
	br := bridge.Install(eng, bridge.Options{HoldMusic: d.holdMusic, Features: d.bridgeFeatures})
	eng.ReplaceGlobals(pbx.GlobalsOf(snap.Dialplan))
	if snap.Modules.Enabled("res_musiconhold.so") {
		d.moh = moh.New(moh.Options{Log: d.log, DataDir: d.conf.Directories.DataDir}, snap.MOH)
	}
	d.newConferenceModules(snap, d.log)
	// The voicemail module is built even when app_voicemail.so is not
	// loaded: app_directory.so's Directory and func_vmcount.so's VMCOUNT
	// read its mailboxes, and noload then takes away what modules.conf
	// does not load, with the reason the check prints.
	d.vm = voicemail.New(voicemail.Options{Log: d.log, SpoolDir: d.conf.Directories.SpoolDir}, snap.VM)
	if err := d.newQueue(snap); err != nil {
		return err
	}
	d.newParking(snap, d.log)
	d.newFollowMe(snap, d.log)
	d.newAgentPool(snap, d.log)
	d.newAMD(snap)
	d.newPickup(d.log)
	d.newFeatures(d.log, br)
	noload, err := d.registerDialplan(eng, snap)
	if err != nil {
		return err
	}
	d.catalogue = &Catalogue{Engine: eng, NoLoad: noload}
	if err := pbx.RegisterCLI(d.reg, eng); err != nil {
		return err
	}
	if err := bridge.RegisterCLI(d.reg, br); err != nil {
		return fmt.Errorf("bridge CLI: %w", err)
	}
	if snap.Modules.Enabled("res_clioriginate.so") {
		if err := apps.RegisterOriginateCLI(d.reg, eng); err != nil {
			return fmt.Errorf("res_clioriginate CLI: %w", err)
		}
	}
	dialplan.RegisterCLI(d.reg, func() *dialplan.Dialplan { return d.snap.Load().Dialplan })
	d.reg.MustRegister(&cli.Command{
		Words:   []string{"dialplan", "reload"},
		Summary: "Reload extensions and *only* extensions",
		Usage:   "Usage: dialplan reload\n       Reload extensions.conf without reloading any other\n       modules.  This command does not delete global variables\n       unless clearglobalvars is set to yes in extensions.conf\n",
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != 2 {
				return cli.ErrShowUsage
			}
			if err := d.Reload("pbx_config.so"); err != nil {
				a.Printf("%v\n", err)
				return nil
			}
			a.Printf("Dialplan reloaded.\n")
			return nil
		},
	})
	d.modules = append(d.modules, module{
		info: moduleInfo("pbx_config.so"),
		reload: func(s *Snapshot) error {
			if d.devstate != nil {
				d.devstate.Reload() // the hint table follows the new dialplan
			}
			// Asterisk keeps globals across a dialplan reload unless
			// clearglobalvars=yes; [globals] values are (re)applied either way.
			if s.Dialplan.General().ClearGlobalVars {
				eng.ReplaceGlobals(pbx.GlobalsOf(s.Dialplan))
				return nil
			}
			for _, g := range pbx.GlobalsOf(s.Dialplan) {
				eng.SetGlobalVar(g.Name, g.Value)
			}
			return nil
		},
		stop: func() {
			waitTimeout(eng.Wait, 5*time.Second)
		},
	})
	if err := d.startMOH(snap); err != nil {
		return err
	}
	if err := d.startVoicemail(snap); err != nil {
		return err
	}
	if err := d.startDevstate(eng, snap); err != nil {
		return err
	}
	if err := d.startConferenceModules(); err != nil {
		return err
	}
	if err := d.startParking(); err != nil {
		return err
	}
	d.startFollowMe()
	if err := d.startAgentPool(); err != nil {
		return err
	}
	d.startAMD()
	if err := d.registerFeaturesCLI(); err != nil {
		return err
	}
	if d.agi != nil {
		if err := d.agi.RegisterCLI(d.reg); err != nil {
			return err
		}
	}
	if err := d.startSIP(ctx, snap); err != nil {
		return err
	}
	if err := d.startLocal(); err != nil {
		return err
	}
	// Queues start after the channel drivers: a member whose device the
	// driver does not know is skipped at start.
	if err := d.startQueue(snap); err != nil {
		return err
	}
	return d.startManager(ctx, snap)
}

// registerDialplan registers on eng every application and function of the
// modules this build loads, then takes away those of the modules
// modules.conf says not to load (noload). It is the one place where they
// are registered: "gostrisk check" runs it too (see catalogue), so the
// check knows exactly what the daemon will have. It returns what noload
// removed, by name ("app:<lower-case name>" or "func:<NAME>") -> module.
// d.moh is res_musiconhold when it is loaded; d.db may be nil (check):
// functions are registered, not called, there.
func (d *Daemon) registerDialplan(eng *pbx.Engine, snap *Snapshot) (map[string]string, error) {
	appsCfg := apps.Config{
		DataDir: d.conf.Directories.DataDir,
		// A channel's CHANNEL(tonezone), indications.conf's default
		// country while it has none, as ast_get_indication_tone looks.
		Tone: func(ch *pbx.Channel, name string) (dsp.ToneList, bool) {
			return d.snap.Load().Indications.Get(ch.ToneZone(), name)
		},
		Reload: d.reloadForApp,
	}
	if err := apps.RegisterWith(eng, appsCfg); err != nil {
		return nil, fmt.Errorf("applications: %w", err)
	}
	if err := d.registerDBFunctions(eng); err != nil {
		return nil, err
	}
	if err := d.registerFuncs(eng); err != nil {
		return nil, fmt.Errorf("functions: %w", err)
	}
	if err := d.registerFeatureFuncs(eng); err != nil {
		return nil, err
	}
	if err := message.Register(eng); err != nil {
		return nil, err
	}
	if err := chanspy.Register(eng); err != nil {
		return nil, err
	}
	if d.moh != nil {
		if err := d.moh.Register(eng); err != nil {
			return nil, err
		}
	}
	if err := d.registerConferenceModules(eng); err != nil {
		return nil, err
	}
	if d.vm != nil {
		if err := d.vm.Register(eng); err != nil {
			return nil, err
		}
	}
	if d.parking != nil {
		if err := d.parking.Register(eng); err != nil {
			return nil, err
		}
	}
	if d.pickup != nil {
		if err := d.pickup.Register(eng); err != nil {
			return nil, err
		}
	}
	if err := d.registerFollowMe(eng); err != nil {
		return nil, err
	}
	if err := d.registerAgentPool(eng); err != nil {
		return nil, err
	}
	if err := d.registerAMD(eng); err != nil {
		return nil, err
	}
	if err := d.registerAGI(eng, snap); err != nil {
		return nil, err
	}
	// app_queue registers even when modules.conf does not load it, so
	// that pruneNoload names the module the applications are missing for.
	qm := d.queue
	if qm == nil {
		qm = queue.New(queue.Options{}, nil)
	}
	if err := qm.Register(eng); err != nil {
		return nil, err
	}
	return pruneNoload(eng, snap.Modules), nil
}

// startVoicemail loads app_voicemail: its CLI, the mailbox counts MWI
// asks for, and the spool poller.
func (d *Daemon) startVoicemail(snap *Snapshot) error {
	vm := d.vm
	if vm == nil || !snap.Modules.Enabled("app_voicemail.so") {
		return nil
	}
	if err := vm.RegisterCLI(d.reg, func() error { return d.Reload("app_voicemail.so") }); err != nil {
		return fmt.Errorf("app_voicemail CLI: %w", err)
	}
	vm.Start(d.engine)
	d.modules = append(d.modules, module{
		info:   moduleInfo("app_voicemail.so"),
		reload: func(s *Snapshot) error { vm.SetConfig(s.VM); return nil },
		stop:   vm.Close,
	})
	return nil
}

// startMOH loads res_musiconhold: its applications and CLI, and the music
// Dial's m option plays.
func (d *Daemon) startMOH(snap *Snapshot) error {
	m := d.moh
	if m == nil {
		return nil
	}
	if err := m.RegisterCLI(d.reg, func() error { return d.Reload("res_musiconhold.so") }); err != nil {
		return err
	}
	apps.HoldMusic = m.Music
	d.modules = append(d.modules, module{
		info:   moduleInfo("res_musiconhold.so"),
		reload: func(s *Snapshot) error { m.SetConfig(s.MOH); return nil },
		stop:   m.Close,
	})
	return nil
}

// holdMusic is the music a channel hears while its peer holds the call
// (bridge.Options.HoldMusic): nil (silence) without res_musiconhold. The
// bridge is installed before startMOH runs, hence a method, not d.moh's.
func (d *Daemon) holdMusic(ch *pbx.Channel, class string) pbx.Generator {
	if d.moh == nil {
		return nil
	}
	return d.moh.HoldMusic(ch, class)
}

// startSIP creates chan_sip and binds its sockets now, so a port in use is a
// start-up error.
func (d *Daemon) startSIP(ctx context.Context, snap *Snapshot) error {
	if !snap.Modules.Enabled("chan_sip.so") {
		return nil
	}
	// chan_sip's security events go to res_security_log's log and to
	// the manager's security class (which starts later).
	sec := d.securityTee(snap)
	drv, err := chansip.New(chansip.Options{
		Config: snap.SIP, Log: d.log, Store: d.db, Registry: d.reg, Version: AsteriskVersion,
		Reload: func() error { return d.Reload("chan_sip.so") },
		Engine: d.engine, RTP: snap.RTP,
		ConfigDir:   d.conf.Directories.EtcDir,
		PickupExten: d.pickup.PickupExten, Pickup: d.pickup.Call,
		CDR: func(r *cdr.Record) {
			if err := d.cdr.Write(r); err != nil {
				d.log.Error("cdr_csv: %v", err)
			}
			d.postCDR(r)
		},
		Security: sec,
	})
	if err != nil {
		return fmt.Errorf("chan_sip: %w", err)
	}
	if err := drv.Start(ctx); err != nil {
		return fmt.Errorf("chan_sip: %w", err)
	}
	d.sip = drv
	d.modules = append(d.modules, module{
		info:   moduleInfo("chan_sip.so"),
		reload: func(s *Snapshot) error { return drv.Reload(s.SIP) },
		stop:   drv.Stop,
	})
	return nil
}

func moduleInfo(name string) ModuleInfo {
	for _, m := range KnownModules {
		if m.Name == name {
			return m
		}
	}
	return ModuleInfo{Name: name}
}

func waitTimeout(wait func(), timeout time.Duration) {
	done := make(chan struct{})
	go func() {
		wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

func (d *Daemon) registerDBFunctions(eng *pbx.Engine) error {
	read := func(f func(string) (astdb.FuncResult, error)) func(*pbx.Channel, string) (string, error) {
		return func(ch *pbx.Channel, args string) (string, error) {
			r, err := f(args)
			if err != nil {
				return "", err
			}
			// [globals] values are substituted without a channel: DB_RESULT
			// then has nowhere to go (Asterisk sets it as a global).
			if r.SetResult {
				if ch != nil {
					ch.SetVar("DB_RESULT", r.Result)
				} else {
					eng.SetGlobalVar("DB_RESULT", r.Result)
				}
			}
			return r.Value, nil
		}
	}
	fns := []pbx.Function{
		{Name: "DB", Synopsis: "Read from or write to the Asterisk database.", Syntax: "DB(family/key)",
			Read:  read(d.db.FuncDB),
			Write: func(_ *pbx.Channel, args, value string) error { return d.db.FuncDBWrite(args, value) }},
		{Name: "DB_EXISTS", Synopsis: "Check to see if a key exists in the Asterisk database.", Syntax: "DB_EXISTS(family/key)",
			Read: read(d.db.FuncDBExists)},
		{Name: "DB_KEYS", Synopsis: "Obtain a list of keys within the Asterisk database.", Syntax: "DB_KEYS([prefix])",
			Read: func(_ *pbx.Channel, args string) (string, error) { return d.db.FuncDBKeys(args), nil }},
		{Name: "DB_DELETE", Synopsis: "Return a value from the database and delete it.", Syntax: "DB_DELETE(family/key)",
			Read: read(d.db.FuncDBDelete)},
		{Name: "DB_KEYCOUNT", Synopsis: "Obtain the number of keys at a prefix within the Asterisk database.", Syntax: "DB_KEYCOUNT([prefix])",
			Read: func(_ *pbx.Channel, args string) (string, error) { return strconv.Itoa(d.db.FuncDBKeyCount(args)), nil }},
	}
	for _, f := range fns {
		if err := eng.RegisterFunction(f); err != nil {
			return fmt.Errorf("function %s: %w", f.Name, err)
		}
	}
	return eng.RegisterApp(&pbx.App{
		Name:        "DBdeltree",
		Synopsis:    "Delete a family or keytree from the asterisk database.",
		Syntax:      "DBdeltree(family[/keytree])",
		Description: "This application will delete a family or keytree from the Asterisk database.",
		Arguments:   "family\nkeytree",
		Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
			log := eng.Log()
			family, keytree, _ := strings.Cut(strings.TrimSpace(data), "/")
			if family == "" {
				log.Warning("DBdeltree requires an argument (family/keytree)\n")
				return pbx.Continue, nil
			}
			log.Verbose(3, "DBdeltree: family=%s, keytree=%s\n", family, keytree)
			if _, err := d.db.DelTree(family, keytree); err != nil {
				log.Verbose(3, "DBdeltree: Error deleting key from database.\n")
			}
			return pbx.Continue, nil
		},
	})
}

// waitForCalls blocks until no channel is up (core stop gracefully).
func (d *Daemon) waitForCalls() {
	if d.engine == nil {
		return
	}
	for d.engine.ActiveCalls() > 0 || len(d.engine.Channels()) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
}

func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
