package features

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Registrar is where the actions go: the manager's *Module.
type Registrar interface {
	RegisterAction(manager.Action) error
}

// RegisterAMI adds the manager's Atxfer, which Asterisk keeps in its core
// manager but which is the atxfer feature seen from outside. eng is where
// the channels are looked up.
func (m *Module) RegisterAMI(reg Registrar, eng *pbx.Engine) error {
	err := reg.RegisterAction(manager.Action{Name: "Atxfer", Synopsis: "Attended transfer.", Perm: manager.PermCall,
		Handler: func(r *manager.Request) error { return m.amiAtxfer(r, eng) }})
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	return nil
}

// amiAtxfer is Atxfer: as Asterisk's action_atxfer, it queues the atxfer
// feature code and then Exten's digits on Channel as if its user had
// pressed them (Context, when given, becomes its TRANSFER_CONTEXT), so the
// bridge's feature code runs the attended transfer exactly as a DTMF one:
// the other party hears music, Channel talks with Exten, and Channel
// hanging up (atxferdropcall=no) or atxfercomplete completes it. As in
// Asterisk, the channel needs the transfer feature (Dial t/T) for the
// digits to be taken as a transfer.
func (m *Module) amiAtxfer(r *manager.Request, eng *pbx.Engine) error {
	name, exten, context := r.Get("Channel"), r.Get("Exten"), r.Get("Context")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	if exten == "" {
		r.Error("No extension specified")
		return nil
	}
	var ch *pbx.Channel
	for _, c := range eng.Channels() {
		if strings.EqualFold(c.Name(), name) {
			ch = c
			break
		}
	}
	if ch == nil {
		r.Error("Channel specified does not exist")
		return nil
	}
	code := m.config().FeatureMap.AtXfer
	if code == "" {
		r.Error("No attended transfer feature code found")
		return nil
	}
	if context != "" {
		ch.SetVar("TRANSFER_CONTEXT", context)
	}
	// ast_queue_frame of AST_FRAME_DTMF: the end of each digit.
	for _, d := range code + exten {
		ch.InjectFrame(media.Frame{Kind: media.DTMFEnd, Digit: d})
	}
	r.Success("Atxfer successfully queued")
	return nil
}
