package sound

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// DefaultLanguage is the language tried last, Asterisk's DEFAULT_LANGUAGE.
const DefaultLanguage = "en"

// ErrNotFound matches (errors.Is) the error of Find when no language has
// the file in a format gostrisk can play.
var ErrNotFound = errors.New("sound file not found")

// NotFoundError is Find's error for a missing file. Its text is Asterisk's
// WARNING, "File <name> does not exist in any format", ready to be logged.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string {
	return "File " + e.Name + " does not exist in any format"
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// ErrNoPath is wrapped by Find when the file exists but prefer rejected
// every format it exists in (no translation path to the channel).
var ErrNoPath = errors.New("no usable format")

// Finder finds sound files under DataDir (asterisk.conf astdatadir, the
// parent of sounds/) as Asterisk's file.c does, with languageprefix=yes
// (Asterisk's default): sounds/<language>/<name>.<ext>.
//
// Directory listings are cached and revalidated by the directory's
// modification time, so a lookup costs one stat per directory tried rather
// than one per extension, and a prompt added or removed is seen at once.
// A Finder is safe for concurrent use; its zero value (with DataDir set)
// is ready.
type Finder struct {
	DataDir string
	// SearchCustom is asterisk.conf's sounds_search_custom_dir: a relative
	// name is looked for as custom/<name> first (with the same language
	// order, so sounds/<lang>/custom/<name>), then as itself.
	SearchCustom bool

	mu   sync.RWMutex
	dirs map[string]*dirListing
}

type dirListing struct {
	mtime time.Time
	names map[string]struct{}
}

// racyWindow: a listing read less than this after its directory last
// changed is not trusted. Directory times come from the kernel's coarse
// clock, so a file created a few milliseconds after the listing was read
// (a Record then a Playback) can leave the mtime unchanged.
const racyWindow = 2 * time.Second

// maxCachedDirs bounds the listing cache.
const maxCachedDirs = 4096

// Find returns the file to play for name in language, and its format.
//
// Languages are tried in Asterisk's order: language as given ("fr_CA_f"),
// then with its "_suffix" parts removed one by one ("fr_CA", "fr"), then no
// language (sounds/<name>), then "en" unless already tried. The first of
// those where the file exists in any format is used (if it holds only
// formats gostrisk cannot play, video say, the file is missing, as in
// Asterisk, which looks no further either). With SearchCustom, custom/<name>
// is looked for that way before name. Among the
// formats it exists in there, prefer gives each codec a cost (the caller
// passes the translation cost to the channel's format; nil means all
// equal); the cheapest wins, ties going to Asterisk's file format order
// (FileFormats), and a negative cost rules the format out. For a codec held
// by several file formats (slin by .wav and .sln), the first in that order
// is the file opened, as in Asterisk.
//
// An absolute name (/var/spool/...) is used as it is, without languages.
// A name is never given with its extension: like Asterisk, "hello.wav"
// looks for hello.wav.wav, hello.wav.gsm...
func (f *Finder) Find(name, language string, prefer func(*media.Format) int) (path string, ff *FileFormat, err error) {
	base, found := f.locate(name, language)
	if len(found) == 0 {
		return "", nil, &NotFoundError{Name: name}
	}
	best, bestCost := -1, 0
	for i, c := range found {
		cost := 0
		if prefer != nil {
			cost = prefer(c.ff.Codec)
		}
		if cost < 0 {
			continue
		}
		if best < 0 || cost < bestCost {
			best, bestCost = i, cost
		}
	}
	if best < 0 {
		return "", nil, fmt.Errorf("sound: %s: no format of %s can be played to this channel: %w", name, base, ErrNoPath)
	}
	return base + "." + found[best].ext, found[best].ff, nil
}

// Open finds name as Find does and opens it.
func (f *Finder) Open(name, language string, prefer func(*media.Format) int) (*Reader, error) {
	path, ff, err := f.Find(name, language, prefer)
	if err != nil {
		return nil, err
	}
	return Open(path, ff)
}

// FilePath is the file a recording of name with extension ext goes to, as
// Asterisk's ast_writefile builds it: an absolute name as it is, else under
// <DataDir>/sounds/ (no language); "wav49" is written as ".WAV".
func (f *Finder) FilePath(name, ext string) string {
	p := name + "." + fileExt(ext)
	if filepath.IsAbs(name) {
		return p
	}
	return filepath.Join(f.DataDir, "sounds", p)
}

// Exists reports whether name exists in some playable format for language
// (with the same language fallbacks as Find): the check before Asterisk's
// "File <name> does not exist in any format" WARNING.
func (f *Finder) Exists(name, language string) bool {
	_, found := f.locate(name, language)
	return len(found) > 0
}

type candidate struct {
	ff  *FileFormat
	ext string // as on disk
}

// Languages is the order Find tries languages in for preferred: itself,
// then without each trailing "_part", then "" (no language directory), then
// DefaultLanguage unless preferred or its last shortening is it.
func Languages(preferred string) []string {
	var out []string
	lang := preferred
	for lang != "" {
		out = append(out, lang)
		i := strings.LastIndexByte(lang, '_')
		if i < 0 {
			break
		}
		lang = lang[:i]
	}
	out = append(out, "")
	if preferred != DefaultLanguage && lang != DefaultLanguage {
		out = append(out, DefaultLanguage)
	}
	return out
}

// locate finds where name is (custom/ first with SearchCustom) and lists,
// one per codec, the playable formats it is there in.
func (f *Finder) locate(name, language string) (base string, playable []candidate) {
	if f.SearchCustom && !filepath.IsAbs(name) {
		if base, playable = f.locateIn("custom/"+name, language); len(playable) > 0 {
			return base, playable
		}
	}
	return f.locateIn(name, language)
}

// locateIn tries the languages in order and stops at the first where the
// file exists in any format, even one gostrisk cannot play (video, g723sf):
// Asterisk's fileexists_core stops there too and then finds no audio.
func (f *Finder) locateIn(name, language string) (base string, playable []candidate) {
	if name == "" || strings.Contains(name, "://") {
		return "", nil
	}
	if filepath.IsAbs(name) {
		playable, _ = f.formatsOf(name)
		return name, playable
	}
	for _, lang := range Languages(language) {
		base = filepath.Join(f.DataDir, "sounds", lang, name)
		if found, exists := f.formatsOf(base); exists {
			return base, found
		}
	}
	return "", nil
}

// formatsOf lists the playable formats base.<ext> exists in, and whether
// it exists in any format of the list at all.
func (f *Finder) formatsOf(base string) (playable []candidate, exists bool) {
	names := f.listing(filepath.Dir(base))
	if names == nil {
		return nil, false
	}
	stem := filepath.Base(base)
next:
	for _, ff := range fileFormats {
		ext, ok := "", false
		for _, e := range ff.Exts {
			if _, ok = names[stem+"."+fileExt(e)]; ok {
				ext = fileExt(e)
				break
			}
		}
		if !ok {
			continue
		}
		exists = true
		if !ff.Supported() || ff.Codec.Kind != media.Audio {
			continue
		}
		for _, c := range playable {
			if c.ff.Codec == ff.Codec {
				continue next // the first file format of a codec is the one opened
			}
		}
		playable = append(playable, candidate{ff, ext})
	}
	return playable, exists
}

// listing returns the names of the regular files (or links to them) in
// dir, from the cache while the directory's mtime is unchanged; nil when
// dir cannot be read.
func (f *Finder) listing(dir string) map[string]struct{} {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil
	}
	f.mu.RLock()
	l := f.dirs[dir]
	f.mu.RUnlock()
	if l != nil && l.mtime.Equal(st.ModTime()) {
		return l.names
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make(map[string]struct{}, len(entries))
	for _, e := range entries {
		t := e.Type()
		if t&os.ModeSymlink != 0 {
			// Asterisk stat()s, which follows links: a link to a file counts,
			// a dangling one does not.
			fi, err := os.Stat(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			t = fi.Mode().Type()
		}
		if t.IsDir() {
			continue
		}
		names[e.Name()] = struct{}{}
	}
	if time.Since(st.ModTime()) < racyWindow {
		return names
	}
	f.mu.Lock()
	if f.dirs == nil || len(f.dirs) >= maxCachedDirs {
		// Dropping everything is crude but rare: only a server playing from
		// thousands of directories (voicemail boxes) gets here, and the
		// listings come back on the next lookups.
		f.dirs = make(map[string]*dirListing)
	}
	f.dirs[dir] = &dirListing{mtime: st.ModTime(), names: names}
	f.mu.Unlock()
	return names
}
