package sound

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got)
}

func TestShowFileFormats(t *testing.T) {
	golden(t, "core-show-file-formats.txt", ShowFileFormats())
}

func TestFileFormatsMatchAsterisk(t *testing.T) {
	// name -> extensions and codec, as Asterisk 18's formats/*.c define them.
	want := map[string]string{
		"wav49": "WAV|wav49 gsm", "wav": "wav slin", "wav16": "wav16 slin16",
		"gsm": "gsm gsm", "pcm": "pcm|ulaw|ul|mu|ulw ulaw", "alaw": "alaw|al|alw alaw",
		"au": "au ulaw", "g722": "g722 g722", "sln": "sln|slin|raw slin",
		"sln16": "sln16 slin16", "sln192": "sln192 slin192", "g729": "g729 g729",
		"iLBC": "ilbc ilbc", "vox": "vox adpcm", "g726-32": "g726-32 g726",
		"g723sf": "g723|g723sf g723", "h264": "h264 h264",
	}
	seen := map[string]bool{}
	for _, f := range FileFormats() {
		if seen[f.Name] {
			t.Errorf("%s listed twice", f.Name)
		}
		seen[f.Name] = true
		if w, ok := want[f.Name]; ok {
			if got := strings.Join(f.Exts, "|") + " " + f.Codec.Name; got != w {
				t.Errorf("%s: got %q, want %q", f.Name, got, w)
			}
			delete(want, f.Name)
		}
	}
	for name := range want {
		t.Errorf("format %s missing", name)
	}
	if n := len(FileFormats()); n != 30 {
		t.Errorf("%d formats, want the 30 of Asterisk's reference install", n)
	}
}

func TestForExt(t *testing.T) {
	for _, tc := range []struct{ ext, want string }{
		{"wav", "wav"}, {"WAV", "wav49"}, {"wav49", "wav49"}, {"wav16", "wav16"},
		{"gsm", "gsm"}, {"ulaw", "pcm"}, {"mu", "pcm"}, {"pcm", "pcm"}, {"al", "alaw"},
		{"slin", "sln"}, {"raw", "sln"}, {"sln16", "sln16"}, {"g722", "g722"}, {"au", "au"},
		{"mp3", ""}, {"Wav", ""},
	} {
		f, ok := ForExt(tc.ext)
		got := ""
		if ok {
			got = f.Name
		}
		if got != tc.want {
			t.Errorf("ForExt(%q) = %q, want %q", tc.ext, got, tc.want)
		}
	}
	if f, ok := LookupFileFormat("WAV49"); !ok || f.Name != "wav49" {
		t.Errorf("LookupFileFormat(WAV49) = %v, %v", f, ok)
	}
}
