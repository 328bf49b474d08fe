package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

// HoldMusic returns the generator that plays music on hold class ("" for
// the channel's own or the default one) to ch, or nil when no music can
// play. The daemon sets it to the res_musiconhold module's Music; nil
// (the module not loaded) means silence, after Asterisk's verbose line.
var HoldMusic func(ch *pbx.Channel, class string) pbx.Generator

// startHoldMusic starts music on hold on ch, as ast_moh_start does for
// Dial's m option: a class named by the option wins over the channel's
// CHANNEL(musicclass) for this start, and the channel keeps its own class.
// It reports whether music plays.
func startHoldMusic(ch *pbx.Channel, class string) bool {
	if HoldMusic == nil {
		name := class
		if name == "" {
			name = "default"
		}
		ch.Engine().Log().Verbose(3, "Music class %s requested but no musiconhold loaded.\n", name)
		return false
	}
	var g pbx.Generator
	if class != "" {
		own := ch.MusicClass()
		ch.SetMusicClass(class)
		g = HoldMusic(ch, class)
		ch.SetMusicClass(own)
	} else {
		g = HoldMusic(ch, "")
	}
	if g == nil {
		return false
	}
	ch.StartGenerator(g)
	return true
}

// stopHoldMusic stops the music and gives the channel's media back to its
// driver, so that a bridge may relay it natively again.
func stopHoldMusic(ch *pbx.Channel) {
	ch.StopGenerator()
	ch.CloseMedia()
}
