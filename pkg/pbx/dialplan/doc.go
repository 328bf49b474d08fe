// Package dialplan is the extensions.conf model: it loads contexts,
// extensions, priorities, includes, ignore patterns, switches, [general]
// and [globals] the way Asterisk 18's pbx_config does (plus the extensions
// and hints pbx_config generates from users.conf), and answers the
// questions the PBX core asks while a call runs: which priority runs for
// this number (Find), is there such a label (FindLabel), could more
// digits still match (CanMatch, MatchMore), what is the hint (Hint).
//
// Matching follows pbx.c's default matcher: in a context, plain names sort
// before "_" patterns, patterns sort from the most specific (per position,
// smaller character sets first: "_0[1-7]XXXXXXXX" before "_0XXXXXXXXX"),
// an extension with a caller ID pattern before the same one without, and
// the first match that has the wanted priority wins; includes are then
// searched in order, each context at most once per search. A per-context
// index keeps lookups fast with thousands of patterns.
//
// A Dialplan never changes once built; a reload builds a new one. Show
// prints "dialplan show" byte for byte as Asterisk 18 does, and
// RegisterCLI registers that command.
package dialplan
