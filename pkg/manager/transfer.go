package manager

// BlindTransfer sends the party bridged with Channel to Exten@Context
// (the channel's own context when none is given), as a transfer key
// pressed by Channel would: the transferee gets BLINDTRANSFER and runs
// the dialplan there, Channel's bridge ends.
func actBlindTransfer(r *Request) error {
	eng := r.s.m.opts.Engine
	name := r.Get("Channel")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	ch := findChannel(eng, name)
	if ch == nil {
		r.Error("Channel specified does not exist")
		return nil
	}
	context, exten := r.Get("Context"), r.Get("Exten")
	if context == "" {
		context, _, _ = ch.Location()
	}
	peer := ch.Peer()
	switch {
	case peer == nil || ch.BridgeID() == "":
		r.Error("Transfer invalid")
	case exten == "" || !eng.Exists(ch, context, exten, 1):
		r.Error("Transfer failed")
	default:
		peer.SetVar("BLINDTRANSFER", ch.Name())
		bridgeID := ch.BridgeID()
		if err := peer.AsyncGoto(context, exten, 1); err != nil {
			r.Error("Transfer failed")
			return nil
		}
		eng.PublishBlindTransfer(ch, peer, bridgeID, context, exten, true)
		r.Success("Transfer succeeded")
	}
	return nil
}
