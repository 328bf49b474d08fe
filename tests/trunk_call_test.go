package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestTrunkOutboundCall: 6001 dials a national number in the seed's
// sortant-ovh context; the call leaves through trunk-ovh, answers the
// stand-in's 401 and 407 with the trunk's credentials, and is bridged:
// RTP the trunk plays comes back to it through gostrisk and sipp's echo.
//
// From carries the caller id the dialplan set (Set(CALLERID(num)=...))
// when the trunk has no fromuser; with fromuser, chan_sip puts fromuser
// there instead, and so do we.
func TestTrunkOutboundCall(t *testing.T) {
	harness.RequireSipp(t)
	for _, tc := range []struct {
		name     string
		fromuser bool
		wantFrom string
	}{
		{"caller id in From", false, "<sip:0972124831@sip-domain.io>"},
		{"fromuser wins", true, "<sip:0033972124831@sip-domain.io>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trunk := startFakeTrunk(t, "127.0.0.1", trunkChallenge)
			edit := trunkConf("127.0.0.1", trunk.port(), "")
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: func(f map[string]string) {
				edit(f)
				s := f["sip.conf"]
				// 6001 dials out through the trunk context.
				s = strings.Replace(s, "username=choucheh\nsecret=test\ncontext=work", "username=choucheh\nsecret=test\ncontext=sortant-ovh", 1)
				if !tc.fromuser {
					s = strings.Replace(s, "fromuser=0033972124831\n", "", 1)
				}
				f["sip.conf"] = s
			}})
			in.DumpOnFailure()
			requireSIPCalls(t, in)

			uac := harness.Sipp{Scenario: callScenario(t, "trunk-uac-6001-outbound.xml"),
				Target:  "127.0.0.1:" + strconv.Itoa(in.SIPPort),
				Extra:   []string{"-s", "0612345678", "-rtp_echo"},
				Timeout: 20 * time.Second}
			if res := uac.Run(t); res.ExitCode != 0 {
				t.Fatalf("sipp UAC exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
			}
			invites := trunk.invites()
			if len(invites) != 3 {
				t.Fatalf("trunk got %d INVITEs, want 3 (plain, 401 answer, 407 answer):\n%s", len(invites), strings.Join(invites, "\n"))
			}
			if sipHeader(invites[1], "Authorization") == "" || sipHeader(invites[2], "Proxy-Authorization") == "" {
				t.Errorf("INVITEs do not answer 401 then 407")
			}
			last := invites[2]
			if !strings.HasPrefix(last, "INVITE sip:0612345678@") {
				t.Errorf("Request-Line %q, want the dialled number as user", strings.SplitN(last, "\r\n", 2)[0])
			}
			from := sipHeader(last, "From")
			// chan_sip puts the caller's name before the URI.
			if !strings.HasPrefix(from, `"Choucheh Sadek" `+tc.wantFrom+";tag=") {
				t.Errorf("From %q, want \"Choucheh Sadek\" %s;tag=...", from, tc.wantFrom)
			}
			sent, got := trunk.rtpCounts()
			t.Logf("media: the trunk sent %d RTP packets, %d came back through gostrisk and the caller's echo", sent, got)
			if sent == 0 || got < sent/2 {
				t.Errorf("media: the trunk sent %d RTP packets and got %d back through gostrisk", sent, got)
			}
		})
	}
}
