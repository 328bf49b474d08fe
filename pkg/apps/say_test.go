package apps_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const sayPlan = `
[say]
exten => 42,1,Answer()
 same => n,SayNumber(42)
exten => 71,1,Answer()
 same => n,SayNumber(71)
exten => d,1,Answer()
 same => n,SayDigits(1*2)
exten => a,1,Answer()
 same => n,SayAlpha(Ab)
exten => p,1,Answer()
 same => n,SayPhonetic(Z9-1%)
exten => j,1,Answer()
 same => n,Set(SAY_DTMF_INTERRUPT=true)
 same => n,SayNumber(1234567)
 same => n,NoOp(not reached)
exten => 1,1,NoOp(jumped)
exten => bad,1,SayNumber(4x)
`

// runLang runs a call whose channel speaks lang.
func runLang(t *testing.T, l *mediaLab, phone *pbxtest.Phone, lang, exten string) {
	t.Helper()
	ch := phone.NewChannel(l.e, "6001", "say", exten)
	ch.SetLanguage(lang)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.e.Run(context.Background(), ch, "say", exten, 1)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		ch.SoftHangup(pbx.CauseNormalClearing)
		<-done
		t.Fatal("call did not end")
	}
}

func TestSayApps(t *testing.T) {
	needSounds(t)
	tests := []struct {
		lang, exten string
		files       []string // prompts played, in order
	}{
		{"fr", "42", []string{"digits/40", "digits/2"}},
		{"fr", "71", []string{"digits/60", "digits/et", "digits/11"}},
		{"en", "42", []string{"digits/40", "digits/2"}},
		{"en", "d", []string{"digits/1", "digits/star", "digits/2"}},
		{"en", "a", []string{"letters/a", "letters/b"}},
		// '%' has no prompt and is skipped
		{"en", "p", []string{"phonetic/z_p", "phonetic/9_p", "letters/dash", "digits/1"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang+"-"+tc.exten, func(t *testing.T) {
			noLeaks(t)
			l := newMediaLab(t, sayPlan, apps.Config{})
			phone := pbxtest.NewPhone(media.ULaw)
			runLang(t, l, phone, tc.lang, tc.exten)
			var want []string
			var pcm []int16
			for _, f := range tc.files {
				want = append(want, "    -- <Test/6001-00000000> Playing '"+f+".slin' (language '"+tc.lang+"')")
				pcm = append(pcm, filePCM(t, f, tc.lang)...)
			}
			var got []string
			for _, line := range l.log.Lines() {
				if len(line) > 8 && line[:8] == "    -- <" {
					got = append(got, line)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("played %q, want %q", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("prompt %d: %q, want %q", i, got[i], want[i])
				}
			}
			heard, err := phone.HeardPCM()
			if err != nil {
				t.Fatal(err)
			}
			if r := correlation(heard, pcm); r < 0.95 || len(heard) < len(pcm) {
				t.Errorf("heard %d samples correlating %.3f with the %d of the prompts", len(heard), r, len(pcm))
			}
		})
	}
}

func TestSayInterrupt(t *testing.T) {
	needSounds(t)
	noLeaks(t)
	l := newMediaLab(t, sayPlan, apps.Config{})
	phone := pbxtest.NewPhone(media.ULaw)
	phone.Pace = true
	c := l.start(t, phone, "say", "j")
	l.waitLog(t, "Playing 'digits/million", 5*time.Second)
	if err := phone.Press('1'); err != nil {
		t.Fatal(err)
	}
	c.wait(t, l, 5*time.Second)
	l.log.has(t, `    -- Executing [1@say:1] NoOp("Test/6001-00000000", "jumped") in new stack`)
}

func TestSayNumberBadArgument(t *testing.T) {
	noLeaks(t)
	l := newMediaLab(t, sayPlan, apps.Config{})
	runLang(t, l, pbxtest.NewPhone(media.ULaw), "en", "bad")
	l.log.has(t, `WARNING: argument '4x' to SayNumber could not be parsed as a number.`)
}
