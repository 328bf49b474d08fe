package pbx

// MediaFormatChanged is called by a driver whose far end renegotiated the
// voice format mid-call (a SIP re-INVITE or UPDATE moving from PCMU to
// PCMA, say). The stream the core opened in the old format is closed and
// the translation chains built for it dropped: the next Read or Write
// opens a stream in the new format (a reader blocked on the old one moves
// over by itself), and a bridge the channel is in re-decides between the
// driver's native relay, which needs one format on both sides, and
// translated frames (EventMediaChange), as Asterisk re-plans a bridge's
// translation paths when a channel's native format changes.
func (c *Channel) MediaFormatChanged() {
	c.media.mu.Lock()
	s := c.media.stream
	c.media.stream, c.media.native = nil, nil
	c.media.toWire, c.media.fromWire = nil, nil
	c.media.mu.Unlock()
	if s != nil {
		_ = s.Close()
	}
	c.post(Event{Kind: EventMediaChange})
}

// streamReplaced reports whether s is no longer the channel's stream.
func (c *Channel) streamReplaced(s MediaStream) bool {
	c.media.mu.Lock()
	defer c.media.mu.Unlock()
	return c.media.stream != s
}
