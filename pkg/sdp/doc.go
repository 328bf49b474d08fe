// Package sdp builds and reads the SDP bodies gostrisk exchanges with
// phones and trunks, for one audio stream per call the way Asterisk 18's
// chan_sip does: RTP/AVP or SDES-keyed RTP/SAVP, the codecs sip.conf names
// (ulaw, alaw, gsm, g722, g729), RFC 2833 telephone-event, ptime, hold
// directions and, when ICE is enabled, host candidates.
//
// Parse reads a peer's offer or answer (with pion/sdp) into a Description;
// Negotiate intersects an offer with a peer's allow list and encryption
// setting, returning either a Result to answer with or an error the driver
// turns into 488 Not Acceptable Here. A Session keeps the o= line of one
// dialog so that every new offer or answer bumps the version, as RFC 3264
// requires. Crypto lines follow Asterisk's acceptance rules (no session
// parameters, lifetime at least 1800000 packets, MKI handled).
package sdp
