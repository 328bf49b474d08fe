// Package meetme maps Asterisk's app_meetme onto gostrisk's conferences:
// meetme.conf's [rooms] (conf => confno[,pin][,adminpin]), the MeetMe
// application with its common options (a, A, c, d/D, i/I, m, M, p, q, s, T,
// w, x) turned into ConfBridge profiles and a menu, MeetMeCount,
// MEETME_INFO, "meetme list" in app_meetme's layout and the meetme
// lock/unlock/mute/unmute/kick commands. The rooms are a conference set
// of their own (a pkg/confbridge Module with MeetMe events), so MeetMe
// 1234 and ConfBridge 1234 are different conferences, as in Asterisk.
//
// Not mapped: MeetMeAdmin, MeetMeChannelAdmin, SLA, the options for
// recording (r), announcing names (i/I), the AGI background (B), exiting
// to a context (X/x with a context) and the timing options (L, S).
package meetme
