// Package agi is res_agi: the AGI and DeadAGI applications, which hand a
// channel to an external program speaking the Asterisk Gateway Interface
// (a script under astagidir, on its stdin/stdout) or to a FastAGI server
// (agi://host[:port][/script], port 4573), and the AGI commands those
// programs send (ANSWER, STREAM FILE, GET DATA, SAY ..., RECORD FILE,
// DATABASE ..., SET/GET VARIABLE, EXEC, ...), answered with res_agi's
// "200 result=..." lines.
//
// The run is bounded: a FastAGI connection attempt times out
// (Options.ConnectTimeout), writes to the program time out, and once the
// channel hangs up the program gets SIGHUP (a server "HANGUP") and
// Options.DeadWait to finish before it is killed or disconnected, so a
// program or server that never ends cannot keep a call's resources.
// AGISTATUS is SUCCESS, FAILURE, NOTFOUND or HANGUP.
//
// The audio commands use pkg/apps' playback, key reading and recording
// (apps.StreamFile, GetData, Say*, RecordFile), so they behave as the
// applications do. AGI(agi:async) is AsyncAGI (async.go): commands come
// from the manager's AGI action and answers go out as AsyncAGIExec
// events. EAGI gives a local script what the caller says on fd 3 (8 kHz
// slin, eagi.go).
package agi
