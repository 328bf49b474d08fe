// Package local is chan_local: Local/exten@context[/options] channels.
//
// A request makes a pair of channels. The first, "Local/exten@context-XXXXXXXX;1",
// goes to whoever dialed; calling it starts the second, ";2", in the
// dialplan at exten@context priority 1 with the first's caller, connected
// line and variables. What happens on one half is reported on the other:
// answer, ringing, progress, busy, congestion, hold and hangup (with its
// cause, and ;2's DIALSTATUS as CHANLOCALSTATUS on ;1). Frames written to
// one half are read from the other through a small bounded queue; both
// halves speak the dialer's format, so nothing is translated in between.
//
// gostrisk never optimizes a pair away (Asterisk does unless /n is given):
// `core show channels` always lists both halves, as Asterisk does with /n,
// and the LocalBridge manager event says LocalOptimization: No. The
// options n, j and b are accepted and change nothing; m passes hold to
// the other half instead of letting the bridge play music into this one.
//
// When ;2's dialplan ends it writes its own CDR record, as Asterisk 18's
// CDR engine gives the half running the dialplan one.
package local
