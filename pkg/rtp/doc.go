// Package rtp is gostrisk's media plane: it reads rtp.conf, hands out even
// UDP port pairs from [rtpstart, rtpend], and relays RTP between the two legs
// of a call without touching the media.
//
// A Leg is one local UDP socket facing one phone or trunk. The SIP driver
// tells it where the far end said to send media (SetRemote, from SDP); the
// leg then applies Asterisk's strict RTP learning (accept one source, drop
// the rest) or, for nat=comedia peers, sends to wherever the peer's packets
// really come from. A Bridge joins two legs: SSRC, sequence numbers and
// timestamps pass through unchanged, and only the payload type byte is
// rewritten when the two legs negotiated different numbers for the same
// codec or for RFC 2833 telephone-event.
//
// A leg may use SDES-keyed SRTP (RFC 4568, RFC 3711) through pion/srtp, so a
// phone with encryption=yes can talk to a plain RTP trunk: the bridge
// decrypts what it reads on the secure leg and encrypts what it writes there.
//
// # The relay engine (Linux)
//
// A G.711 call is 200 packets a second through the relay, so the cost that
// matters is the cost per packet. With one goroutine per direction, each
// packet paid for a runtime poller wake-up, a goroutine switch, the read,
// the write, a read that returns EAGAIN and the park; with the server on
// one CPU that was several times the price of the two system calls that do
// the work. On Linux the relay is therefore an engine instead:
//
//   - RTP sockets are bare non-blocking descriptors (Socket), never given to
//     Go's network poller, so an arriving packet wakes nothing in the
//     runtime by itself.
//   - An engine owns an epoll set holding the RTP socket of every bridged
//     leg (level-triggered EPOLLIN, a slot index as user data) and an
//     eventfd for control requests. The epoll descriptor is itself parked
//     in Go's poller: the engine's single goroutine sleeps like any network
//     reader and wakes once per burst of traffic for all its calls.
//   - Awake, it calls epoll_wait with no timeout until nothing is ready,
//     reading one datagram per ready socket per round (level triggering
//     brings back a socket with more queued, so no read ever returns EAGAIN
//     just to find out), with raw recvfrom/sendto into the engine's
//     preallocated buffers and per-direction socket addresses. The target's raw address
//     is rebuilt only when the target changes.
//   - Bridges are added and removed by requests the loop carries out between
//     rounds, so no event of a round can name a slot just freed. Neither
//     NewBridge nor Close waits for the loop: call set-up and tear-down
//     come by the thousand a second and must not queue behind media. A
//     bridge holds both legs' sockets (PortPair.hold) until the loop has
//     let go of them, so a leg closed meanwhile keeps its descriptor, and
//     its port, until then: a closed descriptor's number can be reused at
//     once by a new socket, which the relay must never read. A leg bridged
//     again waits for its previous bridge to be let go of.
//   - Engines start with the first bridge and stop with the last one; with
//     GOMAXPROCS above one, bridges are spread over up to that many engines.
//   - Where the kernel offers it (io_uring with deferred task work, Linux
//     6.1 or later, not refused by seccomp or sysctl) an engine runs on
//     io_uring rather than epoll (engine_uring_linux.go;
//     GOSTRISK_RTP_ENGINE=epoll chooses epoll): each bridged socket has a
//     multishot receive armed into a ring of provided buffers, each
//     forwarded packet is a send queued on the same ring, and one
//     io_uring_enter per round submits the sends and collects the next
//     datagrams. That saves epoll_wait, the per-packet system call entries
//     and most descriptor lookups: about an eighth of the CPU per packet
//     (bench/RESULTS.md). The engine's goroutine is locked to its thread
//     (the ring is single-issuer). When idle it parks in Go's poller on
//     its epoll set, which holds an eventfd the kernel signals when the
//     ring gets work and the control eventfd, never in io_uring_enter: a
//     thread blocked in a system call keeps the scheduler's P until
//     sysmon takes it back, and on a one-CPU server SIP would wait for
//     that. (The ring's own signal for a control request is deferred by
//     the kernel, which is why the control eventfd wakes it directly: a
//     call's ports come back when the engine lets go of its bridge.)
//   - Once strict RTP has locked a leg's source and it is also where the
//     leg sends, the socket is connect()ed to it (link_linux.go): the
//     kernel drops other sources, as strict RTP would, and sends reuse the
//     socket's cached route.
//
// What remains per packet is the kernel's own work, most of it in the send
// (on loopback that includes delivering the datagram to the receiver and
// waking it). Other systems keep the portable relay: one goroutine per
// direction blocked in the runtime poller.
//
// The relay path does no allocation per packet; statistics are atomics so
// the CLI and rtptimeout checks can read them without stopping the media,
// and no lock is taken while relaying.
//
// # Terminating sessions
//
// When the core must hear or speak on a leg (Playback, an IVR, a frame
// bridge that transcodes) the leg gets a Session instead of a Bridge
// (Leg.StartSession; the two exclude each other, and either waits for the
// other's loop to let go of the socket before taking it). A session sends
// with its own random SSRC, sequence numbers and timestamps and reads the
// peer's packets as media.Frames:
//
//   - Receiving: a shared loop per engine, the session sockets still never
//     in Go's poller. Where io_uring is available (as for the relay;
//     GOSTRISK_RTP_ENGINE=epoll turns it off) the loop has a ring of its
//     own, built like the relay's (session_uring_linux.go): a multishot
//     recvmsg armed on every session socket into provided buffers, one
//     io_uring_enter per round collecting the datagrams of all sessions,
//     and a buffer handed back as soon as its packet is (the payload is
//     copied for the reader, SRTP undone in place). With 1,000 talking
//     sessions that took a quarter off the process's CPU (about 6.3 to
//     4.7 us per packet sent or received; bench/RESULTS.md). Under
//     overload the receives that find no buffer end and are armed again
//     after the round, those of the sessions the round left unread first,
//     so none is starved. Otherwise the loop is built like
//     the epoll relay: one epoll set parked in Go's poller, drained with
//     non-blocking recvfrom. Either way the same checks as the relay apply
//     (strict RTP / comedia through the leg, counters, LastReceived for
//     rtptimeout, SRTP unprotect), a session's socket is read by nobody
//     else, and Close lets go of it only once the loop has (on io_uring,
//     once the cancelled receive has ended). A goroutine per session
//     would pay a wake-up per packet on top of the reader's own; here a
//     burst of packets for many sessions costs one.
//   - Voice packets go through a small jitter buffer: reordered by
//     sequence number within 3 packets, duplicates and late packets
//     dropped and counted, a gap given up on after 3 later packets or 40 ms
//     (a timerfd sweeps every 10 ms), so a lost packet never blocks.
//     RFC 4733 events bypass it: an event is known by its timestamp, so
//     its repetitions and its (usually three) end packets give one
//     DTMFBegin and one DTMFEnd; an end whose begin was lost gives the end
//     alone, like a SIP INFO digit; a new event ends a previous one that
//     never sent its end. Other payload types are counted and dropped.
//     Frames is never waited on: when the reader is behind, the oldest
//     frame goes.
//   - Sending: WriteFrame queues up to three voice frames (60 ms) and then
//     blocks the writer, so a producer reading a file is paced by the
//     session. A pacer per engine sends every session's frames at their
//     slots from a timing wheel of 1 ms buckets, woken once a millisecond
//     by a Go timer while any session is due: one goroutine and one timer
//     for all sessions, not a ticker each. A talkspurt's first frame takes
//     the least busy millisecond of the next ptime, so sessions started
//     together do not all send in the same tick; the marker bit is set
//     there and the timestamp jumps by the silence before it. Timestamps
//     advance by the frame's samples at the RTP clock rate (G.722 counts
//     8000 a second for its 16 kHz audio). Where io_uring is available
//     (as for the relay; GOSTRISK_RTP_ENGINE=epoll turns it off) a pacer
//     queues a pass's packets as sends on its own ring and submits them
//     with one io_uring_enter (tx_linux.go): the send system call was
//     most of a session's CPU, and this cut it by about 40 %
//     (bench/RESULTS.md).
//   - DTMF goes out as RFC 4733 events on the negotiated payload type:
//     the begin packet (marker set) when written, repetitions every 50 ms
//     from the pacer, three end packets, all with the timestamp of the
//     digit's start. Voice queued while a digit is held is dropped at its
//     slot (Asterisk sends no voice during a digit) but still paces its
//     writer; a digit written after voice waits for that voice to go out.
//
// # RTCP
//
// With rtcpinterval set, each leg also terminates RTCP on port+1
// (rtcp_leg.go): one goroutine per leg, parked in Go's poller, sends the
// leg's SR/RR every interval and reads the far end's reports. The relay
// and session loops only fold each accepted packet into the leg's RFC 3550
// reception state (rxstats.go), which the reports and the CLI read.
//
// Engines (a pacer and a receive loop each, up to GOMAXPROCS of them, 4 at
// most) start with the first session and stop once none has used them for
// a few seconds.
package rtp
