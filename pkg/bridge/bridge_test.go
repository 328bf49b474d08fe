package bridge_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// g722 is looked up by name: its codec comes from another branch, and
// its cases skip until the translator has it.
var g722, _ = media.Lookup("g722")

// A call between phones of different formats is carried frame by frame
// and translated: what each phone hears is the other's tone.
func TestFrameBridgeTranslates(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fa, fb     *media.Format
		freqA, frB float64
	}{
		{"ulaw-alaw", media.ULaw, media.ALaw, 1000, 700},
		{"alaw-ulaw", media.ALaw, media.ULaw, 1000, 1300},
		{"slin16-ulaw", media.SLin16, media.ULaw, 1000, 700},
		{"ulaw-slin16", media.ULaw, media.SLin16, 1000, 3100},
		{"g722-ulaw", g722, media.ULaw, 1000, 700},
		{"ulaw-g722", media.ULaw, g722, 1000, 2000},
		{"gsm-alaw", media.GSM, media.ALaw, 1000, 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []*media.Format{tc.fa, tc.fb} {
				if _, err := pbx.Translator().Path(f, media.SLin); err != nil {
					t.Skipf("no %s codec in this build: %v", f, err)
				}
			}
			eng, log := newEngine(t, bridge.Options{})
			a, b := pbxtest.NewPhone(tc.fa), pbxtest.NewPhone(tc.fb)
			ca := a.NewChannel(eng, "a", "default", "s")
			cb := b.NewChannel(eng, "b", "default", "s")
			startBridge(t, eng, ca, cb)

			const n = 50
			pa, pb := 0.0, 0.0
			if err := a.Say(tone(t, tc.fa, tc.freqA, n, &pa)...); err != nil {
				t.Fatal(err)
			}
			if err := b.Say(tone(t, tc.fb, tc.frB, n, &pb)...); err != nil {
				t.Fatal(err)
			}
			if !b.WaitHeard(n, 3*time.Second) || !a.WaitHeard(n, 3*time.Second) {
				t.Fatalf("heard %d and %d frames, want %d each", len(a.Heard()), len(b.Heard()), n)
			}
			for _, side := range []struct {
				who  string
				p    *pbxtest.Phone
				want float64
			}{{"callee", b, tc.freqA}, {"caller", a, tc.frB}} {
				pcm, err := side.p.HeardPCM()
				if err != nil {
					t.Fatal(err)
				}
				rate := side.p.Format.SampleRate
				// The first frame may carry the resampler's start.
				checkFreq(t, side.who, pcm[rate/50:], rate, side.want)
			}
			if w := log.warnings(); len(w) > 0 {
				t.Fatalf("warnings: %q", w)
			}
		})
	}
}

// Digits pass through a frame bridge as frames, whatever the receiving
// driver's DTMF mode; a digit that came by SIP INFO arrives as an end.
func TestFrameBridgePassesDTMF(t *testing.T) {
	eng, _ := newEngine(t, bridge.Options{})
	a := pbxtest.NewPhone(media.ULaw)
	b := pbxtest.NewPhone(media.ULaw)
	b.Mode = "info"
	ca := a.NewChannel(eng, "a", "default", "s")
	cb := b.NewChannel(eng, "b", "default", "s")
	startBridge(t, eng, ca, cb)
	if err := a.Press('5'); err != nil {
		t.Fatal(err)
	}
	cb.DTMF('#', 80*time.Millisecond) // an INFO from b
	if !b.WaitHeard(2, 3*time.Second) || !a.WaitHeard(1, 3*time.Second) {
		t.Fatalf("b heard %v, a heard %v", b.Heard(), a.Heard())
	}
	hb := b.Heard()
	if hb[0].Kind != media.DTMFBegin || hb[0].Digit != '5' || hb[1].Kind != media.DTMFEnd || hb[1].Digit != '5' {
		t.Fatalf("b heard %v %v, want DTMF_BEGIN 5, DTMF_END 5", hb[0], hb[1])
	}
	if ha := a.Heard(); ha[0].Kind != media.DTMFEnd || ha[0].Digit != '#' || ha[0].Duration != 80*time.Millisecond {
		t.Fatalf("a heard %v, want DTMF_END # of 80ms", ha[0])
	}
}

// The path a bridge chooses: the driver's relay only when formats match,
// both use RFC 2833 and the caller's driver relays.
func TestTechnologyChoice(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fa, fb       *media.Format
		modeB        string
		relay        bool // caller's driver is a relay
		playFirst    bool // the caller's media was opened before (Playback)
		wantNative   bool
		wantLeftTech string
	}{
		{"same format", media.ULaw, media.ULaw, "", true, false, true, "native_rtp"},
		{"after playback", media.ALaw, media.ALaw, "", true, true, true, "native_rtp"},
		{"formats differ", media.ULaw, media.ALaw, "", true, false, false, "simple_bridge"},
		{"info digits", media.ULaw, media.ULaw, "info", true, false, false, "simple_bridge"},
		{"inband digits", media.ULaw, media.ULaw, "inband", true, false, false, "simple_bridge"},
		{"no relay", media.ULaw, media.ULaw, "", false, false, false, "simple_bridge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng, log := newEngine(t, bridge.Options{})
			ra, rb := pbxtest.NewRelayPhone(tc.fa), pbxtest.NewRelayPhone(tc.fb)
			rb.Mode = tc.modeB
			var ca *pbx.Channel
			if tc.relay {
				ca = ra.NewChannel(eng, "a", "default", "s")
			} else {
				ca = ra.Phone.NewChannel(eng, "a", "default", "s")
			}
			cb := rb.NewChannel(eng, "b", "default", "s")
			if tc.playFirst {
				if err := ca.Write(tone(t, media.SLin, 440, 1, new(float64))[0]); err != nil {
					t.Fatal(err)
				}
			}
			r := startBridge(t, eng, ca, cb)
			if tc.wantNative {
				if ra.Relays() != 1 || !ra.Relaying() || !rb.Relaying() {
					t.Fatalf("relays %d, relaying %v/%v: want one native relay", ra.Relays(), ra.Relaying(), rb.Relaying())
				}
				if ca.MediaOpen() || cb.MediaOpen() || rb.Opened() != 0 {
					t.Fatalf("native bridge with the core's media open (caller %v, callee %v, opened %d)", ca.MediaOpen(), cb.MediaOpen(), rb.Opened())
				}
				if ra.Taken() != 0 || rb.Taken() != 0 {
					t.Fatal("the core opened media while the relay ran")
				}
			} else {
				if ra.Relays() != 0 || !ca.MediaOpen() || !cb.MediaOpen() {
					t.Fatalf("relays %d, media open %v/%v: want a frame bridge", ra.Relays(), ca.MediaOpen(), cb.MediaOpen())
				}
			}
			cb.HungUp(pbx.CauseNormalClearing)
			if res := r.wait(t); res.end != pbx.PeerLeft || res.err != nil {
				t.Fatalf("bridge ended %v, %v; want PeerLeft", res.end, res.err)
			}
			if ra.Relaying() || ca.MediaOpen() {
				t.Fatalf("after the bridge: relaying %v, caller media open %v", ra.Relaying(), ca.MediaOpen())
			}
			want := "VERBOSE[3] Channel Test/b-00000001 joined 'simple_bridge' basic-bridge <ID>\n" +
				"VERBOSE[3] Channel Test/a-00000000 joined 'simple_bridge' basic-bridge <ID>\n" +
				"VERBOSE[3] Channel Test/b-00000001 left '" + tc.wantLeftTech + "' basic-bridge <ID>\n" +
				"VERBOSE[3] Channel Test/a-00000000 left '" + tc.wantLeftTech + "' basic-bridge <ID>\n"
			if got := log.text(); got != want {
				t.Fatalf("log:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// Hold: the holder's audio stops, the other party hears the music of the
// holder's class; unhold stops the music and brings the audio (or the
// native relay) back.
func TestHoldPlaysMusic(t *testing.T) {
	for _, native := range []bool{false, true} {
		name := "frame"
		if native {
			name = "native"
		}
		t.Run(name, func(t *testing.T) {
			mg := &musicGen{}
			eng, log := newEngine(t, bridge.Options{HoldMusic: mg.holdMusic})
			fb := media.ALaw
			if native {
				fb = media.ULaw
			}
			ra, rb := pbxtest.NewRelayPhone(media.ULaw), pbxtest.NewRelayPhone(fb)
			ca := ra.NewChannel(eng, "a", "default", "s")
			cb := rb.NewChannel(eng, "b", "default", "s")
			startBridge(t, eng, ca, cb)
			if native != ra.Relaying() {
				t.Fatalf("relaying %v at the start", ra.Relaying())
			}
			phase := 0.0
			if !native {
				if err := ra.Say(tone(t, media.ULaw, 1000, 25, &phase)...); err != nil {
					t.Fatal(err)
				}
				if !rb.WaitHeard(25, 3*time.Second) {
					t.Fatal("b did not hear a")
				}
			}

			mark := len(rb.Heard())
			ca.Held("jazz")
			waitFor(t, "music on b", func() bool { return cb.GeneratorActive() })
			if native && (ra.Relaying() || ra.Taken() != 0) {
				t.Fatalf("still relaying (%v) or relay broken by the core (%d) while on hold", ra.Relaying(), ra.Taken())
			}
			// What a says while it holds is not passed on.
			if err := ra.Say(tone(t, media.ULaw, 1000, 10, &phase)...); err != nil {
				t.Fatal(err)
			}
			if !rb.WaitHeard(mark+30, 3*time.Second) {
				t.Fatal("b heard no music")
			}
			if got := mg.requests(); len(got) != 1 || got[0] != "Test/b-00000001 jazz" {
				t.Fatalf("music asked for %q, want b with class jazz", got)
			}
			pcm := decode(t, rb.Heard()[mark:mark+30], fb)
			checkFreq(t, "b on hold", pcm, 8000, 400)

			ca.Unheld()
			waitFor(t, "music stopped", func() bool { return !cb.GeneratorActive() })
			if native {
				waitFor(t, "native relay back", func() bool { return ra.Relaying() })
				if ra.Relays() != 2 || ca.MediaOpen() || cb.MediaOpen() {
					t.Fatalf("after unhold: %d relays, media open %v/%v", ra.Relays(), ca.MediaOpen(), cb.MediaOpen())
				}
			} else {
				// Frames the music wrote before it stopped may still
				// arrive: wait for the generator to be gone, then listen.
				mark = len(rb.Heard())
				if err := ra.Say(tone(t, media.ULaw, 1000, 25, &phase)...); err != nil {
					t.Fatal(err)
				}
				if !rb.WaitHeard(mark+25, 3*time.Second) {
					t.Fatal("b does not hear a after unhold")
				}
				checkFreq(t, "b after unhold", decode(t, rb.Heard()[mark:mark+25], fb), 8000, 1000)
			}
			if w := log.warnings(); len(w) > 0 {
				t.Fatalf("warnings: %q", w)
			}
		})
	}
}

// Without music (HoldMusic giving no generator), the other party hears
// silence: nothing from the holder, and the bridge keeps running.
func TestHoldWithoutMusic(t *testing.T) {
	asked := make(chan string, 1)
	eng, _ := newEngine(t, bridge.Options{HoldMusic: func(l *pbx.Channel, class string) pbx.Generator {
		asked <- l.Name() + " " + class
		return nil
	}})
	a, b := pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ALaw)
	ca := a.NewChannel(eng, "a", "default", "s")
	cb := b.NewChannel(eng, "b", "default", "s")
	startBridge(t, eng, ca, cb)
	ca.Held("")
	select {
	case who := <-asked:
		if who != "Test/b-00000001 " {
			t.Fatalf("music asked for %q", who)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("hold not seen")
	}
	phase := 0.0
	// a's frames said while it holds are dropped; b's still reach a.
	if err := a.Say(tone(t, media.ULaw, 1000, 5, &phase)...); err != nil {
		t.Fatal(err)
	}
	if err := b.Say(tone(t, media.ALaw, 700, 5, &phase)...); err != nil {
		t.Fatal(err)
	}
	if !a.WaitHeard(5, 3*time.Second) {
		t.Fatal("a does not hear b while holding")
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(b.Heard()); n != 0 {
		t.Fatalf("b heard %d frames from a holder without music", n)
	}
	if cb.GeneratorActive() {
		t.Fatal("a generator runs without music")
	}
	ca.Unheld()
	// The unhold is seen a moment later: a speaks until b hears it.
	waitFor(t, "b hears a after unhold", func() bool {
		if err := a.Say(tone(t, media.ULaw, 1000, 1, &phase)...); err != nil {
			t.Fatal(err)
		}
		return b.WaitHeard(1, 10*time.Millisecond)
	})
}

// decode turns heard frames of format f into 8 kHz samples.
func decode(t *testing.T, frames []media.Frame, f *media.Format) []int16 {
	t.Helper()
	p, err := pbx.Translator().Path(f, media.SLin)
	if err != nil {
		t.Fatal(err)
	}
	c := p.NewChain()
	var pcm []int16
	for _, fr := range frames {
		if fr.Kind != media.Voice {
			t.Fatalf("heard %v among voice", fr)
		}
		out, err := c.Translate(fr)
		if err != nil {
			t.Fatal(err)
		}
		pcm = media.DecodeSLin(pcm, out.Payload)
	}
	return pcm
}

// How a bridge ends: a hangup on either side (the other gets its cause),
// the context, or an interruption that leaves both channels up.
func TestBridgeEnds(t *testing.T) {
	type endCase struct {
		name string
		do   func(ca, cb *pbx.Channel, r *running)
		want pbx.BridgeEnd
	}
	cases := []endCase{
		{"caller hangs up", func(ca, _ *pbx.Channel, _ *running) { ca.HungUp(pbx.CauseUserBusy) }, pbx.CallerLeft},
		{"peer hangs up", func(_, cb *pbx.Channel, _ *running) { cb.HungUp(pbx.CauseUserBusy) }, pbx.PeerLeft},
		{"cancelled", func(_, _ *pbx.Channel, r *running) { r.cancel() }, pbx.Cancelled},
		{"caller interrupted", func(ca, _ *pbx.Channel, _ *running) { ca.Interrupt() }, pbx.CallerInterrupted},
		{"peer interrupted", func(_, cb *pbx.Channel, _ *running) { cb.Interrupt() }, pbx.PeerInterrupted},
	}
	for _, native := range []bool{false, true} {
		for _, tc := range cases {
			name := "frame/" + tc.name
			fb := media.ALaw
			if native {
				name, fb = "native/"+tc.name, media.ULaw
			}
			t.Run(name, func(t *testing.T) {
				eng, log := newEngine(t, bridge.Options{})
				sub := eng.Bus().Subscribe()
				defer sub.Close()
				ra, rb := pbxtest.NewRelayPhone(media.ULaw), pbxtest.NewRelayPhone(fb)
				ca := ra.NewChannel(eng, "a", "default", "s")
				cb := rb.NewChannel(eng, "b", "default", "s")
				r := startBridge(t, eng, ca, cb)
				if ca.Peer() != cb || cb.Peer() != ca || ca.BridgeID() != cb.BridgeID() {
					t.Fatal("channels do not show each other as bridge peers")
				}
				id := ca.BridgeID()
				tc.do(ca, cb, r)
				res := r.wait(t)
				if res.end != tc.want || res.err != nil {
					t.Fatalf("ended %v, %v; want %v", res.end, res.err, tc.want)
				}
				switch tc.want {
				case pbx.CallerLeft:
					if cb.HangupCause() != pbx.CauseUserBusy || cb.HangupRequested() {
						t.Fatalf("peer: cause %d, hung up %v; want the caller's cause, still up", cb.HangupCause(), cb.HangupRequested())
					}
				case pbx.PeerLeft:
					if ca.HangupCause() != pbx.CauseUserBusy || ca.HangupRequested() {
						t.Fatalf("caller: cause %d, hung up %v; want the peer's cause, still up", ca.HangupCause(), ca.HangupRequested())
					}
				default:
					if ca.HangupRequested() || cb.HangupRequested() || ca.HangupCause() != 0 || cb.HangupCause() != 0 {
						t.Fatal("a channel was hung up or given a cause")
					}
				}
				if ca.BridgeID() != "" || cb.BridgeID() != "" || ca.Peer() != nil || cb.Peer() != nil {
					t.Fatal("channels still marked as bridged")
				}
				if ra.Relaying() || ca.MediaOpen() || cb.MediaOpen() {
					t.Fatalf("media left behind: relaying %v, open %v/%v", ra.Relaying(), ca.MediaOpen(), cb.MediaOpen())
				}
				var evs []string
				for _, ev := range sub.Take() {
					if ev.Type != pbx.BusBridgeEnter && ev.Type != pbx.BusBridgeLeave {
						continue
					}
					if ev.BridgeID != id || ev.BridgeType != "basic" {
						t.Fatalf("%s event with bridge %q type %q, want %q basic", ev.Type, ev.BridgeID, ev.BridgeType, id)
					}
					evs = append(evs, string(ev.Type)+" "+ev.Channel.Name()+" peer "+ev.Peer.Name())
				}
				first, second := "Test/a-00000000", "Test/b-00000001"
				if tc.want == pbx.PeerLeft || tc.want == pbx.PeerInterrupted {
					first, second = second, first
				}
				wantEvs := []string{
					"BridgeEnter Test/b-00000001 peer Test/a-00000000",
					"BridgeEnter Test/a-00000000 peer Test/b-00000001",
					"BridgeLeave " + first + " peer " + second,
					"BridgeLeave " + second + " peer " + first,
				}
				if len(evs) != len(wantEvs) {
					t.Fatalf("bus events %q, want %q", evs, wantEvs)
				}
				for i := range evs {
					if evs[i] != wantEvs[i] {
						t.Fatalf("bus events %q, want %q", evs, wantEvs)
					}
				}
				golden(t, filepath.Join("testdata", "ends", sanitize(name)+".log"), log.text())
			})
		}
	}
}

// Channels whose drivers neither relay nor give media to the core (the
// state of things before media) are still bridged until one hangs up.
func TestBridgeWithoutMedia(t *testing.T) {
	eng, _ := newEngine(t, bridge.Options{})
	ca := eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "a", Driver: bareDriver{}, Context: "default", Exten: "s"})
	cb := eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: "b", Driver: bareDriver{}, Context: "default", Exten: "s"})
	r := startBridge(t, eng, ca, cb)
	ca.Held("") // nothing to play it on: ignored
	ca.HungUp(pbx.CauseNormalClearing)
	if res := r.wait(t); res.end != pbx.CallerLeft || cb.HangupCause() != pbx.CauseNormalClearing {
		t.Fatalf("ended %v, peer cause %d", res.end, cb.HangupCause())
	}
}

type bareDriver struct{}

func (bareDriver) Call(context.Context, string, time.Duration) error { return nil }
func (bareDriver) Answer() error                                     { return nil }
func (bareDriver) Indicate(pbx.Indication) error                     { return nil }
func (bareDriver) Hangup(int) error                                  { return nil }

// golden compares got with a file in testdata (UPDATE_GOLDEN=1 rewrites it).
func golden(t *testing.T, path, got string) {
	t.Helper()
	goldenfile.Check(t, path, got)
}

func sanitize(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c == '/' || c == ' ' {
			out[i] = '_'
		}
	}
	return string(out)
}
