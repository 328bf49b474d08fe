package features

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// parkPriority is the first priority of context/exten when it parks the
// call (its application is Park), as res_parking's
// ast_parking_is_exten_park decides that a transfer there is a park.
func parkPriority(ch *pbx.Channel, context, exten string) (*pbx.Priority, bool) {
	plan := ch.Engine().Plan()
	if plan == nil {
		return nil, false
	}
	p, ok := plan.Find(context, exten, ch.CallerID().Num, 1)
	if !ok || !strings.EqualFold(p.App, "Park") {
		return nil, false
	}
	return p, true
}

// parkHere parks ch with p's Park where ch is: Asterisk moves a parked
// call into the parking bridge without running dialplan, so its
// Context/Exten/Priority stay and no Newexten is seen.
func parkHere(ch *pbx.Channel, p *pbx.Priority) error {
	return ch.AsyncRun(func(c *pbx.Channel) pbx.Result {
		e := c.Engine()
		res, err := e.ExecApp(c, "Park", e.Substitute(c, p.Data))
		if err != nil {
			return pbx.HangupResult
		}
		return res
	})
}
