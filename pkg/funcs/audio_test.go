package funcs

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

func slinFrame(samples ...int16) media.Frame {
	return media.VoiceFrame(media.SLin, media.EncodeSLin(nil, samples), 0)
}

// TestAudioFunctions: VOLUME, MUTEAUDIO and SCRAMBLE change the samples
// a channel reads (RX/in) and writes (TX/out), and go away when neutral.
func TestAudioFunctions(t *testing.T) {
	e, log := newMoreEngine(t, nil)
	phone := pbxtest.NewPhone(media.SLin)
	ch := phone.NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	set := func(target, value string) {
		t.Helper()
		if err := e.Assign(ch, target, value); err != nil {
			t.Fatalf("%s=%s: %v", target, value, err)
		}
	}
	// read sends samples from the phone and returns what the core reads.
	read := func(in ...int16) []int16 {
		t.Helper()
		go phone.Say(slinFrame(in...))
		fr, err := ch.ReadUntil(time.After(2 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return media.DecodeSLin(nil, fr.Payload)
	}
	// write sends samples to the phone and returns what it heard.
	write := func(in ...int16) []int16 {
		t.Helper()
		before := len(phone.Heard())
		if err := ch.Write(slinFrame(in...)); err != nil {
			t.Fatal(err)
		}
		h := phone.Heard()
		if len(h) != before+1 {
			t.Fatalf("heard %d frames, want %d", len(h), before+1)
		}
		return media.DecodeSLin(nil, h[before].Payload)
	}
	eq := func(what string, got []int16, want ...int16) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s = %v, want %v", what, got, want)
			}
		}
	}

	if got := e.Substitute(ch, "${VOLUME(TX)}"); got != "" {
		t.Errorf("VOLUME(TX) before any set = %q", got)
	}
	eq("plain read", read(100, -200, 20000), 100, -200, 20000)
	set("VOLUME(RX)", "2")
	set("VOLUME(TX)", "-4")
	eq("RX x2", read(100, -200, 20000), 200, -400, 32767)
	eq("TX /4", write(100, -200, 8), 25, -50, 2)
	if got := e.Substitute(ch, "${VOLUME(RX)}/${VOLUME(tx)}"); got != "2.000000/-4.000000" {
		t.Errorf("VOLUME reads %q", got)
	}
	set("VOLUME(RX)", "0")
	set("VOLUME(TX)", "0")
	eq("gain 0", read(7, 8), 7, 8)

	set("MUTEAUDIO(in)", "on")
	eq("muted in", read(100, 200), 0, 0)
	eq("out not muted", write(100, 200), 100, 200)
	set("MUTEAUDIO(all)", "on")
	eq("muted out", write(100, 200), 0, 0)
	set("MUTEAUDIO(all)", "off")
	eq("unmuted", read(100, 200), 100, 200)

	set("SCRAMBLE()", "both")
	eq("scrambled rx", read(10, 20, 30, 40), -10, 20, -30, 40)
	eq("scrambled tx", write(10, 20, 30), -10, 20, -30)
	set("SCRAMBLE()", "remove")
	eq("unscrambled", write(10, 20), 10, 20)

	// VOLUME's p: '*' read from the party raises both gains, '#' lowers.
	set("VOLUME(RX,p)", "1")
	press := func(d rune) {
		t.Helper()
		go phone.Press(d)
		for i := 0; i < 2; i++ { // begin and end
			if _, err := ch.ReadUntil(time.After(2 * time.Second)); err != nil {
				t.Fatal(err)
			}
		}
	}
	press('*')
	press('*')
	press('#')
	if got := e.Substitute(ch, "${VOLUME(RX)}/${VOLUME(TX)}"); got != "2.000000/1.000000" {
		t.Errorf("after * * #: %q", got)
	}
	eq("RX x2 by DTMF", read(10), 20)
	set("VOLUME(RX)", "0") // no p: DTMF no longer counts
	set("VOLUME(TX)", "0")
	press('*')
	if got := e.Substitute(ch, "${VOLUME(RX)}"); got != "0.000000" {
		t.Errorf("* without p: %q", got)
	}

	if st := ch.Datastore(audioKey{}).(*audioState); st.remove != nil {
		t.Error("hook still installed with every setting neutral")
	}
	for _, bad := range []struct{ target, value, warn string }{
		{"VOLUME(up)", "1", "Direction must be either RX or TX"},
		{"VOLUME()", "1", "Direction must be specified for VOLUME function"},
		{"MUTEAUDIO(sideways)", "on", "Failed to mute/unmute sideways on " + ch.Name()},
		{"SCRAMBLE()", "up", "Direction must be either RX, TX, both, or remove"},
	} {
		err := e.Assign(ch, bad.target, bad.value)
		if err == nil || err.Error() != bad.warn {
			t.Errorf("%s=%s: %v, want %q", bad.target, bad.value, err, bad.warn)
		}
	}
	if w := warnings(log.take()); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	var _ pbx.AudioHook = (*audioState)(nil)
}

// TestTalkDetect: ChannelTalkingStart on the first loud frame read,
// ChannelTalkingStop with the talk's duration after the silence threshold.
func TestTalkDetect(t *testing.T) {
	e, _ := newMoreEngine(t, nil)
	sub := e.Bus().SubscribeTo(busTalkingStart, busTalkingStop)
	defer sub.Close()
	phone := pbxtest.NewPhone(media.ULaw)
	ch := phone.NewChannel(e, "a", "sub", "s")
	defer ch.Hangup(0)
	if err := e.Assign(ch, "TALK_DETECT(set)", "100"); err != nil {
		t.Fatal(err)
	}
	loud, quiet := make([]int16, 160), make([]int16, 160)
	for i := range loud {
		loud[i] = 4000
	}
	enc := func(pcm []int16) media.Frame {
		p, _ := pbx.Translator().Path(media.SLin, media.ULaw)
		fr, _ := p.NewChain().Translate(slinFrame(pcm...))
		return fr
	}
	// 10 loud frames (200 ms) then 10 quiet (200 ms): talk of 200 ms.
	go func() {
		for i := 0; i < 20; i++ {
			pcm := loud
			if i >= 10 {
				pcm = quiet
			}
			phone.Say(enc(pcm))
		}
	}()
	for i := 0; i < 20; i++ {
		if _, err := ch.ReadUntil(time.After(2 * time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	timeout := time.After(2 * time.Second)
	for len(got) < 2 {
		select {
		case <-sub.Ready():
			for _, ev := range sub.Take() {
				s := string(ev.Type)
				for _, f := range ev.Fields {
					s += " " + f.Key + "=" + f.Value
				}
				got = append(got, s)
			}
		case <-timeout:
			t.Fatalf("events %q", got)
		}
	}
	if got[0] != "ChannelTalkingStart" || got[1] != "ChannelTalkingStop Duration=200" {
		t.Errorf("events %q", got)
	}
	if err := e.Assign(ch, "TALK_DETECT(remove)", ""); err != nil || ch.Tapped() {
		t.Errorf("remove: %v, still tapped %v", err, ch.Tapped())
	}
	if err := e.Assign(ch, "TALK_DETECT(set)", "0"); err == nil || err.Error() != "Invalid value 0 for dsp_silence_threshold" {
		t.Errorf("bad threshold: %v", err)
	}
}
