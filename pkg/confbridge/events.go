package confbridge

import (
	"strconv"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// bridgeFields are the bridge snapshot lines app_confbridge's events
// carry after Conference.
func (c *Conference) bridgeFields() []pbx.EventField {
	c.mu.Lock()
	n := len(c.active) + len(c.waiting)
	c.mu.Unlock()
	return []pbx.EventField{
		{Key: "BridgeUniqueid", Value: c.id},
		{Key: "BridgeType", Value: "base"},
		{Key: "BridgeTechnology", Value: "softmix"},
		{Key: "BridgeCreator", Value: "ConfBridge"},
		{Key: "BridgeName", Value: c.name},
		{Key: "BridgeNumChannels", Value: strconv.Itoa(n)},
		{Key: "BridgeVideoSourceMode", Value: "none"},
	}
}

// publish sends one of app_confbridge's manager events: Conference and
// the bridge's lines, then extra (the user's own lines, after the
// channel block the manager adds for Channel).
func (c *Conference) publish(typ string, u *User, extra []pbx.EventField) {
	eng := c.m.eng.Load()
	// The MeetMe names are read by whoever reads every type, as the
	// Confbridge ones: the manager.
	if eng == nil || !eng.Bus().Wants(pbx.BusEventType(typ)) {
		return
	}
	if c.m.opts.MeetMe {
		c.publishMeetMe(eng, typ, u, extra)
		return
	}
	fields := append([]pbx.EventField{{Key: "Conference", Value: c.name}}, c.bridgeFields()...)
	ev := pbx.BusEvent{Type: pbx.BusEventType(typ), BridgeID: c.id, BridgeType: "base"}
	if u != nil {
		ev.Channel = u.ch
		switch typ {
		case "ConfbridgeJoin":
			extra = append(extra, pbx.EventField{Key: "Admin", Value: yesNo(u.up.Admin)},
				pbx.EventField{Key: "Muted", Value: yesNo(u.muted.Load())})
		case "ConfbridgeLeave", "ConfbridgeMute", "ConfbridgeUnmute":
			extra = append(extra, pbx.EventField{Key: "Admin", Value: yesNo(u.up.Admin)})
		}
	}
	ev.Fields = append(fields, extra...)
	eng.Bus().Publish(ev)
}

func (c *Conference) publishTalking(u *User, on bool) {
	status := "off"
	if on {
		status = "on"
	}
	c.publish("ConfbridgeTalking", u, []pbx.EventField{{Key: "TalkingStatus", Value: status}, {Key: "Admin", Value: yesNo(u.up.Admin)}})
}

// publishRecord sends ConfbridgeRecord or ConfbridgeStopRecord; n is
// the number of users, counted by the caller (startRecord holds c.mu).
func (c *Conference) publishRecord(typ string, n int) {
	eng := c.m.eng.Load()
	if eng == nil || !eng.Bus().Wants(pbx.BusEventType(typ)) {
		return
	}
	eng.Bus().Publish(pbx.BusEvent{Type: pbx.BusEventType(typ), BridgeID: c.id, BridgeType: "base", Fields: []pbx.EventField{
		{Key: "Conference", Value: c.name},
		{Key: "BridgeUniqueid", Value: c.id}, {Key: "BridgeType", Value: "base"},
		{Key: "BridgeTechnology", Value: "softmix"}, {Key: "BridgeCreator", Value: "ConfBridge"},
		{Key: "BridgeName", Value: c.name}, {Key: "BridgeNumChannels", Value: strconv.Itoa(n)},
		{Key: "BridgeVideoSourceMode", Value: "none"},
	}})
}

// publishMeetMe sends app_meetme's counterpart of a Confbridge event:
// MeetmeJoin, MeetmeLeave, MeetmeEnd, MeetmeMute and MeetmeTalking with
// "Meetme" and "Usernum" lines.
func (c *Conference) publishMeetMe(eng *pbx.Engine, typ string, u *User, extra []pbx.EventField) {
	fields := []pbx.EventField{{Key: "Meetme", Value: c.name}}
	if u != nil {
		fields = append(fields, pbx.EventField{Key: "Usernum", Value: strconv.Itoa(u.num)})
	}
	name := ""
	switch typ {
	case "ConfbridgeJoin":
		name = "MeetmeJoin"
	case "ConfbridgeLeave":
		name = "MeetmeLeave"
	case "ConfbridgeEnd":
		name = "MeetmeEnd"
	case "ConfbridgeMute", "ConfbridgeUnmute":
		name = "MeetmeMute"
		status := "on"
		if typ == "ConfbridgeUnmute" {
			status = "off"
		}
		fields = append(fields, pbx.EventField{Key: "Status", Value: status})
	case "ConfbridgeTalking":
		name = "MeetmeTalking"
		for _, f := range extra {
			if f.Key == "TalkingStatus" {
				fields = append(fields, pbx.EventField{Key: "Status", Value: f.Value})
			}
		}
	default:
		return
	}
	ev := pbx.BusEvent{Type: pbx.BusEventType(name), Fields: fields}
	if u != nil {
		ev.Channel = u.ch
	}
	eng.Bus().Publish(ev)
}
