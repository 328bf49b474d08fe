package call

// A phone may change codec in the middle of a call: a re-INVITE or an
// UPDATE offering PCMA where the call started with PCMU. chan_sip accepts
// any codec the peer's allow= list permits (its joint capabilities are
// recomputed from the new offer), answers with it, and the core
// translates between the two legs when they no longer speak the same
// codec. Here the leg keeps its current codec first when the offer still
// has it, and otherwise takes the first the peer allows.

// midCallCodecs is the preference order for a mid-call offer: the codecs
// the leg negotiated (the one in use first), then the rest of what the
// peer allows.
func midCallCodecs(current, allowed []string) []string {
	if len(current) == 0 {
		return allowed
	}
	out := append([]string(nil), current...)
	for _, a := range allowed {
		dup := false
		for _, c := range current {
			if c == a {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, a)
		}
	}
	return out
}

// codecChanged tells the core that the leg's voice codec changed after the
// answer went out: the media it terminates is reopened in the new codec
// and the bridge the channel is in moves from the native relay (one codec
// on both sides) to translated frames, or back when both legs speak one
// codec again.
func (d *dialog) codecChanged() {
	if ch := d.channel(); ch != nil {
		ch.MediaFormatChanged()
	}
}
