// Package realtime gives the daemon Asterisk's "high priority" (asterisk -p,
// or highpriority=yes in asterisk.conf): every thread of the process runs
// under SCHED_RR at priority 10, as Asterisk's own threads do, so the media
// pacer wakes on its millisecond when other work shares the CPU. Measured
// on the 2-core VM with 2,000 paced sessions (bench/rtpplay): frames later
// than 2 ms fell from about 1 % to 0.02-0.09 %.
//
// The programs the daemon runs (System, AGI, mailcmd, #exec...) are put
// back to the normal policy as soon as they start, as Asterisk's children
// are: a script must not inherit a real-time priority. Start, Run and
// Output are exec.Cmd's with that step.
package realtime
