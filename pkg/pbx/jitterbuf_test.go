package pbx_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestChannelJitterBuffer: with a fixed buffer, a burst of frames the far
// end sent at once is read evenly spaced, the first max_size after it
// arrived; without one (disabled) the reads come at once again; the
// setting makes the channel frame-bridged (JitterBuffered).
func TestChannelJitterBuffer(t *testing.T) {
	eng := pbx.New(pbx.Config{})
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "6000", "internal", "600")
	cfg := pbx.DefaultJitterBuffer()
	cfg.MaxSize = 60 * time.Millisecond
	ch.SetJitterBuffer(&cfg)
	if !ch.JitterBuffered() || ch.JitterBuffer().MaxSize != 60*time.Millisecond {
		t.Fatalf("setting not kept: %+v", ch.JitterBuffer())
	}
	burst := func() []media.Frame {
		var out []media.Frame
		for i := 0; i < 5; i++ {
			out = append(out, media.Frame{Kind: media.Voice, Format: media.ULaw, Samples: 160, Timestamp: uint32(160 * i), Payload: make([]byte, 160)})
		}
		return out
	}
	go func() { _ = ph.Say(burst()...) }()
	start := time.Now()
	var at []time.Duration
	for i := 0; i < 5; i++ {
		fr, err := ch.Read()
		if err != nil {
			t.Fatal(err)
		}
		if fr.Timestamp != uint32(160*i) {
			t.Fatalf("frame %d has timestamp %d", i, fr.Timestamp)
		}
		at = append(at, time.Since(start))
	}
	// A loaded machine delays reads; only the buffer makes them early.
	if at[0] < 50*time.Millisecond {
		t.Errorf("first frame read after %v, before max_size", at[0])
	}
	for i := 1; i < 5; i++ {
		if gap := at[i] - at[0]; gap < time.Duration(i)*20*time.Millisecond-5*time.Millisecond {
			t.Errorf("frame %d read %v after the first, want about %v", i, gap, time.Duration(i)*20*time.Millisecond)
		}
	}
	ch.SetJitterBuffer(nil)
	if ch.JitterBuffered() {
		t.Fatal("still buffered after disabled")
	}
	go func() { _ = ph.Say(burst()...) }()
	for i := 0; i < 5; i++ {
		fr, err := ch.Read()
		if err != nil {
			t.Fatal(err)
		}
		if fr.Timestamp != uint32(160*i) {
			t.Fatalf("unbuffered frame %d has timestamp %d", i, fr.Timestamp)
		}
	}
}
