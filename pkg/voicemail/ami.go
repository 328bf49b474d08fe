package voicemail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/manager"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds app_voicemail's actions: VoicemailRefresh,
// VoicemailUsersList and VoicemailUserStatus.
func (m *Module) RegisterAMI(reg Registrar) error {
	for _, a := range []manager.Action{
		{Name: "VoicemailUsersList", Synopsis: "List All Voicemail User Information.",
			Perm: manager.PermCall | manager.PermReporting, Handler: m.amiUsersList},
		{Name: "VoicemailUserStatus", Synopsis: "Show the status of given voicemail user's info.",
			Perm: manager.PermCall | manager.PermReporting, Handler: m.amiUserStatus},
		{Name: "VoicemailRefresh", Synopsis: "Tell Asterisk to poll mailboxes for a change",
			Perm: manager.PermUser, Handler: m.amiRefresh},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("app_voicemail: %w", err)
		}
	}
	return nil
}

// amiUsersList is VoicemailUsersList: one VoicemailUserEntry per
// mailbox in configuration order (app_voicemail's users list), aliases
// not included.
func (m *Module) amiUsersList(r *manager.Request) error {
	cfg := m.Config()
	if len(cfg.Users) == 0 {
		r.Success("There are no voicemail users currently defined.")
		return nil
	}
	r.ListStart("Voicemail user list will follow")
	for _, u := range cfg.Users {
		r.ListItem("VoicemailUserEntry", m.userFields(cfg, u)...)
	}
	r.ListComplete("VoicemailUserEntryComplete", len(cfg.Users))
	return nil
}

// amiUserStatus is VoicemailUserStatus: one mailbox's fields as a
// VoicemailUserDetail list of one. An unknown mailbox is a Success
// saying so, as app_voicemail answers.
func (m *Module) amiUserStatus(r *manager.Request) error {
	context, box := r.Get("Context"), r.Get("Mailbox")
	if context == "" || box == "" {
		r.Error("Need 'Context' and 'Mailbox' parameters.")
		return nil
	}
	cfg := m.Config()
	u := cfg.LookupID(box + "@" + context)
	if u == nil {
		r.Success("There is no voicemail user of the given info.")
		return nil
	}
	r.ListStart("Voicemail user detail will follow")
	r.ListItem("VoicemailUserDetail", m.userFields(cfg, u)...)
	r.ListComplete("VoicemailUserDetailComplete", 1)
	return nil
}

// userFields are app_voicemail's per-mailbox manager fields in its
// order. NewMessageCount is INBOX alone (inboxcount, unlike MWI which
// adds Urgent); no IMAP fields, as a build without IMAP storage.
func (m *Module) userFields(cfg *Config, u *User) []manager.Header {
	yn := func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	}
	from := u.FromString
	if from == "" {
		from = cfg.General.Defaults.FromString
	}
	server := u.ServerEmail
	if server == "" {
		server = cfg.General.Defaults.ServerEmail
	}
	return []manager.Header{
		{Key: "VMContext", Value: u.Context},
		{Key: "VoiceMailbox", Value: u.Mailbox},
		{Key: "Fullname", Value: u.FullName},
		{Key: "Email", Value: u.Email},
		{Key: "Pager", Value: u.Pager},
		{Key: "ServerEmail", Value: server},
		{Key: "FromString", Value: from},
		{Key: "MailCommand", Value: cfg.General.MailCmd},
		{Key: "Language", Value: u.Language},
		{Key: "TimeZone", Value: u.Zone},
		{Key: "Callback", Value: u.Callback},
		{Key: "Dialout", Value: u.Dialout},
		{Key: "UniqueID", Value: ""},
		{Key: "ExitContext", Value: u.ExitContext},
		{Key: "SayDurationMinimum", Value: strconv.Itoa(u.SayDurationM)},
		{Key: "SayEnvelope", Value: yn(u.Envelope)},
		{Key: "SayCID", Value: yn(u.SayCID)},
		{Key: "AttachMessage", Value: yn(u.Attach)},
		{Key: "AttachmentFormat", Value: u.AttachFmt},
		{Key: "DeleteMessage", Value: yn(u.Delete)},
		{Key: "VolumeGain", Value: strconv.FormatFloat(u.VolGain, 'f', 2, 64)},
		{Key: "CanReview", Value: yn(u.Review)},
		{Key: "CanMarkUrgent", Value: yn(u.LeaveUrgent)},
		{Key: "CallOperator", Value: yn(u.Operator)},
		{Key: "MaxMessageCount", Value: strconv.Itoa(u.MaxMsg)},
		{Key: "MaxMessageLength", Value: strconv.Itoa(u.MaxSecs)},
		{Key: "NewMessageCount", Value: strconv.Itoa(m.spool.Count(u.Context, u.Mailbox, "INBOX"))},
		{Key: "OldMessageCount", Value: strconv.Itoa(m.spool.Count(u.Context, u.Mailbox, "Old"))},
	}
}

// amiRefresh announces the message counts of the mailboxes matching
// Context and Mailbox (all when empty) again, as MWI, whether or not
// they changed: a phone that missed a NOTIFY gets it.
func (m *Module) amiRefresh(r *manager.Request) error {
	context, box := r.Get("Context"), r.Get("Mailbox")
	eng := m.eng.Load()
	for _, u := range m.Config().Users {
		if (context != "" && !strings.EqualFold(context, u.Context)) || (box != "" && !strings.EqualFold(box, u.Mailbox)) {
			continue
		}
		if eng != nil {
			eng.PublishMessageWaiting(u.ID())
		}
	}
	r.Success("Refresh sent")
	return nil
}
