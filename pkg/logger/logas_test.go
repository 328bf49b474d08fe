package logger

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLogAs: a line logged with an explicit origin carries that origin in
// every shape instead of the Go caller's, and goes only where logger.conf
// routes its level.
func TestLogAs(t *testing.T) {
	const msg = `SecurityEvent="ChallengeSent",Service="SIP"`
	for _, tc := range []struct {
		name, conf        string
		console, messages string // expected text, "" = nothing
	}{
		{
			name:     "security to messages only (the sample)",
			conf:     "[logfiles]\nconsole => notice,warning,error,verbose\nmessages => notice,warning,error,security\n",
			messages: "[Nov  2 11:49:18] SECURITY[1629] res_security_log.c: " + msg + "\n",
		},
		{
			name:     "security on the console too",
			conf:     "[logfiles]\nconsole => security\nmessages => security\n",
			console:  "[Nov  2 11:49:18] SECURITY[1629]: res_security_log.c:114 security_event_stasis_cb: " + msg + "\n",
			messages: "[Nov  2 11:49:18] SECURITY[1629] res_security_log.c: " + msg + "\n",
		},
		{
			name:     "plain formatter",
			conf:     "[logfiles]\nmessages => [plain]security\n",
			messages: "[Nov  2 11:49:18] SECURITY[1629]: res_security_log.c:114 security_event_stasis_cb: " + msg + "\n",
		},
		{
			name:     "every level",
			conf:     "[logfiles]\nmessages => *\n",
			messages: "[Nov  2 11:49:18] SECURITY[1629] res_security_log.c: " + msg + "\n",
		},
		{
			name: "security routed nowhere",
			conf: "[logfiles]\nconsole => notice,warning,error,verbose\nmessages => notice,warning,error\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, dir := newTest(t, tc.conf, nil)
			var con consoleSink
			defer l.Subscribe(nil, con.add)()
			if got, want := l.Enabled(LevelSecurity, 0), tc.messages != ""; got != want {
				t.Errorf("Enabled(SECURITY) = %v, want %v", got, want)
			}
			l.LogAs(LevelSecurity, "res_security_log.c", 114, "security_event_stasis_cb", msg)
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			if got := con.String(); got != tc.console {
				t.Errorf("console:\n got %q\nwant %q", got, tc.console)
			}
			b, err := os.ReadFile(filepath.Join(dir, "messages"))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tc.messages {
				t.Errorf("messages:\n got %q\nwant %q", got, tc.messages)
			}
		})
	}
}
