package moh_test

import (
	"context"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/bridge"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// A bridged party that puts the call on hold makes the other one hear the
// class's music, in its own format; unhold stops it.
func TestHoldInBridge(t *testing.T) {
	l := newLab(t, defaultConf)
	bridge.Install(l.eng, bridge.Options{HoldMusic: l.m.HoldMusic})
	pa, pb := pbxtest.NewPhone(media.ULaw), pbxtest.NewPhone(media.ALaw)
	ca := pa.NewChannel(l.eng, "a", "default", "s")
	cb := pb.NewChannel(l.eng, "b", "default", "s")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = l.eng.Bridge(ctx, ca, cb)
	}()
	defer func() {
		cancel()
		ca.Hangup(pbx.CauseNormalClearing)
		cb.Hangup(pbx.CauseNormalClearing)
		<-done
	}()
	deadline := time.Now().Add(2 * time.Second)
	for (ca.BridgeID() == "" || cb.BridgeID() == "") && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}

	mark := len(voice(pb))
	ca.Held("blues") // a class nobody configured: default, after the warning
	if !pb.WaitHeard(len(pb.Heard())+20, 3*time.Second) {
		t.Fatal("b heard no music on hold")
	}
	heard := voice(pb)[mark:]
	if off := offsetIn(encode(fileFrames(t, 200), media.LinearToALaw), heard[:15]); off < 0 {
		t.Fatal("what b heard on hold is not the first music file in A-law")
	}
	ca.Unheld()
	deadline = time.Now().Add(2 * time.Second)
	for cb.GeneratorActive() && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	if cb.GeneratorActive() {
		t.Fatal("music still plays after unhold")
	}
	l.log.has(t,
		"WARNING: Music on Hold class 'blues' not found in memory. Verify your configuration.",
		"    -- Started music on hold, class 'default', on channel 'Test/b-00000001'",
		"    -- Stopped music on hold on Test/b-00000001")
}
