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
// Not done: Queue's AGI, macro and gosub arguments and membermacro/
// membergosub, options other than c, m, n, r, R; monitor-type recording;
// realtime queues; `queue priority caller`.
package queue
