package moh_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/moh"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const mohDir = "/usr/share/asterisk/moh"

// firstFile is the first of mohDir by name, where a class without sort
// starts.
const firstFile = mohDir + "/macroform-cold_day.wav"

// recLog is the shared recording logger with this package's checks.
type recLog struct{ pbxtest.Log }

// has checks that want appear in the log in this order.
func (l *recLog) has(t *testing.T, want ...string) {
	t.Helper()
	lines := l.Lines()
	i := 0
	for _, s := range lines {
		if i < len(want) && s == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("log lacks %q (in order); log:\n%s", want[i], strings.Join(lines, "\n"))
	}
}

func needMusic(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(firstFile); err != nil {
		t.Skip("asterisk-moh-opsound-wav is not installed (make test-deps)")
	}
}

// lab is an engine with the module loaded from conf.
type lab struct {
	eng *pbx.Engine
	m   *moh.Module
	log *recLog
}

func newLab(t *testing.T, conf string) *lab {
	t.Helper()
	needMusic(t)
	log := &recLog{}
	cfg, diags := moh.Load(parse(t, conf), "/usr/share/asterisk")
	if len(diags) != 0 {
		t.Fatalf("config: %v", diags)
	}
	l := &lab{eng: pbx.New(pbx.Config{Logger: log}), log: log}
	l.m = moh.New(moh.Options{Log: log, DataDir: "/usr/share/asterisk"}, cfg)
	if err := l.m.Register(l.eng); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		for _, ch := range l.eng.Channels() {
			ch.Hangup(pbx.CauseNormalClearing)
		}
		l.m.Close()
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines left (before %d):\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
	})
	return l
}

const defaultConf = "[default]\nmode=files\ndirectory=moh\n"

// fileFrames reads n 20 ms frames of the first music file, in slin.
func fileFrames(t *testing.T, n int) [][]byte {
	t.Helper()
	ff, ok := sound.ForExt("wav")
	if !ok {
		t.Fatal("no wav file format")
	}
	r, err := sound.Open(firstFile, ff)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [][]byte
	for len(out) < n {
		fr, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fr.Payload)
	}
	return out
}

// encode turns slin frames into what a G.711 phone hears.
func encode(frames [][]byte, law func(int16) byte) [][]byte {
	var out [][]byte
	for _, f := range frames {
		pcm := media.DecodeSLin(nil, f)
		b := make([]byte, len(pcm))
		for i, s := range pcm {
			b[i] = law(s)
		}
		out = append(out, b)
	}
	return out
}

func voice(p *pbxtest.Phone) [][]byte {
	var out [][]byte
	for _, fr := range p.Heard() {
		if fr.Kind == media.Voice {
			out = append(out, fr.Payload)
		}
	}
	return out
}

// offsetIn finds where heard sits in the file's frames: the index of
// its first frame, -1 when it is not a contiguous run of them.
func offsetIn(file, heard [][]byte) int {
	if len(heard) == 0 {
		return -1
	}
next:
	for off := 0; off+len(heard) <= len(file); off++ {
		for i := range heard {
			if !bytes.Equal(file[off+i], heard[i]) {
				continue next
			}
		}
		return off
	}
	return -1
}

func startMusic(t *testing.T, l *lab, ch *pbx.Channel, class string) {
	t.Helper()
	g := l.m.Music(ch, class)
	if g == nil {
		t.Fatalf("no music for %s; log:\n%s", ch.Name(), strings.Join(l.log.Lines(), "\n"))
	}
	ch.StartGenerator(g)
}

// Two channels on one class hear the same samples at the same time: the
// second one joins the first one's position, and the file is read once.
func TestListenersShareOnePosition(t *testing.T) {
	l := newLab(t, defaultConf)
	a, b := pbxtest.NewPhone(media.SLin), pbxtest.NewPhone(media.SLin)
	cha := a.NewChannel(l.eng, "a", "default", "s")
	chb := b.NewChannel(l.eng, "b", "default", "s")
	startMusic(t, l, cha, "")
	if !a.WaitHeard(10, 2*time.Second) {
		t.Fatal("a heard nothing")
	}
	startMusic(t, l, chb, "")
	if !b.WaitHeard(15, 2*time.Second) {
		t.Fatal("b heard nothing")
	}
	cha.StopGenerator()
	chb.StopGenerator()

	file := fileFrames(t, 200)
	ha, hb := voice(a), voice(b)
	if off := offsetIn(file, ha); off != 0 {
		t.Fatalf("a heard %d frames at offset %d of %s, want the file from its start", len(ha), off, firstFile)
	}
	off := offsetIn(file, hb)
	if off < 10 {
		t.Fatalf("b heard %d frames at offset %d, want a run of the file after a's first 10", len(hb), off)
	}
	// Same time: b's frames are a's frames of the same ticks, so both
	// stop at the same place (one tick apart at most, the two stops are
	// not simultaneous).
	if d := off + len(hb) - len(ha); d < -1 || d > 1 {
		t.Errorf("a heard up to frame %d, b up to %d: not one position", len(ha), off+len(hb))
	}
	l.log.has(t,
		"    -- Started music on hold, class 'default', on channel 'Test/a-00000000'",
		"    -- Started music on hold, class 'default', on channel 'Test/b-00000001'",
		"    -- Stopped music on hold on Test/a-00000000",
		"    -- Stopped music on hold on Test/b-00000001")
}

// A µ-law and an A-law channel on one class each hear the file in their
// own format, from the same position.
func TestListenersInTheirFormats(t *testing.T) {
	l := newLab(t, defaultConf)
	u, a := pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ALaw)
	chu := u.NewChannel(l.eng, "u", "default", "s")
	cha := a.NewChannel(l.eng, "al", "default", "s")
	startMusic(t, l, chu, "")
	startMusic(t, l, cha, "")
	if !u.WaitHeard(20, 2*time.Second) || !a.WaitHeard(20, 2*time.Second) {
		t.Fatal("phones heard nothing")
	}
	chu.StopGenerator()
	cha.StopGenerator()
	file := fileFrames(t, 200)
	hu, ha := voice(u), voice(a)
	ou := offsetIn(encode(file, media.LinearToULaw), hu)
	oa := offsetIn(encode(file, media.LinearToALaw), ha)
	if ou != 0 || oa < 0 || oa > 1 {
		t.Fatalf("ulaw phone heard the file from frame %d, alaw from %d; want 0 and 0 (or 1: it joined a tick later)", ou, oa)
	}
	for _, h := range u.Heard() {
		if h.Kind == media.Voice && h.Format != media.ULaw {
			t.Fatalf("ulaw phone got %s", h.Format)
		}
	}
}

// Music stopped and started again goes on where it stopped.
func TestResumesWhereItStopped(t *testing.T) {
	l := newLab(t, defaultConf)
	p := pbxtest.NewPhone(media.SLin)
	ch := p.NewChannel(l.eng, "r", "default", "s")
	startMusic(t, l, ch, "")
	p.WaitHeard(10, 2*time.Second)
	ch.StopGenerator()
	first := len(voice(p))
	startMusic(t, l, ch, "")
	p.WaitHeard(first+10, 2*time.Second)
	ch.StopGenerator()
	file := fileFrames(t, 200)
	second := voice(p)[first:]
	off := offsetIn(file, second)
	// The frame read but still queued for the channel when the music
	// stopped is not heard: the position may be a frame or two further.
	if off < first || off > first+listenerSlack {
		t.Fatalf("after %d frames, music resumed at frame %d", first, off)
	}
}

// listenerSlack is how many frames a stop may lose (the player's read
// ahead plus the listener's queue).
const listenerSlack = 6

func TestClassResolution(t *testing.T) {
	conf := "[general]\npreferchannelclass=%s\n[default]\nmode=files\ndirectory=moh\n[jazz]\nmode=files\ndirectory=moh\n[rock]\nmode=files\ndirectory=moh\n"
	tests := []struct {
		name, prefer, chanClass, asked, want string
		warnings                             []string
	}{
		{"nothing asked: default", "yes", "", "", "default", nil},
		{"asked", "yes", "", "jazz", "jazz", nil},
		{"channel class first", "yes", "rock", "jazz", "rock", nil},
		{"asked class first without preferchannelclass", "no", "rock", "jazz", "jazz", nil},
		{"missing class falls back to default", "yes", "", "blues", "default",
			[]string{"WARNING: Music on Hold class 'blues' not found in memory. Verify your configuration."}},
		{"missing channel class falls back to the asked one", "yes", "polka", "Jazz", "jazz",
			[]string{"WARNING: Music on Hold class 'polka' not found in memory. Verify your configuration."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, fmt.Sprintf(conf, tt.prefer))
			ch := pbxtest.NewPhone(media.ULaw).NewChannel(l.eng, "x", "default", "s")
			ch.SetMusicClass(tt.chanClass)
			startMusic(t, l, ch, tt.asked)
			ch.StopGenerator()
			want := append(tt.warnings, "    -- Started music on hold, class '"+tt.want+"', on channel 'Test/x-00000000'")
			l.log.has(t, want...)
		})
	}
}

func TestNoClasses(t *testing.T) {
	needMusic(t)
	log := &recLog{}
	eng := pbx.New(pbx.Config{Logger: log})
	m := moh.New(moh.Options{Log: log}, nil)
	defer m.Close()
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "n", "default", "s")
	if g := m.Music(ch, "jazz"); g != nil {
		t.Fatal("music without any class")
	}
	log.has(t, "WARNING: No music on hold classes configured, disabling music on hold.",
		"    -- Music class jazz requested but no musiconhold loaded.")
	// A reload that brings classes turns music on hold on; one without
	// the file changes nothing.
	missing, _ := moh.Load(nil, "/usr/share/asterisk")
	m.SetConfig(missing)
	if m.Music(ch, "") != nil {
		t.Fatal("music after a reload without musiconhold.conf")
	}
	cfg, _ := moh.Load(parse(t, defaultConf), "/usr/share/asterisk")
	m.SetConfig(cfg)
	if g := m.Music(ch, "jazz"); g == nil {
		t.Fatal("no music after the reload")
	}
	m.SetConfig(missing)
	if m.Config() != cfg {
		t.Error("a reload without musiconhold.conf dropped the classes")
	}
	log.has(t, "WARNING: Music on Hold class 'jazz' not found in memory. Verify your configuration.",
		"    -- Started music on hold, class 'default', on channel 'Test/n-00000000'")
}

func TestAnsweredOnly(t *testing.T) {
	l := newLab(t, defaultConf+"answeredonly=yes\n")
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(l.eng, "q", "default", "s")
	ch.SetState(pbx.StateRing)
	if l.m.Music(ch, "") != nil {
		t.Fatal("music to a channel not answered")
	}
	l.log.has(t, "    -- The channel 'Test/q-00000000' is not answered yet. Ignore the moh request.")
	ch.SetState(pbx.StateUp)
	if l.m.Music(ch, "") == nil {
		t.Fatal("no music once answered")
	}
}

func TestMusicOnHoldApp(t *testing.T) {
	l := newLab(t, defaultConf+"[jazz]\nmode=files\ndirectory=moh\ndigit=5\n")
	p := pbxtest.NewPhone(media.ULaw)
	ch := p.NewChannel(l.eng, "m", "default", "s")
	start := time.Now()
	res, err := l.eng.ExecApp(ch, "MusicOnHold", ",1")
	if err != nil || res != pbx.Continue {
		t.Fatalf("MusicOnHold: %v %v", res, err)
	}
	if d := time.Since(start); d < 950*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("MusicOnHold(,1) lasted %v", d)
	}
	if n := len(voice(p)); n < 40 || n > 55 {
		t.Errorf("1 s of music is %d frames, want about 50", n)
	}
	l.log.has(t, "    -- Started music on hold, class 'default', on channel 'Test/m-00000000'",
		"    -- Stopped music on hold on Test/m-00000000")

	// A digit with a class switches to it; a hangup ends the application.
	done := make(chan pbx.Result, 1)
	go func() {
		res, _ := l.eng.ExecApp(ch, "MusicOnHold", "default")
		done <- res
	}()
	p.WaitHeard(len(p.Heard())+5, 2*time.Second)
	if err := p.Press('5'); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for ch.MusicClass() != "jazz" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ch.Hangup(pbx.CauseNormalClearing)
	select {
	case res := <-done:
		if res != pbx.HangupResult {
			t.Errorf("MusicOnHold after a hangup: %v", res)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("MusicOnHold did not end at hangup")
	}
	l.log.has(t, "    -- Started music on hold, class 'jazz', on channel 'Test/m-00000000'")
	if ch.MusicClass() != "jazz" {
		t.Errorf("channel class %q after pressing 5, want jazz", ch.MusicClass())
	}
}

func TestStartStopMusicOnHold(t *testing.T) {
	l := newLab(t, defaultConf)
	p := pbxtest.NewPhone(media.ULaw)
	ch := p.NewChannel(l.eng, "s", "default", "s")
	if _, err := l.eng.ExecApp(ch, "StartMusicOnHold", ""); err != nil {
		t.Fatal(err)
	}
	if !p.WaitHeard(5, 2*time.Second) {
		t.Fatal("no music after StartMusicOnHold")
	}
	// The same class again leaves the music as it is.
	if _, err := l.eng.ExecApp(ch, "StartMusicOnHold", "default"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.eng.ExecApp(ch, "StopMusicOnHold", ""); err != nil {
		t.Fatal(err)
	}
	if ch.GeneratorActive() {
		t.Fatal("music still plays after StopMusicOnHold")
	}
	started := 0
	for _, s := range l.log.Lines() {
		if strings.Contains(s, "Started music on hold") {
			started++
		}
	}
	if started != 1 {
		t.Errorf("music started %d times, want once", started)
	}
	l.log.has(t, "    -- Stopped music on hold on Test/s-00000000")
}

// interpPhone is a fake phone whose driver has a class of its own, as a
// SIP peer's mohinterpret.
type interpPhone struct {
	*pbxtest.Phone
	class string
}

func (p interpPhone) MOHInterpret() string { return p.class }

// Music for a held call: the holder's suggestion, then the listener's
// driver class, then default.
func TestHoldMusicClass(t *testing.T) {
	conf := "[default]\nmode=files\ndirectory=moh\n[jazz]\nmode=files\ndirectory=moh\n[rock]\nmode=files\ndirectory=moh\n"
	for _, tt := range []struct{ interp, suggest, want string }{
		{"jazz", "", "jazz"},
		{"jazz", "rock", "rock"},
		{"passthrough", "", "default"},
		{"", "", "default"},
	} {
		t.Run(tt.interp+"/"+tt.suggest, func(t *testing.T) {
			l := newLab(t, conf)
			ch := l.eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "h", Driver: interpPhone{pbxtest.NewPhone(media.ULaw), tt.interp}})
			if l.m.HoldMusic(ch, tt.suggest) == nil {
				t.Fatal("no hold music")
			}
			l.log.has(t, "    -- Started music on hold, class '"+tt.want+"', on channel 'Test/h-00000000'")
			for _, s := range l.log.Lines() {
				if strings.HasPrefix(s, "WARNING") {
					t.Errorf("unexpected %s", s)
				}
			}
		})
	}
}
