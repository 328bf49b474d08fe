package agi

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// eagiScript reads a second of audio from fd 3 (8 kHz 16-bit native
// slin), counts its zero crossings and reports the frequency, and
// agi_enhanced, back through SET VARIABLE.
const eagiScript = `#!/usr/bin/python3
import os, sys, struct
env = {}
for line in sys.stdin:
    line = line.strip()
    if not line:
        break
    k, _, v = line.partition(': ')
    env[k] = v
data = b''
while len(data) < 16000:
    chunk = os.read(3, 16000 - len(data))
    if not chunk:
        break
    data += chunk
n = len(data) // 2
samples = struct.unpack('=%dh' % n, data[:2 * n])
ups = sum(1 for a, b in zip(samples, samples[1:]) if a < 0 <= b)
loud = max([abs(s) for s in samples] or [0])
for name, value in (('EAGIFREQ', round(ups * 8000 / max(n, 1))), ('EAGIBYTES', len(data)), ('EAGIPEAK', loud), ('ENH', env.get('agi_enhanced'))):
    sys.stdout.write('SET VARIABLE %s %s\n' % (name, value))
    sys.stdout.flush()
    sys.stdin.readline()
`

// TestEAGIAudio: a caller's 440 Hz tone reaches an EAGI script on fd 3
// as slin at the right frequency.
func TestEAGIAudio(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eagi.py"), []byte(eagiScript), 0o755); err != nil {
		t.Fatal(err)
	}
	m, eng, _ := setup(t, dir)
	ph := pbxtest.NewPhone(media.ULaw)
	ch := ph.NewChannel(eng, "6002", "default", "100")
	defer ch.Hangup(pbx.CauseNormalClearing)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		next := time.Now()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			out := make([]byte, 160)
			for j := range out {
				out[j] = media.LinearToULaw(int16(8000 * math.Sin(2*math.Pi*440*float64(i*160+j)/8000)))
			}
			if ph.Say(media.VoiceFrame(media.ULaw, out, uint32(i*160))) != nil {
				return
			}
			next = next.Add(20 * time.Millisecond)
			time.Sleep(time.Until(next))
		}
	}()
	res, err := m.execEAGI(ch, "eagi.py")
	if err != nil || res.Action == pbx.ActHangup {
		t.Fatalf("EAGI: %+v %v", res, err)
	}
	get := func(name string) string { v, _ := ch.Var(name); return v }
	if st := get("AGISTATUS"); st != "SUCCESS" {
		t.Errorf("AGISTATUS=%q", st)
	}
	if get("ENH") != "1.0" {
		t.Errorf("agi_enhanced=%q", get("ENH"))
	}
	freq, _ := strconv.Atoi(get("EAGIFREQ"))
	peak, _ := strconv.Atoi(get("EAGIPEAK"))
	if get("EAGIBYTES") != "16000" || freq < 420 || freq > 460 || peak < 6000 {
		t.Errorf("fd 3 gave %s bytes, %d Hz, peak %d; want 16000 bytes of 440 Hz at about 8000",
			get("EAGIBYTES"), freq, peak)
	}
}
