package funcs

import (
	"strings"
	"testing"
)

// TestPresenceState: PRESENCE_STATE writes CustomPresence: values to the
// astdb as given and reads them back field by field, base64 with e.
func TestPresenceState(t *testing.T) {
	e, log, db := newEngine(t)
	if err := e.Assign(nil, "PRESENCE_STATE(CustomPresence:bob)", "away,lunch,back at two"); err != nil {
		t.Fatal(err)
	}
	if v, _ := db.Get(CustomPresenceFamily, "bob"); v != "away,lunch,back at two" {
		t.Fatalf("astdb CustomPresence/bob = %q", v)
	}
	if err := e.Assign(nil, "PRESENCE_STATE(CustomPresence:eve)", "DND,"+"bXRn"+","+"aW4gYSBtZWV0aW5n"+",e"); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"${PRESENCE_STATE(CustomPresence:bob,value)}":     "away",
		"${PRESENCE_STATE(CustomPresence:bob,subtype)}":   "lunch",
		"${PRESENCE_STATE(CustomPresence:bob,message)}":   "back at two",
		"${PRESENCE_STATE(CustomPresence:bob,message,e)}": "YmFjayBhdCB0d28=",
		"${PRESENCE_STATE(CustomPresence:eve,value)}":     "dnd",
		"${PRESENCE_STATE(CustomPresence:eve,message)}":   "in a meeting",
		"${PRESENCE_STATE(CustomPresence:nobody,value)}":  "not_set",
	} {
		if got := e.Substitute(nil, in); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
	for _, tc := range []struct{ fn, value, warn string }{
		{"PRESENCE_STATE(SIP/6000)", "away", "can only set CustomPresence:"},
		{"PRESENCE_STATE(CustomPresence:x)", "sleepy", "Invalid arguments to PRESENCE_STATE"},
		{"PRESENCE_STATE(CustomPresence:x)", "away,a,b,z", "Invalid arguments to PRESENCE_STATE"},
	} {
		err := e.Assign(nil, tc.fn, tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.warn) {
			t.Errorf("Set(%s=%s): %v, want %q", tc.fn, tc.value, err, tc.warn)
		}
	}
	_ = log
}
