// Package apps holds gostrisk's core dialplan applications, one file each,
// with Asterisk 18's names, arguments, variables and help text: NoOp,
// Verbose, Log, Set, MSet, Goto, GotoIf, ExecIf, Gosub, GosubIf, Return,
// Macro, MacroExit, Hangup, Answer, Ringing, Progress, Busy, Congestion,
// Wait and the technology-neutral Dial.
//
// Register adds them all to a pbx.Engine at start.
package apps
