package apps

import (
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// AtxferCode returns the DTMF code of features.conf's atxfer for ch (""
// when none). The daemon sets it from the features module; nil means no
// features.conf, and the default code *2 is not assumed either (Asterisk's
// atxfer has no default code).
var AtxferCode func(ch *pbx.Channel) string

var blindTransferApp = &pbx.App{
	Name:     "BlindTransfer",
	Synopsis: "Blind transfer channel(s) to the extension and context provided",
	Syntax:   "BlindTransfer(exten[,context])",
	Description: "Redirect all channels currently bridged to the caller channel to the specified destination.\n\n" +
		"The result of the application will be reported in the BLINDTRANSFERSTATUS channel variable:\n" +
		"SUCCESS - Transfer succeeded.\nFAILURE - Transfer failed.\nINVALID - Transfer invalid.\nNOTPERMITTED - Transfer not permitted.",
	Arguments: "exten - Specify extension.\ncontext - Optionally specify a context. By default, Asterisk will use the caller channel context.",
	Exec:      blindTransfer,
}

func blindTransfer(ch *pbx.Channel, data string) (pbx.Result, error) {
	set := func(s string) (pbx.Result, error) {
		ch.SetVar("BLINDTRANSFERSTATUS", s)
		return pbx.Continue, nil
	}
	if strings.TrimSpace(data) == "" {
		ch.Engine().Log().Warning("BlindTransfer requires an argument (exten)\n")
		return set("FAILURE")
	}
	args := pbx.SplitArgs(data, ',')
	exten := strings.TrimSpace(args[0])
	dpc, _, _ := ch.Location()
	if len(args) > 1 && strings.TrimSpace(args[1]) != "" {
		dpc = strings.TrimSpace(args[1])
	}
	peer := ch.Peer()
	if peer == nil || ch.BridgeID() == "" {
		// ast_bridge_transfer_blind: the channel is in no bridge.
		return set("INVALID")
	}
	peer.SetVar("BLINDTRANSFER", ch.Name())
	if err := peer.AsyncGoto(dpc, exten, 1); err != nil {
		return set("FAILURE")
	}
	return set("SUCCESS")
}

var attendedTransferApp = &pbx.App{
	Name:     "AttendedTransfer",
	Synopsis: "Attended transfer to the extension provided and TRANSFER_CONTEXT",
	Syntax:   "AttendedTransfer(exten)",
	Description: "Queue up attended transfer to the specified extension in the TRANSFER_CONTEXT.\n\n" +
		"Note that the attended transfer only work when two channels have answered and are bridged together.\n\n" +
		"Make sure to set Attended Transfer DTMF feature atxfer and attended transfer is permitted.\n\n" +
		"The result of the application will be reported in the ATTENDEDTRANSFERSTATUS channel variable:\n" +
		"SUCCESS - Transfer successfully queued.\nFAILURE - Transfer failed.\nNOTPERMITTED - Transfer not permitted.",
	Arguments: "exten - Specify extension.",
	Exec:      attendedTransfer,
}

// attendedTransfer queues the atxfer code, the extension and # on the
// channel's read side, as app_attended_transfer does: the bridge's DTMF
// features then run the attended transfer as if the keys were pressed.
func attendedTransfer(ch *pbx.Channel, data string) (pbx.Result, error) {
	set := func(s string) (pbx.Result, error) {
		ch.SetVar("ATTENDEDTRANSFERSTATUS", s)
		return pbx.Continue, nil
	}
	exten := strings.TrimSpace(pbx.SplitArgs(data, ',')[0])
	if exten == "" {
		ch.Engine().Log().Warning("AttendedTransfer requires an argument (exten)\n")
		return set("FAILURE")
	}
	if v, _ := ch.Var("TRANSFER_CONTEXT"); v == "" {
		return set("NOTPERMITTED")
	}
	code := ""
	if AtxferCode != nil {
		code = AtxferCode(ch)
	}
	if code == "" {
		return set("NOTPERMITTED")
	}
	for _, d := range code + exten + "#" {
		ch.InjectFrame(media.Frame{Kind: media.DTMFEnd, Digit: d, Duration: 100 * time.Millisecond})
	}
	return set("SUCCESS")
}
