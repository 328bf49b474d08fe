package tests

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// pcm is mono audio at a sample rate, as a phone recorded it.
type pcm struct {
	rate    int
	samples []float64
}

func (p pcm) seconds() float64 { return float64(len(p.samples)) / float64(p.rate) }

// span returns the samples from second a to second b (clipped).
func (p pcm) span(a, b float64) []float64 {
	i, j := int(a*float64(p.rate)), int(b*float64(p.rate))
	i = max(0, min(i, len(p.samples)))
	j = max(i, min(j, len(p.samples)))
	return p.samples[i:j]
}

// readWAVPCM reads a 16-bit mono PCM WAV file with its sample rate.
func readWAVPCM(path string) (pcm, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return pcm{}, err
	}
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return pcm{}, fmt.Errorf("%s: not a WAV file", path)
	}
	rate := 0
	for p := 12; p+8 <= len(data); {
		id, size := string(data[p:p+4]), int(binary.LittleEndian.Uint32(data[p+4:p+8]))
		p += 8
		switch id {
		case "fmt ":
			if size < 16 || p+16 > len(data) {
				return pcm{}, fmt.Errorf("%s: short fmt chunk", path)
			}
			if ch, bits := binary.LittleEndian.Uint16(data[p+2:]), binary.LittleEndian.Uint16(data[p+14:]); ch != 1 || bits != 16 {
				return pcm{}, fmt.Errorf("%s: %d channels of %d bits, want mono 16-bit", path, ch, bits)
			}
			rate = int(binary.LittleEndian.Uint32(data[p+4:]))
		case "data":
			if rate == 0 {
				return pcm{}, fmt.Errorf("%s: data before fmt", path)
			}
			end := min(p+size, len(data))
			out := make([]float64, (end-p)/2)
			for i := range out {
				out[i] = float64(int16(binary.LittleEndian.Uint16(data[p+2*i:])))
			}
			return pcm{rate: rate, samples: out}, nil
		}
		p += size + size%2
	}
	return pcm{}, fmt.Errorf("%s: no data chunk", path)
}

// goertzelShare is the fraction of the signal's energy at freq Hz
// (Goertzel over the whole buffer): close to 1 for a pure tone at freq,
// around 2/len for noise.
func goertzelShare(s []float64, freq float64, rate int) float64 {
	if len(s) == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2, energy float64
	for _, x := range s {
		s0 := x + coeff*s1 - s2
		s2, s1 = s1, s0
		energy += x * x
	}
	if energy == 0 {
		return 0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	return 2 * power / (float64(len(s)) * energy)
}

// peakFreq returns the strongest frequency between 100 Hz and 3.6 kHz in
// 2 Hz steps, and its share of the energy. One second of signal resolves
// 1 Hz, so a tone's peak lands within a step of it.
func peakFreq(s []float64, rate int) (freq, share float64) {
	for f := 100.0; f <= 3600; f += 2 {
		if sh := goertzelShare(s, f, rate); sh > share {
			freq, share = f, sh
		}
	}
	return freq, share
}

// checkTone fails unless s (at rate) is mostly a tone of want Hz: the
// spectral peak within 2 % of it, carrying at least a third of the energy,
// and audible.
func checkTone(t *testing.T, what string, s []float64, rate int, want float64) {
	t.Helper()
	if len(s) < rate/4 {
		t.Errorf("%s: only %d samples at %d Hz", what, len(s), rate)
		return
	}
	f, share := peakFreq(s, rate)
	level := rms(s)
	t.Logf("%s: %d samples at %d Hz, RMS %.0f, peak %.0f Hz (share %.2f), want %.0f Hz", what, len(s), rate, level, f, share, want)
	if level < 300 {
		t.Errorf("%s: silent (RMS %.0f)", what, level)
		return
	}
	if math.Abs(f-want) > want*0.02 || share < 0.3 {
		t.Errorf("%s: peak at %.0f Hz with share %.2f, want %.0f Hz ±2%% with share >= 0.3", what, f, share, want)
	}
}

// recordings returns every call the phone recorded (what it heard), in
// the order the calls were made.
func (b *baresip) recordings() ([]pcm, error) {
	files, _ := filepath.Glob(filepath.Join(b.dir, "dump-*-dec.wav"))
	if len(files) == 0 {
		return nil, errors.New("no dump-*-dec.wav written")
	}
	sort.Slice(files, func(i, j int) bool {
		a, _ := os.Stat(files[i])
		c, _ := os.Stat(files[j])
		return a.ModTime().Before(c.ModTime())
	})
	var out []pcm
	for _, f := range files {
		p, err := readWAVPCM(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// lastRecording is the phone's last recorded call.
func (b *baresip) lastRecording(t *testing.T) pcm {
	t.Helper()
	recs, err := b.recordings()
	if err != nil {
		t.Fatalf("%s: %v", b.name, err)
	}
	return recs[len(recs)-1]
}

// requireBaresip skips when baresip is not installed.
func requireBaresip(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("baresip is not installed (make test-deps)")
	}
}

// setPeer sets options of a peer in sip.conf: the peer's own lines for
// the same keys go, and so do its codec lines when lines set codecs (the
// sample's [6000] and [6001] add ulaw to [general]'s list, which a
// single-codec test must not inherit).
func setPeer(sip, peer string, lines ...string) string {
	drop := map[string]bool{}
	for _, ln := range lines {
		k := strings.TrimSpace(strings.SplitN(ln, "=", 2)[0])
		drop[k] = true
		if k == "allow" || k == "disallow" {
			drop["allow"], drop["disallow"] = true, true
		}
	}
	re := regexp.MustCompile(`(?ms)^\[` + regexp.QuoteMeta(peer) + `\]\n(.*?)(^\[|\z)`)
	return re.ReplaceAllStringFunc(sip, func(m string) string {
		sub := re.FindStringSubmatch(m)
		var keep []string
		for _, ln := range strings.Split(sub[1], "\n") {
			if drop[strings.TrimSpace(strings.SplitN(ln, "=", 2)[0])] {
				continue
			}
			keep = append(keep, ln)
		}
		return "[" + peer + "]\n" + strings.Join(lines, "\n") + "\n" + strings.Join(keep, "\n") + sub[2]
	})
}

// mediaInstance starts gostrisk on the sample config without its trunk
// registration; peers maps a peer to its extra sip.conf lines (its codec
// lines replace the sample's), and edit may change more.
func mediaInstance(t *testing.T, peers map[string][]string, edit func(map[string]string)) *harness.Instance {
	t.Helper()
	in := harness.Start(t, harness.Options{Edit: func(f map[string]string) {
		sip := regexp.MustCompile(`(?m)^register\s*=>.*$`).ReplaceAllString(f["sip.conf"], "")
		for peer, lines := range peers {
			sip = setPeer(sip, peer, lines...)
		}
		f["sip.conf"] = sip
		// The sounds the packages install: /usr/share/asterisk/sounds.
		f["asterisk.conf"] = strings.Replace(f["asterisk.conf"], "astdatadir => var/lib", "astdatadir => /usr/share/asterisk", 1)
		if edit != nil {
			edit(f)
		}
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	return in
}

// phone starts a UDP baresip for user with codecs, playing a tone of
// freq Hz (0: silence) as its microphone, and waits for its registration.
func phone(t *testing.T, in *harness.Instance, user, codecs string, freq float64) *baresip {
	t.Helper()
	return startPhone(t, in, baresipConfig{User: user, Codecs: codecs}, freq)
}

// startPhone is phone with more of the configuration: c's User, Codecs,
// Manual, SIPTrace and Source (instead of the tone) are used, the rest is
// filled in.
func startPhone(t *testing.T, in *harness.Instance, c baresipConfig, freq float64) *baresip {
	t.Helper()
	src := filepath.Join(t.TempDir(), "mic.wav")
	// baresip's aufile plays a file only at the codec's own rate.
	rate := 8000
	if strings.HasPrefix(c.Codecs, "G722") {
		rate = 16000
	}
	if c.Source == "" {
		writeToneWAVRate(t, src, freq, 30, rate)
		c.Source = src
	}
	c.Registrar = in.SIPPort
	c.RTPStart, c.CtrlPort = harness.FreeRTPRange(t, 20), harness.FreePort(t)
	b := startBaresip(t, c)
	if err := b.waitRegistered(8 * time.Second); err != nil {
		t.Fatal(err)
	}
	return b
}

// writeToneWAVRate writes seconds of a sine at freq Hz (0: silence),
// mono 16-bit at rate Hz.
func writeToneWAVRate(t *testing.T, path string, freq float64, seconds, rate int) {
	t.Helper()
	n := rate * seconds
	writeWAV(t, path, rate, n, func(i int) float64 {
		return 12000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	})
}

// dtmfFreqs are the row and column tones of the DTMF digits.
var dtmfFreqs = map[rune][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// writeDTMFWAV writes seconds of silence at 8 kHz with the digits played
// inband, 150 ms each, the first at second first and one every half
// second after it.
func writeDTMFWAV(t *testing.T, path string, seconds int, first float64, digits string) {
	t.Helper()
	starts := map[int]rune{}
	for k, d := range digits {
		starts[int((first+0.5*float64(k))*8000)] = d
	}
	var cur [2]float64
	end := -1
	writeWAV(t, path, 8000, 8000*seconds, func(i int) float64 {
		if d, ok := starts[i]; ok {
			cur, end = dtmfFreqs[d], i+1200
		}
		if i >= end {
			return 0
		}
		return 6000*math.Sin(2*math.Pi*cur[0]*float64(i)/8000) + 6000*math.Sin(2*math.Pi*cur[1]*float64(i)/8000)
	})
}

// writeWAV writes n samples of sample(i), mono 16-bit at rate Hz.
func writeWAV(t *testing.T, path string, rate, n int, sample func(i int) float64) {
	t.Helper()
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(sample(i))))
	}
	mustWrite(t, path, b)
}

// dial calls exten from caller and waits until the caller's call is
// established (and callee's, when not nil).
func dial(t *testing.T, in *harness.Instance, caller, callee *baresip, exten string) {
	t.Helper()
	caller.command("dial", "sip:"+exten+"@127.0.0.1:"+strconv.Itoa(in.SIPPort))
	for _, p := range []*baresip{caller, callee} {
		if p == nil {
			continue
		}
		if err := p.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

// hangup ends the caller's call and waits for both phones to see it end.
func hangup(t *testing.T, caller, callee *baresip) {
	t.Helper()
	caller.command("hangup", "")
	for _, p := range []*baresip{caller, callee} {
		if p == nil {
			continue
		}
		if err := p.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
			t.Error(err)
		}
	}
}

var bridgeRow = regexp.MustCompile(`(?m)^([0-9a-f-]{36}) +(\d+) (\S+) +(\S+) +(\d\d:\d\d:\d\d)$`)

// bridgeTech returns the technology of the one live bridge ("bridge show
// all"), and checks "bridge show <id>" agrees and names both channels.
func bridgeTech(t *testing.T, in *harness.Instance) string {
	t.Helper()
	all := in.MustRX("bridge show all")
	rows := bridgeRow.FindAllStringSubmatch(all, -1)
	if !strings.HasPrefix(all, "Bridge-ID                            Chans Type            Technology      Duration\n") || len(rows) != 1 {
		t.Fatalf("bridge show all: want the header and one bridge:\n%s", all)
	}
	row := rows[0]
	if row[2] != "2" || row[3] != "basic" {
		t.Errorf("bridge show all: want 2 channels in a basic bridge:\n%s", all)
	}
	one := in.MustRX("bridge show " + row[1])
	for _, want := range []string{"Id: " + row[1] + "\n", "Type: basic\n", "Technology: " + row[4] + "\n", "Num-Channels: 2\n"} {
		if !strings.Contains(one, want) {
			t.Errorf("bridge show %s lacks %q:\n%s", row[1], want, one)
		}
	}
	if strings.Count(one, "Channel: SIP/") != 2 {
		t.Errorf("bridge show %s does not list both SIP channels:\n%s", row[1], one)
	}
	return row[4]
}

// bestCorrelation slides needle over hay (lags 0 to len(hay)-len(needle))
// and returns the highest normalised correlation and its lag: 1 when the
// needle is an exact (scaled) copy of part of hay.
func bestCorrelation(needle, hay []float64) (best float64, lag int) {
	var nn float64
	for _, x := range needle {
		nn += x * x
	}
	if nn == 0 || len(hay) < len(needle) {
		return 0, 0
	}
	// Running energy of the hay window.
	var hh float64
	for _, x := range hay[:len(needle)] {
		hh += x * x
	}
	for l := 0; l+len(needle) <= len(hay); l++ {
		if l > 0 {
			out, in := hay[l-1], hay[l+len(needle)-1]
			hh += in*in - out*out
		}
		if hh <= 0 {
			continue
		}
		var dot float64
		w := hay[l : l+len(needle)]
		for i, x := range needle {
			dot += x * w[i]
		}
		if c := dot / math.Sqrt(nn*hh); c > best {
			best, lag = c, l
		}
	}
	return best, lag
}

// soundFile reads a WAV file of the system's Asterisk sounds or music,
// skipping the test when the package is not installed.
func soundFile(t *testing.T, path string) pcm {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("%s is not installed (make test-deps)", path)
	}
	p, err := readWAVPCM(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// requireApps skips while the daemon lacks one of the applications (the
// media applications land on their own branch).
func requireApps(t *testing.T, in *harness.Instance, names ...string) {
	t.Helper()
	for _, name := range names {
		if out, _ := in.RX("core show application " + name); strings.Contains(out, "is (are) not registered") {
			t.Skipf("application %s is not registered yet", name)
		}
	}
}

// collectEvents gathers the "param" of every ctrl_tcp event of type typ
// until the phone's call closes or timeout passes.
func (b *baresip) collectEvents(typ string, timeout time.Duration) []string {
	var params []string
	tm := time.NewTimer(timeout)
	defer tm.Stop()
	for {
		select {
		case m, ok := <-b.events:
			if !ok {
				return params
			}
			if ev, _ := m["event"].(bool); !ev {
				continue
			}
			switch m["type"] {
			case typ:
				p, _ := m["param"].(string)
				params = append(params, p)
			case "CALL_CLOSED":
				return params
			}
		case <-tm.C:
			return params
		}
	}
}

// checkPortsReleased fails unless the daemon gives back every RTP port
// within two seconds of the last call's end.
func checkPortsReleased(t *testing.T, in *harness.Instance) {
	t.Helper()
	var bound []int
	if !harness.PollUntil(2*time.Second, func() bool {
		bound = rtpPortsBound(t, in)
		return len(bound) == 0
	}) {
		t.Errorf("RTP ports still bound after the calls: %v\n%s", bound, in.MustRX("core show channels"))
	}
}
