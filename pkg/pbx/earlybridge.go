package pbx

import "context"

// Early bridging (Asterisk's ast_channel_early_bridge): a channel driver
// may set up the media of an outbound call straight between the caller's
// far end and the callee's (chan_sip's directrtpsetup) only when the
// application dialing says nothing in the core will need that media
// before the bridge. app_dial says so (its CAN_EARLY_BRIDGE) when it
// dials a single destination without options that watch the media or
// the digits; other requesters (Queue, Originate, Page) never do.

type earlyBridgeKey struct{}

// WithEarlyBridge marks the context of a channel request as allowing the
// driver to bridge the media early.
func WithEarlyBridge(ctx context.Context) context.Context {
	return context.WithValue(ctx, earlyBridgeKey{}, true)
}

// EarlyBridgeAllowed reports whether the request's context allows an
// early bridge (see WithEarlyBridge).
func EarlyBridgeAllowed(ctx context.Context) bool {
	ok, _ := ctx.Value(earlyBridgeKey{}).(bool)
	return ok
}
