package pbx

import "testing"

// TestSplitCDRParty: a transfer ends the transferee's record with its old
// party, and the next record names the first channel it is bridged with
// afterwards; a record no transfer started keeps DstChannel empty (the
// driver names the party when it writes it).
func TestSplitCDRParty(t *testing.T) {
	e := New(Config{})
	a := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
	b := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6000"})
	c := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6002"})
	a.setBridge(b, "one")
	if got := a.CDR().DstChannel; got != "" {
		t.Errorf("before any transfer DstChannel = %q, want empty", got)
	}
	a.setBridge(nil, "")
	a.splitCDR(b.Name(), "6000", "work")
	a.setBridge(c, "two")
	a.setBridge(nil, "")
	a.setBridge(b, "three") // only the first bridge after the split counts
	r := a.CDR()
	if len(r.Forks) != 1 || r.Forks[0].DstChannel != b.Name() {
		t.Fatalf("the ended record: %+v", r.Forks)
	}
	if r.DstChannel != c.Name() || r.Dst != "6000" || r.DContext != "work" {
		t.Errorf("the continuing record: DstChannel %q, %s@%s; want %q, 6000@work", r.DstChannel, r.Dst, r.DContext, c.Name())
	}
}

// TestHandedOverCDR: a dialed leg that a transfer hands over to a new
// party (the transferee of a REFER with Replaces) starts its own record
// when its old bridge lets it go: Dial's extension and context, AppDial,
// the new party as dstchannel. A leg not handed over keeps none.
func TestHandedOverCDR(t *testing.T) {
	for _, handed := range []bool{true, false} {
		e := New(Config{})
		caller := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
		caller.SetLocation("work", "6000", 1)
		leg := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6000"})
		target := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6002"})
		leg.SetDialedFrom("work", caller)
		leg.SetState(StateUp)
		if handed {
			leg.SetDatastore(handedOverKey{}, true)
		}
		cdrAfterBridge(leg, caller)
		leg.setBridge(target, "two")
		r := leg.CDR()
		if !handed {
			if leg.OwnsCDR() || r.DstChannel != "" {
				t.Errorf("a leg not handed over: owns %v, %+v", leg.OwnsCDR(), r)
			}
			continue
		}
		if !leg.OwnsCDR() || r.Dst != "6000" || r.DContext != "work" || r.LastApp != "AppDial" || r.LastData != "(Outgoing Line)" ||
			r.DstChannel != target.Name() || r.Answer.IsZero() {
			t.Errorf("the handed-over leg's record: owns %v, %+v", leg.OwnsCDR(), r)
		}
		if leg.Datastore(handedOverKey{}) != nil {
			t.Error("the mark stays after the record started")
		}
	}
}

// TestSetCDRApp: the app SetCDRApp names stays the record's lastapp and
// lastdata whatever runs after it (a parked call retrieved), until the
// record ends; the next record follows the applications again.
func TestSetCDRApp(t *testing.T) {
	e := New(Config{})
	a := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
	a.SetApplication("Dial", "SIP/6000")
	a.SetCDRApp("Park", "default:701")
	a.SetApplication("Wait", "1")
	if r := a.CDR(); r.LastApp != "Park" || r.LastData != "default:701" {
		t.Errorf("locked record: %s(%s), want Park(default:701)", r.LastApp, r.LastData)
	}
	if app, data := a.Application(); app != "Wait" || data != "1" {
		t.Errorf("the channel's application %s(%s), want Wait(1)", app, data)
	}
	a.splitCDR("SIP/6002-1", "6000", "work")
	a.SetApplication("Hangup", "")
	if r := a.CDR(); r.LastApp != "Hangup" {
		t.Errorf("the next record's lastapp %q, want Hangup", r.LastApp)
	}
}
