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

// RegisterAMI adds the manager's Atxfer and CancelAtxfer, which Asterisk
// keeps in its core manager but which are the atxfer feature seen from
// outside. eng is where the channels are looked up.
func (m *Module) RegisterAMI(reg Registrar, eng *pbx.Engine) error {
	for _, a := range []manager.Action{
		{Name: "Atxfer", Synopsis: "Attended transfer.", Perm: manager.PermCall,
			Handler: func(r *manager.Request) error { return m.amiAtxfer(r, eng) }},
		{Name: "CancelAtxfer", Synopsis: "Cancel an attended transfer.", Perm: manager.PermCall,
			Handler: func(r *manager.Request) error { return m.amiCancelAtxfer(r, eng) }},
	} {
		if err := reg.RegisterAction(a); err != nil {
			return fmt.Errorf("features: %w", err)
		}
	}
	return nil
}

// channelNamed is the channel with exactly this name (any case), as
// ast_channel_get_by_name finds it; nil when none.
func channelNamed(eng *pbx.Engine, name string) *pbx.Channel {
	for _, c := range eng.Channels() {
		if strings.EqualFold(c.Name(), name) {
			return c
		}
	}
	return nil
}

// queueDigits queues digits on ch as if its user pressed them
// (ast_queue_frame of AST_FRAME_DTMF: the end of each digit).
func queueDigits(ch *pbx.Channel, digits string) {
	for _, d := range digits {
		ch.InjectFrame(media.Frame{Kind: media.DTMFEnd, Digit: d})
	}
}

// amiCancelAtxfer is CancelAtxfer: the atxferabort code queued on
// Channel, which ends its consultation call and brings it back to the
// transferee, as action_cancel_atxfer does.
func (m *Module) amiCancelAtxfer(r *manager.Request, eng *pbx.Engine) error {
	name := r.Get("Channel")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	ch := channelNamed(eng, name)
	if ch == nil {
		r.Error("Channel specified does not exist")
		return nil
	}
	code := m.config().General.AtxferAbort
	if code == "" {
		r.Error("No disconnect feature code found")
		return nil
	}
	queueDigits(ch, code)
	r.Success("CancelAtxfer successfully queued")
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
	ch := channelNamed(eng, name)
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
	queueDigits(ch, code+exten)
	r.Success("Atxfer successfully queued")
	return nil
}
