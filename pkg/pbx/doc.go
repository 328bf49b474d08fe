// Package pbx is gostrisk's technology-neutral call core, modelled on
// Asterisk 18's main/pbx.c, main/channel.c and main/bridge.c.
//
// An Engine holds the registries set up at start: channel technologies,
// dialplan applications, dialplan functions, global variables and the live
// channels. A channel driver (chansip) creates a Channel for each call with
// Engine.NewChannel, reports what happens on its side through the Channel's
// report methods (Ringing, Progress, Answered, Busy, Congestion, HungUp,
// DTMF) and implements Driver so the core can call, answer, indicate and hang
// up. For an inbound call the driver starts one goroutine running
// Engine.Run; that goroutine owns the channel, executes the dialplan and
// hangs the channel up when the dialplan ends.
//
// The dialplan itself comes from a Plan snapshot (see pbx/dialplan) fetched
// through a function at every step, so a reload swaps the snapshot while
// calls in progress keep running. Application data is substituted through
// a Substitute function (pbx/expr.Substitute in production) with an Env
// built from the channel's variables, the built-in variables and the
// registered functions.
//
// Causes (causes.go) maps Asterisk hangup causes to their names and to SIP
// response codes for the SIP driver. RegisterCLI adds the `core show ...`
// and channel commands, printing Asterisk 18's formats byte for byte.
package pbx
