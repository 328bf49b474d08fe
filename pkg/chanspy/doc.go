// Package chanspy is app_chanspy: ChanSpy and ExtenSpy let a supervisor
// listen to a call (both parties, or only the spied channel's), whisper
// to the spied party, or barge in on both, as call centres do.
//
// The spy taps the spied channel (pbx.Tap) and mixes its two directions
// into 20 ms frames that a generator writes to the spy; whisper and barge
// add the spy's voice to what the spied channel (and, barging, its bridge
// peer) send, through pbx.Whisper. Nothing here reaches a SIP driver.
//
// app_bridgeaddchan's BridgeAdd lives here too: joining a channel's bridge
// is a barge on it (bridgeadd.go), since gostrisk's bridges have two
// parties.
package chanspy
