package features

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/mixer"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// threeway is atxferthreeway: the presser, the transferee and the target
// talk together (Asterisk merges the two bridges into one mixing bridge,
// and the transfer is over). When one of them leaves, the two others go
// on: the transferee and the target in a bridge of their own when the
// presser left, the presser with whoever stayed otherwise (the
// consultation's bridge resumes with the target, the transfer's bridge
// with the transferee).
func (m *Module) threeway(st *consult, presser, target *pbx.Channel) {
	st.mu.Lock()
	if st.over {
		st.mu.Unlock()
		return
	}
	st.over = true
	st.mu.Unlock()
	a := st.transferee
	a.StopGenerator()
	target.StopGenerator()
	// Asterisk's THREEWAY: xfersound to the target and the transferer.
	sound := m.config().General.XferSound
	var wg sync.WaitGroup
	for _, ch := range []*pbx.Channel{target, presser} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			play(ch, sound)
		}()
	}
	wg.Wait()
	m.log.Verbose(3, "Attended transfer of %s: three-way call of %s, %s and %s\n", a.Name(), presser.Name(), a.Name(), target.Name())
	var mb *bridge.Mixing
	if m.opts.Bridges != nil {
		// Asterisk merges the two bridges into one (softmix).
		mb = m.opts.Bridges.StartMixing(presser, a, target)
	}
	gone := mix(presser, a, target)
	if mb != nil {
		mb.Leave(gone)
		mb.End()
	}
	if gone != presser || a.HangupRequested() || target.HangupRequested() {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	a.SetVar("ATTENDEDTRANSFER", presser.Name())
	target.SetVar("ATTENDEDTRANSFER", presser.Name())
	if err := presser.Engine().Handover(a, target); err != nil {
		m.log.Warning("Attended transfer of %s to %s failed: %v\n", a.Name(), target.Name(), err)
		return
	}
	st.handedOver = true
}

// mix joins the channels in a mixer (each hears the others) until the
// first of them leaves (hangs up, is interrupted or has no media), and
// returns that one. The caller owns the channels' media meanwhile: no
// bridge reads them.
func mix(chans ...*pbx.Channel) *pbx.Channel {
	mx := mixer.New(mixer.Options{Translator: pbx.Translator()})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		mx.Run(ctx)
	}()
	stop := make(chan time.Time)
	left := make(chan *pbx.Channel, len(chans))
	parts := make([]*mixer.Participant, 0, len(chans))
	for _, ch := range chans {
		p := mx.Join(mixer.ParticipantOptions{Format: ch.NativeFormat(), Deliver: func(fr media.Frame) { _ = ch.Write(fr) }})
		parts = append(parts, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				fr, err := ch.ReadUntil(stop)
				if errors.Is(err, pbx.ErrTimeout) {
					return // the mix is over
				}
				if err != nil {
					left <- ch
					return
				}
				if fr.Kind == media.Voice {
					_ = p.Write(fr)
				}
			}
		}()
	}
	first := <-left
	close(stop)
	cancel()
	wg.Wait()
	for _, p := range parts {
		p.Leave()
	}
	return first
}
