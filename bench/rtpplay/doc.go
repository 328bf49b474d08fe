// Command rtpplay measures the terminating side of pkg/rtp: N sessions
// (rtp.Leg.StartSession) each fed 20 ms G.711 frames by its own producer
// goroutine, as N Playback channels would be, paced by the sessions'
// shared pacers (issue 16's target: 2,000 at once, every frame within
// 2 ms of its slot, at most 80 % of one core).
//
// The sessions' process starts a second copy of itself, the receiver,
// which owns N plain UDP sockets and timestamps every datagram in the
// kernel (SO_TIMESTAMPNS). Keeping the receiver in another process makes
// getrusage(RUSAGE_SELF) of the first count the sessions only. When
// taskset exists the sessions are pinned to one CPU and the receiver to
// another.
//
// Pacing error, as the receiver sees it: for each packet, its arrival time
// minus the time its RTP timestamp stands for, relative to the session's
// earliest such offset in the window (so a packet on its slot counts 0).
// The table also gives the largest error the sessions' own Stats recorded
// (send time minus slot), packets per second and the CPU of the sessions'
// process.
//
// Usage:
//
//	go run ./bench/rtpplay -n 500,2000 -dur 20s
package main
