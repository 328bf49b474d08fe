package pbx_test

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func TestWhisperIsAddedToWhatTheChannelSends(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "a", "default", "s")
	frame := func(v int16) media.Frame {
		pcm := make([]int16, 160)
		for i := range pcm {
			pcm[i] = v
		}
		return media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), 0)
	}
	var w pbx.Whisper
	remove := ch.AddWhisper(&w)
	if !ch.Tapped() {
		t.Fatal("a whispered channel can stay in the native relay")
	}
	w.Write(make80(3000)) // half a frame of whisper
	for _, fr := range []media.Frame{frame(1000), frame(1000)} {
		if err := ch.Write(fr); err != nil {
			t.Fatal(err)
		}
	}
	remove()
	if ch.Tapped() {
		t.Fatal("the whisper's hold on frame mode outlived it")
	}
	w.Write(make80(3000))
	if err := ch.Write(frame(1000)); err != nil {
		t.Fatal(err)
	}
	got, err := ph.HeardPCM()
	if err != nil || len(got) != 480 {
		t.Fatalf("heard %d samples (%v), want 480", len(got), err)
	}
	for _, tc := range []struct {
		from, to int
		want     int
	}{
		{0, 80, 4000},    // the whisper added
		{80, 160, 1000},  // the whisper ran out mid-frame
		{160, 320, 1000}, // nothing waiting
		{320, 480, 1000}, // removed: what it queued is not heard
	} {
		for i := tc.from; i < tc.to; i++ {
			if d := int(got[i]) - tc.want; d > 150 || d < -150 {
				t.Fatalf("sample %d: %d, want about %d", i, got[i], tc.want)
			}
		}
	}
}

func make80(v int16) []int16 {
	pcm := make([]int16, 80)
	for i := range pcm {
		pcm[i] = v
	}
	return pcm
}
