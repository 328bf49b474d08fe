package sipconf

import (
	"strings"
	"testing"
)

// tcpauthtimeout and tcpauthlimit: chan_sip's defaults, whole numbers of at
// least 1, and anything else an error naming the file and line.
func TestTCPAuthOptions(t *testing.T) {
	tests := []struct {
		name          string
		lines         string
		timeout, lim  int
		wantDiagnosis string // "" = no diagnostic
	}{
		{"defaults", "", 30, 100, ""},
		{"set", "tcpauthtimeout=2\ntcpauthlimit=5\n", 2, 5, ""},
		{"spaces and case", "TCPAuthTimeout = 45\nTcpAuthLimit = 1\n", 45, 1, ""},
		{"zero timeout", "tcpauthtimeout=0\n", 30, 100, `sip.conf:2: error: invalid value "0" for option 'tcpauthtimeout': want a whole number of at least 1`},
		{"negative limit", "tcpauthlimit=-3\n", 30, 100, `sip.conf:2: error: invalid value "-3" for option 'tcpauthlimit': want a whole number of at least 1`},
		{"words", "tcpauthlimit=lots\n", 30, 100, `sip.conf:2: error: invalid value "lots" for option 'tcpauthlimit'`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := parse(t, "[general]\n"+tc.lines, "")
			if cfg.General.TCPAuthTimeout != tc.timeout || cfg.General.TCPAuthLimit != tc.lim {
				t.Errorf("tcpauthtimeout %d, tcpauthlimit %d; want %d and %d",
					cfg.General.TCPAuthTimeout, cfg.General.TCPAuthLimit, tc.timeout, tc.lim)
			}
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			switch {
			case tc.wantDiagnosis == "" && len(got) > 0:
				t.Errorf("unexpected diagnostics:\n%s", strings.Join(got, "\n"))
			case tc.wantDiagnosis != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.wantDiagnosis)):
				t.Errorf("diagnostics:\n%s\nwant one starting %q", strings.Join(got, "\n"), tc.wantDiagnosis)
			}
		})
	}
}
