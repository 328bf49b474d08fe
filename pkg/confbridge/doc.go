// Package confbridge is gostrisk's app_confbridge: confbridge.conf's
// bridge and user profiles and menus (with Asterisk's defaults and its
// default_bridge, default_user and default_menu), the ConfBridge and
// ConfKick applications, the CONFBRIDGE, CONFBRIDGE_INFO and
// CONFBRIDGE_CHANNELS functions, the "confbridge ..." CLI commands in
// Asterisk's layouts and the Confbridge* manager events on the engine's
// bus.
//
// A conference is a pkg/mixer mixer with one paced loop. Each user runs
// on its channel's dialplan goroutine: it reads the channel, hands voice
// to its mixer participant and DTMF to its menu, and reacts to changes of
// the conference (a marked user came or left, a kick) that other
// goroutines signal through a wake-up channel. What the user hears is
// written to its channel by the mixing loop itself (the channel's stream
// paces it); prompts and music on hold hold those writes.
// Announcements to the whole conference (join and leave sounds) are
// played through the mixer as a participant nobody hears as a talker of
// their own. A recording (record_conference, "confbridge record start")
// is a participant that hears the mix and writes it with pkg/mixmonitor.
package confbridge
