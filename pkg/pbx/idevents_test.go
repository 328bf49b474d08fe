package pbx

import (
	"testing"
)

// TestIdentityEvents: a change of caller name/number, connected line or
// account code publishes its event once; setting the same value again,
// or changing only fields Asterisk does not compare (RDNIS), does not.
func TestIdentityEvents(t *testing.T) {
	e := New(Config{})
	sub := e.Bus().SubscribeTo(BusNewCallerid, BusNewConnectedLine, BusNewAccountCode)
	defer sub.Close()
	ch := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001", CallerID: CallerID{Num: "6001"}, AccountCode: "acme"})
	for _, tc := range []struct {
		name   string
		change func()
		want   string // event type, "" for none
		field  string // its first field "Key=Value"
	}{
		{"caller number", func() { ch.SetCallerID(CallerID{Num: "6002"}) }, "NewCallerid", "CID-CallingPres=0 (Presentation Allowed, Not Screened)"},
		{"same caller", func() { ch.SetCallerID(CallerID{Num: "6002"}) }, "", ""},
		{"rdnis only", func() { ch.UpdateCallerID(func(id *CallerID) { id.RDNIS = "100" }) }, "", ""},
		{"caller name", func() { ch.UpdateCallerID(func(id *CallerID) { id.Name = "Bob" }) }, "NewCallerid", "CID-CallingPres=0 (Presentation Allowed, Not Screened)"},
		{"connected", func() { ch.SetConnected(CallerID{Num: "100", Name: "Desk"}) }, "NewConnectedLine", ""},
		{"same connected", func() { ch.SetConnected(CallerID{Num: "100", Name: "Desk"}) }, "", ""},
		{"account code", func() { ch.SetAccountCode("widgets") }, "NewAccountCode", "OldAccountCode=acme"},
		{"same account code", func() { ch.SetAccountCode("widgets") }, "", ""},
	} {
		tc.change()
		evs := sub.Take()
		got, field := "", ""
		if len(evs) > 1 {
			t.Errorf("%s: %d events", tc.name, len(evs))
		}
		if len(evs) > 0 {
			got = string(evs[0].Type)
			if evs[0].Channel != ch {
				t.Errorf("%s: event about %v", tc.name, evs[0].Channel)
			}
			if len(evs[0].Fields) > 0 {
				field = evs[0].Fields[0].Key + "=" + evs[0].Fields[0].Value
			}
		}
		if got != tc.want || field != tc.field {
			t.Errorf("%s: event %q %q, want %q %q", tc.name, got, field, tc.want, tc.field)
		}
	}
}
