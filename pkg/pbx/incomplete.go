package pbx

// CollectMore is what pbx.c does after Incomplete: the extension dialed so
// far (the channel's) may be the start of a longer one, so more keys are
// read, each within the digit timeout, and the result goes to the
// extension dialed, to `i` (or `e`) when there is none, or to `t` (or `e`)
// when nothing more came and the prefix itself is no extension. A prefix
// that no longer extension can start is invalid at once, so that an
// Incomplete extension matching only itself cannot loop.
func (e *Engine) CollectMore(ch *Channel) Result {
	dpc, exten, _ := ch.Location()
	if !e.MatchMore(ch, dpc, exten) {
		return e.invalidExten(ch, dpc, exten)
	}
	return e.collectFrom(ch, dpc, []rune(exten), e.DigitTimeout(ch))
}
