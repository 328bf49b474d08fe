package pbx

import (
	"fmt"
	"strings"
)

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

// SetContextMailboxProvider installs p for the mailboxes of one context
// ("box@context", the context compared without case), ahead of the
// voicemail module: chan_sip's "mwi =>" subscriptions keep the counts of
// "box@SIP_Remote" this way, as Asterisk's MWI state holds mailboxes of
// any source. nil removes it.
func (e *Engine) SetContextMailboxProvider(context string, p MailboxProvider) {
	key := strings.ToLower(context)
	for {
		old := e.mailboxAt.Load()
		next := map[string]MailboxProvider{}
		if old != nil {
			for k, v := range *old {
				next[k] = v
			}
		}
		if p == nil {
			delete(next, key)
		} else {
			next[key] = p
		}
		if e.mailboxAt.CompareAndSwap(old, &next) {
			return
		}
	}
}

// MailboxCounts returns the counts of mailbox; ok is false when no
// provider (the voicemail module, or the one of the mailbox's context)
// knows the mailbox.
func (e *Engine) MailboxCounts(mailbox string) (MailboxCounts, bool) {
	if at := e.mailboxAt.Load(); at != nil {
		if _, ctx, ok := strings.Cut(mailbox, "@"); ok {
			if p := (*at)[strings.ToLower(ctx)]; p != nil {
				return p.MailboxCounts(mailbox)
			}
		}
	}
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

// RecordingForMailbox is a finished recording to leave in a mailbox as a
// new message (MixMonitor's m option; Asterisk's
// ast_app_copy_recording_to_vm).
type RecordingForMailbox struct {
	Mailbox  string // "box@context" ("box" alone: context "default")
	File     string // the recording's path, extension included
	Format   string // its file format name (wav, gsm, ...)
	Channel  *Channel
	CallerID CallerID // what the message's callerid= says
	Duration int      // seconds
}

// RecordingDepositor is implemented by a MailboxProvider that takes
// recordings as new messages.
type RecordingDepositor interface {
	DepositRecording(r RecordingForMailbox) error
}

// DepositRecording leaves r in its mailbox through the voicemail module;
// an error when none is loaded or it cannot take recordings.
func (e *Engine) DepositRecording(r RecordingForMailbox) error {
	p := e.mailbox.Load()
	if p == nil {
		return fmt.Errorf("mailbox %s: no voicemail module", r.Mailbox)
	}
	d, ok := (*p).(RecordingDepositor)
	if !ok {
		return fmt.Errorf("mailbox %s: the voicemail module takes no recordings", r.Mailbox)
	}
	return d.DepositRecording(r)
}
