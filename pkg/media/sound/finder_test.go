package sound

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestLanguages(t *testing.T) {
	for _, tc := range []struct {
		pref string
		want []string
	}{
		{"", []string{"", "en"}},
		{"en", []string{"en", ""}},
		{"fr", []string{"fr", "", "en"}},
		{"en_US", []string{"en_US", "en", ""}},
		{"fr_CA_f_June", []string{"fr_CA_f_June", "fr_CA_f", "fr_CA", "fr", "", "en"}},
		{"en_GB_x", []string{"en_GB_x", "en_GB", "en", ""}},
	} {
		if got := Languages(tc.pref); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Languages(%q) = %q, want %q", tc.pref, got, tc.want)
		}
	}
}

// soundTree creates files under dir/sounds/ and returns a Finder on dir.
func soundTree(t *testing.T, files ...string) (*Finder, string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, "sounds", f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &Finder{DataDir: dir}, filepath.Join(dir, "sounds")
}

// cost is a channel that takes only want natively: the cost of any other
// codec is media's table cost to it, -1 when there is no step.
func costTo(want *media.Format) func(*media.Format) int {
	return func(f *media.Format) int {
		if f == want {
			return 0
		}
		c := media.TableCost(f, want)
		if c <= 0 {
			return -1
		}
		return c
	}
}

func TestFindLanguageOrder(t *testing.T) {
	f, root := soundTree(t,
		"fr/bonjour.wav", "fr_CA/bonjour.gsm", "bonjour.gsm", "en/bonjour.gsm",
		"en/only-en.gsm", "nolang.wav", "en/nolang.wav",
		"fr/digits/1.gsm", "en/digits/1.gsm", "en/digits/2.gsm",
	)
	for _, tc := range []struct{ name, lang, want string }{
		{"bonjour", "fr_CA", "fr_CA/bonjour.gsm"},
		{"bonjour", "fr_CA_f", "fr_CA/bonjour.gsm"}, // dialect suffixes dropped one by one
		{"bonjour", "fr", "fr/bonjour.wav"},
		{"bonjour", "de", "bonjour.gsm"}, // no language before the default one
		{"bonjour", "en", "en/bonjour.gsm"},
		{"only-en", "fr", "en/only-en.gsm"},
		{"only-en", "", "en/only-en.gsm"},
		{"nolang", "en", "en/nolang.wav"},
		{"nolang", "fr", "nolang.wav"},
		{"digits/1", "fr", "fr/digits/1.gsm"},
		{"digits/2", "fr", "en/digits/2.gsm"},
	} {
		path, _, err := f.Find(tc.name, tc.lang, nil)
		if err != nil {
			t.Errorf("Find(%q, %q): %v", tc.name, tc.lang, err)
			continue
		}
		if want := filepath.Join(root, tc.want); path != want {
			t.Errorf("Find(%q, %q) = %s, want %s", tc.name, tc.lang, path, want)
		}
		if !f.Exists(tc.name, tc.lang) {
			t.Errorf("Exists(%q, %q) false", tc.name, tc.lang)
		}
	}
	// The first language that has the file wins even when a later one has a
	// cheaper format: Asterisk looks no further.
	if path, ff, _ := f.Find("bonjour", "fr", costTo(media.ULaw)); !strings.HasSuffix(path, "fr/bonjour.wav") || ff.Name != "wav" {
		t.Errorf("fr for a ulaw channel: %s %v", path, ff)
	}
}

func TestFindNotFound(t *testing.T) {
	f, _ := soundTree(t, "en/hello.gsm", "en/video.h264", "en/hello.mp3")
	for _, name := range []string{"nothere", "hello.gsm", "video", "", "http://example.com/x"} {
		_, _, err := f.Find(name, "en", nil)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Find(%q): %v, want ErrNotFound", name, err)
			continue
		}
		if want := "File " + name + " does not exist in any format"; err.Error() != want {
			t.Errorf("error %q, want Asterisk's %q", err, want)
		}
		if f.Exists(name, "en") {
			t.Errorf("Exists(%q)", name)
		}
	}
	f2 := &Finder{DataDir: "/nonexistent/gostrisk"}
	if f2.Exists("hello", "en") {
		t.Error("found in a missing data dir")
	}
}

func TestFindPrefersCheapestFormat(t *testing.T) {
	f, root := soundTree(t,
		"en/p.wav", "en/p.gsm", "en/p.ulaw", "en/p.alaw", "en/p.g722", "en/p.sln16", "en/p.WAV",
		"en/q.wav", "en/q.sln", "en/q.raw", "en/q.pcm", "en/q.au",
		"en/r.gsm", "en/r.WAV", "en/r.h264",
	)
	g722, _ := media.Lookup("g722")
	gsm, _ := media.Lookup("gsm")
	for _, tc := range []struct {
		name   string
		prefer func(*media.Format) int
		want   string
		ff     string
	}{
		{"p", costTo(media.ULaw), "en/p.ulaw", "pcm"},
		{"p", costTo(media.ALaw), "en/p.alaw", "alaw"},
		{"p", costTo(g722), "en/p.g722", "g722"},
		{"p", costTo(media.SLin16), "en/p.sln16", "sln16"},
		{"p", costTo(media.SLin), "en/p.wav", "wav"},
		{"p", costTo(gsm), "en/p.WAV", "wav49"}, // wav49 comes before gsm in Asterisk's list
		// No preference: the first in Asterisk's order.
		{"p", nil, "en/p.WAV", "wav49"},
		// Same codec in several files: .wav before .sln/.raw, .au before .pcm.
		{"q", costTo(media.SLin), "en/q.wav", "wav"},
		{"q", costTo(media.ULaw), "en/q.au", "au"},
		{"r", costTo(gsm), "en/r.WAV", "wav49"},
	} {
		path, ff, err := f.Find(tc.name, "en", tc.prefer)
		if err != nil {
			t.Errorf("%s: %v", tc.want, err)
			continue
		}
		if path != filepath.Join(root, tc.want) || ff.Name != tc.ff {
			t.Errorf("got %s (%s), want %s (%s)", path, ff.Name, tc.want, tc.ff)
		}
	}
	// Nothing the channel can take.
	if _, _, err := f.Find("r", "en", func(*media.Format) int { return -1 }); !errors.Is(err, ErrNoPath) {
		t.Errorf("no usable format: %v", err)
	}
}

func TestFindAbsolute(t *testing.T) {
	f, root := soundTree(t, "en/x.gsm")
	spool := t.TempDir()
	os.WriteFile(filepath.Join(spool, "msg0000.WAV"), nil, 0o644)
	os.WriteFile(filepath.Join(spool, "msg0000.wav"), nil, 0o644)
	path, ff, err := f.Find(filepath.Join(spool, "msg0000"), "fr", costTo(media.SLin))
	if err != nil || path != filepath.Join(spool, "msg0000.wav") || ff.Name != "wav" {
		t.Errorf("absolute: %s %v %v", path, ff, err)
	}
	// An absolute name gets no language inserted.
	if f.Exists(filepath.Join(root, "x"), "en") {
		t.Error("language inserted into an absolute name")
	}
	if !f.Exists(filepath.Join(root, "en", "x"), "fr") {
		t.Error("absolute name not found")
	}
}

// TestFindSeesNewFiles: the directory cache notices a file created or
// removed right after a lookup (a Record followed by a Playback).
func TestFindSeesNewFiles(t *testing.T) {
	f, root := soundTree(t, "en/a.gsm")
	if f.Exists("b", "en") {
		t.Fatal("b exists")
	}
	os.WriteFile(filepath.Join(root, "en", "b.wav"), nil, 0o644)
	if !f.Exists("b", "en") {
		t.Fatal("new file not seen")
	}
	// An old directory is cached; its change is still seen through mtime.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(root, "en"), old, old)
	if !f.Exists("a", "en") {
		t.Fatal("a not found")
	}
	os.Remove(filepath.Join(root, "en", "a.gsm"))
	if f.Exists("a", "en") {
		t.Fatal("removed file still found")
	}
}

func TestFindSymlinks(t *testing.T) {
	f, root := soundTree(t, "real/hello.gsm")
	os.Symlink(filepath.Join(root, "real"), filepath.Join(root, "en")) // as Debian links sounds/en
	os.Symlink(filepath.Join(root, "real", "gone.gsm"), filepath.Join(root, "real", "dangling.gsm"))
	if !f.Exists("hello", "en") {
		t.Error("file through a linked language directory not found")
	}
	if f.Exists("dangling", "en") {
		t.Error("dangling link found")
	}
}

func TestFindConcurrent(t *testing.T) {
	f, _ := soundTree(t, "en/a.gsm", "fr/a.wav", "en/b.ulaw")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				if !f.Exists("a", "fr") || !f.Exists("b", "fr") || f.Exists("c", "fr") {
					t.Error("wrong answer under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestFindDebian looks real prompts up in Debian's tree.
func TestFindDebian(t *testing.T) {
	needFile(t, filepath.Join(debianSounds, "sounds/en/hello-world.gsm"))
	needFile(t, filepath.Join(debianSounds, "sounds/fr/hello-world.wav"))
	f := &Finder{DataDir: debianSounds}
	gsm, _ := media.Lookup("gsm")
	for _, tc := range []struct {
		name, lang string
		prefer     func(*media.Format) int
		want       string
	}{
		{"hello-world", "en", costTo(media.SLin), "sounds/en/hello-world.wav"},
		{"hello-world", "en", costTo(gsm), "sounds/en/hello-world.gsm"},
		{"hello-world", "fr", costTo(gsm), "sounds/fr/hello-world.wav"},
		{"hello-world", "de", costTo(gsm), "sounds/en/hello-world.gsm"},
	} {
		path, ff, err := f.Find(tc.name, tc.lang, tc.prefer)
		if err != nil || path != filepath.Join(debianSounds, tc.want) {
			t.Errorf("Find(%s, %s) = %s %v, want %s", tc.name, tc.lang, path, err, tc.want)
			continue
		}
		r, err := Open(path, ff)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadFrame(); err != nil {
			t.Error(err)
		}
		r.Close()
	}
}

func BenchmarkFind(b *testing.B) {
	f := &Finder{DataDir: debianSounds}
	if !f.Exists("hello-world", "en") {
		b.Skip("Debian sounds not installed")
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := f.Find("hello-world", "fr_CA", costTo(media.ULaw)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFindStopsAtFirstLanguage: a language where the name exists only as
// video (or a format gostrisk cannot play) ends the search, as Asterisk's
// fileexists_core does, and the file is then reported missing.
func TestFindStopsAtFirstLanguage(t *testing.T) {
	f, _ := soundTree(t, "fr/intro.h264", "intro.gsm", "fr/old.g723", "en/old.gsm")
	for _, name := range []string{"intro", "old"} {
		if _, _, err := f.Find(name, "fr", nil); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	if !f.Exists("intro", "de") {
		t.Error("intro.gsm not found for another language")
	}
}

func TestFindSearchCustom(t *testing.T) {
	// The language goes before custom/, as Asterisk prefixes the whole name.
	f, root := soundTree(t, "en/welcome.gsm", "en/custom/welcome.wav", "custom/other.gsm", "en/plain.gsm")
	for _, tc := range []struct {
		custom     bool
		name, want string
	}{
		{false, "welcome", "en/welcome.gsm"},
		{true, "welcome", "en/custom/welcome.wav"},
		{true, "other", "custom/other.gsm"},
		{true, "plain", "en/plain.gsm"},
	} {
		f.SearchCustom = tc.custom
		path, _, err := f.Find(tc.name, "en", nil)
		if err != nil || path != filepath.Join(root, tc.want) {
			t.Errorf("custom=%v %s: %s %v, want %s", tc.custom, tc.name, path, err, tc.want)
		}
	}
}

func TestFinderOpenAndFilePath(t *testing.T) {
	f := &Finder{DataDir: t.TempDir()}
	for _, tc := range []struct{ name, ext, want string }{
		{"/var/spool/asterisk/voicemail/default/6000/INBOX/msg0000", "wav49", "/var/spool/asterisk/voicemail/default/6000/INBOX/msg0000.WAV"},
		{"/tmp/rec", "ulaw", "/tmp/rec.ulaw"},
		{"custom/greeting", "wav", filepath.Join(f.DataDir, "sounds", "custom/greeting.wav")},
	} {
		if got := f.FilePath(tc.name, tc.ext); got != tc.want {
			t.Errorf("FilePath(%s, %s) = %s, want %s", tc.name, tc.ext, got, tc.want)
		}
	}
	// A recording made through FilePath is found and opened by name.
	ff, _ := ForExt("wav")
	// Create makes no directories (Record does, as app_record's ast_mkdir).
	if _, err := Create(f.FilePath("rec", "wav"), ff); err == nil {
		t.Fatal("created in a missing directory")
	}
	if err := os.MkdirAll(filepath.Join(f.DataDir, "sounds"), 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := Create(f.FilePath("rec", "wav"), ff)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteFrame(media.Frame{Kind: media.Voice, Format: media.SLin, Payload: make([]byte, 320)})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := f.Open("rec", "fr", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Length() != 160 || r.Format() != media.SLin {
		t.Errorf("opened %s: %d samples of %v", r.Path(), r.Length(), r.Format())
	}
	if _, err := f.Open("nothing", "en", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open of a missing file: %v", err)
	}
}
