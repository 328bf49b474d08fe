package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/apps"
	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// A translating mode runs a call the way gostrisk does when its two legs
// speak different codecs: each leg terminates in an RTP session, the
// channels sit in pkg/bridge's frame bridge, and Channel.Write converts.

type translatingMode struct {
	a, b     *media.Format
	ptA, ptB uint8
}

var translatingModes = map[string]translatingMode{
	"ulaw-alaw": {a: media.ULaw, b: media.ALaw, ptA: 0, ptB: 8},
	"g722-ulaw": {a: media.G722, b: media.ULaw, ptA: 9, ptB: 0},
}

// payloadTypes are what phones A and B send in a mode.
func payloadTypes(mode string) (uint8, uint8) {
	if tm, ok := translatingModes[mode]; ok {
		return tm.ptA, tm.ptB
	}
	return 0, 0
}

func newEngine() *pbx.Engine {
	eng := pbx.New(pbx.Config{})
	bridge.Install(eng, bridge.Options{})
	if err := apps.Register(eng); err != nil {
		panic(err) // the built-in applications register on a fresh engine
	}
	return eng
}

// sessionDriver is a channel driver whose media is an RTP session on a
// leg, as a SIP leg's is once the core terminates it.
type sessionDriver struct {
	leg *rtp.Leg
	cfg rtp.SessionConfig
}

func (d *sessionDriver) Call(context.Context, string, time.Duration) error { return nil }
func (d *sessionDriver) Answer() error                                     { return nil }
func (d *sessionDriver) Indicate(pbx.Indication) error                     { return nil }
func (d *sessionDriver) Hangup(int) error                                  { return nil }
func (d *sessionDriver) NativeFormat() *media.Format                       { return d.cfg.Format }
func (d *sessionDriver) DTMFMode() string                                  { return "rfc2833" }

func (d *sessionDriver) OpenMedia() (pbx.MediaStream, error) {
	s, err := d.leg.StartSession(d.cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

type transcoded struct {
	a, b   *pbx.Channel
	cancel context.CancelFunc
	done   chan struct{}
}

func startTranscoded(eng *pbx.Engine, la, lb *rtp.Leg, tm translatingMode) (*transcoded, error) {
	mk := func(leg *rtp.Leg, f *media.Format, pt uint8, name string) *pbx.Channel {
		d := &sessionDriver{leg: leg, cfg: rtp.SessionConfig{Format: f, PT: pt, DTMFPT: 101}}
		ch := eng.NewChannel(pbx.ChannelSpec{Tech: "Bench", Resource: name, Driver: d})
		ch.SetState(pbx.StateUp)
		return ch
	}
	x := &transcoded{a: mk(la, tm.a, tm.ptA, "a"), b: mk(lb, tm.b, tm.ptB, "b"), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	go func() {
		defer close(x.done)
		if _, err := eng.Bridge(ctx, x.a, x.b); err != nil {
			fmt.Println("bridge:", err)
		}
	}()
	return x, nil
}

// startPlayback runs the Playback application on a channel on each leg,
// each writing the file to its phone, paced by its RTP session.
func startPlayback(eng *pbx.Engine, la, lb *rtp.Leg, file string) (*transcoded, error) {
	app, ok := eng.App("Playback")
	if !ok {
		return nil, fmt.Errorf("no Playback application")
	}
	x := &transcoded{a: ulawChannel(eng, la, "a"), b: ulawChannel(eng, lb, "b"), done: make(chan struct{})}
	x.runApp(app, "playback", func(int) string { return file })
	return x, nil
}

func (x *transcoded) close() {
	x.cancel()
	<-x.done
	x.a.Hangup(pbx.CauseNormalClearing)
	x.b.Hangup(pbx.CauseNormalClearing)
}

// runApp runs app on both of x's channels, each on its own goroutine, with
// data(k) for channel k (0: a, 1: b), until x is cancelled: then both are
// hung up and done closes once both applications returned.
func (x *transcoded) runApp(app *pbx.App, label string, data func(k int) string) {
	ctx, cancel := context.WithCancel(context.Background())
	x.cancel = cancel
	var wg sync.WaitGroup
	for k, ch := range []*pbx.Channel{x.a, x.b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := app.Exec(ch, data(k)); err != nil && ctx.Err() == nil {
				fmt.Println(label+":", err)
			}
		}()
	}
	go func() {
		<-ctx.Done()
		x.a.SoftHangup(pbx.CauseNormalClearing)
		x.b.SoftHangup(pbx.CauseNormalClearing)
		wg.Wait()
		close(x.done)
	}()
}
