package manager

import (
	"testing"

	"github.com/gostrisk/gostrisk/pkg/funcs"
)

// presenceDB is an astdb with one family/key map.
type presenceDB map[string]string

func (d presenceDB) Get(f, k string) (string, bool)   { v, ok := d[f+"/"+k]; return v, ok }
func (d presenceDB) Put(f, k, v string) error         { d[f+"/"+k] = v; return nil }
func (d presenceDB) Del(f, k string) error            { delete(d, f+"/"+k); return nil }
func (d presenceDB) DelTree(f, s string) (int, error) { return 0, nil }

func TestPresenceState(t *testing.T) {
	l := newLab(t, testConf)
	l.m.opts.DB = presenceDB{
		funcs.CustomPresenceFamily + "/bob":   "away,lunch,back at 2",
		funcs.CustomPresenceFamily + "/carol": "dnd",
		funcs.CustomPresenceFamily + "/bad":   "nonsense",
	}
	c := l.dial()
	c.login("admin", "s3cret")
	for _, tc := range []struct{ provider, want string }{
		{"CustomPresence:bob", "Response: Success\r\nActionID: p\r\nMessage: Presence State\r\nState: away\r\nSubtype: lunch\r\nMessage: back at 2\r\n"},
		{"CustomPresence:carol", "Response: Success\r\nActionID: p\r\nMessage: Presence State\r\nState: dnd\r\n"},
		{"CustomPresence:nobody", "Response: Success\r\nActionID: p\r\nMessage: Presence State\r\nState: not_set\r\n"},
		{"CustomPresence:bad", "Response: Error\r\nActionID: p\r\nMessage: Invalid provider CustomPresence:bad or provider in invalid state\r\n"},
		{"SIP/6000", "Response: Error\r\nActionID: p\r\nMessage: Invalid provider SIP/6000 or provider in invalid state\r\n"},
		{"", "Response: Error\r\nActionID: p\r\nMessage: No provider specified\r\n"},
	} {
		c.send("Action: PresenceState", "Provider: "+tc.provider, "ActionID: p")
		if got := c.resp(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.provider, got, tc.want)
		}
	}
}
