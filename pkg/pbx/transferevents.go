package pbx

import "strconv"

// BusBlindTransfer is Asterisk's BlindTransfer manager event.
const BusBlindTransfer BusEventType = "BlindTransfer"

// BridgeFields are a bridge's snapshot lines (ast_manager_build_bridge_
// state_string) with prefix before each key, for the transfer events:
// a basic two-party bridge as gostrisk's bridges are.
func BridgeFields(prefix, id string, members int) []EventField {
	return []EventField{
		{Key: prefix + "BridgeUniqueid", Value: id},
		{Key: prefix + "BridgeType", Value: "basic"},
		{Key: prefix + "BridgeTechnology", Value: "simple_bridge"},
		{Key: prefix + "BridgeCreator", Value: "<unknown>"},
		{Key: prefix + "BridgeName", Value: "<unknown>"},
		{Key: prefix + "BridgeNumChannels", Value: strconv.Itoa(members)},
		{Key: prefix + "BridgeVideoSourceMode", Value: "none"},
	}
}

// PublishBlindTransfer announces a successful blind transfer of
// transferee (bridged with transferer in bridgeID) to exten@context, with
// BlindTransfer's lines in Asterisk's order. external is true when the
// transfer came from outside the bridge (a SIP REFER, the manager's
// BlindTransfer), false for the DTMF feature. Nothing is built when no
// one reads the event.
func (e *Engine) PublishBlindTransfer(transferer, transferee *Channel, bridgeID, context, exten string, external bool) {
	if !e.bus.Wants(BusBlindTransfer) {
		return
	}
	ext := "No"
	if external {
		ext = "Yes"
	}
	fields := []EventField{{Key: "Result", Value: "Success"}, {Key: "Transferer", Channel: transferer}}
	if transferee != nil {
		fields = append(fields, EventField{Key: "Transferee", Channel: transferee})
	}
	if bridgeID != "" {
		fields = append(fields, BridgeFields("", bridgeID, 2)...)
	}
	fields = append(fields, EventField{Key: "IsExternal", Value: ext},
		EventField{Key: "Context", Value: context}, EventField{Key: "Extension", Value: exten})
	e.bus.Publish(BusEvent{Type: BusBlindTransfer, Fields: fields})
}
