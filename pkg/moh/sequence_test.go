package moh_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// writeTone writes a wav of frames 20 ms frames whose samples are all
// value, so that what a listener hears names the file it came from.
func writeTone(t *testing.T, path string, value int16, frames int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	ff, _ := sound.ForExt("wav")
	w, err := sound.Create(path, ff)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = value
	}
	for i := 0; i < frames; i++ {
		if err := w.WriteFrame(media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), uint32(160*i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// heardSequence is what a slin phone heard, one letter per run of frames
// of one file (value v -> names[v]).
func heardSequence(p *pbxtest.Phone, names map[int16]string) string {
	var out []string
	for _, fr := range p.Heard() {
		if fr.Kind != media.Voice {
			continue
		}
		s := media.DecodeSLin(nil, fr.Payload)
		name, ok := names[s[0]]
		if !ok {
			name = fmt.Sprint(s[0])
		}
		if len(out) == 0 || out[len(out)-1] != name {
			out = append(out, name)
		}
	}
	return strings.Join(out, " ")
}

// The order files play in, with announcements, loop_last and a file that
// cannot be read.
func TestPlayOrder(t *testing.T) {
	data := t.TempDir()
	writeTone(t, data+"/moh/B.wav", 2000, 3)
	writeTone(t, data+"/moh/a.wav", 1000, 3)
	writeTone(t, data+"/moh/c.wav", 3000, 3)
	writeTone(t, data+"/sounds/en/welcome.wav", 500, 2)
	writeTone(t, data+"/broken/a.wav", 1000, 3)
	if err := os.WriteFile(data+"/broken/b.wav", []byte("RIFF not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	names := map[int16]string{1000: "A", 2000: "B", 3000: "C", 500: "ann"}
	tests := []struct {
		name, conf string
		want       string // the start of what the listener hears
		warning    string
	}{
		{"by name", "directory=moh", "B A C B A C B", ""},
		{"alpha ignores case", "directory=moh\nsort=alpha", "A B C A B C", ""},
		{"loop_last", "directory=moh\nsort=alpha\nloop_last=yes", "A B C", ""},
		{"announcement before each file", "directory=moh\nannouncement=welcome", "ann B ann A ann C ann B", ""},
		{"unreadable file skipped", "directory=broken", "A", "WARNING: Unable to open file '" + data + "/broken/b': "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &recLog{}
			cfg, diags := moh.Load(parse(t, "[default]\nmode=files\n"+tt.conf+"\n"), data)
			if len(diags) != 0 {
				t.Fatal(diags)
			}
			m := moh.New(moh.Options{Log: log, DataDir: data}, cfg)
			defer m.Close()
			eng := pbx.New(pbx.Config{Logger: log})
			p := pbxtest.NewPhone(media.SLin)
			ch := p.NewChannel(eng, "o", "default", "s")
			defer ch.Hangup(pbx.CauseNormalClearing)
			ch.StartGenerator(m.Music(ch, ""))
			p.WaitHeard(22, 3*time.Second)
			ch.StopGenerator()
			got := heardSequence(p, names)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("heard %q, want it to start with %q", got, tt.want)
			}
			if tt.name == "loop_last" && strings.Contains(got, "C A") {
				t.Errorf("loop_last went back to the first file: %q", got)
			}
			if tt.warning != "" {
				found := false
				for _, s := range log.Lines() {
					found = found || strings.HasPrefix(s, tt.warning)
				}
				if !found {
					t.Errorf("no warning %q; log:\n%s", tt.warning, strings.Join(log.Lines(), "\n"))
				}
			}
		})
	}
}

// sort=random picks files at random: over many files, not by name.
func TestRandomOrder(t *testing.T) {
	data := t.TempDir()
	names := map[int16]string{}
	for i := 0; i < 8; i++ {
		v := int16(1000 * (i + 1))
		writeTone(t, fmt.Sprintf("%s/moh/%c.wav", data, 'a'+i), v, 1)
		names[v] = string(rune('a' + i))
	}
	cfg, _ := moh.Load(parse(t, "[default]\nmode=files\ndirectory=moh\nsort=random\n"), data)
	m := moh.New(moh.Options{Log: &recLog{}, DataDir: data}, cfg)
	defer m.Close()
	eng := pbx.New(pbx.Config{Logger: &recLog{}})
	p := pbxtest.NewPhone(media.SLin)
	ch := p.NewChannel(eng, "r", "default", "s")
	defer ch.Hangup(pbx.CauseNormalClearing)
	ch.StartGenerator(m.Music(ch, ""))
	p.WaitHeard(16, 3*time.Second)
	ch.StopGenerator()
	got := heardSequence(p, names)
	if strings.HasPrefix(got, "a b c d e f g h") {
		t.Errorf("random order played by name: %q", got)
	}
	for _, name := range strings.Fields(got) {
		if len(name) != 1 || name[0] < 'a' || name[0] > 'h' {
			t.Fatalf("heard %q: not one of the files", got)
		}
	}
}
