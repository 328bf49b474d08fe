// Package sipshow formats chan_sip's "sip show ..." listings byte for byte
// as Asterisk 18 prints them (same printf widths, truncation and trailing
// spaces): peers [like], peer <name> [load], users [like], user <name>,
// registry, inuse [all] and settings.
//
// The functions are pure: a View holds the loaded sipconf.Config and the
// driver's runtime state (PeerState per peer, RegistryState per
// registration, the current time). The SIP driver owns that state and
// builds a View per command; Commands wires the listings into a
// cli.Registry.
//
// Ordering follows chan_sip: "sip show peers" sorts by name (strcmp);
// "sip show users" and "sip show inuse" walk chan_sip's peer hash table,
// reproduced by sipconf.Config.HashOrder (case-insensitive DJB hash of the
// name modulo 563, ascending buckets, load order within a bucket), which is
// why 6001 lists before 6000.
package sipshow
