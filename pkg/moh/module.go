package moh

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options configure a Module.
type Options struct {
	Log pbx.Logger
	// DataDir is astdatadir: announcements are sound files found under
	// DataDir/sounds as Playback finds them.
	DataDir string
}

// Module is res_musiconhold: the classes of musiconhold.conf, one player
// per class with listeners, the generators that feed channels from them,
// the applications and the CLI.
type Module struct {
	log    pbx.Logger
	finder *sound.Finder
	cfg    atomic.Pointer[Config]
	// installed: music on hold answers requests. As in Asterisk, it is off
	// when the module started without any class and turns on with the
	// first reload that brings one.
	installed atomic.Bool

	mu      sync.Mutex
	players map[*Class]*player
	last    map[string]*player // by lower-case class name: whose position the next player resumes
	playing map[*pbx.Channel]*Class
	wg      sync.WaitGroup
}

// New creates the module with its first configuration, logging Asterisk's
// warning when it has no class.
func New(opts Options, cfg *Config) *Module {
	m := &Module{log: opts.Log, finder: &sound.Finder{DataDir: opts.DataDir},
		players: map[*Class]*player{}, last: map[string]*player{}, playing: map[*pbx.Channel]*Class{}}
	if cfg == nil {
		cfg = &Config{PreferChannelClass: true}
	}
	m.cfg.Store(cfg)
	if len(cfg.Classes) == 0 {
		m.log.Warning("No music on hold classes configured, disabling music on hold.\n")
	} else {
		m.installed.Store(true)
	}
	return m
}

// Config returns the configuration in use.
func (m *Module) Config() *Config { return m.cfg.Load() }

// SetConfig swaps in a reloaded configuration. Channels hearing a class
// keep its old files until their music stops, as in Asterisk; new
// requests use the new classes. A configuration without a file (the file
// was removed) changes nothing, as Asterisk's reload ignores a missing
// musiconhold.conf.
func (m *Module) SetConfig(cfg *Config) {
	if cfg == nil || cfg.Missing {
		return
	}
	m.cfg.Store(cfg)
	if len(cfg.Classes) > 0 {
		m.installed.Store(true)
	}
}

// Close stops every player and the music of every channel, and waits for
// the players to end.
func (m *Module) Close() {
	m.mu.Lock()
	for c, p := range m.players {
		delete(m.players, c)
		p.mu.Lock()
		for _, l := range p.listeners {
			l.stop()
		}
		p.mu.Unlock()
		close(p.quit)
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// Music returns the generator playing music on hold to ch for an
// application (MusicOnHold, Dial's m option, Background's m): class as
// asked ("" for none), or the channel's own class, or "default" — see
// resolve. It is nil when no class can play, after Asterisk's warnings.
// It logs "Started music on hold" now, so the caller starts the
// generator at once (ch.StartGenerator); the generator logs "Stopped
// music on hold" when it ends.
func (m *Module) Music(ch *pbx.Channel, class string) pbx.Generator {
	return m.start(ch, class, "")
}

// HoldMusic is Music for a channel whose peer put the call on hold:
// class is the holder's suggestion (mohsuggest) and the channel driver's
// own class (sip.conf mohinterpret) comes before "default", as chan_sip
// asks Asterisk for it.
func (m *Module) HoldMusic(ch *pbx.Channel, class string) pbx.Generator {
	return m.start(ch, class, interpretClass(ch))
}

// Interpreter is implemented by channel drivers with a class of their own
// for music played to their channel on hold (chan_sip's mohinterpret).
type Interpreter interface {
	MOHInterpret() string
}

// interpretClass is the driver's class. chan_sip's "passthrough" means
// the hold goes to the far end instead of music; it names no class.
func interpretClass(ch *pbx.Channel) string {
	if i, ok := ch.Driver().(Interpreter); ok {
		if c := i.MOHInterpret(); !strings.EqualFold(c, "passthrough") {
			return c
		}
	}
	return ""
}

func (m *Module) start(ch *pbx.Channel, class, interp string) pbx.Generator {
	c := m.resolve(ch, class, interp)
	if c == nil {
		return nil
	}
	m.log.Verbose(3, "Started music on hold, class '%s', on channel '%s'\n", c.Name, ch.Name())
	return &generator{m: m, class: c}
}

// resolve picks the class as local_ast_moh_start does: with
// preferchannelclass (the default) the channel's CHANNEL(musicclass) comes
// first, then the class asked for, else the other way round; then the
// driver's class, then "default". A name not configured is warned about
// and the next one tried.
func (m *Module) resolve(ch *pbx.Channel, class, interp string) *Class {
	if !m.installed.Load() {
		name := class
		if name == "" {
			name = interp
		}
		if name == "" {
			name = "default"
		}
		m.log.Verbose(3, "Music class %s requested but no musiconhold loaded.\n", name)
		return nil
	}
	cfg := m.cfg.Load()
	order := [4]string{class, ch.MusicClass(), interp, "default"}
	if cfg.PreferChannelClass {
		order[0], order[1] = order[1], order[0]
	}
	var found *Class
	for _, name := range order {
		if name == "" {
			continue
		}
		if found = cfg.Lookup(name); found != nil {
			break
		}
		m.log.Warning("Music on Hold class '%s' not found in memory. Verify your configuration.\n", name)
	}
	if found == nil {
		return nil
	}
	if found.AnsweredOnly && ch.State() != pbx.StateUp {
		m.log.Verbose(3, "The channel '%s' is not answered yet. Ignore the moh request.\n", ch.Name())
		return nil
	}
	return found
}

// Playing returns the class playing to ch, nil when none.
func (m *Module) Playing(ch *pbx.Channel) *Class {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.playing[ch]
}

// join adds a listener to the class's player, starting the player when
// the class had no listener.
func (m *Module) join(c *Class, l *listener) *player {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.players[c]
	if p == nil {
		key := strings.ToLower(c.Name)
		p = newPlayer(m, c, m.last[key])
		m.players[c] = p
		m.last[key] = p
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			p.run()
		}()
	}
	p.add(l)
	return p
}

// leave removes a listener; the last one stops the player.
func (m *Module) leave(p *player, l *listener) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p.remove(l) == 0 && m.players[p.class] == p {
		delete(m.players, p.class)
		close(p.quit)
	}
}

// generator feeds one channel from its class's player.
type generator struct {
	m     *Module
	class *Class
}

// Class is the class the generator plays.
func (g *generator) Class() *Class { return g.class }

// Generate writes the class's frames to ch until ctx ends.
func (g *generator) Generate(ctx context.Context, ch *pbx.Channel) error {
	m := g.m
	m.mu.Lock()
	m.playing[ch] = g.class
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if m.playing[ch] == g.class {
			delete(m.playing, ch)
		}
		m.mu.Unlock()
		m.log.Verbose(3, "Stopped music on hold on %s\n", ch.Name())
	}()
	l := &listener{format: ch.NativeFormat(), frames: make(chan media.Frame, listenerQueue), done: make(chan struct{})}
	p := m.join(g.class, l)
	defer m.leave(p, l)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.done:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("music on hold class '%s': %w", g.class.Name, errNoFiles)
		case fr := <-l.frames:
			if err := ch.Write(fr); err != nil {
				if errors.Is(err, pbx.ErrNoMedia) {
					// A channel whose driver only relays media cannot
					// hear music: nothing to warn about each time.
					return nil
				}
				return err
			}
		}
	}
}
