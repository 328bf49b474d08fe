package pbx

import "strconv"

// The manager's NewCallerid, NewConnectedLine and NewAccountCode: Asterisk
// publishes them when a channel's snapshot differs from the previous one
// in the caller's name or number, the connected line, or the account
// code. Here the setters compare the old and new values: NewChannel
// publishes Newchannel with what its spec gave, so any later change is
// news (Dial setting its outbound leg's connected line, CALLERID(num)=).

// presCodes are callerid.c's presentation values and texts, by the
// names CALLERID(pres) takes.
var presCodes = map[string]struct {
	code int
	text string
}{
	"allowed_not_screened":  {0, "Presentation Allowed, Not Screened"},
	"allowed_passed_screen": {1, "Presentation Allowed, Passed Screen"},
	"allowed_failed_screen": {2, "Presentation Allowed, Failed Screen"},
	"allowed":               {3, "Presentation Allowed, Network Number"},
	"prohib_not_screened":   {32, "Presentation Prohibited, Not Screened"},
	"prohib_passed_screen":  {33, "Presentation Prohibited, Passed Screen"},
	"prohib_failed_screen":  {34, "Presentation Prohibited, Failed Screen"},
	"prohib":                {35, "Presentation Prohibited, Network Number"},
	"unavailable":           {67, "Number Unavailable"},
}

// announced reports whether the channel belongs to an engine, whose
// NewChannel published its Newchannel.
func (c *Channel) announced() bool { return c.eng != nil }

func (c *Channel) callerChanged(old, id CallerID) {
	if old.Name == id.Name && old.Num == id.Num {
		return
	}
	if !c.announced() || !c.eng.bus.Wants(BusNewCallerid) {
		return
	}
	_, num := c.CallerPresentation()
	p := presCodes[num]
	c.eng.bus.Publish(BusEvent{Type: BusNewCallerid, Channel: c, Fields: []EventField{
		{Key: "CID-CallingPres", Value: strconv.Itoa(p.code) + " (" + p.text + ")"},
	}})
}

func (c *Channel) connectedChanged(old, id CallerID) {
	if old.Name == id.Name && old.Num == id.Num {
		return
	}
	if c.announced() && c.eng.bus.Wants(BusNewConnectedLine) {
		c.eng.bus.Publish(BusEvent{Type: BusNewConnectedLine, Channel: c})
	}
}

func (c *Channel) accountCodeChanged(old, code string) {
	if old == code || !c.announced() || !c.eng.bus.Wants(BusNewAccountCode) {
		return
	}
	c.eng.bus.Publish(BusEvent{Type: BusNewAccountCode, Channel: c, Fields: []EventField{
		{Key: "OldAccountCode", Value: old},
	}})
}
