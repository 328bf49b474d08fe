package apps

// noEarlyBridgeOpts are the Dial options after which the core must see the
// call's media or digits once bridged (feature codes h H t T w W k K, the
// announcement A, the callee's macro M and subroutine U): app_dial's
// CAN_EARLY_BRIDGE refuses an early bridge with any of them.
const noEarlyBridgeOpts = "hHtTwWkKAMU"

// canEarlyBridge reports whether Dial lets the driver bridge the media
// early (pbx.WithEarlyBridge: chan_sip's directrtpsetup): one destination
// only, and none of noEarlyBridgeOpts.
func canEarlyBridge(destinations int, opts map[byte]string) bool {
	if destinations != 1 {
		return false
	}
	for i := 0; i < len(noEarlyBridgeOpts); i++ {
		if _, ok := opts[noEarlyBridgeOpts[i]]; ok {
			return false
		}
	}
	return true
}
