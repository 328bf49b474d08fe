package apps_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// toneFrames makes d of a tone list as 20 ms frames in format f.
func toneFrames(t *testing.T, tones string, d time.Duration, f *media.Format) []media.Frame {
	t.Helper()
	frames, err := pbxtest.ToneFrames(tones, d, f)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

func recordPlan(dir string) string {
	return strings.ReplaceAll(`
[rec]
exten => dtmf,1,Record(DIR/tone.wav,0,0,q)
 same => n,NoOp(${RECORD_STATUS} ${RECORDED_FILE})
 same => n,Playback(DIR/tone)
exten => silence,1,Record(DIR/sil.wav,2,0,q)
 same => n,NoOp(${RECORD_STATUS})
exten => timeout,1,Record(DIR/to.wav,0,1,q)
 same => n,NoOp(${RECORD_STATUS})
exten => hangup,1,Record(DIR/gone.wav,0,0,q)
 same => n,NoOp(not reached)
exten => baddir,1,Record(/proc/gostrisk-no-such/x.wav,0,1,q)
 same => n,NoOp(${RECORD_STATUS})
exten => seq,1,Record(DIR/msg%d.ulaw,0,1,q)
 same => n,Record(DIR/msg%d.ulaw,0,1,qs)
 same => n,NoOp(${RECORD_STATUS} ${RECORDED_FILE})
exten => beep,1,Record(DIR/b.wav,0,1)
 same => n,NoOp(${RECORD_STATUS})
`, "DIR", dir)
}

func TestRecordToneThenPlayback(t *testing.T) {
	needSounds(t)
	noLeaks(t)
	dir := t.TempDir()
	l := newMediaLab(t, recordPlan(dir), apps.Config{})
	phone := pbxtest.NewPhone(media.ULaw)
	c := l.start(t, phone, "rec", "dtmf")
	if err := phone.Say(toneFrames(t, "1000", time.Second, media.ULaw)...); err != nil {
		t.Fatal(err)
	}
	if err := phone.Press('#'); err != nil {
		t.Fatal(err)
	}
	c.wait(t, l, 5*time.Second)
	l.log.has(t,
		`    -- Executing [dtmf@rec:2] NoOp("Test/6001-00000000", "DTMF `+dir+`/tone") in new stack`,
		`    -- <Test/6001-00000000> Playing '`+dir+`/tone.slin' (language 'en')`)
	ff, _ := sound.LookupFileFormat("wav")
	rec := readPCM(t, filepath.Join(dir, "tone.wav"), ff)
	if want := 8000 - 2000; len(rec) != want {
		t.Errorf("recording has %d samples, want %d (1 s less the 250 ms cut at the key)", len(rec), want)
	}
	if hz := dominantHz(rec, 8000); hz < 980 || hz > 1020 {
		t.Errorf("recording is a %.0f Hz tone, want 1000 Hz", hz)
	}
	heard, err := phone.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) < len(rec) {
		t.Fatalf("phone heard %d samples of the %d recorded", len(heard), len(rec))
	}
	if hz := dominantHz(heard, 8000); hz < 980 || hz > 1020 {
		t.Errorf("playback of the recording is a %.0f Hz tone, want 1000 Hz", hz)
	}
	if r := correlation(heard, rec); r < 0.99 {
		t.Errorf("playback correlates %.3f with the recording", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %v, want only tone.wav (no temporary file left)", entries)
	}
}

func TestRecordEndings(t *testing.T) {
	needSounds(t)
	tests := []struct {
		exten string
		say   func(t *testing.T, c *call)
		log   []string
		file  string // file left, "" for none checked
		gone  string // file that must not exist
		want  time.Duration
	}{
		{exten: "silence", say: func(t *testing.T, c *call) {
			frames := append(toneFrames(t, "1000", 500*time.Millisecond, media.ULaw), toneFrames(t, "0", 3*time.Second, media.ULaw)...)
			if err := c.phone.Say(frames...); err != nil {
				t.Fatal(err)
			}
		}, log: []string{`    -- Executing [silence@rec:2] NoOp("Test/6001-00000000", "SILENCE") in new stack`},
			// 0.5 s of tone, then the 2 s of silence that ended it but 1 s
			file: "sil.wav", want: 1520 * time.Millisecond},
		{exten: "timeout", log: []string{`    -- Executing [timeout@rec:2] NoOp("Test/6001-00000000", "TIMEOUT") in new stack`}, file: "to.wav"},
		{exten: "hangup", say: func(t *testing.T, c *call) {
			if err := c.phone.Say(toneFrames(t, "1000", 200*time.Millisecond, media.ULaw)...); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			c.ch.HungUp(pbx.CauseNormalClearing)
		}, gone: "gone.wav"},
		{exten: "baddir", log: []string{
			`WARNING: Could not create directory for file /proc/gostrisk-no-such/x`,
			`    -- Executing [baddir@rec:2] NoOp("Test/6001-00000000", "ERROR") in new stack`}},
		{exten: "seq", log: []string{`    -- Executing [seq@rec:3] NoOp("Test/6001-00000000", "TIMEOUT DIR/msg1") in new stack`}, file: "msg1.ulaw"},
		{exten: "beep", log: []string{
			`    -- <Test/6001-00000000> Playing 'beep.slin' (language 'en')`,
			`    -- Executing [beep@rec:2] NoOp("Test/6001-00000000", "TIMEOUT") in new stack`}},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			noLeaks(t)
			dir := t.TempDir()
			l := newMediaLab(t, recordPlan(dir), apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			c := l.start(t, phone, "rec", tc.exten)
			if tc.say != nil {
				tc.say(t, c)
			}
			c.wait(t, l, 6*time.Second)
			for i := range tc.log {
				tc.log[i] = strings.ReplaceAll(tc.log[i], "DIR", dir)
			}
			l.log.has(t, tc.log...)
			if tc.file != "" {
				fi, err := os.Stat(filepath.Join(dir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				if tc.want > 0 {
					ff, _ := sound.LookupFileFormat("wav")
					n := len(readPCM(t, filepath.Join(dir, tc.file), ff))
					if got := time.Duration(n) * time.Second / 8000; got < tc.want-60*time.Millisecond || got > tc.want+60*time.Millisecond {
						t.Errorf("%s lasts %v, want about %v (%d bytes)", tc.file, got, tc.want, fi.Size())
					}
				}
			}
			if tc.gone != "" {
				if _, err := os.Stat(filepath.Join(dir, tc.gone)); !os.IsNotExist(err) {
					t.Errorf("%s left after a hangup: %v", tc.gone, err)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("directory holds %v after a hangup", entries)
				}
			}
		})
	}
}

func TestRecordAppendAndAnyKey(t *testing.T) {
	noLeaks(t)
	dir := t.TempDir()
	ff, _ := sound.LookupFileFormat("wav")
	w, err := sound.Create(filepath.Join(dir, "app.wav"), ff)
	if err != nil {
		t.Fatal(err)
	}
	for _, fr := range toneFrames(t, "500", 500*time.Millisecond, media.SLin) {
		if err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	plan := strings.ReplaceAll(`
[rec]
exten => a,1,Record(DIR/app.wav,0,0,qay)
 same => n,NoOp(${RECORD_STATUS})
exten => o,1,Record(DIR/op.wav,0,0,qo)
 same => n,NoOp(${RECORD_STATUS})
`, "DIR", dir)
	tests := []struct{ exten, key, status string }{
		{"a", "5", "DTMF"},
		{"o", "0", "OPERATOR"},
	}
	for _, tc := range tests {
		l := newMediaLab(t, plan, apps.Config{})
		phone := pbxtest.NewPhone(media.ULaw)
		c := l.start(t, phone, "rec", tc.exten)
		if err := phone.Say(toneFrames(t, "1000", time.Second, media.ULaw)...); err != nil {
			t.Fatal(err)
		}
		if err := phone.Press(rune(tc.key[0])); err != nil {
			t.Fatal(err)
		}
		c.wait(t, l, 5*time.Second)
		l.log.has(t, `    -- Executing [`+tc.exten+`@rec:2] NoOp("Test/6001-00000000", "`+tc.status+`") in new stack`)
	}
	// 0.5 s kept from before, then 1 s less the 250 ms key tail
	if n := len(readPCM(t, filepath.Join(dir, "app.wav"), ff)); n != 4000+6000 {
		t.Errorf("appended recording has %d samples, want 10000", n)
	}
}
