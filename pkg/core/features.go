package core

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/features"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pickup"
)

// featuresConfig is the features.conf in use (the defaults before a
// snapshot exists, as in "gostrisk check").
func (d *Daemon) featuresConfig() *features.Config {
	if s := d.snap.Load(); s != nil && s.Features != nil {
		return s.Features
	}
	return features.Defaults()
}

// newPickup creates call pickup (main/pickup.c, app_directed_pickup).
func (d *Daemon) newPickup(log pbx.Logger) {
	d.pickup = pickup.New(log, d.featuresConfig)
}

// registerFeaturesCLI adds `features show`.
func (d *Daemon) registerFeaturesCLI() error {
	return d.reg.Register(&cli.Command{
		Words:   []string{"features", "show"},
		Summary: "Lists configured features",
		Usage:   "Usage: features show\n       Lists configured features\n",
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != 2 {
				return cli.ErrShowUsage
			}
			a.Printf("%s", features.Show(d.featuresConfig()))
			return nil
		},
	})
}

// newFeatures creates the bridges' DTMF features.
func (d *Daemon) newFeatures(log pbx.Logger, br *bridge.Basic) {
	opts := features.Options{
		Log: log, Bridges: br, Config: d.featuresConfig, Music: d.parkedMusic,
		ParkSpace: func(ch *pbx.Channel) (int, string, string, bool) {
			if d.parking == nil {
				return 0, "", "", false
			}
			lot, _ := ch.Var("PARKINGLOT")
			return d.parking.NextSpace(lot)
		},
	}
	if d.mixmon != nil {
		opts.Recording = d.mixmon.Running
	}
	d.features = features.New(opts)
	// AttendedTransfer queues the atxfer code of the features in use.
	apps.AtxferCode = func(*pbx.Channel) string { return d.featuresConfig().FeatureMap.AtXfer }
}

// bridgeFeatures is bridge.Options.Features (the bridge is installed
// before the modules exist, hence a method).
func (d *Daemon) bridgeFeatures(ch, other *pbx.Channel) bridge.Features {
	if d.features == nil {
		return nil
	}
	return d.features.Features(ch, other)
}

// registerFeatureFuncs adds FEATURE and FEATUREMAP (part of the core in
// Asterisk, so registered whatever modules.conf says).
func (d *Daemon) registerFeatureFuncs(eng *pbx.Engine) error {
	for _, f := range features.Functions(d.featuresConfig) {
		if err := eng.RegisterFunction(f); err != nil {
			return fmt.Errorf("function %s: %w", f.Name, err)
		}
	}
	return nil
}
