// Package apps holds gostrisk's core dialplan applications, one file each,
// with Asterisk 18's names, arguments, variables and help text: NoOp,
// Verbose, Log, Set, MSet, Goto, GotoIf, ExecIf, Gosub, GosubIf, Return,
// Macro, MacroExit, Hangup, Answer, Ringing, Progress, Busy, Congestion,
// Wait and the technology-neutral Dial.
//
// The media applications play and record on a channel whose media the core
// terminates (pbx.Channel Read/Write): Playback, Background, WaitExten,
// Read, ReadExten, SayDigits, SayNumber, SayAlpha, SayAlphaCase,
// SayUnixTime, SayPhonetic, Record, Echo, Milliwatt, PlayTones, StopPlayTones, SendDTMF
// and ControlPlayback. Prompts are found with pkg/media/sound under the
// configured astdatadir, in the channel's language, in the file format
// cheapest to translate to the channel's; stream.go holds what they share
// (Asterisk's ast_streamfile, ast_waitstream and ast_waitfordigit, and the
// digit collection pbx.c runs after Background and WaitExten).
//
// The dialplan breadth of issue 17: While, EndWhile, ExitWhile and
// ContinueWhile (app_while's WHILE_n variables), GotoIfTime and ExecIfTime
// (pbx.TimeSpec), Exec and TryExec, System and TrySystem (/bin/sh -c as
// the daemon's user, killed after Config.SystemTimeout), StackPop,
// ImportVar, WaitUntil, UserEvent (a pbx.BusUserEvent on the engine bus),
// DumpChan, MacroIf, MacroExclusive, Authenticate, ChanIsAvail, Originate,
// SIPAddHeader, SIPRemoveHeader and SIPDtmfMode (chan_sip's contract:
// __SIPADDHEADERnn variables, a SetDTMFMode driver method), and the CDR
// applications NoCDR, ResetCDR, ForkCDR and SetAMAFlags, which change the
// pbx.CDR the SIP driver writes.
//
// Register adds them all to a pbx.Engine at start with the default
// settings; RegisterWith takes a Config (astdatadir, indication tones).
// HoldMusic is the music on hold hook the module sets.
package apps
