package confbridge

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// DataDir is astdatadir: prompts are found under DataDir/sounds.
	DataDir string
	// SpoolDir is astspooldir: conference recordings without a directory
	// go to SpoolDir/monitor.
	SpoolDir string
	// Music returns the music on hold a lone participant hears (res_musiconhold's
	// Module.Music); nil, or a nil Generator, is silence.
	Music func(ch *pbx.Channel, class string) pbx.Generator
	// MeetMe makes the module app_meetme's conferences (pkg/meetme):
	// its events are Meetme* with MeetMe's lines instead of Confbridge*.
	MeetMe bool
}

// Module is app_confbridge: the profiles of confbridge.conf, the live
// conferences, the ConfBridge application, its functions and CLI.
type Module struct {
	opts   Options
	log    pbx.Logger
	finder *sound.Finder
	cfg    atomic.Pointer[Config]
	eng    atomic.Pointer[pbx.Engine]

	mu    sync.Mutex
	confs map[string]*Conference // by lower-case name, as Asterisk's container ignores case
	wg    sync.WaitGroup         // the conferences' mixing loops and announcers
}

// New creates the module with its first configuration, logging the
// default profiles it had to add as Asterisk does.
func New(opts Options, cfg *Config) *Module {
	m := &Module{opts: opts, log: opts.Log, finder: &sound.Finder{DataDir: opts.DataDir}, confs: map[string]*Conference{}}
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	for _, s := range cfg.Added {
		m.log.Notice("%s\n", s)
	}
	m.cfg.Store(cfg)
	return m
}

// Config is the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig swaps in a reloaded configuration; conferences in progress
// keep the profiles they were started with, as in Asterisk.
func (m *Module) SetConfig(cfg *Config) {
	if cfg != nil {
		m.cfg.Store(cfg)
	}
}

// closeWait bounds how long Close waits for the conferences to end: a
// user's goroutine is its channel's dialplan, which the channel driver's
// own shutdown ends if the kick did not.
const closeWait = 5 * time.Second

// Close kicks every participant and waits (up to closeWait) for the
// conferences to end.
func (m *Module) Close() {
	for _, c := range m.Conferences() {
		c.kickAll("")
	}
	done := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
		m.log.Warning("app_confbridge: conferences still running at unload\n")
	}
}

// Conferences lists the live conferences by name.
func (m *Module) Conferences() []*Conference {
	m.mu.Lock()
	out := make([]*Conference, 0, len(m.confs))
	for _, c := range m.confs {
		out = append(out, c)
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// Find returns a live conference by name (ignoring case).
func (m *Module) Find(name string) *Conference {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.confs[strings.ToLower(name)]
}
