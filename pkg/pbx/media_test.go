package pbx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func TestChannelWriteTranslatesToNative(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ALaw)
	ch := ph.NewChannel(eng, "a", "default", "s")
	pcm := make([]int16, 160)
	for i := range pcm {
		pcm[i] = int16(1000 * (i%20 - 10))
	}
	fr := media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), 0)
	if err := ch.Write(fr); err != nil {
		t.Fatal(err)
	}
	u := make([]byte, 160)
	for i, s := range pcm {
		u[i] = media.LinearToULaw(s)
	}
	if err := ch.Write(media.VoiceFrame(media.ULaw, u, 160)); err != nil {
		t.Fatal(err)
	}
	heard := ph.Heard()
	if len(heard) != 2 {
		t.Fatalf("phone heard %d frames, want 2", len(heard))
	}
	for i, h := range heard {
		if h.Format != media.ALaw || len(h.Payload) != 160 {
			t.Fatalf("frame %d: %s with %d bytes, want alaw with 160", i, h.Format, len(h.Payload))
		}
	}
	got, _ := ph.HeardPCM()
	for i := 0; i < 160; i++ {
		if d := int(got[i]) - int(pcm[i]); d > 64 || d < -64 {
			t.Fatalf("sample %d: %d, sent %d", i, got[i], pcm[i])
		}
	}
}

func TestChannelReadFormatDTMFAndEnds(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "default", "s")
	ch.SetReadFormat(media.SLin)
	go func() {
		_ = ph.Say(media.VoiceFrame(media.ULaw, make([]byte, 160), 0))
		_ = ph.Press('5')
	}()
	fr, err := ch.Read()
	if err != nil || fr.Kind != media.Voice || fr.Format != media.SLin || len(fr.Payload) != 320 {
		t.Fatalf("first read: %v %v", fr, err)
	}
	if fr, _ = ch.Read(); fr.Kind != media.DTMFBegin || fr.Digit != '5' {
		t.Fatalf("second read %v, want DTMF_BEGIN 5", fr)
	}
	if fr, _ = ch.Read(); fr.Kind != media.DTMFEnd || fr.Digit != '5' {
		t.Fatalf("third read %v, want DTMF_END 5", fr)
	}
	ch.DTMF('#', 80*time.Millisecond)
	if fr, _ = ch.Read(); fr.Kind != media.DTMFEnd || fr.Digit != '#' {
		t.Fatalf("INFO digit read as %v", fr)
	}
	if _, err := ch.ReadUntil(time.After(20 * time.Millisecond)); !errors.Is(err, pbx.ErrTimeout) {
		t.Fatalf("read with nothing to read: %v, want timeout", err)
	}
	go func() { time.Sleep(10 * time.Millisecond); ch.Interrupt() }()
	if _, err := ch.Read(); !errors.Is(err, pbx.ErrInterrupted) {
		t.Fatalf("interrupted read: %v", err)
	}
	ch.ClearInterrupt()
	go func() { time.Sleep(10 * time.Millisecond); ch.SoftHangup(pbx.CauseNormalClearing) }()
	if _, err := ch.Read(); !errors.Is(err, pbx.ErrHangup) {
		t.Fatalf("read across a hangup: %v", err)
	}
}

func TestGeneratorStopsOnHangup(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	ph.Pace = true
	ch := ph.NewChannel(eng, "a", "default", "s")
	ch.StartGenerator(pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
		for ctx.Err() == nil {
			if err := ch.Write(media.VoiceFrame(media.SLin, make([]byte, 320), 0)); err != nil {
				return err
			}
		}
		return nil
	}))
	if !ph.WaitHeard(3, 2*time.Second) {
		t.Fatal("generator wrote nothing")
	}
	ch.Hangup(pbx.CauseNormalClearing)
	if ch.GeneratorActive() {
		t.Fatal("generator still runs after hangup")
	}
}

func TestBusSeesChannelLife(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	sub := eng.Bus().Subscribe()
	defer sub.Close()
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "default", "s")
	_ = ch.Answer()
	ch.Hangup(pbx.CauseNormalClearing)
	var got []pbx.BusEventType
	for _, ev := range sub.Take() {
		got = append(got, ev.Type)
	}
	want := []pbx.BusEventType{pbx.BusNewchannel, pbx.BusNewstate, pbx.BusHangup}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
}

func TestChannelFunction(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ALaw)
	ch := ph.NewChannel(eng, "6001", "default", "s")
	for _, w := range []struct{ item, value string }{{"language", "fr"}, {"musicclass", "jazz"}, {"tonezone", "fr"}} {
		if err := eng.WriteFunction(ch, "CHANNEL", w.item, w.value); err != nil {
			t.Fatalf("CHANNEL(%s)=%s: %v", w.item, w.value, err)
		}
	}
	ch.SetReadFormat(media.SLin)
	for _, c := range []struct{ item, want string }{
		{"language", "fr"}, {"musicclass", "jazz"}, {"tonezone", "fr"}, {"channeltype", "Test"},
		{"audionativeformat", "alaw"}, {"audiowriteformat", "alaw"}, {"audioreadformat", "slin"},
		{"state", "Down"}, {"checkhangup", "0"}, {"name", ch.Name()},
	} {
		got, err := eng.ReadFunction(ch, "CHANNEL", c.item)
		if err != nil || got != c.want {
			t.Errorf("CHANNEL(%s) = %q, %v; want %q", c.item, got, err, c.want)
		}
	}
	if ch.Language() != "fr" || ch.MusicClass() != "jazz" {
		t.Errorf("writes did not reach the channel: %q %q", ch.Language(), ch.MusicClass())
	}
	if _, err := eng.ReadFunction(ch, "CHANNEL", "nosuchitem"); err == nil {
		t.Error("CHANNEL(nosuchitem) gave no error")
	}
}

// A digits-only read tells the stream to stop handing voice over and skips
// what still comes; the next ordinary read asks for voice again.
func TestReadDigitsSkipsVoice(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "default", "s")
	go func() {
		_ = ph.Say(media.VoiceFrame(media.ULaw, make([]byte, 160), 0), media.VoiceFrame(media.ULaw, make([]byte, 160), 160))
		_ = ph.Press('7')
		_ = ph.Say(media.VoiceFrame(media.ULaw, make([]byte, 160), 320))
	}()
	fr, err := ch.ReadDigitsUntil(time.After(2 * time.Second))
	if err != nil || fr.Kind != media.DTMFBegin || fr.Digit != '7' {
		t.Fatalf("digits-only read: %v %v, want DTMF_BEGIN 7", fr, err)
	}
	if ph.VoiceWanted() {
		t.Error("the stream was not told to keep its voice")
	}
	if fr, _ = ch.ReadDigitsUntil(time.After(2 * time.Second)); fr.Kind != media.DTMFEnd {
		t.Fatalf("second digits-only read: %v", fr)
	}
	if fr, err = ch.ReadUntil(time.After(2 * time.Second)); err != nil || fr.Kind != media.Voice {
		t.Fatalf("ordinary read after digits: %v %v, want voice", fr, err)
	}
	if !ph.VoiceWanted() {
		t.Error("an ordinary read did not ask for voice again")
	}
}
