package apps_test

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

const zapPlan = `
[z]
exten => zap,1,Zapateller(answer)
 same => n,NoOp(${ZAPATELLERSTATUS})
exten => cid,1,Set(CALLERID(num)=0612345678)
 same => n,Zapateller(answer,nocallerid)
 same => n,NoOp(${ZAPATELLERSTATUS})
`

// TestZapateller: the SIT (950, 1400, 1800 Hz, 330 ms each) then a second
// of silence; with nocallerid a caller with a number is let through.
func TestZapateller(t *testing.T) {
	noLeaks(t)
	l := newMediaLab(t, zapPlan, apps.Config{})
	phone := pbxtest.NewPhone(media.ULaw)
	phone.Pace = true
	start := time.Now()
	l.run(t, phone, "z", "zap")
	if el := time.Since(start); el < 1900*time.Millisecond {
		t.Errorf("Zapateller took %v, want about 2 s", el)
	}
	pcm, err := phone.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	if len(pcm) < 15900 { // 3 x 330 ms + 1 s
		t.Fatalf("heard %d samples", len(pcm))
	}
	for i, want := range []float64{950, 1400, 1800} {
		seg := pcm[i*2640+400 : (i+1)*2640-400]
		if hz := dominantHz(seg, 8000); hz < want*0.98 || hz > want*1.02 {
			t.Errorf("tone %d at %.0f Hz, want %.0f", i+1, hz, want)
		}
	}
	l.log.has(t, `    -- Executing [zap@z:2] NoOp("Test/6001-00000000", "ZAPPED") in new stack`)

	l = newMediaLab(t, zapPlan, apps.Config{})
	phone = pbxtest.NewPhone(media.ULaw)
	l.run(t, phone, "z", "cid")
	l.log.has(t, `    -- Executing [cid@z:3] NoOp("Test/6001-00000000", "ANSWERED") in new stack`)
	if pcm, _ := phone.HeardPCM(); len(pcm) > 0 {
		t.Errorf("a caller with caller ID heard %d samples", len(pcm))
	}
}
