package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

// publishDialBegin announces that caller is dialing out (dialstring: what
// followed the technology), as app_dial's DialBegin.
func publishDialBegin(caller, out *pbx.Channel, dialstring string) {
	bus := caller.Engine().Bus()
	if bus.Wants(pbx.BusDialBegin) {
		bus.Publish(pbx.BusEvent{Type: pbx.BusDialBegin, Channel: caller, Peer: out, DialString: dialstring})
	}
}

// publishDialEnd announces the outcome of one dialed leg.
func publishDialEnd(caller, out *pbx.Channel, status string) {
	bus := caller.Engine().Bus()
	if bus.Wants(pbx.BusDialEnd) {
		bus.Publish(pbx.BusEvent{Type: pbx.BusDialEnd, Channel: caller, Peer: out, DialStatus: status})
	}
}

// publishDialEnds ends every leg of a Dial: the winner ANSWER, the others
// CANCEL when someone answered, else the Dial's status.
func publishDialEnds(caller *pbx.Channel, legs []*leg, winner *leg, status string) {
	for _, l := range legs {
		switch {
		case l == winner:
			publishDialEnd(caller, l.ch, "ANSWER")
		case winner != nil:
			publishDialEnd(caller, l.ch, "CANCEL")
		default:
			publishDialEnd(caller, l.ch, status)
		}
	}
}
