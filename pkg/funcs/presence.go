package funcs

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_presencestate.c: PRESENCE_STATE reads any provider's
// presence and sets CustomPresence: ones, kept in the astdb as the value
// was written ("state,subtype,message[,e]", e meaning base64 subtype and
// message), as Asterisk keeps them (/CustomPresence/<name>).

// CustomPresenceFamily is the astdb family of CustomPresence: states.
const CustomPresenceFamily = "CustomPresence"

// PresenceStates are the presence state names, in Asterisk's order
// (ast_presence_state2str).
var PresenceStates = []string{"not_set", "unavailable", "available", "away", "xa", "chat", "dnd"}

// Presence is one parsed CustomPresence: value.
type Presence struct {
	State            string // one of PresenceStates
	Subtype, Message string // as stored (base64 when Encoded)
	Options          string
	Encoded          bool
}

// ParsePresence reads "state,subtype,message,options" as func_presencestate's
// parse_data: the state is required and must be a known name (any case),
// options may only hold 'e'.
func ParsePresence(data string) (Presence, error) {
	f := strings.SplitN(data, ",", 4)
	var p Presence
	if f[0] == "" {
		return p, errors.New("no state")
	}
	for _, n := range PresenceStates {
		if strings.EqualFold(n, f[0]) {
			p.State = n
		}
	}
	if p.State == "" {
		return p, fmt.Errorf("Unknown presence state value %s", f[0])
	}
	if len(f) > 1 {
		p.Subtype = f[1]
	}
	if len(f) > 2 {
		p.Message = f[2]
	}
	if len(f) > 3 {
		p.Options = f[3]
		if p.Options != "" && !strings.Contains(p.Options, "e") {
			return p, fmt.Errorf("Invalid options  '%s'", p.Options)
		}
		p.Encoded = strings.Contains(p.Options, "e")
	}
	return p, nil
}

// Decoded returns the subtype and message in clear.
func (p Presence) Decoded() (subtype, message string) {
	if !p.Encoded {
		return p.Subtype, p.Message
	}
	dec := func(s string) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		return string(b)
	}
	return dec(p.Subtype), dec(p.Message)
}

// CustomPresence reads CustomPresence:name from db: not_set when nothing
// is stored; ok is false for a stored value that does not parse.
func CustomPresence(db DB, name string) (Presence, bool) {
	if db == nil {
		return Presence{State: "not_set"}, true
	}
	v, found := db.Get(CustomPresenceFamily, name)
	if !found {
		return Presence{State: "not_set"}, true
	}
	p, err := ParsePresence(v)
	return p, err == nil
}

// PublishPresence announces a CustomPresence: change as the manager's
// PresenceStateChange event.
func PublishPresence(e *pbx.Engine, provider string, p Presence) {
	sub, msg := p.Decoded()
	e.Bus().Publish(pbx.BusEvent{Type: pbx.BusPresenceStateChange, Fields: []pbx.EventField{
		{Key: "Presentity", Value: provider}, {Key: "Status", Value: p.State},
		{Key: "Subtype", Value: sub}, {Key: "Message", Value: msg},
	}})
}

func presenceFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	return []pbx.Function{{
		Name: "PRESENCE_STATE", Synopsis: "Get or Set a presence state.",
		Syntax:      "PRESENCE_STATE(provider,field[,options])",
		Description: "The PRESENCE_STATE function can be used to retrieve the presence from any presence provider. For example: NoOp(SIP/mypeer has presence ${PRESENCE_STATE(SIP/mypeer,value)}) NoOp(Conference number 1234 has presence message ${PRESENCE_STATE(MeetMe:1234,message)}) The PRESENCE_STATE function can also be used to set custom presence state from the dialplan. The CustomPresence: prefix must be used.",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			a := args(s)
			if len(a) == 0 {
				return "", fmt.Errorf("PRESENCE_STATE reading requires an argument ")
			}
			if len(a) < 2 || a[0] == "" || a[1] == "" {
				return "", fmt.Errorf("PRESENCE_STATE reading requires both presence provider and presence field arguments. ")
			}
			name, ok := cutPrefixFold(a[0], "CustomPresence:")
			if !ok {
				return "", fmt.Errorf("PRESENCE_STATE unknown ") // no other provider
			}
			p, ok := CustomPresence(deps.DB, name)
			if !ok {
				return "", fmt.Errorf("PRESENCE_STATE unknown ")
			}
			sub, msg := p.Decoded()
			encode := len(a) > 2 && strings.Contains(a[2], "e")
			out := func(v string) string {
				if encode {
					return base64.StdEncoding.EncodeToString([]byte(v))
				}
				return v
			}
			switch strings.ToLower(a[1]) {
			case "subtype":
				return out(sub), nil
			case "message":
				return out(msg), nil
			case "value":
				return p.State, nil
			}
			return "", nil
		},
		Write: func(_ *pbx.Channel, s, value string) error {
			name, ok := cutPrefixFold(strings.TrimSpace(s), "CustomPresence:")
			if !ok {
				return fmt.Errorf("The PRESENCE_STATE function can only set CustomPresence: presence providers.")
			}
			if name == "" {
				return fmt.Errorf("PRESENCE_STATE function called with no custom device name!")
			}
			p, err := ParsePresence(value)
			if err != nil {
				return fmt.Errorf("Invalid arguments to PRESENCE_STATE")
			}
			if deps.DB != nil {
				if err := deps.DB.Put(CustomPresenceFamily, name, value); err != nil {
					return fmt.Errorf("PRESENCE_STATE: astdb: %w", err)
				}
			}
			PublishPresence(e, strings.TrimSpace(s), p)
			return nil
		},
	}}
}
