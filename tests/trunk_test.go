package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestTrunkRegisters: the stand-in trunk challenges with 401 then 407;
// the registry goes Request Sent -> Auth. Sent -> Registered and then
// prints as Asterisk printed it against the reference stand-in.
func TestTrunkRegisters(t *testing.T) {
	trunk := startFakeTrunk(t, "127.0.0.1", trunkChallenge)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: trunkConf("127.0.0.1", trunk.port(), "")})
	in.DumpOnFailure()
	requireSIPDriver(t, in)

	out := waitRegistry(t, in, "Registered", 5*time.Second)
	if want := readCallTestdata(t, "trunk-sip-show-registry.with-trunk-uas.txt"); maskRegistry(out) != maskRegistry(want) {
		t.Errorf("sip show registry\n--- got\n%s--- want\n%s", out, want)
	}
	regs := trunk.registers()
	if len(regs) != 3 {
		t.Fatalf("trunk got %d REGISTERs, want 3 (plain, 401 answer, 407 answer)", len(regs))
	}
	if sipHeader(regs[0], "Authorization") != "" || sipHeader(regs[1], "Authorization") == "" || sipHeader(regs[2], "Proxy-Authorization") == "" {
		t.Errorf("REGISTER sequence does not answer 401 then 407:\n%s", strings.Join(regs, "\n"))
	}
	for _, r := range regs {
		if c := sipHeader(r, "Contact"); c != fmt.Sprintf("<sip:0033972124831@127.0.0.1:%d>", in.SIPPort) {
			t.Errorf("Contact %q: want the /extension user at our bound address", c)
		}
		if e := sipHeader(r, "Expires"); e != "1800" {
			t.Errorf("Expires %q, want defaultexpiry 1800", e)
		}
		if !strings.HasPrefix(r, fmt.Sprintf("REGISTER sip:127.0.0.1:%d SIP/2.0\r\n", trunk.port())) {
			t.Errorf("Request-Line %q", strings.SplitN(r, "\r\n", 2)[0])
		}
	}

	// A reload that leaves the register line alone does not re-register.
	in.MustRX("sip reload")
	time.Sleep(300 * time.Millisecond)
	if n := len(trunk.registers()); n != 3 {
		t.Errorf("sip reload with an unchanged register line sent %d more REGISTERs", n-3)
	}

	// Stopping un-registers.
	in.Kill()
	regs = trunk.registers()
	if last := regs[len(regs)-1]; sipHeader(last, "Expires") != "0" {
		t.Errorf("no un-REGISTER on stop; last REGISTER:\n%s", last)
	}
}

// TestTrunkForbidden: a trunk answering 403 leaves the line in chan_sip's
// "No Authentication" state, with chan_sip's warning.
func TestTrunkForbidden(t *testing.T) {
	trunk := startFakeTrunk(t, "127.0.0.1", trunkForbidden)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: trunkConf("127.0.0.1", trunk.port(), "")})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("trunk got:\n%s", strings.Join(trunk.requests(), "\n"))
		}
	})
	waitRegistry(t, in, "No Authentication", 5*time.Second)
	logLine(t, in, "WARNING", "Forbidden - wrong password on authentication for REGISTER for '0033972124831' to '127.0.0.1'")
}

// TestTrunkSilent: no answer keeps the line in Request Sent and retries
// every registertimeout with chan_sip's notice.
func TestTrunkSilent(t *testing.T) {
	trunk := startFakeTrunk(t, "127.0.0.1", trunkSilent)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(),
		Edit: trunkConf("127.0.0.1", trunk.port(), "registertimeout=1\n")})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	logLine(t, in, "NOTICE", "   -- Registration for '0033972124831@127.0.0.1' timed out, trying again (Attempt #2)")
	logLine(t, in, "NOTICE", "   -- Registration for '0033972124831@127.0.0.1' timed out, trying again (Attempt #3)")
	out := in.MustRX("sip show registry")
	if !strings.Contains(out, "      1800 Request Sent") {
		t.Errorf("silent trunk: want Request Sent with the configured expiry:\n%s", out)
	}
	if n := len(trunk.registers()); n < 3 {
		t.Errorf("trunk saw %d REGISTERs, want at least 3", n)
	}
}

// TestTrunkNATContact: with localnet=127.0.0.1/32 and externip=127.0.0.5,
// a trunk on 127.0.0.2 is outside and sees the external address in Via and
// Contact; one on 127.0.0.1 is inside and sees the bound address.
func TestTrunkNATContact(t *testing.T) {
	for _, tc := range []struct{ trunkIP, want string }{
		{"127.0.0.2", "127.0.0.5"},
		{"127.0.0.1", "127.0.0.1"},
	} {
		t.Run(tc.trunkIP, func(t *testing.T) {
			trunk := startFakeTrunk(t, tc.trunkIP, trunkChallenge)
			in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(),
				Edit: trunkConf(tc.trunkIP, trunk.port(), "localnet=127.0.0.1/255.255.255.255\nexternip=127.0.0.5\n")})
			in.DumpOnFailure()
			requireSIPDriver(t, in)
			waitRegistry(t, in, "Registered", 5*time.Second)
			for _, r := range trunk.registers() {
				want := fmt.Sprintf("%s:%d", tc.want, in.SIPPort)
				if c := sipHeader(r, "Contact"); c != "<sip:0033972124831@"+want+">" {
					t.Errorf("Contact %q, want host %s", c, want)
				}
				if v := sipHeader(r, "Via"); !strings.HasPrefix(v, "SIP/2.0/UDP "+want+";") {
					t.Errorf("Via %q, want sent-by %s", v, want)
				}
			}
		})
	}
}

// TestTrunkInboundDIDs: the trunk (matched by source address, insecure=
// invite,port, no challenge) calls the DID, the short DID and no user at
// all; each reaches SIP/6000 through the reference ovh-sip context.
func TestTrunkInboundDIDs(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: trunkConf("127.0.0.1", harness.FreePort(t), "")})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	tmpl := readCallTestdata(t, "trunk-uac-inbound.xml")
	for _, did := range []string{"0033972124831", "0972124831", ""} {
		t.Run("did="+did, func(t *testing.T) {
			sf := filepath.Join(t.TempDir(), "uac.xml")
			uri := strings.ReplaceAll(tmpl, "sip:DID@[remote_ip]", "sip:"+did+"@[remote_ip]")
			if did == "" {
				uri = strings.ReplaceAll(tmpl, "sip:DID@[remote_ip]", "sip:[remote_ip]")
			}
			uri = strings.ReplaceAll(uri, "DID@", "s@")
			if err := os.WriteFile(sf, []byte(uri), 0o644); err != nil {
				t.Fatal(err)
			}
			uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 20 * time.Second}
			waitUAS := uas.Start(t)
			time.Sleep(200 * time.Millisecond)
			uac := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
			if res := uac.Run(t); res.ExitCode != 0 {
				t.Fatalf("trunk uac exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
			}
			if res := waitUAS(); res.ExitCode != 0 {
				t.Fatalf("6000 uas exited %d\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
			}
		})
	}
}
