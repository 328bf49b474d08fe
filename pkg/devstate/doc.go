// Package devstate follows device and extension state as Asterisk's core
// does (devicestate.c, the hint table of pbx.c, func_devstate.c's Custom:
// devices): it turns channel events into DeviceStateChange events, keeps
// every hint's aggregated state as device changes arrive, tells the
// hint's watchers (SIP subscriptions) when it changes, publishes the
// manager's ExtensionStatus event, and serves "core show hints", "core
// show hint", "devstate list" and "devstate change".
//
// State is pushed, not polled: a device change costs one look-up of the
// hints that name the device (an index built at start and on each
// dialplan reload), and a channel event one device state computation.
package devstate
