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
	// Asterisk's merged bridge has the normal features again (the
	// transfer is over: its own codes do nothing).
	chans := []*pbx.Channel{presser, a, target}
	feats := make([]bridge.Features, len(chans))
	for i, ch := range chans {
		feats[i] = m.Features(ch, chans[(i+1)%len(chans)])
	}
	gone := mixWith(feats, chans...)
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
func mix(chans ...*pbx.Channel) *pbx.Channel { return mixWith(nil, chans...) }

// mixWith is mix where feats[i] (nil: none) are the DTMF features of
// chans[i], as in a bridge: the digits of a code are kept from the
// others, other digits are passed to them (as softmix does), and a
// completed code stops the mix while its feature runs (with the next
// party as its other party), the mix resuming unless someone left.
func mixWith(feats []bridge.Features, chans ...*pbx.Channel) *pbx.Channel {
	for {
		gone, req := mixRound(feats, chans)
		if gone != nil {
			return gone
		}
		req.run(context.Background(), req.presser, req.other)
		for _, ch := range chans {
			if ch.HangupRequested() || isInterrupted(ch) {
				return ch
			}
		}
	}
}

func isInterrupted(ch *pbx.Channel) bool {
	select {
	case <-ch.Interrupted():
		return true
	default:
		return false
	}
}

// mixFeature is a feature code completed in the mix.
type mixFeature struct {
	presser, other *pbx.Channel
	run            bridge.FeatureFunc
}

// mixCodes is one party's feature code being typed in the mix.
type mixCodes struct {
	f    bridge.Features
	buf  string
	last time.Time
	held []media.Frame
}

// dtmf takes a DTMF frame: the frames to pass to the others now, and
// the feature completed, if any.
func (c *mixCodes) dtmf(fr media.Frame) (pass []media.Frame, run bridge.FeatureFunc) {
	if c.f == nil {
		return []media.Frame{fr}, nil
	}
	if c.buf != "" && time.Since(c.last) > c.f.DigitTimeout() {
		// featuredigittimeout: the code was not completed.
		pass, c.buf, c.held = c.held, "", nil
	}
	c.last = time.Now()
	r, partial := c.f.Match(c.buf + string(fr.Digit))
	switch {
	case r != nil && fr.Kind == media.DTMFEnd:
		c.buf, c.held = "", nil
		return pass, r
	case r != nil || partial:
		if fr.Kind == media.DTMFEnd {
			c.buf += string(fr.Digit)
		}
		c.held = append(c.held, fr)
		return pass, nil
	}
	pass = append(pass, c.held...)
	c.buf, c.held = "", nil
	return append(pass, fr), nil
}

// mixRound mixes until a party leaves (gone) or completes a feature code.
func mixRound(feats []bridge.Features, chans []*pbx.Channel) (gone *pbx.Channel, req mixFeature) {
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
	reqs := make(chan mixFeature, len(chans))
	parts := make([]*mixer.Participant, 0, len(chans))
	for i, ch := range chans {
		p := mx.Join(mixer.ParticipantOptions{Format: ch.NativeFormat(), Deliver: func(fr media.Frame) { _ = ch.Write(fr) }})
		parts = append(parts, p)
		codes := &mixCodes{}
		if i < len(feats) {
			codes.f = feats[i]
		}
		other := chans[(i+1)%len(chans)]
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
				switch fr.Kind {
				case media.Voice:
					_ = p.Write(fr)
				case media.DTMFBegin, media.DTMFEnd:
					pass, run := codes.dtmf(fr)
					for _, o := range chans {
						if o != ch {
							for _, f := range pass {
								_ = o.Write(f)
							}
						}
					}
					if run != nil {
						reqs <- mixFeature{presser: ch, other: other, run: run}
						return
					}
				}
			}
		}()
	}
	select {
	case gone = <-left:
	case req = <-reqs:
	}
	close(stop)
	cancel()
	wg.Wait()
	for _, p := range parts {
		p.Leave()
	}
	return gone, req
}
