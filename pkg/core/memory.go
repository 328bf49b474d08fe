package core

import (
	"runtime/debug"
)

// defaultGCPercent is the collector's target when the operator has not
// chosen one. Go's default (100) lets the heap grow to twice what is live
// before collecting; for a daemon whose live heap is mostly its
// configuration (about 1 KB per peer) and whose traffic is small
// short-lived messages, that doubles the resident size for little gain.
// At 50 the heap stays within 1.5x of the live set: with 10,000 peers
// and 1,000 REGISTER/s that is the difference between about 61 and 51 MB
// resident, for a few percent more CPU at the highest rates (bench/).
const defaultGCPercent = 50

// tuneMemory applies defaultGCPercent unless GOGC or GOMEMLIMIT says
// otherwise: an operator who sets either has made the trade-off already.
func tuneMemory(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(defaultGCPercent)
}

// releaseMemory hands back to the system the garbage that loading a
// configuration leaves (parse trees, the old snapshot): it is the
// largest the heap gets at start-up and after a reload, and without this
// the pages stay resident until the background scavenger gets to them.
func releaseMemory() { debug.FreeOSMemory() }
