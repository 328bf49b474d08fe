package bridge_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// recLog records the verbose lines and warnings the bridge logs.
type recLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *recLog) add(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *recLog) Verbose(level int, f string, a ...any) {
	l.add(fmt.Sprintf("VERBOSE[%d] ", level) + fmt.Sprintf(f, a...))
}
func (l *recLog) Notice(f string, a ...any)  { l.add("NOTICE " + fmt.Sprintf(f, a...)) }
func (l *recLog) Warning(f string, a ...any) { l.add("WARNING " + fmt.Sprintf(f, a...)) }

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// text returns the log with bridge ids replaced by <ID>.
func (l *recLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uuidRE.ReplaceAllString(strings.Join(l.lines, ""), "ID")
}

func (l *recLog) warnings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var w []string
	for _, s := range l.lines {
		if strings.HasPrefix(s, "WARNING") {
			w = append(w, s)
		}
	}
	return w
}

// newEngine returns an engine with the bridge installed.
func newEngine(t testing.TB, opts bridge.Options) (*pbx.Engine, *recLog) {
	t.Helper()
	log := &recLog{}
	eng := pbx.New(pbx.Config{Logger: log})
	bridge.Install(eng, opts)
	return eng, log
}

type result struct {
	end pbx.BridgeEnd
	err error
}

// running is a bridge started on its own goroutine, as Dial's.
type running struct {
	done   chan result
	cancel context.CancelFunc
}

// startBridge bridges caller and peer and waits until both are in it.
// The test's cleanup hangs both up and waits for the bridge to end.
func startBridge(t testing.TB, eng *pbx.Engine, caller, peer *pbx.Channel) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{done: make(chan result, 1), cancel: cancel}
	go func() {
		end, err := eng.Bridge(ctx, caller, peer)
		r.done <- result{end, err}
	}()
	t.Cleanup(func() {
		cancel()
		caller.Hangup(pbx.CauseNormalClearing)
		peer.Hangup(pbx.CauseNormalClearing)
		select {
		case <-r.done:
		case <-time.After(3 * time.Second):
			t.Error("bridge did not end after both hung up")
		}
	})
	waitFor(t, "both channels in the bridge", func() bool {
		return caller.BridgeID() != "" && peer.BridgeID() != ""
	})
	return r
}

// wait returns how the bridge ended.
func (r *running) wait(t *testing.T) result {
	t.Helper()
	select {
	case res := <-r.done:
		r.done <- res // the cleanup reads it again
		return res
	case <-time.After(3 * time.Second):
		t.Fatal("bridge did not end")
		return result{}
	}
}

// waitFor polls cond for up to 3 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// tone returns n 20 ms frames of a sine at freq Hz in format f; phase
// carries the tone over from one call to the next.
func tone(t testing.TB, f *media.Format, freq float64, n int, phase *float64) []media.Frame {
	t.Helper()
	slin := media.SLin
	if f.SampleRate == 16000 {
		slin = media.SLin16
	}
	var chain *media.Chain
	if f != slin {
		p, err := pbx.Translator().Path(slin, f)
		if err != nil {
			t.Fatal(err)
		}
		chain = p.NewChain()
	}
	per := f.SampleRate / 50
	frames := make([]media.Frame, 0, n)
	pcm := make([]int16, per)
	for i := 0; i < n; i++ {
		for j := range pcm {
			pcm[j] = int16(8000 * math.Sin(*phase))
			*phase += 2 * math.Pi * freq / float64(f.SampleRate)
		}
		fr := media.VoiceFrame(slin, media.EncodeSLin(nil, pcm), uint32(i*per))
		if chain != nil {
			var err error
			if fr, err = chain.Translate(fr); err != nil {
				t.Fatal(err)
			}
			fr.Payload = append([]byte(nil), fr.Payload...)
		}
		frames = append(frames, fr)
	}
	return frames
}

// freqOf estimates the frequency of a tone from its rising zero
// crossings, interpolated between samples.
func freqOf(pcm []int16, rate int) float64 {
	var first, last float64
	n := 0
	for i := 1; i < len(pcm); i++ {
		if pcm[i-1] < 0 && pcm[i] >= 0 {
			x := float64(i-1) + float64(-pcm[i-1])/float64(int(pcm[i])-int(pcm[i-1]))
			if n == 0 {
				first = x
			}
			last = x
			n++
		}
	}
	if n < 2 {
		return 0
	}
	return float64(n-1) * float64(rate) / (last - first)
}

// checkFreq fails unless pcm is a tone of want Hz within 2 %.
func checkFreq(t *testing.T, what string, pcm []int16, rate int, want float64) {
	t.Helper()
	got := freqOf(pcm, rate)
	t.Logf("%s: %.2f Hz (want %.0f)", what, got, want)
	if math.Abs(got-want) > want*0.02 {
		t.Fatalf("%s: heard %.1f Hz over %d samples, want %.0f Hz ±2%%", what, got, len(pcm), want)
	}
}

// musicGen is a test music-on-hold source: a 400 Hz tone written every
// 20 ms until stopped. It records who asked for which class.
type musicGen struct {
	mu    sync.Mutex
	asked []string
}

func (m *musicGen) holdMusic(listener *pbx.Channel, class string) pbx.Generator {
	m.mu.Lock()
	m.asked = append(m.asked, listener.Name()+" "+class)
	m.mu.Unlock()
	return pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		phase := 0.0
		pcm := make([]int16, 160)
		for {
			for j := range pcm {
				pcm[j] = int16(8000 * math.Sin(phase))
				phase += 2 * math.Pi * 400 / 8000
			}
			if err := ch.Write(media.VoiceFrame(media.SLin, media.EncodeSLin(nil, pcm), 0)); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			}
		}
	})
}

func (m *musicGen) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.asked...)
}
