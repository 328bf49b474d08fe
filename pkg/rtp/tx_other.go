//go:build !linux

package rtp

import "net/netip"

// txRing is Linux's batched send ring; elsewhere pacers send one packet
// at a time.
type txRing struct{}

func openTxRing() *txRing { return nil }

func (r *txRing) close() {}

func (r *txRing) queue(*Session, []byte, *netip.AddrPort) bool { return false }

func (r *txRing) flush() {}

func (r *txRing) busy() bool { return false }
