package parking

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/internal/goldenfile"
	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestParkActionErrors: res_parking_manager's answers to a Park it
// cannot do, byte for byte (its messages keep their own trailing LF),
// and nothing parked or changed on a refused channel.
func TestParkActionErrors(t *testing.T) {
	c, _ := Load(parse(t, "res_parking.conf", "[default]\nparkext => 700\nparkpos => 701-702\n"), nil)
	m := New(Options{}, c)
	eng := pbx.New(pbx.Config{})
	if err := m.Register(eng); err != nil {
		t.Fatal(err)
	}
	idle := eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", Context: "internal", Exten: "100"})
	t.Cleanup(func() { idle.Hangup(pbx.CauseNormalClearing) })
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr); err != nil {
		t.Fatal(err)
	}
	cl := managertest.Dial(t, mgr)
	var out strings.Builder
	for _, action := range [][]string{
		{"Action: Park"},
		{"Action: Park", "Channel: " + idle.Name(), "Timeout: soon"},
		{"Action: Park", "Channel: " + idle.Name(), "Timeout: -5"},
		{"Action: Park", "Channel: SIP/nobody-00000001"},
		{"Action: Park", "Channel: " + idle.Name(), "AnnounceChannel: SIP/nobody-00000002"},
		{"Action: Park", "Channel: " + idle.Name(), "Parkinglot: nolot"},
		{"Action: Park", "Channel: " + idle.Name(), "ParkingSpace: 799"},
		// neither running dialplan nor bridged: nobody could take it there
		{"Action: Park", "Channel: " + idle.Name()},
	} {
		out.WriteString("> " + strings.Join(action, " | ") + "\n")
		out.WriteString(cl.Do(action...) + "\n")
	}
	goldenfile.Check(t, "testdata/park_action.golden", strings.ReplaceAll(out.String(), idle.Name(), "<idle>"))
	if len(m.Parked("default")) != 0 {
		t.Error("a call was parked")
	}
}

// emptyPlan is a dialplan with nothing in it.
type emptyPlan struct{}

func (emptyPlan) Find(string, string, string, int) (*pbx.Priority, bool) { return nil, false }
func (emptyPlan) FindLabel(string, string, string, string) (int, bool)   { return 0, false }
func (emptyPlan) Exists(string, string, string, int) bool                { return false }
func (emptyPlan) HasContext(string) bool                                 { return false }
func (emptyPlan) AutoFallthrough() bool                                  { return true }

// TestParkActionAnnounces: the AnnounceChannel, in a bridge, hears the
// space's digits one after the other over what its far end sends; out
// of a bridge it hears nothing.
func TestParkActionAnnounces(t *testing.T) {
	dir := t.TempDir()
	tones := map[string]float64{"7": 700, "0": 1100}
	for d, f := range tones {
		pcm := make([]byte, 2*2400) // 300 ms
		for i := 0; i < 2400; i++ {
			v := int16(8000 * math.Sin(2*math.Pi*f*float64(i)/8000))
			binary.LittleEndian.PutUint16(pcm[2*i:], uint16(v))
		}
		p := filepath.Join(dir, "sounds", "en", "digits", d+".sln")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, pcm, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eng := pbx.New(pbx.Config{})
	if err := apps.RegisterWith(eng, apps.Config{DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	m := New(Options{}, nil)
	ph := pbxtest.NewPhone(media.SLin)
	ch := ph.NewChannel(eng, "a", "default", "s")
	defer ch.Hangup(pbx.CauseNormalClearing)

	m.announceSpace(ch, 70) // in no bridge: returns at once
	if ch.Tapped() {
		t.Fatal("a channel in no bridge was whispered to")
	}

	peer := pbxtest.NewPhone(media.SLin).NewChannel(eng, "b", "default", "s")
	defer peer.Hangup(pbx.CauseNormalClearing)
	ch.SetBridged(peer, "bridge-1")
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.announceSpace(ch, 70)
	}()
	// The far end's silence, as the bridge would write it, until the
	// digits are said.
	silence := media.VoiceFrame(media.SLin, make([]byte, 320), 0)
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			if err := ch.Write(silence); err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	got, err := ph.HeardPCM()
	if err != nil {
		t.Fatal(err)
	}
	// Where each digit's tone is strongest, in 50 ms windows.
	first := map[float64]int{}
	for at := 0; at+400 <= len(got); at += 400 {
		for _, f := range tones {
			if _, seen := first[f]; !seen && dsp.ToneShare(got[at:at+400], f, 8000) > 0.8 {
				first[f] = at
			}
		}
	}
	seven, sOK := first[700]
	zero, zOK := first[1100]
	if !sOK || !zOK || seven >= zero {
		t.Fatalf("heard 7 at %d (%v) and 0 at %d (%v) in %d samples: want both, 7 first", seven, sOK, zero, zOK, len(got))
	}
}
