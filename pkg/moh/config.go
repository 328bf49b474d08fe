package moh

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
)

// Sort is a class's sort= setting: the order its files play in.
type Sort uint8

// The orders res_musiconhold knows.
const (
	// SortNone plays files in directory order (gostrisk: by name, the
	// order os.ReadDir gives; Asterisk: readdir's unspecified order).
	SortNone Sort = iota
	// SortRandom starts on a random file and picks each next one at random.
	SortRandom
	// SortAlpha plays files sorted by name, ignoring case.
	SortAlpha
	// SortRandStart sorts as SortAlpha but starts on a random file.
	SortRandStart
)

// Class is one [class] of musiconhold.conf that can play.
type Class struct {
	Name string
	// Mode is "files" or "playlist" (the modes gostrisk plays).
	Mode string
	// Dir is directory= as written ("nodir" for a playlist without one),
	// what `moh show classes` prints; ScanDir is where files were looked
	// for (relative directories are under astdatadir, as in Asterisk).
	Dir, ScanDir string
	// Files are the paths of the class's music without extension, in
	// play order before any random pick: files mode lists each name of
	// the directory once whatever formats it exists in, as Asterisk does;
	// playlist mode lists the entry= values.
	Files        []string
	Sort         Sort
	Digit        rune   // digit=: pressing it during MusicOnHold switches to this class
	Announcement string // announcement=: played before each file
	AnsweredOnly bool   // answeredonly=yes: no music to a channel not answered
	LoopLast     bool   // loop_last=yes: repeat the last file instead of starting over
	// Format is format= (default slin), the source format Asterisk
	// shows for classes not in files mode.
	Format string
	// File and Line locate the class's [name] header.
	File string
	Line int
}

// Config is musiconhold.conf as res_musiconhold applies it.
type Config struct {
	// PreferChannelClass ([general] preferchannelclass, default yes): a
	// channel's CHANNEL(musicclass) wins over the class an application
	// asks for.
	PreferChannelClass bool
	// CacheRTClasses is accepted for compatibility; gostrisk has no
	// realtime classes.
	CacheRTClasses bool
	// Classes are the classes that can play, in file order.
	Classes []*Class
	// Missing: there was no musiconhold.conf (Load(nil)). A reload then
	// keeps the running classes, as Asterisk's does.
	Missing bool
}

// Lookup finds a class by name, ignoring case as Asterisk's class
// container does; nil when there is none.
func (c *Config) Lookup(name string) *Class {
	if c == nil {
		return nil
	}
	for _, cl := range c.Classes {
		if strings.EqualFold(cl.Name, name) {
			return cl
		}
	}
	return nil
}

// byDigit finds the class whose digit= is d.
func (c *Config) byDigit(d rune) *Class {
	if c == nil {
		return nil
	}
	for _, cl := range c.Classes {
		if cl.Digit == d {
			return cl
		}
	}
	return nil
}

// unsupportedModes are modes Asterisk runs an external program for
// (mpg123 or the admin's application); gostrisk does not start programs.
var unsupportedModes = map[string]bool{
	"custom": true, "mp3": true, "mp3nb": true, "quietmp3": true, "quietmp3nb": true, "httpmp3": true,
}

// ignoredOptions are class options that only matter to modes gostrisk
// does not play (external programs); accepted without effect.
var ignoredOptions = map[string]bool{
	"application": true, "kill_escalation_delay": true, "kill_method": true, "name": true,
}

// Load turns a parsed musiconhold.conf into a Config; cfg nil (no file)
// gives no classes, as Asterisk has none then. dataDir is astdatadir, the
// base of relative directory= values. Directories are scanned now, as
// Asterisk scans them when it loads or reloads the module.
//
// Nothing here is an error: Asterisk skips what it cannot use with a
// warning and loads the rest, so every problem is a warning with file:line.
func Load(cfg *confparse.Config, dataDir string) (*Config, confparse.Diagnostics) {
	c := &Config{PreferChannelClass: true}
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			for _, v := range cat.Vars {
				switch strings.ToLower(v.Name) {
				case "cachertclasses":
					c.CacheRTClasses = confparse.True(v.Value)
				case "preferchannelclass":
					c.PreferChannelClass = confparse.True(v.Value)
				default:
					warn(v.File, v.Line, "Unknown option '%s' in [general] section of musiconhold.conf", v.Name)
				}
			}
			continue
		}
		cl, d := loadClass(cat, dataDir)
		diags = append(diags, d...)
		if cl == nil {
			continue
		}
		if prev := c.Lookup(cl.Name); prev != nil {
			warn(cat.File, cat.Line, "Music on Hold class '%s' already exists (%s:%d); this one is ignored", cl.Name, prev.File, prev.Line)
			continue
		}
		c.Classes = append(c.Classes, cl)
	}
	return c, diags
}

// loadClass reads one class; nil when it cannot play.
func loadClass(cat *confparse.Category, dataDir string) (*Class, confparse.Diagnostics) {
	var diags confparse.Diagnostics
	warn := diags.Warnf
	cl := &Class{Name: cat.Name, File: cat.File, Line: cat.Line, Format: "slin"}
	var entries []string
	var entryVar *confparse.Variable
	dirLine := cat.Line
	for _, v := range cat.Vars {
		val := strings.TrimSpace(v.Value)
		switch strings.ToLower(v.Name) {
		case "mode":
			cl.Mode = val
		case "directory":
			cl.Dir, dirLine = val, v.Line
		case "entry":
			switch {
			case strings.HasPrefix(val, "/"):
				if dot, slash := strings.LastIndexByte(val, '.'), strings.LastIndexByte(val, '/'); dot > slash {
					warn(v.File, v.Line, "The playlist entry '%s' may include an extension, which could prevent it from playing.", val)
				}
				entries = append(entries, val)
			case strings.Contains(val, "://"):
				warn(v.File, v.Line, "Playlist entry '%s': streams are not supported in gostrisk; skipped", val)
			default:
				warn(v.File, v.Line, "Playlist entries must be a URL or an absolute path, '%s' provided.", val)
			}
			if entryVar == nil {
				entryVar = v
			}
		case "announcement":
			cl.Announcement = val
		case "digit":
			if val == "" || !strings.ContainsRune("0123456789*#", rune(val[0])) {
				warn(v.File, v.Line, "Invalid digit '%s' for class '%s': want 0-9, * or #", val, cl.Name)
				continue
			}
			cl.Digit = rune(val[0])
		case "random":
			warn(v.File, v.Line, "Music on hold 'random' setting is deprecated in 14.  Please use 'sort=random' instead.")
			if confparse.True(val) {
				cl.Sort = SortRandom
			} else {
				cl.Sort = SortNone
			}
		case "sort":
			switch strings.ToLower(val) {
			case "random":
				cl.Sort = SortRandom
			case "alpha":
				cl.Sort = SortAlpha
			case "randstart":
				cl.Sort = SortRandStart
			default:
				warn(v.File, v.Line, "Unknown sort '%s' for class '%s': want random, alpha or randstart", val, cl.Name)
			}
		case "format":
			if val == "" {
				continue
			}
			if f, ok := media.Lookup(val); ok {
				cl.Format = f.Name
			} else {
				warn(v.File, v.Line, "Unknown format '%s' -- defaulting to SLIN", val)
				cl.Format = "slin"
			}
		case "loop_last":
			cl.LoopLast = confparse.True(val)
		case "answeredonly":
			cl.AnsweredOnly = confparse.True(val)
		default:
			if !ignoredOptions[strings.ToLower(v.Name)] {
				warn(v.File, v.Line, "Unknown option '%s' in class '%s' of musiconhold.conf", v.Name, cl.Name)
			}
		}
	}
	mode := strings.ToLower(cl.Mode)
	if cl.Dir == "" {
		if mode == "custom" || mode == "playlist" {
			cl.Dir = "nodir"
		} else {
			warn(cat.File, cat.Line, "A directory must be specified for class '%s'!", cl.Name)
			return nil, diags
		}
	}
	if mode == "" {
		warn(cat.File, cat.Line, "A mode must be specified for class '%s'!", cl.Name)
		return nil, diags
	}
	if entries != nil && mode != "playlist" && entryVar != nil {
		warn(entryVar.File, entryVar.Line, "Ignoring playlist entries because we are in '%s' mode.", cl.Mode)
	}
	switch {
	case mode == "files":
		cl.ScanDir = cl.Dir
		if !filepath.IsAbs(cl.ScanDir) {
			cl.ScanDir = dataDir + "/" + cl.Dir
		}
		files, err := scanDir(cl.ScanDir)
		if err != nil {
			warn(cat.File, dirLine, "Error opening directory - %s: %s", cl.ScanDir, strerror(err))
			return nil, diags
		}
		if len(files) == 0 {
			warn(cat.File, dirLine, "Files not found in %s for moh class:%s", cl.ScanDir, cl.Name)
			return nil, diags
		}
		cl.Files = files
	case mode == "playlist":
		if len(entries) == 0 {
			warn(cat.File, cat.Line, "Music on Hold class '%s' has no playable entry= lines; skipped", cl.Name)
			return nil, diags
		}
		cl.Files = entries
	case unsupportedModes[mode]:
		warn(cat.File, cat.Line, "Music on Hold mode '%s' (class '%s') is not supported in gostrisk: it runs an external player; use mode=files", cl.Mode, cl.Name)
		return nil, diags
	default:
		warn(cat.File, cat.Line, "Don't know how to do a mode '%s' music on hold", cl.Mode)
		return nil, diags
	}
	if cl.Sort == SortAlpha || cl.Sort == SortRandStart {
		sort.SliceStable(cl.Files, func(i, j int) bool {
			return strings.ToLower(cl.Files[i]) < strings.ToLower(cl.Files[j])
		})
	}
	return cl, diags
}

// scanDir lists a files-mode directory as Asterisk's moh_scan_files does:
// regular files (or links to them) not starting with a dot and having an
// extension of at least two characters, each name once without its
// extension whatever formats it exists in.
func scanDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		dot := strings.LastIndexByte(name, '.')
		if dot < 0 || len(name)-dot < 3 {
			continue
		}
		if !e.Type().IsRegular() {
			// Links are followed, as stat() does in Asterisk.
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil || !st.Mode().IsRegular() {
				continue
			}
		}
		base := dir + "/" + name[:dot]
		if !seen[base] {
			seen[base] = true
			files = append(files, base)
		}
	}
	return files, nil
}

// strerror words a file error as C's strerror does ("No such file or
// directory"), without Go's "open <path>:" prefix.
func strerror(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	s := err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
