package pbx

// MailboxCounts are a mailbox's message counts, as MWI reports them
// (Voice-Message: new/old (urgentnew/urgentold)).
type MailboxCounts struct {
	New, Old, UrgentNew, UrgentOld int
}

// MailboxProvider is implemented by the voicemail module: it answers the
// counts of "box@context" ("box" alone means context "default"); ok is
// false for a mailbox it does not know. Changes are announced on the bus
// as BusMessageWaiting events (Value: "box@context"), which is how chan_sip
// knows to send NOTIFYs and the manager its MessageWaiting event.
type MailboxProvider interface {
	MailboxCounts(mailbox string) (c MailboxCounts, ok bool)
}

// SetMailboxProvider installs the voicemail module's provider (nil
// removes it, e.g. when app_voicemail is unloaded).
func (e *Engine) SetMailboxProvider(p MailboxProvider) {
	if p == nil {
		e.mailbox.Store(nil)
		return
	}
	e.mailbox.Store(&p)
}

// MailboxCounts returns the counts of mailbox; ok is false when no
// voicemail module is loaded or it does not know the mailbox.
func (e *Engine) MailboxCounts(mailbox string) (MailboxCounts, bool) {
	p := e.mailbox.Load()
	if p == nil {
		return MailboxCounts{}, false
	}
	return (*p).MailboxCounts(mailbox)
}

// PublishMessageWaiting announces that mailbox's counts changed.
func (e *Engine) PublishMessageWaiting(mailbox string) {
	e.bus.Publish(BusEvent{Type: BusMessageWaiting, Value: mailbox})
}
