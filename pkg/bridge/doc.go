// Package bridge joins two answered channels the way Asterisk 18's basic
// bridge does (main/bridge_basic.c with the native_rtp and simple_bridge
// technologies): it is the engine's Bridger, so Dial and everything else
// that calls pbx.Engine.Bridge goes through it.
//
// A bridge picks its technology from the two channels and changes it while
// the call lasts:
//
//   - native_rtp: the caller's driver relays the media itself
//     (pbx.MediaBridger, the SIP driver's RTP relay). Chosen when both
//     channels speak the same native format and carry digits as RFC 2833
//     events, so nothing needs to be decoded; also whenever a driver cannot
//     hand its media to the core at all.
//   - simple_bridge: the core terminates both channels' media and two pump
//     goroutines move frames across, each Write translating to the
//     receiver's format (µ-law to A-law, slin16 to µ-law, ...) and DTMF
//     frames passing through for the receiving driver to send in its own
//     DTMF mode.
//
// Hold is handled here: when one party holds (a pbx.EventHold from its
// driver), its audio is no longer passed and the other party hears the
// music that Options.HoldMusic gives, which needs the core to terminate the
// listener's media, so a native bridge turns into a frame bridge for the
// time of the hold and goes back to native when it ends.
//
// The bridge logs Asterisk's verbose lines ("Channel X joined
// 'simple_bridge' basic-bridge <id>", "... left 'native_rtp' ...", naming
// the technology in use when the channel leaves) and publishes
// BridgeEnter/BridgeLeave on the engine's bus.
//
// A Mixing (mixing.go) is a basic bridge of three or more channels whose
// media another module mixes (an attended transfer's three-way call, on
// softmix as Asterisk's merged bridge): listed, logged and published as
// the two-party ones.
package bridge
