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
