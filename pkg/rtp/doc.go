// Package rtp is gostrisk's media plane: it reads rtp.conf, hands out even
// UDP port pairs from [rtpstart, rtpend], and relays RTP between the two legs
// of a call without touching the media.
//
// A Leg is one local UDP socket facing one phone or trunk. The SIP driver
// tells it where the far end said to send media (SetRemote, from SDP); the
// leg then applies Asterisk's strict RTP learning (accept one source, drop
// the rest) or, for nat=comedia peers, sends to wherever the peer's packets
// really come from. A Bridge joins two legs with one goroutine per
// direction: SSRC, sequence numbers and timestamps pass through unchanged,
// and only the payload type byte is rewritten when the two legs negotiated
// different numbers for the same codec or for RFC 2833 telephone-event.
//
// A leg may use SDES-keyed SRTP (RFC 4568, RFC 3711) through pion/srtp, so a
// phone with encryption=yes can talk to a plain RTP trunk: the bridge
// decrypts what it reads on the secure leg and encrypts what it writes there.
//
// The relay path reuses preallocated buffers and does no allocation per
// packet; statistics are atomics so the CLI and rtptimeout checks can read
// them without stopping the media.
package rtp
