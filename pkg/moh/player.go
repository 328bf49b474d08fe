package moh

import (
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// tick is the pace of every player: one 20 ms frame per listener per tick.
const tick = 20 * time.Millisecond

// listenerQueue is how many frames a listener may lag behind its player
// before the oldest is dropped (its channel's Write paces it; a slow one
// must not hold the others).
const listenerQueue = 4

// errNoFiles ends the listeners of a class none of whose files opens.
var errNoFiles = errors.New("no file of the class can be played")

// listener is one channel hearing a class.
type listener struct {
	format *media.Format // what its channel speaks; nil: whatever the file is
	frames chan media.Frame
	done   chan struct{} // closed by the player when it gives up
	once   sync.Once
}

func (l *listener) stop() { l.once.Do(func() { close(l.done) }) }

// push queues a frame without blocking, dropping the oldest one when the
// listener is behind.
func (l *listener) push(fr media.Frame) {
	for {
		select {
		case l.frames <- fr:
			return
		default:
		}
		select {
		case <-l.frames:
		default:
		}
	}
}

// player plays one class from one position to all its listeners: one
// goroutine and one timer per class with listeners, whatever their number.
// Each tick it reads the file once and translates it once per format its
// listeners speak.
type player struct {
	m     *Module
	class *Class
	prev  *player // the class's previous player, whose position it resumes

	mu        sync.Mutex
	listeners []*listener
	dead      bool          // the player gave up: listeners are stopped at once
	quit      chan struct{} // closed when the last listener leaves
	done      chan struct{} // closed when the goroutine has returned

	// Owned by the goroutine; read by the next player after done.
	pos        int   // index in class.Files
	samples    int64 // position in that file (not counting announcements)
	started    bool  // a file was opened at least once
	resume     bool  // the next open seeks back to samples in pos
	announcing bool  // the open stream is the announcement
	reader     *sound.Reader
	chains     map[[2]*media.Format]*media.Chain
	cache      []media.Frame // this tick's frame per listener format
	failed     bool          // nothing of the class could be opened
	ts         uint32        // timestamp of the next frame, in samples
}

func newPlayer(m *Module, c *Class, prev *player) *player {
	return &player{m: m, class: c, prev: prev, quit: make(chan struct{}), done: make(chan struct{}),
		chains: map[[2]*media.Format]*media.Chain{}}
}

// add registers a listener; the player must be running.
func (p *player) add(l *listener) {
	p.mu.Lock()
	p.listeners = append(p.listeners, l)
	if p.dead {
		l.stop()
	}
	p.mu.Unlock()
}

// remove drops a listener and reports how many remain.
func (p *player) remove(l *listener) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.listeners {
		if x == l {
			p.listeners = append(p.listeners[:i], p.listeners[i+1:]...)
			break
		}
	}
	return len(p.listeners)
}

func (p *player) snapshot(dst []*listener) []*listener {
	p.mu.Lock()
	dst = append(dst[:0], p.listeners...)
	p.mu.Unlock()
	return dst
}

// run is the player's goroutine.
func (p *player) run() {
	defer close(p.done)
	defer p.closeReader()
	p.restore()
	t := time.NewTicker(tick)
	defer t.Stop()
	var ls []*listener
	var owed time.Duration
	for {
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		ls = p.snapshot(ls)
		// As Asterisk's generator does, read until the tick's worth of
		// audio is out: a short last frame of a file is followed by the
		// start of the next one in the same tick.
		owed += tick
		for owed > 0 {
			fr, err := p.read(ls)
			if err != nil {
				p.failed = true
				p.m.log.Warning("No files available for class '%s'\n", p.class.Name)
				p.mu.Lock()
				p.dead = true
				for _, l := range p.listeners {
					l.stop()
				}
				p.mu.Unlock()
				<-p.quit
				return
			}
			owed -= fr.Length()
			if fr.Samples == 0 {
				owed = 0
			}
			// One timeline for the class's stream: file changes do not
			// send timestamps back to 0.
			fr.Timestamp = p.ts
			p.ts += uint32(fr.Samples)
			p.deliver(ls, fr)
		}
	}
}

// restore takes over the position of the class's previous player, so
// music stopped and started again goes on where it was, as Asterisk
// resumes a channel's music; a class reloaded with other files starts
// afresh.
func (p *player) restore() {
	prev := p.prev
	p.prev = nil
	if prev != nil {
		<-prev.done
		if prev.started && !prev.failed && prev.class.Name == p.class.Name && len(prev.class.Files) == len(p.class.Files) &&
			prev.pos < len(p.class.Files) && prev.class.Files[prev.pos] == p.class.Files[prev.pos] {
			p.pos, p.samples, p.started, p.resume = prev.pos, prev.samples, true, true
			return
		}
	}
	if (p.class.Sort == SortRandom || p.class.Sort == SortRandStart) && len(p.class.Files) > 0 {
		p.pos = rand.IntN(len(p.class.Files))
	}
}

// read returns the next frame of the class's stream, moving to the next
// file (and announcement) at the end of one.
func (p *player) read(ls []*listener) (media.Frame, error) {
	// Every file and the announcement may turn out empty once: past
	// that, nothing in the class plays.
	for attempt := 0; attempt < 2*len(p.class.Files)+2; attempt++ {
		if p.reader != nil {
			fr, err := p.reader.ReadFrame()
			if err == nil {
				if !p.announcing {
					p.samples += int64(fr.Samples)
				}
				return fr, nil
			}
			if !errors.Is(err, io.EOF) {
				p.m.log.Warning("Music on hold class '%s': %v\n", p.class.Name, err)
			}
			p.closeReader()
		}
		if err := p.next(ls); err != nil {
			return media.Frame{}, err
		}
	}
	return media.Frame{}, errNoFiles
}

// next opens what plays next, as ast_moh_files_next decides it: the
// announcement between files when the class has one, else the next file
// (a random one for sort=random), skipping files that cannot be opened.
func (p *player) next(ls []*listener) error {
	c := p.class
	if c.Announcement != "" && !p.announcing {
		p.announcing = true
		if p.open(c.Announcement, ls) == nil {
			return nil
		}
	} else {
		p.announcing = false
	}
	n := len(c.Files)
	if n == 0 {
		return errNoFiles
	}
	switch {
	case !p.started:
		p.started = true
	case p.resume:
	case c.Sort == SortRandom:
		p.pos = rand.IntN(n)
		p.samples = 0
	default:
		p.pos++
		if c.LoopLast {
			p.pos = min(p.pos, n-1)
		} else {
			p.pos %= n
		}
		p.samples = 0
	}
	for tries := 0; tries < n; tries++ {
		err := p.open(c.Files[p.pos], ls)
		if err == nil {
			if p.resume && p.samples > 0 {
				if _, serr := p.reader.Seek(p.samples, io.SeekStart); serr != nil {
					p.samples = 0
				}
			}
			p.resume = false
			return nil
		}
		p.m.log.Warning("Unable to open file '%s': %v\n", c.Files[p.pos], err)
		p.resume = false
		p.samples = 0
		p.pos = (p.pos + 1) % n
	}
	return errNoFiles
}

// open finds name in the format cheapest to turn into what the listeners
// speak and opens it.
func (p *player) open(name string, ls []*listener) error {
	prefer := func(f *media.Format) int {
		cost, seen := 0, map[*media.Format]bool{}
		for _, l := range ls {
			if l.format == nil || seen[l.format] || l.format == f {
				continue
			}
			seen[l.format] = true
			path, err := pbx.Translator().Path(f, l.format)
			if err != nil {
				return -1
			}
			cost += path.Cost
		}
		return cost
	}
	path, ff, err := p.m.finder.Find(name, "", prefer)
	if err != nil {
		return err
	}
	r, err := sound.Open(path, ff)
	if err != nil {
		return err
	}
	p.reader = r
	return nil
}

func (p *player) closeReader() {
	if p.reader != nil {
		_ = p.reader.Close()
		p.reader = nil
	}
}

// deliver hands fr to every listener, translated once per format.
func (p *player) deliver(ls []*listener, fr media.Frame) {
	p.cache = p.cache[:0]
	for _, l := range ls {
		out := fr
		if l.format != nil && l.format != fr.Format {
			out = p.translated(fr, l.format)
			if out.Kind == 0 {
				continue
			}
		}
		l.push(out)
	}
}

// translated returns fr in format f, from this tick's cache or through
// the class's one chain for that pair of formats. The payload is a copy
// the listeners share read-only.
func (p *player) translated(fr media.Frame, f *media.Format) media.Frame {
	for _, c := range p.cache {
		if c.Format == f {
			return c
		}
	}
	key := [2]*media.Format{fr.Format, f}
	chain := p.chains[key]
	if chain == nil {
		path, err := pbx.Translator().Path(fr.Format, f)
		if err != nil {
			p.cache = append(p.cache, media.Frame{Format: f}) // Kind 0: nothing for f
			return media.Frame{}
		}
		chain = path.NewChain()
		p.chains[key] = chain
	}
	out, err := chain.Translate(fr)
	if err != nil {
		p.cache = append(p.cache, media.Frame{Format: f})
		return media.Frame{}
	}
	out.Payload = append([]byte(nil), out.Payload...)
	p.cache = append(p.cache, out)
	return out
}
