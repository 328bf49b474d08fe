// Package pickup is Asterisk's call pickup (main/pickup.c and
// app_directed_pickup): a ringing dialed leg is answered by another phone
// instead, the caller's Dial bridging the picker in its place and
// cancelling the ringing phone. Group pickup matches the picker's
// pickupgroup with the ringing channel's callgroup (numbered or named,
// from sip.conf); directed pickup names the extension@context the call
// was dialed from (Pickup) or the ringing channel (PickupChan).
//
// chan_sip's pickupexten (*8 by default, features.conf) runs Call on the
// new channel instead of the dialplan.
package pickup
