// Package sipconf turns sip.conf and users.conf (already parsed by
// confparse) into the typed model chan_sip would load: [general] settings
// with Asterisk 18's defaults, peers/users/friends with their effective
// options, and outbound registrations.
//
// Load follows chan_sip's reload_config/build_peer semantics:
//
//   - A peer starts from [general] (context, codecs, nat, dtmfmode, qualify,
//     transports, ...) and applies its own lines in file order; allow= and
//     disallow= edit the inherited codec preference list, so a peer's
//     allow=ulaw on top of [general]'s alaw,ulaw gives (alaw|ulaw).
//   - users.conf is read before sip.conf: every entry with hassip (default
//     from its [general]) becomes a friend built from users.conf's [general]
//     then its own variables; registersip synthesises a registration.
//   - register => lines are parsed by ParseRegister with the full syntax
//     [peer?][transport://]user[@domain][:secret[:authuser]]@host[:port][/extension][~expiry]
//     and take the defaultexpiry in force where they appear.
//   - Peer names are matched case-insensitively, as chan_sip's peer table
//     does; a section defined twice updates the first.
//
// Diagnostics carry file:line. Unknown options are Warnings (chan_sip
// ignores them silently; we say so). A value chan_sip cannot use is an
// Error naming the option; the Config still holds chan_sip's fallback so a
// checker can report everything at once. Asterisk's own load-time notices
// (the 'username' deprecation, the per-peer nat warning) come back as
// Warnings with the exact Asterisk wording.
//
// The default User-Agent is DefaultUserAgent(version) = "Asterisk PBX
// <version>" unless useragent= is set; see DefaultUserAgent for why.
package sipconf
