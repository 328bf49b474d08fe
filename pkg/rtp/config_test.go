package rtp

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name  string
		conf  string
		check func(t *testing.T, c Config)
		diags []string // "line:severity" expected, in order
	}{
		{
			name: "sample",
			conf: "[general]\nrtpstart=10000\nrtpend=20000\n",
			check: func(t *testing.T, c Config) {
				if c.Start != 10000 || c.End != 20000 || c.Strict != StrictYes || c.Probation != 4 || !c.ICESupport {
					t.Errorf("%+v", c)
				}
			},
		},
		{
			name: "no general",
			conf: "[other]\nfoo=bar\n",
			check: func(t *testing.T, c Config) {
				if c != DefaultConfig() {
					t.Errorf("%+v", c)
				}
			},
		},
		{
			name: "all options",
			conf: "[general]\nrtpstart=16384\nrtpend=16483\nstrictrtp=seqno\nprobation=8\nrtpchecksums=no\n" +
				"dtmftimeout=1200\nrtcpinterval=100\nicesupport=false\nstunaddr=stun.l.google.com:19302\n" +
				"srtpreplayprotection=no\nturnaddr=turn.example.com\n",
			check: func(t *testing.T, c Config) {
				want := Config{Start: 16384, End: 16483, Strict: StrictSeqno, Probation: 8, Checksums: false,
					DTMFTimeout: 1200, RTCPInterval: 500 * time.Millisecond, ICESupport: false,
					STUNAddr: "stun.l.google.com:19302", ReplayProtection: false}
				if c != want {
					t.Errorf("got  %+v\nwant %+v", c, want)
				}
			},
		},
		{
			name:  "unknown and bad values",
			conf:  "[general]\nrtpstart=abc\nfrobnicate=1\nstrictrtp=maybe\nicesupport=perhaps\nrtpend=70000\n",
			diags: []string{"2:error", "3:warning", "4:error", "5:error", "6:error"},
			check: func(t *testing.T, c Config) {
				if c.Start != DefaultStart || c.End != DefaultEnd || c.Strict != StrictYes || !c.ICESupport {
					t.Errorf("defaults not kept: %+v", c)
				}
			},
		},
		{
			name:  "start above end",
			conf:  "[general]\nrtpstart=20000\nrtpend=10000\n",
			diags: []string{"3:error"},
			check: func(t *testing.T, c Config) {
				if c.Start != DefaultStart || c.End != DefaultEnd {
					t.Errorf("%+v", c)
				}
			},
		},
		{
			name: "strict off",
			conf: "[general]\nstrictrtp=no\n",
			check: func(t *testing.T, c Config) {
				if c.Strict != StrictOff {
					t.Errorf("%+v", c)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, pd := confparse.Parse("rtp.conf", []byte(tc.conf), confparse.Options{})
			if pd.HasErrors() {
				t.Fatal(pd)
			}
			c, diags := LoadConfig(cfg)
			var got []string
			for _, d := range diags {
				got = append(got, fmt.Sprintf("%d:%s", d.Line, d.Severity))
				if d.File != "rtp.conf" || d.Message == "" {
					t.Errorf("diagnostic without position or text: %+v", d)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.diags, ",") {
				t.Errorf("diags %v, want %v (%v)", got, tc.diags, diags)
			}
			tc.check(t, c)
		})
	}
}
