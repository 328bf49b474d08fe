package pbx

import "testing"

func TestBusDeliversOnlyTheTypesASubscriberReads(t *testing.T) {
	var b Bus
	if b.Wants(BusVarSet) || b.Active() {
		t.Fatal("an empty bus wants events")
	}
	states := b.SubscribeTo(BusNewstate, BusHangup)
	if !b.Wants(BusNewstate) || b.Wants(BusVarSet) {
		t.Fatalf("Wants with a Newstate/Hangup subscriber: Newstate %v VarSet %v", b.Wants(BusNewstate), b.Wants(BusVarSet))
	}
	for _, typ := range []BusEventType{BusNewstate, BusVarSet, BusHangup, "QueueMemberStatus"} {
		b.Publish(BusEvent{Type: typ})
	}
	all := b.Subscribe()
	if !b.Wants(BusVarSet) || !b.Wants("ConfbridgeJoin") {
		t.Fatal("a subscriber of every type does not make the bus want every type")
	}
	b.Publish(BusEvent{Type: BusVarSet})
	b.Publish(BusEvent{Type: BusHangup})

	tests := []struct {
		name string
		sub  *Subscription
		want []BusEventType
	}{
		{"filtered", states, []BusEventType{BusNewstate, BusHangup, BusHangup}},
		{"every type", all, []BusEventType{BusVarSet, BusHangup}},
	}
	for _, tc := range tests {
		var got []BusEventType
		for _, ev := range tc.sub.Take() {
			got = append(got, ev.Type)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				break
			}
		}
	}
	all.Close()
	if b.Wants(BusVarSet) || !b.Wants(BusHangup) {
		t.Fatal("closing the every-type subscriber left the bus wanting VarSet, or lost Hangup")
	}
	states.Close()
	if b.Active() {
		t.Fatal("the bus is active with no subscriber")
	}
}

func TestBusQueueDropsTheOldestWhenFull(t *testing.T) {
	var b Bus
	s := b.SubscribeTo(BusVarSet)
	for i := 0; i < subscriberQueueMax+10; i++ {
		b.Publish(BusEvent{Type: BusVarSet, Cause: i})
	}
	evs := s.Take()
	if s.Dropped() == 0 || uint64(len(evs))+s.Dropped() != subscriberQueueMax+10 {
		t.Fatalf("kept %d, dropped %d of %d", len(evs), s.Dropped(), subscriberQueueMax+10)
	}
	if last := evs[len(evs)-1].Cause; last != subscriberQueueMax+9 {
		t.Fatalf("the newest event kept is %d, want %d", last, subscriberQueueMax+9)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Cause != evs[i-1].Cause+1 {
			t.Fatalf("events out of order at %d: %d after %d", i, evs[i].Cause, evs[i-1].Cause)
		}
	}
}
