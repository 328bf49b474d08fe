// Package queue is gostrisk's app_queue: call queues (ACD) configured in
// queues.conf (with templates) and queuerules.conf, the Queue application
// and its companions (AddQueueMember, RemoveQueueMember, PauseQueueMember,
// UnpauseQueueMember, QueueLog, QueueUpdate), the QUEUE_* functions, the
// `queue` CLI commands, astlogdir/queue_log, and the manager events
// (QueueCallerJoin/Leave/Abandon, AgentCalled/Connect/Complete/
// RingNoAnswer/Dump, QueueMemberAdded/Removed/Pause/Penalty/Status)
// published on the engine's bus.
//
// A caller runs the whole queue on its own dialplan goroutine, as in
// Asterisk: it joins (joinempty, maxlen, priority), hears music on hold
// (pkg/moh through apps.StartHoldMusic) with position and periodic
// announcements while others are ahead, and when its turn comes rings the
// members the strategy picks (ringall, leastrecent, fewestcalls, random,
// rrmemory, rrordered, linear, wrandom) through Engine.Request, following
// the legs' events itself; the member who answers is bridged with
// Engine.Bridge and the call's end is logged (COMPLETECALLER/AGENT).
//
// A member's state is its state_interface's device state, read from
// Engine.DeviceState whenever it matters (choosing whom to ring, `queue
// show`, QUEUE_MEMBER), so it is never stale. Waiting callers do not poll
// faster than app_queue's one second: any change that can make a turn come
// (a member freed, a caller gone, a member added or unpaused) closes the
// module's "changed" channel, which wakes them at once.
//
// Dynamic members are kept in astdb under /Queue/PersistentMembers/<queue>
// in app_queue's format (interface;penalty;paused;name;state_interface;
// reason;wrapuptime joined by '|') when persistentmembers=yes, and read
// back at start.
//
// Around a member's call (options.go): b() runs on each member's new
// channel, B() on the caller at entry; once a member answered, the
// queue's monitor-format starts MixMonitor or Monitor (monitor-type), the
// macro/gosub (arguments, else membermacro/membergosub) run on the
// member's channel, the AGI on the caller, and the option letters become
// the bridge's DTMF features; F() sends the member into the dialplan when
// the caller hangs up first.
//
// Not done: realtime queues; the one-touch recording features w/W/x/X
// are passed to the bridge, which does not run automon/automixmon yet;
// the URL argument is not sent (chan_sip's sendhtml is not in gostrisk).
package queue
