package pbxtest

import (
	"sync"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// RelayPhone is a Phone whose driver can also relay media natively with
// another RelayPhone, as the SIP driver does between two RTP legs
// (pbx.MediaBridger). The relay carries no frames: tests use it to see
// which path a bridge chose.
type RelayPhone struct {
	*Phone

	rmu      sync.Mutex
	relays   int  // relays set up with this phone as the caller's side
	relaying bool // in a relay now (either side)
	taken    int  // times OpenMedia took the media out of a running relay
	partner  *RelayPhone
}

// NewRelayPhone returns a relaying phone speaking format f.
func NewRelayPhone(f *media.Format) *RelayPhone {
	return &RelayPhone{Phone: NewPhone(f)}
}

// NewChannel creates a channel on eng driven by the phone.
func (r *RelayPhone) NewChannel(eng *pbx.Engine, resource, context, exten string) *pbx.Channel {
	return eng.NewChannel(pbx.ChannelSpec{Tech: "Test", Resource: resource, Driver: r, Context: context, Exten: exten})
}

// BridgeMedia starts a relay with other, which must be a RelayPhone's
// channel (as the SIP driver relays only to SIP legs).
func (r *RelayPhone) BridgeMedia(other *pbx.Channel) (func(), error) {
	o, ok := other.Driver().(*RelayPhone)
	if !ok {
		return nil, errNotRelay
	}
	r.rmu.Lock()
	r.relays++
	r.relaying = true
	r.partner = o
	r.rmu.Unlock()
	o.rmu.Lock()
	o.relaying = true
	o.partner = r
	o.rmu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { r.endRelay() }) }, nil
}

// endRelay stops the relay on both sides.
func (r *RelayPhone) endRelay() {
	r.rmu.Lock()
	o := r.partner
	r.relaying, r.partner = false, nil
	r.rmu.Unlock()
	if o != nil {
		o.rmu.Lock()
		if o.partner == r {
			o.relaying, o.partner = false, nil
		}
		o.rmu.Unlock()
	}
}

// OpenMedia takes the media out of a running relay, as MediaDriver's
// contract says, and counts that it had to.
func (r *RelayPhone) OpenMedia() (pbx.MediaStream, error) {
	r.rmu.Lock()
	was := r.relaying
	if was {
		r.taken++
	}
	r.rmu.Unlock()
	if was {
		r.endRelay()
	}
	return r.Phone.OpenMedia()
}

// Relays counts the relays set up by this phone's BridgeMedia.
func (r *RelayPhone) Relays() int { r.rmu.Lock(); defer r.rmu.Unlock(); return r.relays }

// Relaying reports whether the phone is in a relay now.
func (r *RelayPhone) Relaying() bool { r.rmu.Lock(); defer r.rmu.Unlock(); return r.relaying }

// Taken counts the times the core opened the media while the relay ran
// (a bridge that forgot to leave its relay first).
func (r *RelayPhone) Taken() int { r.rmu.Lock(); defer r.rmu.Unlock(); return r.taken }

type relayError string

func (e relayError) Error() string { return string(e) }

const errNotRelay = relayError("pbxtest: can only relay to another RelayPhone")

// ResetHeard forgets what the phone heard, so a long test or a benchmark
// does not keep every frame.
func (p *Phone) ResetHeard() { p.mu.Lock(); p.heard = nil; p.mu.Unlock() }
