package local

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Options are what the core gives the technology.
type Options struct {
	// CDR writes a record (cdr_csv); nil writes none.
	CDR func(*cdr.Record)
}

// Tech is the "Local" channel technology.
type Tech struct {
	eng  *pbx.Engine
	opts Options
	// seq names the pairs; Asterisk's unreal channels count apart from the
	// other channels, so the engine's sequence is not used.
	seq atomic.Uint32

	mu    sync.Mutex
	pairs map[*pair]struct{} // live pairs, for `local show channels`
}

// New returns the technology for eng; register it with
// eng.RegisterTechnology.
func New(eng *pbx.Engine, opts Options) *Tech {
	return &Tech{eng: eng, opts: opts, pairs: map[*pair]struct{}{}}
}

// Type is the technology's name in dial strings.
func (t *Tech) Type() string { return "Local" }

// Description is the text of `core show channeltypes`.
func (t *Tech) Description() string { return "Local Proxy Channel Driver" }

// Features are chan_local's columns in `core show channeltypes`.
func (t *Tech) Features() pbx.TechFeatures {
	return pbx.TechFeatures{DeviceState: true, Indications: true}
}

// options are the letters after the second slash.
type options struct {
	noOptimize, jitter, mohPass, bridged bool
}

// target is a parsed dial string: exten@context[/options].
type target struct {
	exten, context string
	opts           options
}

// name is "exten@context", the channels' resource.
func (t target) name() string { return t.exten + "@" + t.context }

// parse reads "exten@context/opts"; the context is "default" when absent,
// as chan_local has it. Unknown option letters are ignored, as Asterisk does.
func parse(data string) (target, error) {
	var tg target
	dest, opts, _ := strings.Cut(data, "/")
	exten, ctx, ok := strings.Cut(dest, "@")
	if !ok || ctx == "" {
		ctx = "default"
	}
	if exten == "" {
		return tg, fmt.Errorf("local: no extension in %q", data)
	}
	tg.exten, tg.context = exten, ctx
	for _, c := range opts {
		switch c {
		case 'n':
			tg.opts.noOptimize = true
		case 'j':
			tg.opts.jitter = true
		case 'm':
			tg.opts.mohPass = true
		case 'b':
			tg.opts.bridged = true
		}
	}
	return tg, nil
}

// Request makes the pair and returns ;1; ;2 starts when ;1 is called.
func (t *Tech) Request(_ context.Context, data string, requestor *pbx.Channel) (*pbx.Channel, error) {
	tg, err := parse(data)
	if err != nil {
		return nil, &pbx.RequestError{Cause: pbx.CauseRequestedChanUnavail, Err: err}
	}
	if tg.opts.jitter && !tg.opts.noOptimize {
		// chan_local's complaint (an ERROR there; the engine's logger has
		// no error level). The jitter buffer changes nothing here anyway.
		t.eng.Log().Warning("You must use the 'n' option with the 'j' option to enable the jitter buffer\n")
	}
	format := media.ULaw
	if requestor != nil {
		if f := requestor.NativeFormat(); f != nil {
			format = f
		}
	}
	seq := t.seq.Add(1) - 1
	p := &pair{t: t, tg: tg, format: format, seq: seq}
	p.h1 = newHalf(p, 1)
	p.h2 = newHalf(p, 2)
	base := fmt.Sprintf("Local/%s-%08x", tg.name(), seq)
	p.one = t.eng.NewChannel(pbx.ChannelSpec{Name: base + ";1", Tech: "Local", Resource: tg.name(),
		Driver: p.h1, Requestor: requestor})
	p.two = t.eng.NewChannel(pbx.ChannelSpec{Name: base + ";2", Tech: "Local", Resource: tg.name(),
		Driver: p.h2, Context: tg.context, Exten: tg.exten, Requestor: requestor})
	// ;2 is a call coming in to the dialplan: it starts in Ring, as
	// chan_local makes it.
	p.two.SetState(pbx.StateRing)
	t.mu.Lock()
	t.pairs[p] = struct{}{}
	t.mu.Unlock()
	return p.one, nil
}

// forget drops an ended pair from the list.
func (t *Tech) forget(p *pair) {
	t.mu.Lock()
	delete(t.pairs, p)
	t.mu.Unlock()
}

// Pair is one live pair as `local show channels` lists it.
type Pair struct {
	Owner string // ;1's name
	Name  string // exten@context
}

// Pairs returns the live pairs, oldest first (chan_local's list order).
func (t *Tech) Pairs() []Pair {
	t.mu.Lock()
	ps := make([]*pair, 0, len(t.pairs))
	for p := range t.pairs {
		ps = append(ps, p)
	}
	t.mu.Unlock()
	sort.Slice(ps, func(i, j int) bool { return ps[i].seq < ps[j].seq })
	out := make([]Pair, len(ps))
	for i, p := range ps {
		out[i] = Pair{Owner: p.one.Name(), Name: p.tg.name()}
	}
	return out
}

// DeviceState is chan_local's device state when the engine has no
// channel named after the device (a device with options, "Local/x@y/n",
// never has): INVALID for an extension the dialplan does not have, INUSE
// while a pair to that exten@context exists, NOT_INUSE otherwise.
func (t *Tech) DeviceState(resource string) pbx.DeviceState {
	tg, err := parse(resource)
	if err != nil {
		return pbx.DeviceInvalid
	}
	if !t.exists(tg, "") {
		return pbx.DeviceInvalid
	}
	name := tg.name()
	t.mu.Lock()
	defer t.mu.Unlock()
	for p := range t.pairs {
		if strings.EqualFold(p.tg.name(), name) {
			return pbx.DeviceInUse
		}
	}
	return pbx.DeviceNotInUse
}

// exists reports whether the dialplan has exten@context priority 1 for
// callerID.
func (t *Tech) exists(tg target, callerID string) bool {
	plan := t.eng.Plan()
	return plan != nil && plan.Exists(tg.context, tg.exten, callerID, 1)
}
