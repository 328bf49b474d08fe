package parking

import "github.com/gostrisk/gostrisk/pkg/pbx"

// retrievedFeatures adds to ch the DTMF features the lot's
// parkedcalltransfers, parkedcallreparking, parkedcallhangup and
// parkedcallrecording give who (ByCaller: the retriever, ByCallee: the
// parked call) in the bridge of ParkedCall, on top of those it has, as
// res_parking does.
func retrievedFeatures(ch *pbx.Channel, lot *Lot, who Parties) {
	var f pbx.FeatureFlags
	if lot.Transfers&who != 0 {
		f |= pbx.FeatureTransfer
	}
	if lot.Reparking&who != 0 {
		f |= pbx.FeaturePark
	}
	if lot.Hangup&who != 0 {
		f |= pbx.FeatureDisconnect
	}
	if lot.Recording&who != 0 {
		f |= pbx.FeatureAutomixmon
	}
	if f != 0 {
		ch.SetFeatureFlags(ch.FeatureFlags() | f)
	}
}

// courtesy plays the lot's courtesytone to the retriever and/or the
// parked call, as parkedplay says, both at once before they are bridged
// (the parked call's Park waits for the bridge: its media are free).
func courtesy(retriever, parked *pbx.Channel, lot *Lot) {
	if lot.CourtesyTone == "" {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if lot.ParkedPlay&ByCallee != 0 {
			play(parked, lot.CourtesyTone)
		}
	}()
	if lot.ParkedPlay&ByCaller != 0 {
		play(retriever, lot.CourtesyTone)
	}
	<-done
}
