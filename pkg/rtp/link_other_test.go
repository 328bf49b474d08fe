//go:build !linux

package rtp

// waitLinked reports whether l's socket got connected to its source:
// never outside Linux.
func waitLinked(l *Leg) bool { return false }
