package pbx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// newBridgeID returns a random UUID (version 4), the shape of Asterisk's
// bridge ids.
func newBridgeID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:16])
	return string(out[:])
}

// Bridger joins two answered channels for Engine.Bridge. pkg/bridge
// installs the one that relays, translates and plays music on hold; the
// engine's own (drivers' MediaBridger only) serves tests without media.
type Bridger interface {
	Bridge(ctx context.Context, caller, peer *Channel) (BridgeEnd, error)
}

// SetBridger installs the bridge implementation.
func (e *Engine) SetBridger(b Bridger) { e.bridger.Store(&b) }

// NewBridgeID returns a new bridge id in Asterisk's shape.
func NewBridgeID() string { return newBridgeID() }

// SetBridged records which bridge and peer a channel is in (nil, "" when
// it leaves), for the CLI and for BRIDGEPEER.
func (c *Channel) SetBridged(peer *Channel, bridgeID string) { c.setBridge(peer, bridgeID) }

// BridgeEnd says how a bridge ended.
type BridgeEnd int

// Who left the bridge first.
const (
	CallerLeft BridgeEnd = iota + 1
	PeerLeft
	Cancelled
	// CallerInterrupted and PeerInterrupted: Channel.Interrupt took that
	// channel out of the bridge; neither channel was hung up and the
	// interrupted one belongs to whoever interrupted it.
	CallerInterrupted
	PeerInterrupted
)

// Bridge joins two answered channels until one of them hangs up or ctx
// ends. The caller's driver relays media when it implements MediaBridger.
// Bridge does not hang either channel up; it records the other side's
// cause on the one that stayed so the owner hangs it up with it.
func (e *Engine) Bridge(ctx context.Context, caller, peer *Channel) (BridgeEnd, error) {
	end, err := e.bridge(ctx, caller, peer)
	switch end {
	case CallerInterrupted:
		cdrAfterBridge(caller, peer)
		e.adoptRedirected(ctx, caller)
	case PeerInterrupted:
		cdrAfterBridge(peer, caller)
		e.adoptRedirected(ctx, peer)
	}
	return end, err
}

func (e *Engine) bridge(ctx context.Context, caller, peer *Channel) (BridgeEnd, error) {
	if b := e.bridger.Load(); b != nil {
		return (*b).Bridge(ctx, caller, peer)
	}
	id := newBridgeID()
	if k := caller.TakeKeptBridge(); k != "" {
		id = k
	} else if k := peer.TakeKeptBridge(); k != "" {
		id = k
	}
	if mb, ok := caller.Driver().(MediaBridger); ok {
		unbridge, err := mb.BridgeMedia(peer)
		if err != nil {
			return 0, fmt.Errorf("bridge %s with %s: %w", caller.Name(), peer.Name(), err)
		}
		defer unbridge()
	}
	caller.setBridge(peer, id)
	peer.setBridge(caller, id)
	e.log.Verbose(3, "Channel %s joined 'simple_bridge' basic-bridge <%s>\n", peer.Name(), id)
	e.log.Verbose(3, "Channel %s joined 'simple_bridge' basic-bridge <%s>\n", caller.Name(), id)
	var end BridgeEnd
	select {
	case <-caller.Done():
		end = CallerLeft
		e.log.Verbose(3, "Channel %s left 'simple_bridge' basic-bridge <%s>\n", caller.Name(), id)
		if peer.HangupCause() == 0 {
			peer.SetHangupCause(caller.HangupCause())
		}
	case <-peer.Done():
		end = PeerLeft
		e.log.Verbose(3, "Channel %s left 'simple_bridge' basic-bridge <%s>\n", peer.Name(), id)
		if caller.HangupCause() == 0 {
			caller.SetHangupCause(peer.HangupCause())
		}
	case <-caller.Interrupted():
		end = CallerInterrupted
	case <-peer.Interrupted():
		end = PeerInterrupted
	case <-ctx.Done():
		end = Cancelled
	}
	caller.setBridge(nil, "")
	peer.setBridge(nil, "")
	return end, nil
}
