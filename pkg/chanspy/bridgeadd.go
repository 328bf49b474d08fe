package chanspy

import (
	"errors"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// BridgeAdd is app_bridgeaddchan: the caller joins the bridge the named
// channel is in. gostrisk's bridges have two parties, so the joiner is
// carried as a barge on that bridge (ChanSpy's B mode): it hears both
// parties, both hear it, and their bridge is not touched. The joiner
// leaves when it hangs up or when that bridge ends (as Asterisk's basic
// bridge dissolves when a party hangs up), then goes on in its dialplan.
var bridgeAddApp = &pbx.App{
	Name:     "BridgeAdd",
	Synopsis: "Join a bridge that contains the specified channel.",
	Syntax:   "BridgeAdd(channel)",
	Description: "This application places the incoming channel into the bridge containing the specified channel. " +
		"The specified channel only needs to be the prefix of a full channel name IE. 'SIP/cisco0001'.\n\n" +
		"This application sets the following channel variable upon completion:\n" +
		"BRIDGERESULT - The result of the bridge attempt as a text string: SUCCESS, FAILURE, LOOP, NONEXISTENT.\n\n" +
		"In gostrisk the joining channel hears both parties and both hear it; it leaves when it hangs up or when the bridge ends.",
	Arguments: "channel - The current channel joins the bridge containing the channel identified by the channel name, channel name prefix, or channel uniqueid.",
	Exec:      bridgeAddExec,
}

// channelByPrefix is ast_channel_get_by_name_prefix: an exact name, the
// first name starting with prefix, or a uniqueid.
func channelByPrefix(e *pbx.Engine, prefix string) *pbx.Channel {
	if prefix == "" {
		return nil
	}
	if c, ok := e.FindChannel(prefix); ok {
		return c
	}
	var best *pbx.Channel
	for _, c := range e.Channels() {
		if c.UniqueID() == prefix {
			return c
		}
		if best == nil && strings.HasPrefix(strings.ToLower(c.Name()), strings.ToLower(prefix)) {
			best = c
		}
	}
	return best
}

func bridgeAddExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	if ch.State() != pbx.StateUp {
		_ = ch.Answer()
	}
	name := strings.TrimSpace(data)
	t := channelByPrefix(e, name)
	if t == nil {
		log.Verbose(4, "Channel '%s' not found\n", name)
		ch.SetVar("BRIDGERESULT", "NONEXISTENT")
		return pbx.Continue, nil
	}
	if t == ch {
		ch.SetVar("BRIDGERESULT", "LOOP")
		return pbx.Continue, nil
	}
	peer, bridgeID := t.Peer(), t.BridgeID()
	if peer == nil {
		log.Verbose(4, "Channel '%s' is not in a bridge\n", t.Name())
		ch.SetVar("BRIDGERESULT", "FAILURE")
		return pbx.Continue, nil
	}
	log.Verbose(4, "%s is joining %s in bridge %s\n", ch.Name(), t.Name(), bridgeID)
	if err := join(ch, t, peer); err != nil {
		log.Verbose(4, "%s failed to join %s in bridge %s\n", ch.Name(), t.Name(), bridgeID)
		ch.SetVar("BRIDGERESULT", "FAILURE")
		return pbx.Continue, nil
	}
	ch.SetVar("BRIDGERESULT", "SUCCESS")
	if ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// errNoMedia: the joiner has no media to take part with.
var errNoMedia = errors.New("no media")

// join keeps ch in t's bridge with peer until ch leaves or the bridge
// ends (one of the two hangs up or leaves it).
func join(ch, t, peer *pbx.Channel) error {
	l := newListener(false, 0)
	removeTap := t.AddTap(l)
	defer removeTap()
	ch.StartGenerator(l.generator())
	defer ch.StopGenerator()
	w := &whisperer{spied: t}
	w.set(modeBarge)
	defer w.stop()

	poll := time.NewTicker(100 * time.Millisecond)
	defer poll.Stop()
	for {
		if t.HangupRequested() || peer.HangupRequested() || t.Peer() != peer {
			return nil
		}
		fr, err := ch.ReadUntil(poll.C)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			continue
		case errors.Is(err, pbx.ErrNoMedia):
			return errNoMedia
		case err != nil:
			return nil // hung up, or taken elsewhere
		}
		if fr.Kind == media.Voice {
			w.say(fr)
		}
	}
}
