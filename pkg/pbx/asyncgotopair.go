package pbx

// Place is a dialplan location for AsyncGotoPair, or with Run what the
// channel runs where it is instead (see AsyncRun).
type Place struct {
	Context, Exten string
	Priority       int
	Run            func(*Channel) Result
}

// AsyncGotoPair sends two bridged channels elsewhere at once (res_parking's
// manager Park moves the parked call and its parker). Both targets are
// recorded before either channel is interrupted, so whichever leaves the
// bridge first the other finds its own: a channel running dialplan takes
// it when its application (Dial) returns, a dialed leg is the one
// interrupted and the bridge starts its dialplan there. Two AsyncGotos in
// a row would race: the first interruption ends the bridge and the other
// party could be hung up or run on before it has a target.
func AsyncGotoPair(a *Channel, pa Place, b *Channel, pb Place) error {
	for _, c := range []*Channel{a, b} {
		if c.HangupRequested() {
			return ErrHangup
		}
		if !c.redirect.runs.Load() && c.Peer() == nil {
			return ErrNoDialplan
		}
	}
	a.setPending(pa)
	b.setPending(pb)
	switch {
	case !a.redirect.runs.Load():
		a.Interrupt()
	case !b.redirect.runs.Load():
		b.Interrupt()
	default:
		a.Interrupt()
		b.Interrupt()
	}
	return nil
}
