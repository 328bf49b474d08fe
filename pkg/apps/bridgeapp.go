package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var bridgeApp = &pbx.App{
	Name:     "Bridge",
	Synopsis: "Bridge two channels.",
	Syntax:   "Bridge(channel[,options])",
	Description: "Allows the ability to bridge two channels via the dialplan.\n\n" +
		"This application sets the following channel variable upon completion:\n" +
		"BRIDGERESULT - The result of the bridge attempt as a text string: SUCCESS, FAILURE, LOOP, NONEXISTENT.\n\n" +
		"In gostrisk the bridged channel, once the bridge ends, goes on at its next priority when it was running its dialplan; " +
		"a dialed channel without dialplan is hung up unless F sends it somewhere. The L warnings are not played.",
	Arguments: "channel - The current channel is bridged to the channel identified by the channel name, channel name prefix, or channel uniqueid.\n" +
		"options - p: Play a courtesy tone to channel.\n" +
		"          F(context^exten^priority): When the bridger hangs up, transfer the bridged party to the specified destination and start execution at that location. This option will override the 'x' option\n" +
		"          F: When the bridger hangs up, transfer the bridged party to the next priority of the current extension and start execution at that location. This option will override the 'x' option\n" +
		"          h: Allow the called party to hang up by sending the * DTMF digit. H: Allow the calling party to hang up by pressing the * DTMF digit.\n" +
		"          k: Allow the called party to enable parking of the call by sending the DTMF sequence defined for call parking in features.conf. K: Allow the calling party to do so.\n" +
		"          L(x[:y][:z]): Limit the call to x ms.\n" +
		"          n: Do not answer the channel automatically before bridging. Additionally, to prevent a bridged channel (the target of the Bridge application) from answering, the BRIDGE_NOANSWER variable can be set to inhibit answering.\n" +
		"          S(x): Hang up the call after x seconds *after* the called party has answered the call.\n" +
		"          t: Allow the called party to transfer the calling party by sending the DTMF sequence defined in features.conf. T: Allow the calling party to transfer the called party.\n" +
		"          w: Allow the called party to enable recording of the call by sending the DTMF sequence defined for one-touch recording in features.conf. W: Allow the calling party to do so.\n" +
		"          x: Cause the called party to be hung up after the bridge, instead of being restarted in the dialplan.",
	SeeAlso: "BridgeCreate, BridgeEnter",
	Exec:    bridgeExec,
}

// findChannel is ast_channel_get_by_name_prefix: a name, a name prefix or
// a uniqueid.
func findChannel(e *pbx.Engine, name string) (*pbx.Channel, bool) {
	if name == "" {
		return nil, false
	}
	if c, ok := e.FindChannel(name); ok {
		return c, true
	}
	for _, c := range e.Channels() {
		if c.UniqueID() == name {
			return c, true
		}
	}
	return nil, false
}

func bridgeExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	e := ch.Engine()
	log := e.Log()
	args := pbx.SplitArgs(data, ',')
	dest := strings.TrimSpace(args[0])
	opts := map[byte]string{}
	if len(args) > 1 {
		opts = pbx.ParseAppOptions(args[1])
	}
	result := func(s string) (pbx.Result, error) {
		ch.SetVar("BRIDGERESULT", s)
		return pbx.Continue, nil
	}
	peer, ok := findChannel(e, dest)
	if !ok {
		log.Verbose(4, "Bridge failed because channel '%s' does not exist\n", dest)
		return result("NONEXISTENT")
	}
	if peer == ch {
		log.Warning("Unable to bridge channel %s with itself\n", ch.Name())
		return result("LOOP")
	}
	_, noAnswer := opts['n']
	if !noAnswer && !answerIfDown(ch) {
		return result("FAILURE")
	}
	release, err := e.Take(peer)
	if err != nil {
		return result("FAILURE")
	}
	if v, _ := peer.Var("BRIDGE_NOANSWER"); v == "" && peer.State() != pbx.StateUp {
		if err := peer.Answer(); err != nil {
			release(pbx.HangupResult)
			return result("FAILURE")
		}
	}
	peer.StopGenerator()
	if _, ok := opts['p']; ok {
		// The courtesy tone is features.conf's xfersound, "beep" by default.
		if _, err := streamAndWait(peer, "beep", peer.Language(), nil); err != nil && peer.HangupRequested() {
			release(pbx.HangupResult)
			return result("FAILURE")
		}
	}
	features := map[byte]string{}
	for c, v := range opts {
		if c != 'x' { // Bridge's x is not Dial's automixmon
			features[c] = v
		}
	}
	ch.StopGenerator()
	setDialFeatures(ch, peer, features)
	bctx, cancel, limited := bridgeLimit(ch.Ctx(), opts)
	end, err := e.Bridge(bctx, ch, peer)
	cancel()
	if err != nil {
		log.Warning("%v\n", err)
	}
	ch.SetVar("BRIDGERESULT", "SUCCESS")
	bridgerGone := ch.HangupRequested() || end == pbx.CallerLeft || (end == pbx.Cancelled && limited && ch.Ctx().Err() == nil)
	afterPeer(ch, peer, release, end, opts)
	if bridgerGone {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// afterPeer decides where the bridged party goes once Bridge's bridge
// ended, as the after-bridge goto Bridge sets on it: F's location, hung
// up with x, else on in its own dialplan.
func afterPeer(ch, peer *pbx.Channel, release func(pbx.Result), end pbx.BridgeEnd, opts map[byte]string) {
	runs := peer.RunsDialplan()
	switch {
	case end == pbx.PeerInterrupted:
		// Someone else took it out of our bridge: it is theirs.
		release(pbx.Continue)
		return
	case peer.HangupRequested():
		release(pbx.HangupResult)
		if !runs {
			peer.Hangup(peer.HangupCause())
		}
		return
	}
	if target, ok := opts['F']; ok {
		if !runs {
			if !continueCallee(ch, peer, target, 0) {
				peer.Hangup(pbx.CauseNormalClearing)
			}
			return
		}
		c, x, p := ch.Location()
		p++
		if strings.TrimSpace(target) != "" {
			var err error
			c, x, p, err = ch.Engine().ResolveGoto(ch, strings.ReplaceAll(target, "^", ","))
			if err != nil {
				ch.Engine().Log().Warning("%v\n", err)
				release(pbx.HangupResult)
				return
			}
		}
		release(pbx.GotoResult(c, x, p))
		return
	}
	if _, kill := opts['x']; kill || !runs {
		release(pbx.HangupResult)
		if !runs {
			peer.Hangup(pbx.CauseNormalClearing)
		}
		return
	}
	release(pbx.Continue)
}
