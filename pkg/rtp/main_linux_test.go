package rtp

import (
	"os"
	"testing"
	"time"
)

// TestMain shortens how long idle engines linger, so a test waiting for
// the engines of earlier ones to stop (to choose the loop they run) does
// not wait the production 5 s; tests of the linger set their own. RTCP
// ports bind at once, for the tests that talk RTCP to a leg at its start.
func TestMain(m *testing.M) {
	engineLinger = 100 * time.Millisecond
	sessLinger = 100 * time.Millisecond
	rtcpBindDelay = 0
	os.Exit(m.Run())
}
