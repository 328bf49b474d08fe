// Package features is Asterisk's call features (main/features_config.c
// and the bridge's DTMF hooks): features.conf's [general] options (the
// transfer and pickup settings), [featuremap] (blindxfer, atxfer,
// disconnect, parkcall, automon, automixmon), [applicationmap] (a key
// sequence that runs an application) and `features show`.
//
// Dial's t/T, k/K, h/H, w/W, x/X options enable the features for the
// called or the calling party; the frame bridge asks a Detector for each
// DTMF digit a party sends, and the digits that start a feature code
// are held back from the other party until they match or time out
// (featuredigittimeout).
//
// atxfer (atxfer.go) follows Asterisk 18's bridge_basic attended transfer:
// consultation with complete, abort, three-way (threeway.go, a pkg/mixer
// mix listed as a softmix bridge, where the parties' DTMF features work)
// and swap (swap.go) codes, atxfernoanswertimeout, the blond transfer
// with its call backs (blond.go), and swap and three-way pressed while
// the target still rings (ringing.go).
//
// automon and automixmon (recording.go) toggle a Monitor or MixMonitor of
// the presser's peer through those applications, so that this package
// needs no recording code; Options.Recording says whether one runs.
//
// The manager's Atxfer and CancelAtxfer (ami.go) queue the feature codes
// on the channel as its own DTMF, so they run through the same code; a
// completed attended transfer publishes AttendedTransfer, a blind one
// BlindTransfer (pbx.Engine.PublishBlindTransfer).
package features
