package pbx

import "strconv"

// BusBlindTransfer is Asterisk's BlindTransfer manager event.
const BusBlindTransfer BusEventType = "BlindTransfer"

// BusAttendedTransfer is Asterisk's AttendedTransfer manager event.
const BusAttendedTransfer BusEventType = "AttendedTransfer"

// AttendedTransfer describes a completed attended transfer for its
// manager event: the transferer's channel in the transferee's bridge
// (Orig) and in the consultation bridge (Second; the same channel for
// the DTMF feature, the phone's second call for a SIP REFER), each
// bridge's id and member count at the time of the transfer, and the two
// parties joined.
type AttendedTransfer struct {
	Orig, Second       *Channel
	OrigBridge         string
	OrigMembers        int
	SecondBridge       string
	SecondMembers      int
	Transferee, Target *Channel
	External           bool // from outside the bridge (a SIP REFER), not the DTMF feature
}

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

// PublishAttendedTransfer announces a successful attended transfer with
// AttendedTransfer's lines in Asterisk's order. The destination is the
// transferee's bridge (Asterisk merges the consultation into it; the
// bridge gostrisk hands the pair over to announces its own id in its
// BridgeEnter events). Nothing is built when no one reads the event.
func (e *Engine) PublishAttendedTransfer(x AttendedTransfer) {
	if !e.bus.Wants(BusAttendedTransfer) {
		return
	}
	fields := []EventField{{Key: "Result", Value: "Success"}, {Key: "OrigTransferer", Channel: x.Orig}}
	if x.OrigBridge != "" {
		fields = append(fields, BridgeFields("Orig", x.OrigBridge, x.OrigMembers)...)
	}
	fields = append(fields, EventField{Key: "SecondTransferer", Channel: x.Second})
	if x.SecondBridge != "" {
		fields = append(fields, BridgeFields("Second", x.SecondBridge, x.SecondMembers)...)
	}
	ext := "No"
	if x.External {
		ext = "Yes"
	}
	fields = append(fields,
		EventField{Key: "Transferee", Channel: x.Transferee},
		EventField{Key: "TransferTarget", Channel: x.Target},
		EventField{Key: "IsExternal", Value: ext},
		EventField{Key: "DestType", Value: "Bridge"},
		EventField{Key: "DestBridgeUniqueid", Value: x.OrigBridge})
	e.bus.Publish(BusEvent{Type: BusAttendedTransfer, Fields: fields})
}
