package moh_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/moh"
)

// writeFiles creates empty files under dir.
func writeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parse(t *testing.T, text string) *confparse.Config {
	t.Helper()
	cfg, diags := confparse.Parse("musiconhold.conf", []byte(text), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	return cfg
}

func diagStrings(ds confparse.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func TestLoad(t *testing.T) {
	data := t.TempDir()
	// Asterisk's scan: each name once whatever its formats, no dot files,
	// no names without an extension of two characters or more.
	writeFiles(t, data, "moh/b-song.wav", "moh/b-song.gsm", "moh/A-song.ulaw", "moh/.hidden.wav",
		"moh/noext", "moh/short.x", "moh/c.sln16", "moh/sub/deep.wav",
		"jazz/z.wav", "jazz/Y.wav", "jazz/x.wav", "empty/.keep")
	tests := []struct {
		name  string
		conf  string
		check func(t *testing.T, c *moh.Config)
		diags []string
	}{
		{
			name: "relative directory under astdatadir, name order",
			conf: "[general]\ncachertclasses=yes\n[default]\nmode=files\ndirectory=moh\n",
			check: func(t *testing.T, c *moh.Config) {
				cl := c.Lookup("DEFAULT")
				if cl == nil {
					t.Fatal("no class default")
				}
				want := []string{data + "/moh/A-song", data + "/moh/b-song", data + "/moh/c"}
				if !reflect.DeepEqual(cl.Files, want) {
					t.Errorf("files %q, want %q", cl.Files, want)
				}
				if cl.Dir != "moh" || cl.ScanDir != data+"/moh" || !c.PreferChannelClass || !c.CacheRTClasses {
					t.Errorf("class %+v config %+v", cl, c)
				}
			},
		},
		{
			name: "alpha ignores case, absolute directory, options",
			conf: "[general]\npreferchannelclass=no\n[jazz]\nmode=files\ndirectory=" + data + "/jazz\nsort=alpha\ndigit=5\nannouncement=queue-thankyou\nansweredonly=yes\nloop_last=yes\n",
			check: func(t *testing.T, c *moh.Config) {
				cl := c.Lookup("jazz")
				want := []string{data + "/jazz/x", data + "/jazz/Y", data + "/jazz/z"}
				if cl == nil || !reflect.DeepEqual(cl.Files, want) {
					t.Fatalf("class %+v, want files %q", cl, want)
				}
				if cl.Sort != moh.SortAlpha || cl.Digit != '5' || cl.Announcement != "queue-thankyou" || !cl.AnsweredOnly || !cl.LoopLast || c.PreferChannelClass {
					t.Errorf("class %+v", cl)
				}
			},
		},
		{
			name: "playlist",
			conf: "[list]\nmode=playlist\nentry=/music/one\nentry=/music/two.wav\nentry=relative\nentry=http://radio/stream\n",
			check: func(t *testing.T, c *moh.Config) {
				cl := c.Lookup("list")
				if cl == nil || cl.Dir != "nodir" || !reflect.DeepEqual(cl.Files, []string{"/music/one", "/music/two.wav"}) {
					t.Fatalf("class %+v", cl)
				}
			},
			diags: []string{
				"musiconhold.conf:4: warning: The playlist entry '/music/two.wav' may include an extension, which could prevent it from playing.",
				"musiconhold.conf:5: warning: Playlist entries must be a URL or an absolute path, 'relative' provided.",
				"musiconhold.conf:6: warning: Playlist entry 'http://radio/stream': streams are not supported in gostrisk; skipped",
			},
		},
		{
			name: "classes that cannot play are skipped with Asterisk's warnings",
			conf: "[general]\nbogus=1\n[nodir]\nmode=files\n[nomode]\ndirectory=moh\n[mp3]\nmode=quietmp3\ndirectory=moh\n" +
				"[custom]\nmode=custom\napplication=/usr/bin/mpg123 -q\n[weird]\nmode=tape\ndirectory=moh\n" +
				"[missing]\nmode=files\ndirectory=nowhere\n[empty]\nmode=files\ndirectory=empty\n" +
				"[ok]\nmode=files\ndirectory=moh\nsort=shuffle\ndigit=x\nvolume=11\nrandom=yes\n[OK]\nmode=files\ndirectory=jazz\n",
			check: func(t *testing.T, c *moh.Config) {
				if len(c.Classes) != 1 || c.Classes[0].Name != "ok" || c.Classes[0].Sort != moh.SortRandom {
					t.Fatalf("classes %+v, want only ok (random)", c.Classes)
				}
			},
			diags: []string{
				"musiconhold.conf:2: warning: Unknown option 'bogus' in [general] section of musiconhold.conf",
				"musiconhold.conf:3: warning: A directory must be specified for class 'nodir'!",
				"musiconhold.conf:5: warning: A mode must be specified for class 'nomode'!",
				"musiconhold.conf:7: warning: Music on Hold mode 'quietmp3' (class 'mp3') is not supported in gostrisk: it runs an external player; use mode=files",
				"musiconhold.conf:10: warning: Music on Hold mode 'custom' (class 'custom') is not supported in gostrisk: it runs an external player; use mode=files",
				"musiconhold.conf:13: warning: Don't know how to do a mode 'tape' music on hold",
				"musiconhold.conf:18: warning: Error opening directory - " + data + "/nowhere: No such file or directory",
				"musiconhold.conf:21: warning: Files not found in " + data + "/empty for moh class:empty",
				"musiconhold.conf:25: warning: Unknown sort 'shuffle' for class 'ok': want random, alpha or randstart",
				"musiconhold.conf:26: warning: Invalid digit 'x' for class 'ok': want 0-9, * or #",
				"musiconhold.conf:27: warning: Unknown option 'volume' in class 'ok' of musiconhold.conf",
				"musiconhold.conf:28: warning: Music on hold 'random' setting is deprecated in 14.  Please use 'sort=random' instead.",
				"musiconhold.conf:29: warning: Music on Hold class 'OK' already exists (musiconhold.conf:22); this one is ignored",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, diags := moh.Load(parse(t, tt.conf), data)
			if got := diagStrings(diags); !reflect.DeepEqual(got, tt.diags) {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.diags, "\n"))
			}
			tt.check(t, c)
		})
	}
}

func TestLoadWithoutFile(t *testing.T) {
	c, diags := moh.Load(nil, "/nonexistent")
	if len(diags) != 0 || len(c.Classes) != 0 || !c.PreferChannelClass || !c.Missing {
		t.Fatalf("no musiconhold.conf: %+v %v", c, diags)
	}
}

// The sample configuration plays Debian's opsound files.
func TestSampleConfig(t *testing.T) {
	if _, err := os.Stat("/usr/share/asterisk/moh/macroform-cold_day.wav"); err != nil {
		t.Skip("asterisk-moh-opsound-wav is not installed (make test-deps)")
	}
	cfg, diags := confparse.Load("musiconhold.conf", confparse.Options{Dir: "../../samples/etc-asterisk"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, diags := moh.Load(cfg, "var/lib")
	if len(diags) != 0 {
		t.Fatalf("sample musiconhold.conf: %v", diags)
	}
	d := c.Lookup("default")
	if d == nil || len(d.Files) != 5 || d.Files[0] != "/usr/share/asterisk/moh/macroform-cold_day" {
		t.Fatalf("sample class default: %+v", d)
	}
}
