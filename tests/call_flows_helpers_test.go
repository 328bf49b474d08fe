package tests

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// flowDialplan is the reference [work] context with a NoOp between Dial
// and Hangup, so that the verbose log shows the DIALSTATUS Dial left
// behind; dialTimeout replaces the reference's 20 s Dial timeout.
func flowDialplan(dialTimeout int) func(map[string]string) {
	return func(f map[string]string) {
		// The reference modules.conf says noload = cdr_csv.so; these
		// tests check the CDR, so they load the backend.
		f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_csv.so", "load = cdr_csv.so")
		// The flows check the media we relay; their phones take no
		// direct-media re-INVITE.
		noDirectMedia(f)
		ext := f["extensions.conf"]
		ext = strings.Replace(ext, "exten => _6XXX,1,Dial(SIP/${EXTEN},20)",
			fmt.Sprintf("exten => _6XXX,1,Dial(SIP/${EXTEN},%d)", dialTimeout), 1)
		ext = strings.Replace(ext, "exten => _6XXX,2,Hangup()",
			"exten => _6XXX,2,NoOp(DIALSTATUS=${DIALSTATUS})\nexten => _6XXX,3,Hangup()", 1)
		f["extensions.conf"] = ext
	}
}

// flowLab is one gostrisk on the reference config with 6000 registered at
// the port its sipp UAS will listen on.
type flowLab struct {
	in      *harness.Instance
	uasPort int
}

// startFlowLab starts the daemon (verbose, so the dialplan's steps are in
// its output) and registers 6000 from the port the callee's sipp will use.
func startFlowLab(t *testing.T, dialTimeout int) *flowLab {
	t.Helper()
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Edit: flowDialplan(dialTimeout), Args: []string{"-vvv"}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)
	return lab
}

// callee starts the sipp UAS playing 6000 with scenario sf.
func (l *flowLab) callee(t *testing.T, sf string, extra ...string) func() harness.SippResult {
	t.Helper()
	uas := harness.Sipp{Scenario: sf, LocalPort: l.uasPort, Extra: extra, Timeout: 15 * time.Second}
	wait := uas.Start(t)
	time.Sleep(200 * time.Millisecond) // let sipp bind before the call reaches it
	return wait
}

// caller starts the sipp UAC playing 6001 with scenario sf.
func (l *flowLab) caller(t *testing.T, sf string, extra ...string) func() harness.SippResult {
	t.Helper()
	uac := harness.Sipp{Scenario: sf, Target: "127.0.0.1:" + strconv.Itoa(l.in.SIPPort), Extra: extra, Timeout: 15 * time.Second}
	return uac.Start(t)
}

// requireSippOK fails the test when a sipp run did not complete its scenario.
func requireSippOK(t *testing.T, who string, res harness.SippResult) {
	t.Helper()
	if res.ExitCode != 0 {
		t.Fatalf("sipp %s exited %d\n%s\n%s", who, res.ExitCode, res.Output, res.ErrLog)
	}
}

// cdrRecord is one Master.csv line, by cdr_csv's column names.
type cdrRecord struct {
	Src, Dst, DContext, Channel, DstChannel, LastApp, LastData, Disposition string
	Duration, Billsec                                                       int
}

// cdrRecords reads Master.csv once it holds want records (or after a short
// wait): cdr_csv writes a call's record when the caller's channel is gone,
// which may be just after the SIP side has finished.
func cdrRecords(t *testing.T, in *harness.Instance, want int) []cdrRecord {
	t.Helper()
	path := in.Path("var", "log", "cdr-csv", "Master.csv")
	var rows [][]string
	harness.PollUntil(3*time.Second, func() bool {
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		rows, err = csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", path, err, b)
		}
		return len(rows) >= want
	})
	if want == 0 {
		// Nothing to wait for: give a stray record a moment to show up.
		time.Sleep(300 * time.Millisecond)
		b, _ := os.ReadFile(path)
		rows, _ = csv.NewReader(bytes.NewReader(b)).ReadAll()
	}
	var recs []cdrRecord
	for _, r := range rows {
		if len(r) < 18 {
			t.Fatalf("Master.csv line with %d columns, want 18: %q", len(r), r)
		}
		dur, _ := strconv.Atoi(r[12])
		bill, _ := strconv.Atoi(r[13])
		recs = append(recs, cdrRecord{Src: r[1], Dst: r[2], DContext: r[3], Channel: r[5], DstChannel: r[6],
			LastApp: r[7], LastData: r[8], Disposition: r[14], Duration: dur, Billsec: bill})
	}
	return recs
}

// checkOneCDR asserts that Master.csv holds exactly one record, 6001's
// call to 6000, with the given disposition. The last application is not
// checked: the test dialplan runs NoOp and Hangup after Dial.
func checkOneCDR(t *testing.T, in *harness.Instance, disposition string) cdrRecord {
	t.Helper()
	recs := cdrRecords(t, in, 1)
	if len(recs) != 1 {
		t.Fatalf("Master.csv holds %d records, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Disposition != disposition {
		t.Errorf("CDR disposition %q, want %q (%+v)", r.Disposition, disposition, r)
	}
	if r.Src != "6001" || r.Dst != "6000" || r.DContext != "work" ||
		!strings.HasPrefix(r.Channel, "SIP/6001-") || !strings.HasPrefix(r.DstChannel, "SIP/6000-") {
		t.Errorf("CDR record is not 6001 -> 6000 in work: %+v", r)
	}
	if disposition != "ANSWERED" && r.Billsec != 0 {
		t.Errorf("unanswered call billed %d s: %+v", r.Billsec, r)
	}
	return r
}

var reActive = regexp.MustCompile(`(?m)^(\d+) active channels?\n(\d+) active calls?\n(\d+) calls? processed\n`)

// checkIdle asserts what every flow must leave behind: no channel, no call,
// processed calls counted, and no RTP port of the instance still bound.
func checkIdle(t *testing.T, in *harness.Instance, processed int) {
	t.Helper()
	var out string
	ok := harness.PollUntil(3*time.Second, func() bool {
		out = in.MustRX("core show channels")
		m := reActive.FindStringSubmatch(out)
		return m != nil && m[1] == "0" && m[2] == "0"
	})
	if !ok {
		t.Errorf("channels left after the call:\n%s", out)
	}
	if m := reActive.FindStringSubmatch(out); m == nil || m[3] != strconv.Itoa(processed) {
		t.Errorf("core show channels, want %d call(s) processed:\n%s", processed, out)
	}
	var bound []int
	harness.PollUntil(2*time.Second, func() bool {
		bound = rtpPortsBound(t, in)
		return len(bound) == 0
	})
	if len(bound) > 0 {
		t.Errorf("RTP ports still bound after the call: %v", bound)
	}
}

// waitOutput waits until the daemon's console output matches re.
func waitOutput(t *testing.T, in *harness.Instance, re *regexp.Regexp) string {
	t.Helper()
	var m string
	harness.PollUntil(3*time.Second, func() bool {
		m = re.FindString(in.Output())
		return m != ""
	})
	if m == "" {
		t.Errorf("daemon output never matched %s", re)
	}
	return m
}

// dialStatus matches the verbose line of the test dialplan's NoOp.
func dialStatus(status string) *regexp.Regexp {
	return regexp.MustCompile(`-- Executing \[6000@work:2\] NoOp\("SIP/6001-[0-9a-f]{8}", "DIALSTATUS=` + status + `"\)`)
}

// scenarioFrom writes testdata/<tmpl> with its {{KEY}} placeholders
// replaced, for scenarios that need a value only known at run time.
func scenarioFrom(t *testing.T, tmpl string, vars map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", tmpl))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{{"+k+"}}", v)
	}
	if i := strings.Index(s, "{{"); i >= 0 {
		t.Fatalf("%s: placeholder left at %q", tmpl, s[i:min(len(s), i+20)])
	}
	p := filepath.Join(t.TempDir(), strings.TrimSuffix(tmpl, ".tmpl"))
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writePCMUPcap writes a libpcap file of n RTP packets (PCMU, 20 ms, a
// 440 Hz tone) in Ethernet/IPv4/UDP frames, as sipp's play_pcap_audio
// reads them; sipp rewrites addresses and ports when it plays the file.
func writePCMUPcap(t *testing.T, path string, n int) {
	t.Helper()
	writeG711Pcap(t, path, 0, 440, n)
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// waitMediaBothWays polls "sip show channelstats" until both dialogs of
// a call received and sent at least enough packets, and returns the last
// output; the test fails (and goes on) when that does not happen in 8 s.
func waitMediaBothWays(t *testing.T, in *harness.Instance, enough uint64) string {
	t.Helper()
	var out string
	flowed := harness.PollUntil(8*time.Second, func() bool {
		out = in.MustRX("sip show channelstats")
		rows := parseChannelStats(out)
		if len(rows) != 2 {
			return false
		}
		for _, r := range rows {
			if r.Recv < enough || r.Sent < enough {
				return false
			}
		}
		return true
	})
	if !flowed {
		t.Errorf("media did not cross gostrisk both ways (want 2 dialogs with Recv and Send >= %d packets):\n%s", enough, out)
	}
	return out
}

// channelStats is one row of "sip show channelstats": the packets a
// dialog's RTP session received and sent.
type channelStats struct {
	CallID     string
	Recv, Sent uint64
}

var reChannelStats = regexp.MustCompile(`(?m)^(\S+)\s+(\S+)\s+(?:\d\d:\d\d:\d\d)?\s*(\d{10})([ K]) (\d{10}) \(\s*[\d.]+%\) [\d.]+\s+(\d{10})([ K]) `)

func parseChannelStats(out string) []channelStats {
	var rows []channelStats
	for _, m := range reChannelStats.FindAllStringSubmatch(out, -1) {
		recv, _ := strconv.ParseUint(m[3], 10, 64)
		sent, _ := strconv.ParseUint(m[6], 10, 64)
		if m[4] == "K" {
			recv *= 1000
		}
		if m[7] == "K" {
			sent *= 1000
		}
		rows = append(rows, channelStats{CallID: m[2], Recv: recv, Sent: sent})
	}
	return rows
}
