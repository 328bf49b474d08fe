package features

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestRecordingFileName checks the one-touch recordings' names as
// Asterisk builds them, from the presser's TOUCH_* variables, else the
// other party's, else the two parties' ids.
func TestRecordingFileName(t *testing.T) {
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Unix(1700000000, 0) }
	tests := []struct {
		name          string
		rec           recorder
		presser, peer map[string]string
		want, format  string
	}{
		{"mixmonitor ids", autoMixMonitor, nil, nil, "auto-1700000000-Test-a-00000000-Test-b-00000001.wav", "wav"},
		{"monitor ids, no extension", autoMonitor, nil, nil, "auto-1700000000-Test-a-00000000-Test-b-00000001", ""},
		{"mixmonitor variables", autoMixMonitor,
			map[string]string{"TOUCH_MIXMONITOR": "sales/42", "TOUCH_MIXMONITOR_PREFIX": "rec", "TOUCH_MIXMONITOR_FORMAT": "gsm"}, nil,
			"rec-1700000000-sales-42.gsm", "gsm"},
		{"monitor format", autoMonitor, map[string]string{"TOUCH_MONITOR_FORMAT": "gsm"}, nil,
			"auto-1700000000-Test-a-00000000-Test-b-00000001", "gsm"},
		{"the peer's variables when the presser has none", autoMonitor, nil,
			map[string]string{"TOUCH_MONITOR": "x"}, "auto-1700000000-x", ""},
		{"the presser's win", autoMixMonitor, map[string]string{"TOUCH_MIXMONITOR_PREFIX": "p"},
			map[string]string{"TOUCH_MIXMONITOR": "x"}, "p-1700000000-Test-a-00000000-Test-b-00000001.wav", "wav"},
		{"the other recorder's variables are ignored", autoMixMonitor, map[string]string{"TOUCH_MONITOR": "x"}, nil,
			"auto-1700000000-Test-a-00000000-Test-b-00000001.wav", "wav"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := pbx.New(pbx.Config{})
			a := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "a", "default", "s")
			b := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "b", "default", "s")
			for k, v := range tc.presser {
				a.SetVar(k, v)
			}
			for k, v := range tc.peer {
				b.SetVar(k, v)
			}
			got, format := tc.rec.fileName(a, b)
			if got != tc.want || format != tc.format {
				t.Errorf("fileName = %q, %q; want %q, %q", got, format, tc.want, tc.format)
			}
		})
	}
}
