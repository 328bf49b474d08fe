// Package security is Asterisk's security event framework
// (main/security_events.c) and its log writer (res_security_log): a
// module that authenticates someone reports what happened as a typed
// Event, and the events are written on the logger's SECURITY level in the
// exact shape Asterisk 18 writes them, which fail2ban's stock asterisk
// filter and log scrapers parse:
//
//	SecurityEvent="InvalidPassword",EventTV="2026-12-05T05:40:25.169+0000",Severity="Error",Service="SIP",EventVersion="2",AccountID="6000",SessionID="0x7f729000bab0",LocalAddress="IPV4/UDP/127.0.0.5/5060",RemoteAddress="IPV4/UDP/127.0.0.3/5091",Challenge="51ef4299",ReceivedChallenge="51ef4299",ReceivedHash="7ace6268b4decafccdebf86566444569"
//
// The package knows nothing of SIP: chan_sip (pkg/chansip) fills the
// fields as chan_sip does, and a manager interface can publish the same
// events from Event.Fields.
//
// One deliberate difference from Asterisk: values are printed between
// double quotes as they are, except that a double quote, a control
// character or a byte that is not UTF-8 is written as \xNN. Asterisk
// prints them raw, so a client that puts a quote in its nonce or user
// name can end a field early, which hides the line from fail2ban's
// filter, or add a second RemoteAddress naming someone else; and it drops
// events whose text is not UTF-8 (its JSON layer refuses them), which
// here are logged with those bytes escaped.
package security
