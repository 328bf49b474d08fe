// Package parking is gostrisk's res_parking: the parking lots of
// res_parking.conf (and the old features.conf [general] parkext form),
// the context each lot's extensions live in (parkedcalls by default,
// added to the dialplan so that `include => parkedcalls` works), the
// Park, ParkedCall and ParkAndAnnounce applications and `parking show`.
//
// A parked channel keeps running its own dialplan: Park holds it (music
// on hold, the lot's parkedmusicclass) until it is retrieved, hangs up or
// its parkingtime runs out. ParkedCall, run by the retriever, takes the
// parked channel out of its lot and bridges the two on the retriever's
// goroutine while the parked channel's Park waits for that bridge to end.
// A timeout sends the parked call back to the parker (comebacktoorigin) or
// into comebackcontext, with PARKINGSLOT, PARKEDLOT and PARKER set.
//
// With parkinghints=yes each space has the hint park:<space>@<context>;
// the module is the "park" device state provider (INUSE while a call is
// parked there) and publishes each space's change (devstate.go). With
// parkeddynamic=yes, Park into an unknown lot creates it from a template
// lot (dynamic.go) for as long as calls are parked in it. The lot's
// parkedcalltransfers/reparking/hangup/recording give the retriever and
// the parked call DTMF features in ParkedCall's bridge (features.go).
//
// Parking a call from a transfer or a DTMF feature means sending the
// channel to the lot's parkext with pbx.Channel.AsyncGoto, as Asterisk
// does with a blind transfer to the parking extension. The manager's Park
// (action.go) runs Park on the channel where it is (pbx.Channel.AsyncRun),
// as Asterisk moves it into the parking bridge: its Context, Exten and
// Priority stay what they were, and no Newexten is published.
package parking
