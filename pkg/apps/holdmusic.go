package apps

import "github.com/gostrisk/gostrisk/pkg/pbx"

// HoldMusic returns the generator that plays music on hold class ("" for
// the channel's own or the default one) to ch, or nil when no music can
// play. The daemon sets it to the res_musiconhold module's Music; nil
// (the module not loaded) means silence, after Asterisk's verbose line.
var HoldMusic func(ch *pbx.Channel, class string) pbx.Generator
