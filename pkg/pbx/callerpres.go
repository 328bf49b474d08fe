package pbx

import (
	"fmt"
	"strings"
)

// Caller ID presentation (CALLERID(pres), name-pres, num-pres), with the
// names of callerid.c's table. It is kept on the channel; chan_sip does
// not act on it yet (no Privacy/Remote-Party-ID headers).

type presKey struct{}

type callerPres struct{ name, num string }

// PresentationNames are the presentation values CALLERID(pres) accepts.
var PresentationNames = []string{"allowed_not_screened", "allowed_passed_screen", "allowed_failed_screen", "allowed",
	"prohib_not_screened", "prohib_passed_screen", "prohib_failed_screen", "prohib", "unavailable"}

func validPres(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range PresentationNames {
		if n == s {
			return n, true
		}
	}
	return "", false
}

// CallerPresentation returns the channel's name and number presentation.
func (c *Channel) CallerPresentation() (name, num string) {
	p, ok := c.Datastore(presKey{}).(callerPres)
	if !ok {
		return "allowed_not_screened", "allowed_not_screened"
	}
	return p.name, p.num
}

// callerIDPres reads or (write) sets CALLERID's presentation items; ok is
// false for an item that is not one of them.
func callerIDPres(ch *Channel, item, value string, write bool) (string, bool, error) {
	name, num := ch.CallerPresentation()
	switch item {
	case "pres", "name-pres", "num-pres", "number-pres":
	default:
		return "", false, nil
	}
	if !write {
		if item == "name-pres" {
			return name, true, nil
		}
		return num, true, nil
	}
	v, ok := validPres(value)
	if !ok {
		what := map[string]string{"pres": "combined", "name-pres": "name", "num-pres": "number", "number-pres": "number"}[item]
		return "", true, fmt.Errorf("Unknown %s presentation '%s', value unchanged", what, value)
	}
	switch item {
	case "pres":
		name, num = v, v
	case "name-pres":
		name = v
	default:
		num = v
	}
	ch.SetDatastore(presKey{}, callerPres{name, num})
	return "", true, nil
}
