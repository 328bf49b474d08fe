package call

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// portsBurstGap is how long rtp.conf's range must have had a free pair
// for the next refusal to start a new burst, with a new warning.
const portsBurstGap = 10 * time.Second

// portsReport turns refusals for want of an RTP port into one WARNING per
// burst: under overload thousands of calls a second fail the same way, and
// a line per call would bury the one thing the admin needs to know.
type portsReport struct {
	mu   sync.Mutex
	last time.Time // the last refusal
}

// refused records a refusal at now and reports whether it opens a burst.
func (r *portsReport) refused(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := r.last.IsZero() || now.Sub(r.last) >= portsBurstGap
	r.last = now
	return first
}

// noPortsWarning is the WARNING for a full range, naming rtp.conf's
// settings; an admin raises rtpend or finds what else holds the ports.
func noPortsWarning(ex *rtp.ExhaustedError) string {
	if ex.InUse >= ex.Pairs || ex.BindErr == nil {
		return fmt.Sprintf("No RTP port pair free in rtp.conf's range %d-%d (%d pairs in use); raise rtpend or lower the load\n",
			ex.Start, ex.End, ex.InUse)
	}
	// Pairs gostrisk does not hold would not bind: another program has
	// the ports, or the process is out of descriptors.
	return fmt.Sprintf("No RTP port pair free in rtp.conf's range %d-%d (%d of %d pairs in use, binding the others failed: %v); raise rtpend or lower the load\n",
		ex.Start, ex.End, ex.InUse, ex.Pairs, ex.BindErr)
}

// noPorts logs why a leg got no RTP port: a full range once per burst
// (the call itself at verbose level 3), anything else every time.
func (m *Manager) noPorts(what string, err error) {
	var ex *rtp.ExhaustedError
	if !errors.As(err, &ex) {
		m.log.Warning("Unable to allocate RTP for %s: %v\n", what, err)
		return
	}
	if m.ports.refused(time.Now()) {
		m.log.Warning("%s", noPortsWarning(ex))
	}
	m.log.Verbose(3, "Unable to allocate RTP for %s: %v\n", what, err)
}
