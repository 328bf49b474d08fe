package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixmonitor"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// Conference modes (issue 22): every leg is a channel in ConfBridge, in
// conferences of size participants (a call's two legs are two
// participants, consecutive ones share a conference). The first talkers
// of each conference send loud µ-law (0xAA); the others send µ-law
// silence (0xFF), so they cost no mixing: "a few talkers, many
// listeners". Each participant gets the mix back, paced by its session.
var confModes = map[string]struct{ size, talkers int }{
	"conf10":  {10, 2},
	"conf100": {100, 3},
}

// The mixmonitor mode: a µ-law call in the core's frame bridge with a
// MixMonitor recording it to a wav file (under a temporary directory).
const mixMonitorMode = "mixmonitor"

// fills are the payload bytes phones A and B send in a mode's call i.
func fills(mode string, i int) (byte, byte) {
	cm, ok := confModes[mode]
	if !ok {
		return 0xAA, 0xBB
	}
	fill := func(p int) byte {
		if p%cm.size < cm.talkers {
			return 0xAA
		}
		return 0xFF
	}
	return fill(2 * i), fill(2*i + 1)
}

// confEngine adds the conference and recording modules to the engine.
type confEngine struct {
	cb     *confbridge.Module
	mm     *mixmonitor.Module
	recDir string
}

func newConfEngine(eng *pbx.Engine) (*confEngine, error) {
	cfg, _ := confparse.Parse("confbridge.conf", []byte("[bench]\ntype=user\nquiet=yes\n"), confparse.Options{})
	cbCfg, _ := confbridge.Load(cfg)
	dir, err := os.MkdirTemp("", "relayload-rec-")
	if err != nil {
		return nil, err
	}
	ce := &confEngine{
		cb:     confbridge.New(confbridge.Options{Log: quiet{}, SpoolDir: dir}, cbCfg),
		mm:     mixmonitor.New(mixmonitor.Options{Log: quiet{}, SpoolDir: dir}),
		recDir: dir,
	}
	if err := ce.cb.Register(eng); err != nil {
		return nil, err
	}
	if err := ce.mm.Register(eng); err != nil {
		return nil, err
	}
	return ce, nil
}

func (ce *confEngine) close() {
	ce.cb.Close()
	ce.mm.Close()
	_ = os.RemoveAll(ce.recDir)
}

type quiet struct{}

func (quiet) Verbose(int, string, ...any) {}
func (quiet) Notice(string, ...any)       {}
func (quiet) Warning(string, ...any)      {}

func ulawChannel(eng *pbx.Engine, leg *rtp.Leg, name string) *pbx.Channel {
	d := &sessionDriver{leg: leg, cfg: rtp.SessionConfig{Format: media.ULaw, PT: 0, DTMFPT: 101}}
	ch := eng.NewChannel(pbx.ChannelSpec{Tech: "Bench", Resource: name, Driver: d})
	ch.SetState(pbx.StateUp)
	return ch
}

// startConference puts call i's two legs into their conferences.
func startConference(eng *pbx.Engine, la, lb *rtp.Leg, mode string, i int) (*transcoded, error) {
	app, ok := eng.App("ConfBridge")
	if !ok {
		return nil, fmt.Errorf("no ConfBridge application")
	}
	size := confModes[mode].size
	x := &transcoded{a: ulawChannel(eng, la, "a"), b: ulawChannel(eng, lb, "b"), done: make(chan struct{})}
	x.runApp(app, "confbridge", func(k int) string { return "c" + strconv.Itoa((2*i+k)/size) + ",,bench" })
	return x, nil
}

// startMixMonitor bridges call i's legs with a MixMonitor on leg a.
func startMixMonitor(eng *pbx.Engine, ce *confEngine, la, lb *rtp.Leg, i int) (*transcoded, error) {
	app, ok := eng.App("MixMonitor")
	if !ok {
		return nil, fmt.Errorf("no MixMonitor application")
	}
	x := &transcoded{a: ulawChannel(eng, la, "a"), b: ulawChannel(eng, lb, "b"), done: make(chan struct{})}
	if _, err := app.Exec(x.a, filepath.Join(ce.recDir, fmt.Sprintf("call-%d.wav", i))); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	go func() {
		defer close(x.done)
		if _, err := eng.Bridge(ctx, x.a, x.b); err != nil {
			fmt.Println("bridge:", err)
		}
	}()
	return x, nil
}
