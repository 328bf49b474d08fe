package pbx

// A transfer in Asterisk 18 merges the consultation into the transferee's
// bridge (or swaps the target in): the transferee never leaves its
// bridge, and the manager sees the target enter a bridge whose id it
// already knows. gostrisk hands the pair over to a bridge of its own, so
// the transferee carries its old bridge's id into it: the old bridge
// does not report it leaving, the new one takes that id and does not
// report it entering.

// keptBridgeKey holds the id of the bridge a channel stays in across a
// transfer's handover.
type keptBridgeKey struct{}

// KeptBridge is the id of the bridge ch stays in across a handover, ""
// when none: a bridge driver ending ch's old bridge publishes no
// BridgeLeave for ch when it is that bridge's id, and the next bridge ch
// joins takes it (TakeKeptBridge).
func (c *Channel) KeptBridge() string {
	id, _ := c.Datastore(keptBridgeKey{}).(string)
	return id
}

// TakeKeptBridge returns and clears ch's kept bridge id.
func (c *Channel) TakeKeptBridge() string {
	id := c.KeptBridge()
	if id != "" {
		c.SetDatastore(keptBridgeKey{}, nil)
	}
	return id
}

// HandoverKeeping is Handover for an attended transfer: transferee a
// stays, for the manager, in bridgeID (the bridge it was in with the
// transferer), and the target joins it there, as Asterisk's merge.
func (e *Engine) HandoverKeeping(a, b *Channel, bridgeID string) error {
	if bridgeID != "" {
		a.SetDatastore(keptBridgeKey{}, bridgeID)
	}
	if err := e.Handover(a, b); err != nil {
		a.SetDatastore(keptBridgeKey{}, nil)
		return err
	}
	return nil
}
