package features

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options connect the features to the modules they use.
type Options struct {
	Log pbx.Logger
	// Config returns the features.conf in use.
	Config func() *Config
	// Music is the music on hold the other party hears while a feature
	// runs (nil: silence).
	Music func(ch *pbx.Channel, class string) pbx.Generator
	// ParkSpace is res_parking's next free space of the channel's lot
	// with the lot's parkext and context; nil or !ok: parkcall fails.
	ParkSpace func(ch *pbx.Channel) (space int, context, exten string, ok bool)
	// Recording reports whether app ("Monitor", "MixMonitor") records ch
	// now (pkg/mixmonitor's Running); nil: no recording module, the
	// one-touch recording features fail.
	Recording func(ch *pbx.Channel, app string) bool
	// Bridges lists the three-way calls with the other bridges (bridge
	// show, the members' bridge id, BridgeEnter/BridgeLeave); nil: they
	// are not listed.
	Bridges *bridge.Basic
}

// Module runs the DTMF features of bridges.
type Module struct {
	opts Options
	log  pbx.Logger
}

// New returns the features module.
func New(opts Options) *Module {
	m := &Module{opts: opts, log: opts.Log}
	if m.log == nil {
		m.log = nopLogger{}
	}
	return m
}

type nopLogger struct{}

func (nopLogger) Verbose(int, string, ...any) {}
func (nopLogger) Notice(string, ...any)       {}
func (nopLogger) Warning(string, ...any)      {}

func (m *Module) config() *Config {
	if m.opts.Config != nil {
		if c := m.opts.Config(); c != nil {
			return c
		}
	}
	return Defaults()
}

// codes maps feature codes to what they run.
type codes struct {
	byCode  map[string]bridge.FeatureFunc
	timeout time.Duration
	// hangup, when set, runs when the party hangs up in the bridge
	// (bridge.HangupHandler).
	hangup func(gone, other *pbx.Channel) bool
}

// OnHangup is bridge.HangupHandler.
func (c *codes) OnHangup(gone, other *pbx.Channel) bool {
	return c.hangup != nil && c.hangup(gone, other)
}

func (c *codes) Match(digits string) (bridge.FeatureFunc, bool) {
	if run := c.byCode[digits]; run != nil {
		return run, false
	}
	for code := range c.byCode {
		if strings.HasPrefix(code, digits) {
			return nil, true
		}
	}
	return nil, false
}

func (c *codes) DigitTimeout() time.Duration { return c.timeout }

// Features is bridge.Options.Features: the codes ch may use with other,
// from its feature flags (Dial's options, BRIDGE_FEATURES) and its
// DYNAMIC_FEATURES (applicationmap items, '#'-separated), nil when none.
func (m *Module) Features(ch, other *pbx.Channel) bridge.Features {
	cfg := m.configFor(ch) // FEATURE/FEATUREMAP's copy, else features.conf
	flags := ch.FeatureFlags()
	c := &codes{byCode: map[string]bridge.FeatureFunc{}, timeout: cfg.General.FeatureDigitTimeout}
	add := func(code string, f bridge.FeatureFunc) {
		if code != "" {
			c.byCode[code] = f
		}
	}
	if flags&pbx.FeatureTransfer != 0 {
		add(cfg.FeatureMap.BlindXfer, m.blindTransfer)
		add(cfg.FeatureMap.AtXfer, m.attendedTransfer)
	}
	if flags&pbx.FeatureDisconnect != 0 {
		add(cfg.FeatureMap.Disconnect, m.disconnect)
	}
	if flags&pbx.FeaturePark != 0 {
		add(cfg.FeatureMap.ParkCall, m.parkCall)
	}
	if flags&pbx.FeatureAutomon != 0 {
		add(cfg.FeatureMap.AutoMon, m.recordFeature(autoMonitor))
	}
	if flags&pbx.FeatureAutomixmon != 0 {
		add(cfg.FeatureMap.AutoMixMon, m.recordFeature(autoMixMonitor))
	}
	if v, ok := ch.Var("DYNAMIC_FEATURES"); ok && v != "" {
		for _, name := range strings.Split(v, "#") {
			for _, it := range cfg.AppMap {
				if it.Name == strings.TrimSpace(name) {
					add(it.DTMF, m.appFeature(it))
				}
			}
		}
	}
	m.consultCodes(c, ch, other)
	if len(c.byCode) == 0 {
		return nil
	}
	return c
}

// hold plays music to a party while the other one uses a feature.
func (m *Module) hold(ch *pbx.Channel, class string) {
	if m.opts.Music == nil {
		return
	}
	if g := m.opts.Music(ch, class); g != nil {
		ch.StartGenerator(g)
	}
}

// play streams a prompt to ch ("" plays nothing). The channel's
// application stays what it was, as a bridge's playfile leaves it.
func play(ch *pbx.Channel, file string) {
	if file != "" {
		app, data := ch.Application()
		_, _ = ch.Engine().ExecApp(ch, "Playback", file)
		ch.SetApplication(app, data)
	}
}

// transferContext is where a transferer's digits are looked up: its
// TRANSFER_CONTEXT, else its context.
func transferContext(ch *pbx.Channel) string {
	if v, ok := ch.Var("TRANSFER_CONTEXT"); ok && v != "" {
		return v
	}
	c, _, _ := ch.Location()
	return c
}

// announce plays the transfer prompt to the transferer, as grab_transfer
// does: any key stops it and is the first digit of the extension (so
// digits typed ahead, or queued by the manager's Atxfer, are not lost).
// hungup reports a hang-up during the prompt.
func announce(ch *pbx.Channel, sound string) (first string, hungup bool) {
	if sound == "" {
		return "", false
	}
	d, err := apps.StreamAndWait(ch, sound, "0123456789*#ABCD")
	if errors.Is(err, pbx.ErrHangup) || ch.HangupRequested() {
		return "", true
	}
	if d != 0 {
		return string(d), false
	}
	return "", false
}

// collect reads the digits of an extension from ch after those in s
// (a key that stopped the prompt): each within timeout, ending early
// once no longer extension could match.
func collect(ch *pbx.Channel, xferCtx string, timeout time.Duration, s string) string {
	e := ch.Engine()
	if s != "" && e.Exists(ch, xferCtx, s, 1) && !e.MatchMore(ch, xferCtx, s) {
		return s
	}
	for {
		d, err := ch.WaitDigit(timeout)
		if err != nil || d == 0 {
			return s
		}
		if d == '#' && s != "" {
			return s
		}
		s += string(d)
		if e.Exists(ch, xferCtx, s, 1) && !e.MatchMore(ch, xferCtx, s) {
			return s
		}
	}
}

// blindTransfer is blindxfer: the other party hears music while the
// presser dials an extension of its transfer context; the other party is
// sent there and the presser leaves. After transferdialattempts wrong
// extensions the call goes on.
func (m *Module) blindTransfer(ctx context.Context, presser, other *pbx.Channel) {
	g := m.configFor(presser).General
	m.hold(other, "")
	defer other.StopGenerator()
	first, hungup := announce(presser, g.TransferAnnounceSound)
	if hungup {
		return
	}
	xferCtx := transferContext(presser)
	for attempt := 1; attempt <= max(1, g.TransferDialAttempts); attempt++ {
		exten := collect(presser, xferCtx, g.TransferDigitTimeout, first)
		first = ""
		if presser.HangupRequested() || other.HangupRequested() {
			return
		}
		if exten != "" && presser.Engine().Exists(presser, xferCtx, exten, 1) {
			other.StopGenerator()
			other.SetVar("BLINDTRANSFER", presser.Name())
			m.log.Verbose(3, "Blind transferring %s to '%s@%s'\n", other.Name(), exten, xferCtx)
			bridgeID := presser.BridgeID()
			if err := other.TransferGoto(xferCtx, exten); err != nil {
				m.log.Warning("Blind transfer of %s failed: %v\n", other.Name(), err)
				play(presser, g.XferFailSound)
				return
			}
			presser.Engine().PublishBlindTransfer(presser, other, bridgeID, xferCtx, exten, false)
			return
		}
		if attempt < g.TransferDialAttempts {
			play(presser, g.TransferRetrySound)
		} else {
			play(presser, g.TransferInvalidSound)
		}
	}
}

// disconnect is the disconnect code: the presser hangs up.
func (m *Module) disconnect(ctx context.Context, presser, other *pbx.Channel) {
	presser.SoftHangup(pbx.CauseNormalClearing)
}

// parkCall is parkcall: the other party is parked in the presser's lot
// (its PARKINGLOT, else default); the presser hears the space and leaves.
func (m *Module) parkCall(ctx context.Context, presser, other *pbx.Channel) {
	g := m.configFor(presser).General
	if m.opts.ParkSpace == nil {
		play(presser, g.XferFailSound)
		return
	}
	space, pctx, pexten, ok := m.opts.ParkSpace(presser)
	if !ok {
		play(presser, "pbx-parkingfailed")
		return
	}
	other.SetVar("BLINDTRANSFER", presser.Name()) // the parker; no announcement to the parked call
	other.SetVar("PARKINGEXTEN", strconv.Itoa(space))
	if v, ok := presser.Var("PARKINGLOT"); ok && v != "" {
		other.SetVar("PARKINGLOT", v)
	}
	// The parkext's Park runs where the call is (pbx.TransferGoto).
	if err := other.TransferGoto(pctx, pexten); err != nil {
		play(presser, "pbx-parkingfailed")
		return
	}
	_, _ = presser.Engine().ExecApp(presser, "SayDigits", strconv.Itoa(space))
	presser.SoftHangup(pbx.CauseNormalClearing)
}

// appFeature runs an applicationmap item on the presser (self) or the
// other party, the one not running it hearing its music class.
func (m *Module) appFeature(it AppItem) bridge.FeatureFunc {
	return func(ctx context.Context, presser, other *pbx.Channel) {
		on, listener := presser, other
		if !it.OnSelf {
			on, listener = other, presser
		}
		if it.MOHClass != "" {
			m.hold(listener, it.MOHClass)
			defer listener.StopGenerator()
		}
		data := presser.Engine().Substitute(on, it.Data)
		m.log.Verbose(3, "Executing %s(%s) on %s for feature '%s'\n", it.App, data, on.Name(), it.Name)
		if _, err := on.Engine().ExecApp(on, it.App, data); err != nil {
			m.log.Warning("Could not execute feature '%s': %v\n", it.Name, err)
		}
	}
}
