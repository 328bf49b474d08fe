// Command relayload measures what the RTP relay of pkg/rtp costs per call,
// plain RTP<->RTP against SRTP<->RTP (issue 8's benchmark).
//
// The relay process sets up N calls exactly as the SIP call path does
// (rtp.NewAllocator, rtp.NewLeg with strict RTP, SetRemote,
// SetPayloadTypes, SetSRTP, rtp.NewBridge) and starts a second copy of
// itself, the "phones" process, which owns two UDP sockets per call and
// streams 20 ms G.711 packets (160 bytes of payload, 50 packets/s) each
// way. In SRTP mode phone A encrypts with pion/srtp and decrypts what it
// gets back, so the relay's A leg decrypts and re-encrypts; phone B stays
// plain.
//
// Keeping the phones in another process is what makes the measurement
// honest without a baseline subtraction: getrusage(RUSAGE_SELF) of the
// relay process counts only the relay. When taskset exists, the relay is
// pinned to one CPU and the phones to another so they do not steal each
// other's cycles.
//
// Usage:
//
//	go run ./bench/relayload -calls 100,300,500 -modes rtp,srtp -dur 10s
package main
