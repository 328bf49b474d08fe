package pbx

import (
	"strconv"
	"sync"
)

// The dialed-causes hash (ast_channel_hangupcause_hash_set): a driver
// reports each response of an outgoing call as a technology cause code
// ("SIP 486 Busy Here") with the Asterisk cause it maps to; the channel
// keeps the last per channel name, and Dial copies its legs' codes to the
// caller, where HANGUPCAUSE, HANGUPCAUSE_KEYS and HangupCauseClear read
// and clear them. The text is built only when read: a call's responses
// cost one small slice, no formatting.

type dialedCausesKey struct{}

// CauseCode is one channel's last reported cause.
type CauseCode struct {
	Channel string
	// Tech is the technology's prefix ("SIP"), Code and Reason the
	// response; TechCause formats them.
	Tech   string
	Code   int
	Reason string
	// Cause is the Asterisk cause the code maps to.
	Cause int
}

// TechCause is the technology-specific text, "SIP 486 Busy Here".
func (c CauseCode) TechCause() string {
	s := c.Tech + " " + strconv.Itoa(c.Code)
	if c.Reason != "" {
		s += " " + c.Reason
	}
	return s
}

type dialedCauses struct {
	mu    sync.Mutex
	codes []CauseCode // one per channel name, in the order first seen
}

func (d *dialedCauses) set(cc CauseCode) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.codes {
		if d.codes[i].Channel == cc.Channel {
			d.codes[i] = cc
			return
		}
	}
	d.codes = append(d.codes, cc)
}

func (c *Channel) causes(create bool) *dialedCauses {
	if d, ok := c.Datastore(dialedCausesKey{}).(*dialedCauses); ok || !create {
		return d
	}
	var d *dialedCauses
	c.UpdateDatastore(dialedCausesKey{}, func(old any) any {
		if o, ok := old.(*dialedCauses); ok {
			d = o
			return o
		}
		d = &dialedCauses{}
		return d
	})
	return d
}

// ReportCauseCode records a response of the channel's call (the driver
// calls it for each, as chan_sip queues AST_CONTROL_PVT_CAUSE_CODE).
func (c *Channel) ReportCauseCode(tech string, code int, reason string, cause int) {
	c.causes(true).set(CauseCode{Channel: c.Name(), Tech: tech, Code: code, Reason: reason, Cause: cause})
}

// CopyCauseCodes adds the cause codes recorded on from (a dialed leg) to
// c (its caller), as Dial passes its legs' codes on.
func (c *Channel) CopyCauseCodes(from *Channel) {
	src := from.causes(false)
	if src == nil {
		return
	}
	src.mu.Lock()
	codes := append([]CauseCode(nil), src.codes...)
	src.mu.Unlock()
	if len(codes) == 0 {
		return
	}
	dst := c.causes(true)
	for _, cc := range codes {
		dst.set(cc)
	}
}

// CauseCodeOf returns the cause recorded on c for the channel named name.
func (c *Channel) CauseCodeOf(name string) (CauseCode, bool) {
	d := c.causes(false)
	if d == nil {
		return CauseCode{}, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, cc := range d.codes {
		if cc.Channel == name {
			return cc, true
		}
	}
	return CauseCode{}, false
}

// CauseCodeChannels lists the channels c has cause codes for.
func (c *Channel) CauseCodeChannels() []string {
	d := c.causes(false)
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, len(d.codes))
	for i, cc := range d.codes {
		out[i] = cc.Channel
	}
	return out
}

// ClearCauseCodes forgets every cause code recorded on c.
func (c *Channel) ClearCauseCodes() { c.SetDatastore(dialedCausesKey{}, nil) }
