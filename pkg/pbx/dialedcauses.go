package pbx

import (
	"strconv"
	"sync"
)

// Dialed causes are Asterisk's hangup cause hash (channel.c's
// ast_channel_hangupcause_hash_set): a driver records the technology's
// own cause ("SIP 486 Busy Here") and the Asterisk cause of the latest
// response on the channel it dialed and on the channel that requested it, where HANGUPCAUSE(chan,tech|ast) and
// HANGUPCAUSE_KEYS() read them and HangupCauseClear empties them.

// DialedCause is one channel's latest technology cause.
type DialedCause struct {
	Channel string // the dialed channel's name
	Tech    string // "SIP 486 Busy Here"
	Cause   int    // the Asterisk cause (17)
}

type dialedCausesKey struct{}

// dialedCauses keeps one entry per channel name, in first-seen order.
type dialedCauses struct {
	mu   sync.Mutex
	list []DialedCause
}

func (d *dialedCauses) set(c DialedCause) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.list {
		if d.list[i].Channel == c.Channel {
			d.list[i] = c
			return
		}
	}
	d.list = append(d.list, c)
}

func (c *Channel) causes(create bool) *dialedCauses {
	var d *dialedCauses
	c.UpdateDatastore(dialedCausesKey{}, func(old any) any {
		if o, ok := old.(*dialedCauses); ok {
			d = o
			return o
		}
		if !create {
			return nil
		}
		d = &dialedCauses{}
		return d
	})
	return d
}

// RecordSIPCause records a SIP response to the INVITE that made dialed:
// "SIP <code> <reason>" with CauseFromSIP's cause, as chan_sip does for
// every response it gets; requestor (the caller, may be nil) gets it too.
func RecordSIPCause(dialed, requestor *Channel, code int, reason string) {
	RecordDialedCause(dialed, requestor, "SIP "+strconv.Itoa(code)+" "+reason, CauseFromSIP(code))
}

// RecordDialedCause records a technology cause on dialed and on its
// requestor, keyed by dialed's name.
func RecordDialedCause(dialed, requestor *Channel, tech string, cause int) {
	dc := DialedCause{Channel: dialed.Name(), Tech: tech, Cause: cause}
	dialed.causes(true).set(dc)
	if requestor != nil {
		requestor.causes(true).set(dc)
	}
}

// DialedCauses returns the causes recorded on c, first-seen first.
func (c *Channel) DialedCauses() []DialedCause {
	d := c.causes(false)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]DialedCause(nil), d.list...)
}

// ClearDialedCauses empties c's causes (HangupCauseClear).
func (c *Channel) ClearDialedCauses() { c.SetDatastore(dialedCausesKey{}, nil) }
