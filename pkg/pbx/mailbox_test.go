package pbx

import "testing"

type fixedBoxes map[string]MailboxCounts

func (f fixedBoxes) MailboxCounts(mb string) (MailboxCounts, bool) {
	c, ok := f[mb]
	return c, ok
}

// TestContextMailboxProvider: a context's provider answers its mailboxes
// ahead of the voicemail module, which keeps every other context.
func TestContextMailboxProvider(t *testing.T) {
	e := New(Config{})
	e.SetMailboxProvider(fixedBoxes{"6000@default": {New: 1}, "1234@SIP_Remote": {New: 9}})
	e.SetContextMailboxProvider("SIP_Remote", fixedBoxes{"1234@SIP_Remote": {New: 2, Old: 1}, "1234@sip_remote": {New: 3}})
	tests := []struct {
		mb   string
		want MailboxCounts
		ok   bool
	}{
		{"6000@default", MailboxCounts{New: 1}, true},
		{"1234@SIP_Remote", MailboxCounts{New: 2, Old: 1}, true},
		{"1234@sip_remote", MailboxCounts{New: 3}, true},
		{"9999@SIP_Remote", MailboxCounts{}, false},
		{"6001", MailboxCounts{}, false},
	}
	for _, tt := range tests {
		got, ok := e.MailboxCounts(tt.mb)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MailboxCounts(%q) = %+v, %v; want %+v, %v", tt.mb, got, ok, tt.want, tt.ok)
		}
	}
	e.SetContextMailboxProvider("sip_remote", nil)
	if got, _ := e.MailboxCounts("1234@SIP_Remote"); got.New != 9 {
		t.Errorf("after removal: %+v, want the voicemail module's", got)
	}
}
