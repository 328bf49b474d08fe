// Package manager is the Asterisk Manager Interface (manager.c): the TCP
// listener of manager.conf (port 5038), its sessions, actions and events.
//
// Protocol: the banner "Asterisk Call Manager/7.0.3", requests as
// "Key: value" lines ended by an empty line, responses "Response:
// Success|Error|Goodbye" with the request's ActionID, event lists
// (EventList: start ... Complete). Login takes the plain secret or the
// MD5 of a Challenge; a failed login is logged as manager.c logs it
// ("<ip> failed to authenticate as '<user>'", which fail2ban's asterisk
// filter matches), reported as an AMI security event, answered after a
// one-second delay and ends the session.
//
// Bounds: at most authlimit sessions not logged in (more are closed at
// accept), authtimeout to log in, input lines of 1024 bytes (longer ones
// are dropped with manager.c's warning), 128 headers a request. Each
// session has its own bounded queue written by its own goroutine with
// the user's writetimeout; a client that cannot keep up is disconnected
// with a WARNING naming it, and event delivery to others never waits.
//
// Events: the module is one subscriber of the engine bus; each bus event
// is formatted once (Asterisk 18's names, Privilege line, the channel
// snapshot block, channelvars) and queued to the sessions whose read
// classes, Events: mask and eventfilter accept it. BridgeCreate and
// BridgeDestroy are derived from the first enter and last leave. Module
// events (QueueCallerJoin, ConfbridgeJoin, ...) published on the bus with
// Fields pass through; RegisterEventClass sets their class.
//
// Actions: RegisterAction lets modules add theirs; the core ones are in
// actions.go, chan_sip's are answered through the SIP interface the core
// adapts (RegisterSIP). Redirect is pbx.Channel.AsyncGoto on one or both
// channels.
package manager
