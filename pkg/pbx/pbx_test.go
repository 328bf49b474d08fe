package pbx

import (
	"bytes"
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

func TestCauseSIPMapping(t *testing.T) {
	tests := []struct {
		cause  int
		name   string
		text   string
		toSIP  int
		fromIn int // a SIP code that maps back to cause, 0 to skip
	}{
		{1, "UNALLOCATED", "Unallocated (unassigned) number", 404, 404},
		{3, "NO_ROUTE_DESTINATION", "No route to destination", 404, 420},
		{16, "NORMAL_CLEARING", "Normal Clearing", 0, 0},
		{17, "USER_BUSY", "User busy", 486, 486},
		{18, "NO_USER_RESPONSE", "No user responding", 408, 408},
		{19, "NO_ANSWER", "User alerting, no answer", 480, 480},
		{20, "SUBSCRIBER_ABSENT", "Subscriber absent", 480, 0},
		{21, "CALL_REJECTED", "Call Rejected", 403, 403},
		{28, "INVALID_NUMBER_FORMAT", "Invalid number format", 484, 484},
		{34, "NORMAL_CIRCUIT_CONGESTION", "Circuit/channel congestion", 503, 503},
		{38, "NETWORK_OUT_OF_ORDER", "Network out of order", 500, 500},
		{41, "NORMAL_TEMPORARY_FAILURE", "Temporary failure", 503, 409},
		{42, "SWITCH_CONGESTION", "Switching equipment congestion", 503, 0},
		{58, "BEARERCAPABILITY_NOTAVAIL", "Bearer capability not available", 488, 488},
		{88, "INCOMPATIBLE_DESTINATION", "Incompatible destination", 488, 0},
		{127, "INTERWORKING", "Interworking, unspecified", 500, 481},
	}
	for _, tc := range tests {
		if got := CauseName(tc.cause); got != tc.name {
			t.Errorf("CauseName(%d) = %q, want %q", tc.cause, got, tc.name)
		}
		if got := CauseText(tc.cause); got != tc.text {
			t.Errorf("CauseText(%d) = %q, want %q", tc.cause, got, tc.text)
		}
		code, _, ok := SIPFromCause(tc.cause)
		if tc.toSIP == 0 && ok || tc.toSIP != 0 && code != tc.toSIP {
			t.Errorf("SIPFromCause(%d) = %d %v, want %d", tc.cause, code, ok, tc.toSIP)
		}
		if tc.fromIn != 0 {
			if got := CauseFromSIP(tc.fromIn); got != tc.cause {
				t.Errorf("CauseFromSIP(%d) = %d, want %d", tc.fromIn, got, tc.cause)
			}
		}
		if got, ok := ParseCause(tc.name); !ok || got != tc.cause {
			t.Errorf("ParseCause(%q) = %d %v", tc.name, got, ok)
		}
	}
	if CauseFromSIP(599) != CauseCongestion || CauseFromSIP(499) != CauseInterworking {
		t.Error("default SIP ranges")
	}
}

func TestHelpers(t *testing.T) {
	for s, want := range map[string]bool{"": false, "0": false, " 0": false, "1": true, "-2": true, "abc": true, "0abc": false, "12x": true} {
		if CheckCondition(s) != want {
			t.Errorf("CheckCondition(%q) != %v", s, want)
		}
	}
	split := map[string][]string{
		"SIP/6000,20,tr":        {"SIP/6000", "20", "tr"},
		`a,"b,c",d\,e`:          {"a", "b,c", "d,e"},
		"x,CUT(a,b,c),$[1,2],y": {"x", "CUT(a,b,c)", "$[1,2]", "y"},
		"":                      {""},
	}
	for in, want := range split {
		if got := SplitArgs(in, ','); !slices.Equal(got, want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", in, got, want)
		}
	}
	ts := time.Date(2024, 3, 5, 7, 8, 9, 123456789, time.UTC)
	if got := Strftime(ts, "%Y-%m-%d %H:%M:%S.%3q %a %b %e %j %%"); got != "2024-03-05 07:08:09.123 Tue Mar  5 065 %" {
		t.Errorf("Strftime = %q", got)
	}
	for in, want := range map[string][2]string{`"Jean" <0612>`: {"Jean", "0612"}, "0612": {"", "0612"}, "Jean": {"Jean", ""}} {
		if n, u := ParseCallerID(in); n != want[0] || u != want[1] {
			t.Errorf("ParseCallerID(%q) = %q %q", in, n, u)
		}
	}
}

type stubTech struct {
	typ, desc string
	f         TechFeatures
}

func (s stubTech) Type() string           { return s.typ }
func (s stubTech) Description() string    { return s.desc }
func (s stubTech) Features() TechFeatures { return s.f }
func (s stubTech) Request(context.Context, string, *Channel) (*Channel, error) {
	return nil, &RequestError{Cause: CauseChanNotImplemented}
}

func TestShowChannelTypes(t *testing.T) {
	e := New(Config{})
	// Asterisk prints the most recently registered driver first.
	for _, s := range []stubTech{
		{"Surrogate", "Surrogate channel used to pull channel from an application", TechFeatures{}},
		{"Local", "Local Proxy Channel Driver", TechFeatures{DeviceState: true, Indications: true}},
		{"SIP", "Session Initiation Protocol (SIP)", TechFeatures{true, false, true, true}},
		{"MGCP", "Media Gateway Control Protocol (MGCP)", TechFeatures{DeviceState: true, Indications: true}},
		{"MulticastRTP", "Multicast RTP Paging Channel Driver", TechFeatures{}},
		{"UnicastRTP", "Unicast RTP Media Channel Driver", TechFeatures{}},
		{"AudioSocket", "AudioSocket Channel Driver", TechFeatures{}},
		{"Announcer", "Bridge Media Announcing Channel Driver", TechFeatures{Indications: true}},
		{"Recorder", "Bridge Media Recording Channel Driver", TechFeatures{Indications: true}},
	} {
		if err := e.RegisterTechnology(s); err != nil {
			t.Fatal(err)
		}
	}
	if e.RegisterTechnology(stubTech{typ: "sip"}) == nil {
		t.Error("duplicate technology accepted")
	}
	reg := cli.NewRegistry()
	if err := RegisterCLI(reg, e); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := reg.Execute(nil, "core show channeltypes", &b); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/core-show-channeltypes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
}

func TestGlobalsAndCLI(t *testing.T) {
	e := New(Config{})
	e.ReplaceGlobals([]Global{{"A", "1"}, {"B", "2"}})
	reg := cli.NewRegistry()
	if err := RegisterCLI(reg, e); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = reg.Execute(nil, "dialplan set global C 3", &b)
	_ = reg.Execute(nil, "dialplan show globals", &b)
	_ = reg.Execute(nil, "core show channels count", &b)
	want := "\n    -- Global variable 'C' set to '3'\n   C=3\n   B=2\n   A=1\n\n    -- 3 variable(s)\n0 active channels\n0 active calls\n0 calls processed\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

func TestChannelNamingAndHangup(t *testing.T) {
	e := New(Config{})
	a := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6001"})
	b := e.NewChannel(ChannelSpec{Tech: "SIP", Resource: "6000", Requestor: a})
	if a.Name() != "SIP/6001-00000000" || b.Name() != "SIP/6000-00000001" {
		t.Errorf("names %s %s", a.Name(), b.Name())
	}
	if b.LinkedID() != a.UniqueID() || a.UniqueID() == b.UniqueID() {
		t.Errorf("ids a=%s b=%s linked=%s", a.UniqueID(), b.UniqueID(), b.LinkedID())
	}
	if c, ok := e.FindChannel("sip/6000"); !ok || c != b {
		t.Error("prefix lookup failed")
	}
	b.HungUp(CauseUserBusy)
	b.Hangup(CauseNormalClearing)
	if b.HangupCause() != CauseUserBusy || b.CDR().Disposition != "BUSY" || len(e.Channels()) != 1 {
		t.Errorf("cause %d disposition %q channels %d", b.HangupCause(), b.CDR().Disposition, len(e.Channels()))
	}
	if StateDialingOffhook.String() != "Dialing Offhook" || StatePreRing.String() != "Pre-ring" || StateReserved.String() != "Rsrvd" {
		t.Error("state names")
	}
}
