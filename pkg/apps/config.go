package apps

import (
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/media/soundcache"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// DefaultDataDir is asterisk.conf's default astdatadir.
const DefaultDataDir = "/var/lib/asterisk"

// Config is what the media applications take from the program's
// configuration. The zero value plays sounds from DefaultDataDir and knows
// no tone names.
type Config struct {
	// DataDir is asterisk.conf's astdatadir; prompts are looked up under
	// DataDir/sounds/<language>/.
	DataDir string
	// Tone finds an indication by name ("dial", "busy") for a channel, from
	// indications.conf and the channel's tone zone (PlayTones, WaitExten d,
	// Read and ReadExten i).
	// nil: only tone lists ("350+440") are understood.
	Tone func(ch *pbx.Channel, name string) (dsp.ToneList, bool)
	// SystemTimeout bounds the commands of System and TrySystem; zero
	// means DefaultSystemTimeout.
	SystemTimeout time.Duration
	// Reload reloads one module by name ("chan_sip", "pbx_config.so"),
	// or everything for "", for the Reload application; nil makes every
	// Reload fail (RELOADSTATUS=FAILURE).
	Reload func(module string) error
}

// engineConfig is the configuration of the applications of one engine.
type engineConfig struct {
	Config
	finder *sound.Finder
	// sounds shares prompts' encoded frames among the channels playing
	// them (2,000 channels playing one file decode it once).
	sounds *soundcache.Cache
	// signals are Signal/WaitForSignal's waiters.
	signals *signalHub
}

// configs maps each engine to the configuration it was registered with:
// applications are shared values, an engine is what a channel knows.
var configs sync.Map // *pbx.Engine -> *engineConfig

func configOf(e *pbx.Engine) *engineConfig {
	if c, ok := configs.Load(e); ok {
		return c.(*engineConfig)
	}
	c, _ := configs.LoadOrStore(e, newEngineConfig(Config{}))
	return c.(*engineConfig)
}

func newEngineConfig(cfg Config) *engineConfig {
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	return &engineConfig{Config: cfg, finder: &sound.Finder{DataDir: cfg.DataDir},
		sounds: soundcache.New(pbx.Translator(), soundcache.DefaultMaxBytes), signals: &signalHub{}}
}

// RegisterWith adds every application of the package to e, the media
// applications taking their settings from cfg.
func RegisterWith(e *pbx.Engine, cfg Config) error {
	configs.Store(e, newEngineConfig(cfg))
	return e.RegisterModule("apps", all(), nil)
}

func (c *engineConfig) systemTimeout() time.Duration {
	if c.SystemTimeout > 0 {
		return c.SystemTimeout
	}
	return DefaultSystemTimeout
}
