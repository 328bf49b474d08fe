package pickup

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/features"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Module answers pickups with the sounds of features.conf.
type Module struct {
	log      pbx.Logger
	features func() *features.Config
}

// New returns the module; cfg gives the features.conf in use.
func New(log pbx.Logger, cfg func() *features.Config) *Module {
	return &Module{log: log, features: cfg}
}

func (m *Module) general() features.General {
	if m.features != nil {
		if c := m.features(); c != nil {
			return c.General
		}
	}
	return features.Defaults().General
}

// PickupExten is features.conf's pickupexten (*8).
func (m *Module) PickupExten() string { return m.general().PickupExten }

// pickup gives target's place to picker, logging as main/pickup.c does.
func (m *Module) pickup(picker, target *pbx.Channel) bool {
	m.log.Notice("Pickup %s attempt by %s\n", target.Name(), picker.Name())
	if err := target.PickUp(picker); err != nil {
		m.log.Warning("Pickup %s failed by %s\n", target.Name(), picker.Name())
		return false
	}
	if s := m.general().PickupSound; s != "" {
		target.SetVar("BRIDGE_PLAY_SOUND", s)
	}
	return true
}

// fail plays pickupfailsound, as ast_pickup_call does when nothing could
// be picked up.
func (m *Module) fail(ch *pbx.Channel) {
	if s := m.general().PickupFailSound; s != "" {
		if ch.Answer() == nil {
			_, _ = ch.Engine().ExecApp(ch, "Playback", s)
		}
	}
}

// Call is chan_sip's pickupexten: the new channel ch picks up a call
// ringing in its pickup groups, then waits until that call ends and
// hangs up (its owner). Nothing to pick up: the failure sound, and the
// call is rejected (a SIP 403 to an unanswered caller).
func (m *Module) Call(ch *pbx.Channel) {
	target := ch.Engine().FindPickupTarget(ch)
	if target == nil || !m.pickup(ch, target) {
		m.fail(ch)
		ch.Hangup(pbx.CauseCallRejected)
		return
	}
	<-ch.Done()
	ch.Hangup(pbx.CauseNormalClearing)
}

// Register adds Pickup and PickupChan.
func (m *Module) Register(eng *pbx.Engine) error {
	for _, a := range []*pbx.App{
		{
			Name:     "Pickup",
			Synopsis: "Directed extension call pickup.",
			Syntax:   "Pickup([extension[@context][&extension2@context...]])",
			Description: "This application can pickup a specified ringing channel. The channel to pickup can be specified in the following ways.\n\n" +
				"1) If no extension targets are specified, the application will pickup a channel matching the pickup group of the requesting channel.\n\n" +
				"2) If the extension is specified with a context of the special string PICKUPMARK (for example 10@PICKUPMARK), the application will pickup a channel which has defined the channel variable PICKUPMARK with the same value as extension (in this example, 10).\n\n" +
				"3) If the extension is specified with or without a context, the channel with a matching extension and context will be picked up. If no context is specified, the current context will be used.\n\n" +
				"Note: The extension is typically set on matching channels by the dial application that created the channel. The context is set on matching channels by the channel driver for the device.",
			Arguments: "targets - extension: Specification of the pickup target.\n          context: Specification of the pickup target.",
			SeeAlso:   "PickupChan",
			Exec:      m.pickupExec,
		},
		{
			Name:        "PickupChan",
			Synopsis:    "Pickup a ringing channel.",
			Syntax:      "PickupChan(channel[&channel2[&...]][,options])",
			Description: "Pickup a specified channel if ringing.",
			Arguments: "channel - List of channel names or channel uniqueids to pickup if ringing. If the p option is specified, the channel names are treated as channel name prefixes.\n" +
				"options - p: Channel name specified partial name. Used when find channel by callid.",
			SeeAlso: "Pickup",
			Exec:    m.pickupChanExec,
		},
	} {
		if err := eng.RegisterApp(a); err != nil {
			return fmt.Errorf("pickup: %w", err)
		}
	}
	return nil
}

// picked ends an application that picked a call up: the picker belongs
// to the caller's Dial until that call ends; the dialplan does not go on.
func picked(ch *pbx.Channel) (pbx.Result, error) {
	<-ch.Done()
	return pbx.HangupResult, nil
}

func (m *Module) pickupExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	data = strings.TrimSpace(data)
	if data == "" {
		target := e.FindPickupTarget(ch)
		if target != nil && m.pickup(ch, target) {
			return picked(ch)
		}
		m.fail(ch)
		return pbx.Continue, nil
	}
	cur, _, _ := ch.Location()
	for _, t := range strings.Split(data, "&") {
		exten, context, _ := strings.Cut(strings.TrimSpace(t), "@")
		if context == "" {
			context = cur
		}
		var target *pbx.Channel
		if context == "PICKUPMARK" {
			target = findByMark(e, ch, exten)
		} else {
			target = e.FindPickupByExten(ch, exten, context)
		}
		if target != nil && m.pickup(ch, target) {
			return picked(ch)
		}
	}
	m.fail(ch)
	return pbx.Continue, nil
}

// findByMark is a ringing leg whose PICKUPMARK variable is mark.
func findByMark(e *pbx.Engine, picker *pbx.Channel, mark string) *pbx.Channel {
	for _, c := range e.Channels() {
		if c == picker || !c.CanPickUp() {
			continue
		}
		if v, ok := c.Var("PICKUPMARK"); ok && v == mark {
			return c
		}
	}
	return nil
}

func (m *Module) pickupChanExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	if len(args) == 0 || strings.TrimSpace(args[0]) == "" {
		m.log.Warning("PickupChan requires an argument (channel)!\n")
		return pbx.HangupResult, nil
	}
	partial := len(args) > 1 && strings.Contains(args[1], "p")
	e := ch.Engine()
	for _, name := range strings.Split(args[0], "&") {
		name = strings.TrimSpace(name)
		for _, c := range e.Channels() {
			if c == ch || !c.CanPickUp() {
				continue
			}
			match := strings.EqualFold(c.Name(), name) || c.UniqueID() == name
			if partial {
				match = match || strings.HasPrefix(strings.ToLower(c.Name()), strings.ToLower(name))
			}
			if match && m.pickup(ch, c) {
				return picked(ch)
			}
		}
	}
	m.fail(ch)
	return pbx.Continue, nil
}
