package bridge

import (
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// techSoftmix is the technology of a bridge of more than two channels.
const techSoftmix = "softmix"

// Mixing is a basic bridge of three or more channels whose media another
// module mixes: an attended transfer's three-way call, for which Asterisk
// merges the transfer's two bridges into one basic bridge that moves to
// the softmix technology. It is listed by "bridge show", its members
// carry its id, and their joining and leaving are logged and published
// as the two-party bridges' are. Its owner calls Leave for each member
// that leaves and End when the mix is over.
type Mixing struct {
	b       *Basic
	id      string
	created time.Time

	mu    sync.Mutex
	chans []*pbx.Channel
	saved map[*pbx.Channel]savedBridge
}

// savedBridge is where a member was before it joined (the bridge a
// feature ran from), given back when it leaves.
type savedBridge struct {
	peer *pbx.Channel
	id   string
}

// StartMixing opens a mixing bridge with chans as its members.
func (b *Basic) StartMixing(chans ...*pbx.Channel) *Mixing {
	m := &Mixing{b: b, id: pbx.NewBridgeID(), created: time.Now(), saved: map[*pbx.Channel]savedBridge{}}
	m.chans = append(m.chans, chans...)
	b.mu.Lock()
	if b.mixing == nil {
		b.mixing = make(map[string]*Mixing)
	}
	b.mixing[m.id] = m
	b.mu.Unlock()
	for _, ch := range chans {
		m.saved[ch] = savedBridge{peer: ch.Peer(), id: ch.BridgeID()}
		// A member's peer is the first other member, as Asterisk's
		// BRIDGEPEER names one of them.
		ch.SetBridged(m.firstOther(ch), m.id)
		b.log.Verbose(3, "Channel %s joined '%s' basic-bridge <%s>\n", ch.Name(), techSoftmix, m.id)
		m.publish(pbx.BusBridgeEnter, ch)
	}
	return m
}

// ID is the bridge's id.
func (m *Mixing) ID() string { return m.id }

func (m *Mixing) firstOther(ch *pbx.Channel) *pbx.Channel {
	for _, o := range m.chans {
		if o != ch {
			return o
		}
	}
	return nil
}

// Leave takes ch out of the bridge; it gets back the bridge it was in
// before. Leaving twice does nothing.
func (m *Mixing) Leave(ch *pbx.Channel) {
	m.mu.Lock()
	i := -1
	for j, o := range m.chans {
		if o == ch {
			i = j
		}
	}
	if i < 0 {
		m.mu.Unlock()
		return
	}
	m.chans = append(m.chans[:i:i], m.chans[i+1:]...)
	sv := m.saved[ch]
	m.mu.Unlock()
	m.b.log.Verbose(3, "Channel %s left '%s' basic-bridge <%s>\n", ch.Name(), techSoftmix, m.id)
	m.publish(pbx.BusBridgeLeave, ch)
	ch.SetBridged(sv.peer, sv.id)
}

// End takes the remaining members out and stops listing the bridge.
func (m *Mixing) End() {
	m.mu.Lock()
	rest := append([]*pbx.Channel(nil), m.chans...)
	m.mu.Unlock()
	for _, ch := range rest {
		m.Leave(ch)
	}
	m.b.mu.Lock()
	delete(m.b.mixing, m.id)
	m.b.mu.Unlock()
}

func (m *Mixing) info() Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := Info{ID: m.id, Type: bridgeType, Technology: techSoftmix, Created: m.created}
	for _, ch := range m.chans {
		in.Channels = append(in.Channels, ch.Name())
	}
	return in
}

func (m *Mixing) publish(t pbx.BusEventType, ch *pbx.Channel) {
	bus := m.b.eng.Bus()
	if !bus.Wants(t) {
		return
	}
	m.mu.Lock()
	peer := m.firstOther(ch)
	m.mu.Unlock()
	bus.Publish(pbx.BusEvent{Type: t, Channel: ch, Peer: peer, BridgeID: m.id, BridgeType: bridgeType})
}
