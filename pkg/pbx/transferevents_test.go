package pbx

import (
	"strings"
	"testing"
)

// TestPublishBlindTransfer: BlindTransfer's lines in Asterisk's order
// (snapshot blocks as placeholders the manager fills), IsExternal from
// the caller, and nothing built without a reader.
func TestPublishBlindTransfer(t *testing.T) {
	e := New(Config{})
	a := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6000"})
	b := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
	e.PublishBlindTransfer(a, b, "br-1", "work", "7300", false) // nobody reads: dropped
	sub := e.Bus().SubscribeTo(BusBlindTransfer)
	defer sub.Close()
	e.PublishBlindTransfer(a, b, "br-1", "work", "7300", true)
	e.PublishBlindTransfer(a, nil, "", "work", "7301", false)
	evs := sub.Take()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	line := func(ev BusEvent) string {
		var out []string
		for _, f := range ev.Fields {
			if f.Channel != nil {
				out = append(out, f.Key+"=<"+f.Channel.Name()+">")
				continue
			}
			out = append(out, f.Key+"="+f.Value)
		}
		return strings.Join(out, " ")
	}
	want := []string{
		"Result=Success Transferer=<" + a.Name() + "> Transferee=<" + b.Name() + "> BridgeUniqueid=br-1 BridgeType=basic " +
			"BridgeTechnology=simple_bridge BridgeCreator=<unknown> BridgeName=<unknown> BridgeNumChannels=2 " +
			"BridgeVideoSourceMode=none IsExternal=Yes Context=work Extension=7300",
		"Result=Success Transferer=<" + a.Name() + "> IsExternal=No Context=work Extension=7301",
	}
	for i, ev := range evs {
		if got := line(ev); got != want[i] {
			t.Errorf("event %d:\n%s\nwant\n%s", i, got, want[i])
		}
	}
}
