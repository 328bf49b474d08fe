package voicemail

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/manager"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds app_voicemail's VoicemailRefresh. VoicemailUsersList
// is not there yet.
func (m *Module) RegisterAMI(reg Registrar) error {
	if err := reg.RegisterAction(manager.Action{Name: "VoicemailRefresh", Synopsis: "Tell Asterisk to poll mailboxes for a change",
		Perm: manager.PermUser, Handler: m.amiRefresh}); err != nil {
		return fmt.Errorf("app_voicemail: %w", err)
	}
	return nil
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
