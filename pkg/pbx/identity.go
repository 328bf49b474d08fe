package pbx

import "strings"

// SetCallerPresentation sets the channel's caller name and number
// presentation (names of PresentationNames), as a driver does for the
// identity a trusted P-Asserted-Identity or Remote-Party-ID gave.
func (c *Channel) SetCallerPresentation(name, num string) {
	n, ok := validPres(name)
	if !ok {
		return
	}
	u, ok := validPres(num)
	if !ok {
		return
	}
	c.SetDatastore(presKey{}, callerPres{n, u})
}

type connectedPresKey struct{}

// ConnectedPresentation is the number presentation of the connected line
// (Dial copies the caller's), "allowed_not_screened" when none was set.
func (c *Channel) ConnectedPresentation() string {
	if p, ok := c.Datastore(connectedPresKey{}).(string); ok {
		return p
	}
	return "allowed_not_screened"
}

// SetConnectedPresentation sets the connected line's presentation.
func (c *Channel) SetConnectedPresentation(pres string) {
	if p, ok := validPres(pres); ok {
		c.SetDatastore(connectedPresKey{}, p)
	}
}

// PresentationRestricted reports whether a presentation hides the
// identity (anything but the allowed ones: Asterisk's AST_PRES_RESTRICTION
// bits are not "allowed").
func PresentationRestricted(pres string) bool {
	return !strings.HasPrefix(pres, "allowed")
}
