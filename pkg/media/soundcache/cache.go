package soundcache

import (
	"container/list"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// chunkFrames is how many frames are built at once: a second of 20 ms
// frames, so a player builds (or waits for) a chunk once a second at most.
const chunkFrames = 50

// frameOverhead is what a cached frame costs beyond its payload (its end
// offset and sample count), for the byte bound.
const frameOverhead = 8

// maxEntries bounds the number of entries, cached or not.
const maxEntries = 1024

// DefaultMaxBytes bounds a cache made with a zero size: a few minutes of
// G.711 for each of a dozen prompts.
const DefaultMaxBytes = 32 << 20

// errUncacheable marks an entry whose file will not be cached (too big for
// the bound, or not in frames the cache can index); its readers always
// read the file.
var errUncacheable = errors.New("soundcache: not cacheable")

// errEvicted ends the building of an entry dropped from the cache; readers
// already on it read the file for what was not built.
var errEvicted = errors.New("soundcache: evicted")

// Cache holds encoded prompts. Its methods may be called concurrently.
type Cache struct {
	tr  *media.Translator
	max int64

	mu      sync.Mutex
	entries map[key]*list.Element // guarded by mu; values are *entry
	lru     list.List             // guarded by mu: most recently opened first
	size    int64                 // guarded by mu: bytes of built chunks
}

// key names a file's contents as played in one format.
type key struct {
	path        string
	fileFormat  string
	to          *media.Format
	size, mtime int64
	ino         uint64
}

// New makes a cache of at most maxBytes of frames (DefaultMaxBytes when
// zero or less) that translates with tr.
func New(tr *media.Translator, maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Cache{tr: tr, max: maxBytes, entries: map[key]*list.Element{}}
}

// Open opens path, a file of format ff, to be played to a channel whose
// native format is to (nil: the file's codec, untranslated). Errors are
// sound.Open's. The Reader's frames are in format to while they come from
// the cache, else in the file's codec.
func (c *Cache) Open(path string, ff *sound.FileFormat, to *media.Format) (*Reader, error) {
	if to == nil {
		to = ff.Codec
	}
	// The file is named by its state before and after the open: a file
	// replaced in between is read but not cached (which version the reader
	// has is not known).
	k, ok := fileKey(path, ff, to)
	r, err := sound.Open(path, ff)
	if err != nil {
		return nil, err
	}
	rd := &Reader{r: r}
	if c == nil || to.SampleRate != r.Format().SampleRate {
		// Positions would not map one to one; translating per channel
		// keeps the resampler's state right.
		return rd, nil
	}
	if k2, ok2 := fileKey(path, ff, to); !ok || !ok2 || k2 != k {
		return rd, nil
	}
	e := c.entry(k, path, ff, to)
	if err := e.init(); err != nil {
		return rd, nil
	}
	rd.e = e
	return rd, nil
}

// fileKey stats path for the key of its current contents.
func fileKey(path string, ff *sound.FileFormat, to *media.Format) (key, bool) {
	st, err := os.Stat(path)
	if err != nil {
		return key{}, false
	}
	k := key{path: path, fileFormat: ff.Name, to: to, size: st.Size(), mtime: st.ModTime().UnixNano()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		k.ino = uint64(sys.Ino)
	}
	return k, true
}

// entry finds or adds the entry of k, as the most recently opened.
func (c *Cache) entry(k key, path string, ff *sound.FileFormat, to *media.Format) *entry {
	c.mu.Lock()
	if el, ok := c.entries[k]; ok {
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*entry)
	}
	e := &entry{c: c, k: k, path: path, ff: ff, to: to}
	e.el = c.lru.PushFront(e)
	c.entries[k] = e.el
	var out []*entry
	for len(c.entries) > maxEntries {
		// Files not cached cost no bytes but an entry each: bounded too.
		out = append(out, c.removeLocked(c.lru.Back()))
	}
	c.mu.Unlock()
	for _, v := range out {
		v.evict()
	}
	return e
}

// removeLocked takes el's entry out of the cache. The caller holds mu and
// calls evict on the entry once it has let go of mu.
func (c *Cache) removeLocked(el *list.Element) *entry {
	v := el.Value.(*entry)
	c.lru.Remove(el)
	delete(c.entries, v.k)
	v.el = nil
	c.size -= v.bytes
	return v
}

// grow counts n more bytes built for e and evicts the least recently
// opened entries (never e) while the cache is over its bound. The caller
// holds no entry's mu: evicting locks the evicted entries'.
func (c *Cache) grow(e *entry, n int64) {
	if n == 0 {
		return
	}
	c.mu.Lock()
	if e.el == nil {
		// Evicted meanwhile: what it built is not the cache's any more.
		c.mu.Unlock()
		return
	}
	c.size += n
	e.bytes += n
	var out []*entry
	for el := c.lru.Back(); c.size > c.max && el != nil; {
		prev := el.Prev()
		if el.Value.(*entry) != e {
			out = append(out, c.removeLocked(el))
		}
		el = prev
	}
	c.mu.Unlock()
	for _, v := range out {
		v.evict()
	}
}

// Len is the number of entries and the bytes they hold (for tests).
func (c *Cache) Len() (entries int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}

// entry is one file in one format: its frames in chunks, built in order.
type entry struct {
	c    *Cache
	k    key
	el   *list.Element // guarded by c.mu; nil once evicted
	path string
	ff   *sound.FileFormat
	to   *media.Format

	once   sync.Once
	err    error // of init; set once
	fs     int64 // samples in a frame (all but the last)
	chunks []atomic.Pointer[chunk]
	bytes  int64 // guarded by c.mu: what the cache counts for e

	mu    sync.Mutex
	src   *sound.Reader // guarded by mu: the builder's reader, nil once done
	chain *media.Chain  // guarded by mu: nil when the file is already in to
	built int           // guarded by mu: chunks built
	berr  error         // guarded by mu: why building stopped
}

// chunk is up to chunkFrames frames: frame i's payload is
// data[end[i-1]:end[i]], samples[i] its length in samples.
type chunk struct {
	data    []byte
	end     []int32
	samples []int32
}

// init opens the builder, sizes the entry from the first frame and builds
// the first chunk; an error means the entry is not used.
func (e *entry) init() error {
	e.once.Do(func() { e.err = e.start() })
	return e.err
}

func (e *entry) start() error {
	src, err := sound.Open(e.path, e.ff)
	if err != nil {
		return err
	}
	if k, ok := fileKey(e.path, e.ff, e.to); !ok || k != e.k {
		// Replaced since the entry was named: these are not its frames.
		src.Close()
		return errUncacheable
	}
	if src.Format() != e.to {
		p, err := e.c.tr.Path(src.Format(), e.to)
		if err != nil {
			src.Close()
			return fmt.Errorf("soundcache: %s: %w", e.path, err)
		}
		e.chain = p.NewChain()
	}
	total := src.Length()
	first, err := src.ReadFrame()
	if err != nil || first.Samples <= 0 {
		src.Close()
		return errUncacheable
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		src.Close()
		return errUncacheable
	}
	e.fs = int64(first.Samples)
	frames := (total + e.fs - 1) / e.fs
	// The bound on one entry: a quarter of the cache, judged by the first
	// frame's encoded size (a frame of a fixed-rate codec).
	per := int64(len(first.Payload))
	if e.chain != nil {
		out, err := e.chain.Translate(first)
		if err != nil {
			src.Close()
			return errUncacheable
		}
		per = int64(max(len(out.Payload), 1))
		// The chain saw a frame: start again with a fresh one so the
		// cached frames come from the file's start as a player's would.
		e.chain = e.chain.Path().NewChain()
	}
	if frames*(per+frameOverhead) > e.c.max/4 {
		src.Close()
		return errUncacheable
	}
	e.src = src
	e.chunks = make([]atomic.Pointer[chunk], (frames+chunkFrames-1)/chunkFrames)
	e.mu.Lock()
	ch, n := e.buildLocked(0)
	berr := e.berr
	e.mu.Unlock()
	e.c.grow(e, n)
	if ch == nil {
		return berr
	}
	return nil
}

// chunkAt returns chunk k, building up to it if need be; nil when it
// cannot be built (the reader then reads the file).
func (e *entry) chunkAt(k int) *chunk {
	if k < 0 || k >= len(e.chunks) {
		return nil
	}
	if ch := e.chunks[k].Load(); ch != nil {
		return ch
	}
	e.mu.Lock()
	ch, n := e.buildLocked(k)
	e.mu.Unlock()
	e.c.grow(e, n)
	return ch
}

// buildLocked builds chunks in order up to k and returns chunk k (nil if
// it could not be built) and the bytes built. The caller holds mu, and
// counts the bytes with grow once it has let go of it.
func (e *entry) buildLocked(k int) (*chunk, int64) {
	var added int64
	for e.built <= k && e.berr == nil {
		ch, err := e.readChunk(e.built)
		if err != nil {
			e.berr = err
			e.closeSrcLocked()
			break
		}
		added += int64(len(ch.data) + frameOverhead*len(ch.end))
		e.chunks[e.built].Store(ch)
		e.built++
		if e.built == len(e.chunks) {
			e.closeSrcLocked()
		}
	}
	return e.chunks[k].Load(), added
}

// readChunk reads and encodes chunk j from the builder's reader, which is
// at its start.
func (e *entry) readChunk(j int) (*chunk, error) {
	ch := &chunk{}
	for i := 0; i < chunkFrames; i++ {
		idx := int64(j*chunkFrames + i)
		fr, err := e.src.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if int64(fr.Timestamp) != idx*e.fs || (int64(fr.Samples) != e.fs && e.src.Tell() < e.src.Length()) {
			// Not in whole frames from the start: positions would not
			// map to frames.
			return nil, errUncacheable
		}
		samples := fr.Samples
		if e.chain != nil {
			if fr, err = e.chain.Translate(fr); err != nil {
				return nil, fmt.Errorf("soundcache: %s: %w", e.path, err)
			}
		}
		ch.data = append(ch.data, fr.Payload...)
		ch.end = append(ch.end, int32(len(ch.data)))
		ch.samples = append(ch.samples, int32(samples))
	}
	if len(ch.end) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return ch, nil
}

func (e *entry) closeSrcLocked() {
	if e.src != nil {
		e.src.Close()
		e.src = nil
	}
	e.chain = nil
}

// evict stops building e: it left the cache.
func (e *entry) evict() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.berr == nil {
		e.berr = errEvicted
	}
	e.closeSrcLocked()
}

// Reader plays one file to one channel: see the package documentation.
// A Reader is used by one goroutine at a time.
type Reader struct {
	r   *sound.Reader
	e   *entry // nil: not cached
	off bool   // read the file from here on
}

// ReadFrame returns the next frame, or io.EOF after the last one: from the
// cache in the target format when it has it, else from the file in the
// file's codec.
func (rd *Reader) ReadFrame() (media.Frame, error) {
	for rd.e != nil && !rd.off {
		pos := rd.r.Tell()
		if pos >= rd.r.Length() {
			return rd.r.ReadFrame() // io.EOF, or the closed reader's error
		}
		e := rd.e
		ch := e.chunkAt(int(pos / e.fs / chunkFrames))
		if pos%e.fs != 0 || ch == nil {
			rd.off = true
			break
		}
		i := int(pos / e.fs % chunkFrames)
		if i >= len(ch.end) {
			rd.off = true
			break
		}
		start := int32(0)
		if i > 0 {
			start = ch.end[i-1]
		}
		samples := int64(ch.samples[i])
		if _, err := rd.r.Seek(samples, io.SeekCurrent); err != nil {
			rd.off = true
			break
		}
		if start == ch.end[i] {
			continue // an encoder buffering towards a whole frame
		}
		return media.Frame{Kind: media.Voice, Format: e.to, Payload: ch.data[start:ch.end[i]:ch.end[i]],
			Samples: int(samples), Timestamp: uint32(pos)}, nil
	}
	return rd.r.ReadFrame()
}

// Cached says whether the reader serves from the cache (for tests).
func (rd *Reader) Cached() bool { return rd.e != nil && !rd.off }

// Format is the file's codec, as sound.Reader's: what Asterisk names in
// its "Playing" line.
func (rd *Reader) Format() *media.Format { return rd.r.Format() }

// FileFormat is the format the file was opened as.
func (rd *Reader) FileFormat() *sound.FileFormat { return rd.r.FileFormat() }

// Path is the file's name.
func (rd *Reader) Path() string { return rd.r.Path() }

// Length is the file's length in samples.
func (rd *Reader) Length() int64 { return rd.r.Length() }

// Tell is the position of the next frame, in samples from the start.
func (rd *Reader) Tell() int64 { return rd.r.Tell() }

// Seek moves the position as sound.Reader.Seek does.
func (rd *Reader) Seek(offset int64, whence int) (int64, error) {
	return rd.r.Seek(offset, whence)
}

// Close closes the file.
func (rd *Reader) Close() error { return rd.r.Close() }
