package features

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/manager/managertest"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/pbx/pbxtest"
)

// TestAtxferActions: Atxfer and CancelAtxfer answer as action_atxfer
// and action_cancel_atxfer, and what they queue on the channel is read
// back as its own digits: the atxfer code and Exten, the atxferabort
// code; Context becomes TRANSFER_CONTEXT. Without an atxfer code
// (features.conf's default) Atxfer refuses.
func TestAtxferActions(t *testing.T) {
	var cfg atomic.Pointer[Config]
	cfg.Store(Defaults())
	m := New(Options{Config: cfg.Load})
	eng := pbx.New(pbx.Config{})
	ch := pbxtest.NewPhone(media.ULaw).NewChannel(eng, "6000", "work", "100")
	t.Cleanup(func() { ch.Hangup(pbx.CauseNormalClearing) })
	mgr := managertest.Start(t, eng)
	if err := m.RegisterAMI(mgr, eng); err != nil {
		t.Fatal(err)
	}
	cl := managertest.Dial(t, mgr)
	digits := func() string {
		var s string
		for {
			d, err := ch.WaitDigit(100 * time.Millisecond)
			if err != nil || d == 0 {
				return s
			}
			s += string(d)
		}
	}
	ok := func(msg string) string { return "Response: Success\r\nMessage: " + msg + "\r\n" }
	bad := func(msg string) string { return "Response: Error\r\nMessage: " + msg + "\r\n" }
	for _, tc := range []struct {
		name    string
		atxfer  string // features.conf's atxfer
		lines   []string
		want    string
		queued  string
		context string
	}{
		{"no channel", "*2", []string{"Action: Atxfer", "Exten: 6002"}, bad("No channel specified"), "", ""},
		{"no exten", "*2", []string{"Action: Atxfer", "Channel: " + ch.Name()}, bad("No extension specified"), "", ""},
		{"unknown channel", "*2", []string{"Action: Atxfer", "Channel: SIP/nobody-1", "Exten: 6002"}, bad("Channel specified does not exist"), "", ""},
		{"no code", "", []string{"Action: Atxfer", "Channel: " + ch.Name(), "Exten: 6002"}, bad("No attended transfer feature code found"), "", ""},
		{"queued", "*2", []string{"Action: Atxfer", "Channel: " + ch.Name(), "Exten: 6002", "Context: xfer"}, ok("Atxfer successfully queued"), "*26002", "xfer"},
		{"cancel no channel", "*2", []string{"Action: CancelAtxfer"}, bad("No channel specified"), "", ""},
		{"cancel unknown", "*2", []string{"Action: CancelAtxfer", "Channel: SIP/nobody-1"}, bad("Channel specified does not exist"), "", ""},
		{"cancel", "*2", []string{"Action: CancelAtxfer", "Channel: " + ch.Name()}, ok("CancelAtxfer successfully queued"), "*1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Defaults()
			c.FeatureMap.AtXfer = tc.atxfer
			cfg.Store(c)
			ch.SetVar("TRANSFER_CONTEXT", "")
			if got := cl.Do(tc.lines...); got != tc.want {
				t.Errorf("answer %q, want %q", got, tc.want)
			}
			if got := digits(); got != tc.queued {
				t.Errorf("queued %q, want %q", got, tc.queued)
			}
			if v, _ := ch.Var("TRANSFER_CONTEXT"); v != tc.context {
				t.Errorf("TRANSFER_CONTEXT %q, want %q", v, tc.context)
			}
		})
	}
}
