// Package funcs holds the dialplan functions of Asterisk 18's func_*
// modules that gostrisk provides beyond the few the engine has built in
// (pkg/pbx: CALLERID, CHANNEL, IF, CUT, ...). One file per Asterisk module
// family; Register adds them all to an engine.
//
// Every function takes Asterisk's argument syntax. A call with bad
// arguments returns an error whose text is the warning Asterisk logs: the
// substitution logs it and the reference expands to nothing, and the
// channel goes on, as in Asterisk.
//
// Functions that need the astdb, chan_sip or the module list get them
// through Deps, so this package imports none of them; the core adapts.
package funcs
