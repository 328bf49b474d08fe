package manager

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/dialplan"
)

// TestExtensionStateList: every hint but the pattern ones, with the
// state its devices give now, as ExtensionStatus items; ExtensionState
// for one.
func TestExtensionStateList(t *testing.T) {
	ext, diags := confparse.Parse("extensions.conf", []byte(`[internal]
exten => 201,hint,Custom:a201
exten => 202,hint,Custom:a202&Custom:b202
exten => _3XX,hint,Custom:p${EXTEN}
[other]
exten => 201,hint,Custom:o201
`), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ext, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	l := newLabWith(t, testConf, pbx.Config{Plan: func() pbx.Plan { return pbx.FromDialplan(dp) }})
	l.eng.SetCustomDeviceState("a201", pbx.DeviceInUse)
	l.eng.SetCustomDeviceState("a202", pbx.DeviceNotInUse)
	l.eng.SetCustomDeviceState("b202", pbx.DeviceRinging)
	l.eng.SetCustomDeviceState("o201", pbx.DeviceUnavailable)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: ExtensionStateList", "ActionID: x")
	var got []string
	for {
		s := c.must()
		if !strings.Contains(s, "ActionID: x\r\n") { // FullyBooted, SuccessfulAuth
			continue
		}
		got = append(got, s)
		if strings.Contains(s, "EventList: Complete") {
			break
		}
	}
	want := []string{
		"Response: Success\r\nActionID: x\r\nEventList: start\r\nMessage: Extension Statuses will follow\r\n",
		"Event: ExtensionStatus\r\nActionID: x\r\nExten: 201\r\nContext: internal\r\nHint: Custom:a201\r\nStatus: 1\r\nStatusText: InUse\r\n",
		"Event: ExtensionStatus\r\nActionID: x\r\nExten: 202\r\nContext: internal\r\nHint: Custom:a202&Custom:b202\r\nStatus: 8\r\nStatusText: Ringing\r\n",
		"Event: ExtensionStatus\r\nActionID: x\r\nExten: 201\r\nContext: other\r\nHint: Custom:o201\r\nStatus: 4\r\nStatusText: Unavailable\r\n",
		"Event: ExtensionStateListComplete\r\nActionID: x\r\nEventList: Complete\r\nListItems: 3\r\n",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ExtensionStateList:\n%q\nwant\n%q", got, want)
	}
	c.send("Action: ExtensionState", "Exten: 202", "Context: internal", "ActionID: y")
	if got, want := c.resp(), "Response: Success\r\nActionID: y\r\nMessage: Extension Status\r\nExten: 202\r\nContext: internal\r\nHint: Custom:a202&Custom:b202\r\nStatus: 8\r\nStatusText: Ringing\r\n"; got != want {
		t.Errorf("ExtensionState: %q, want %q", got, want)
	}
}

// TestIdentityEventsOnTheWire: NewCallerid, NewConnectedLine and
// NewAccountCode reach a client with the snapshot block showing the new
// values and their own lines after it.
func TestIdentityEventsOnTheWire(t *testing.T) {
	l := newLab(t, testConf)
	c := l.dial()
	c.login("admin", "s3cret")
	ch := l.eng.NewChannel(pbx.ChannelSpec{Tech: "SIP", Resource: "6001", CallerID: pbx.CallerID{Num: "6001"}})
	defer ch.Hangup(pbx.CauseNormalClearing)
	ch.SetCallerID(pbx.CallerID{Num: "6002", Name: "Bob"})
	ch.SetConnected(pbx.CallerID{Num: "100"})
	ch.SetAccountCode("acme")
	for _, tc := range []struct{ event, has, last string }{
		{"NewCallerid", "CallerIDNum: 6002\r\nCallerIDName: Bob\r\n", "CID-CallingPres: 0 (Presentation Allowed, Not Screened)\r\n"},
		{"NewConnectedLine", "ConnectedLineNum: 100\r\n", "Linkedid: " + ch.LinkedID() + "\r\n"},
		{"NewAccountCode", "AccountCode: acme\r\n", "OldAccountCode: \r\n"},
	} {
		got := c.until("Event: " + tc.event + "\r\n")
		if !strings.Contains(got, "Channel: "+ch.Name()+"\r\n") || !strings.Contains(got, tc.has) || !strings.HasSuffix(got, tc.last) {
			t.Errorf("%s:\n%s", tc.event, got)
		}
	}
}

func TestDeviceStateList(t *testing.T) {
	ext, diags := confparse.Parse("extensions.conf", []byte(`[internal]
exten => 201,hint,Custom:a201&SIP/201
exten => _3XX,hint,Custom:p${EXTEN}
`), confparse.Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dp, diags := dialplan.Build(ext, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	l := newLabWith(t, testConf, pbx.Config{Plan: func() pbx.Plan { return pbx.FromDialplan(dp) }})
	l.eng.SetCustomDeviceState("a201", pbx.DeviceInUse)
	l.eng.SetCustomDeviceState("dnd", pbx.DeviceBusy)
	c := l.dial()
	c.login("admin", "s3cret")
	c.send("Action: DeviceStateList", "ActionID: d")
	var got []string
	for {
		s := c.must()
		if !strings.Contains(s, "ActionID: d\r\n") {
			continue
		}
		got = append(got, s)
		if strings.Contains(s, "EventList: Complete") {
			break
		}
	}
	want := []string{
		"Response: Success\r\nActionID: d\r\nEventList: start\r\nMessage: Device State Changes will follow\r\n",
		"Event: DeviceStateChange\r\nActionID: d\r\nDevice: Custom:a201\r\nState: INUSE\r\n",
		"Event: DeviceStateChange\r\nActionID: d\r\nDevice: Custom:dnd\r\nState: BUSY\r\n",
		"Event: DeviceStateChange\r\nActionID: d\r\nDevice: SIP/201\r\nState: INVALID\r\n",
		"Event: DeviceStateListComplete\r\nActionID: d\r\nEventList: Complete\r\nListItems: 3\r\n",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
