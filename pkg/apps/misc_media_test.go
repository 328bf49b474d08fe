package apps_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const miscPlan = `
[m]
exten => echo,1,Answer()
 same => n,Echo()
 same => n,NoOp(after echo)
exten => secho,1,Answer()
 same => n,StreamEcho()
 same => n,NoOp(after echo)
exten => secho2,1,Answer()
 same => n,StreamEcho(2,audio)
 same => n,NoOp(after echo)
exten => sechobad,1,Answer()
 same => n,StreamEcho(-1)
 same => n,NoOp(after echo)
exten => mw,1,Answer()
 same => n,Milliwatt()
exten => tones,1,Answer()
 same => n,PlayTones(440)
 same => n,Wait(0.5)
 same => n,StopPlayTones()
 same => n,NoOp(stopped)
exten => named,1,Answer()
 same => n,PlayTones(dial)
 same => n,Wait(0.2)
exten => badtones,1,PlayTones(foo)
exten => dtmf,1,Answer()
 same => n,SendDTMF(1w2,50,80)
 same => n,NoOp(sent)
exten => cpb,1,Answer()
 same => n,ControlPlayback(demo-congrats,3000,#,*,5)
 same => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKSTOPKEY} ${CPLAYBACKOFFSET})
exten => cpbend,1,Answer()
 same => n,ControlPlayback(beep,,,,,,,o(100))
 same => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKOFFSET})
exten => cpbpause,1,Answer()
 same => n,ControlPlayback(demo-congrats,3000,#,*,5,6)
 same => n,NoOp(${CPLAYBACKSTATUS} ${CPLAYBACKSTOPKEY} ${CPLAYBACKOFFSET})
`

// Echo and StreamEcho (whose stream count chan_sip's one audio stream
// ignores) send back what they read until '#'.
func TestEcho(t *testing.T) {
	for _, exten := range []string{"echo", "secho", "secho2"} {
		t.Run(exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, miscPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			c := l.start(t, phone, "m", exten)
			sent := toneFrames(t, "700", 400*time.Millisecond, media.ULaw)
			if err := phone.Say(sent...); err != nil {
				t.Fatal(err)
			}
			if err := phone.Press('#'); err != nil {
				t.Fatal(err)
			}
			c.wait(t, l, 5*time.Second)
			l.log.has(t, `    -- Executing [`+exten+`@m:3] NoOp("Test/6001-00000000", "after echo") in new stack`)
			var voice, ends int
			for _, fr := range phone.Heard() {
				switch fr.Kind {
				case media.Voice:
					if string(fr.Payload) != string(sent[voice].Payload) {
						t.Fatalf("echoed frame %d differs", voice)
					}
					voice++
				case media.DTMFEnd:
					ends++
				}
			}
			if voice != len(sent) || ends != 1 {
				t.Errorf("echoed %d voice frames of %d and %d digit ends, want all and 1", voice, len(sent), ends)
			}
		})
	}
	t.Run("bad count", func(t *testing.T) {
		l := newMediaLab(t, miscPlan, apps.Config{})
		l.run(t, pbxtest.NewPhone(media.ULaw), "m", "sechobad")
		l.log.has(t, "WARNING: Failed to parse the first parameter '-1' into a greater than or equal to zero")
		if strings.Contains(strings.Join(l.log.Lines(), "\n"), "after echo") {
			t.Error("the dialplan went on")
		}
	})
}

// runFor lets a call run for d, then hangs it up.
func runFor(t *testing.T, l *mediaLab, phone *pbxtest.Phone, exten string, d time.Duration) {
	t.Helper()
	c := l.start(t, phone, "m", exten)
	time.Sleep(d)
	c.ch.SoftHangup(pbx.CauseNormalClearing)
	c.wait(t, l, 5*time.Second)
}

func TestMilliwattAndPlayTones(t *testing.T) {
	tests := []struct {
		exten string
		hz    float64
		log   []string
	}{
		{exten: "mw", hz: 1004},
		{exten: "tones", hz: 440, log: []string{`    -- Executing [tones@m:5] NoOp("Test/6001-00000000", "stopped") in new stack`}},
	}
	for _, tc := range tests {
		t.Run(tc.exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, miscPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			runFor(t, l, phone, tc.exten, 700*time.Millisecond)
			l.log.has(t, tc.log...)
			heard, err := phone.HeardPCM()
			if err != nil {
				t.Fatal(err)
			}
			if len(heard) < 8000*3/10 {
				t.Fatalf("phone heard %d samples", len(heard))
			}
			if hz := dominantHz(heard, 8000); hz < tc.hz*0.98 || hz > tc.hz*1.02 {
				t.Errorf("phone heard %.0f Hz, want %.0f", hz, tc.hz)
			}
		})
	}
}

func TestPlayTonesByName(t *testing.T) {
	noLeaks(t)
	var asked []string
	cfg := apps.Config{Tone: func(ch *pbx.Channel, name string) (dsp.ToneList, bool) {
		asked = append(asked, name)
		if name != "dial" {
			return dsp.ToneList{}, false
		}
		l, err := dsp.ParseToneList("425")
		return l, err == nil
	}}
	l := newMediaLab(t, miscPlan, cfg)
	phone := pbxtest.NewPhone(media.ULaw)
	phone.Pace = true
	l.run(t, phone, "m", "named")
	heard, _ := phone.HeardPCM()
	if hz := dominantHz(heard, 8000); len(asked) != 1 || hz < 416 || hz > 434 {
		t.Errorf("asked %v, heard %d samples at %.0f Hz, want the 425 Hz dial tone", asked, len(heard), hz)
	}

	l = newMediaLab(t, miscPlan, cfg)
	l.run(t, pbxtest.NewPhone(media.ULaw), "m", "badtones")
	l.log.has(t, `NOTICE: Unable to start playtones`)
}

func TestSendDTMF(t *testing.T) {
	noLeaks(t)
	l := newMediaLab(t, miscPlan, apps.Config{})
	phone := pbxtest.NewPhone(media.ULaw)
	start := time.Now()
	l.run(t, phone, "m", "dtmf")
	// 100 ms quiet, 80+50 ms a digit, 500 ms for w
	if el := time.Since(start); el < 860*time.Millisecond {
		t.Errorf("SendDTMF took %v, want at least 860 ms", el)
	}
	var got []string
	for _, fr := range phone.Heard() {
		if fr.Kind == media.DTMFBegin || fr.Kind == media.DTMFEnd {
			got = append(got, fr.String())
		}
	}
	want := []string{"DTMF_BEGIN 1", "DTMF_END 1 80ms", "DTMF_BEGIN 2", "DTMF_END 2 80ms"}
	if len(got) != len(want) {
		t.Fatalf("phone got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("frame %d = %s, want %s", i, got[i], want[i])
		}
	}

	// A phone using inband DTMF hears the tones.
	l = newMediaLab(t, miscPlan, apps.Config{})
	inband := pbxtest.NewPhone(media.ULaw)
	inband.Mode = "inband"
	l.run(t, inband, "m", "dtmf")
	pcm, err := inband.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	var digits string
	for _, fr := range dsp.NewDTMFDetector(8000).Process(pcm) {
		if fr.Kind == media.DTMFEnd {
			digits += string(fr.Digit)
		}
	}
	if digits != "12" {
		t.Errorf("inband phone detected %q, want 12", digits)
	}
}

func TestControlPlayback(t *testing.T) {
	needSounds(t)
	tests := []struct {
		exten  string
		keys   string
		status string
		min    int64 // CPLAYBACKOFFSET range in ms
		max    int64
	}{
		// The bounds leave room for a loaded machine; the skips are 3 s.
		{exten: "cpb", keys: "5", status: "USERSTOPPED 5", min: 150, max: 1500},
		{exten: "cpb", keys: "#5", status: "USERSTOPPED 5", min: 3150, max: 4500},
		{exten: "cpb", keys: "##*5", status: "USERSTOPPED 5", min: 3150, max: 4500},
		{exten: "cpbpause", keys: "665", status: "USERSTOPPED 5", min: 150, max: 1500},
		{exten: "cpbend", status: "SUCCESS", min: -1, max: -1},
	}
	for _, tc := range tests {
		t.Run(tc.exten+tc.keys, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, miscPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			phone.Pace = true
			c := l.start(t, phone, "m", tc.exten)
			if tc.keys != "" {
				l.waitLog(t, "Playing 'demo-congrats", 2*time.Second)
				time.Sleep(200 * time.Millisecond)
				for _, k := range tc.keys {
					if err := phone.Press(k); err != nil {
						t.Fatal(err)
					}
					time.Sleep(60 * time.Millisecond)
				}
			}
			c.wait(t, l, 5*time.Second)
			status, _ := c.ch.Var("CPLAYBACKSTATUS")
			key, _ := c.ch.Var("CPLAYBACKSTOPKEY")
			off, _ := c.ch.Var("CPLAYBACKOFFSET")
			var ms int64
			for i, r := range off {
				if r == '-' && i == 0 {
					continue
				}
				ms = ms*10 + int64(r-'0')
			}
			if len(off) > 0 && off[0] == '-' {
				ms = -ms
			}
			if got := status + map[bool]string{true: " " + key}[key != ""]; got != tc.status || ms < tc.min || ms > tc.max {
				t.Errorf("status %q offset %s, want %q in [%d, %d]", got, off, tc.status, tc.min, tc.max)
			}
		})
	}
}
