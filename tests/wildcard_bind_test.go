package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestCallWildcardBind is a call on a server bound to all interfaces, as
// the admins' sip.conf (bindaddr=0.0.0.0, chan_sip's default) has it:
// 6001 calls 6000 on 127.0.0.1 and plays audio that 6000 echoes. Every
// message gostrisk sends them names 127.0.0.1, the address routing picks
// towards them, in SDP c=/o=, Contact and Via (never 0.0.0.0), `sip show
// channel` shows that address, and RTP crosses the wildcard-bound legs
// both ways.
func TestCallWildcardBind(t *testing.T) {
	harness.RequireSipp(t)
	dialplan := flowDialplan(20)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"}, Edit: func(f map[string]string) {
		dialplan(f)
		sc := f["sip.conf"]
		if !strings.Contains(sc, "\nbindaddr=127.0.0.1\n") {
			t.Fatalf("reference sip.conf has no bindaddr=127.0.0.1 to replace:\n%s", sc)
		}
		f["sip.conf"] = strings.Replace(sc, "\nbindaddr=127.0.0.1\n", "\nbindaddr=0.0.0.0\n", 1)
	}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)
	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)

	dir := t.TempDir()
	uasLog, uacLog := filepath.Join(dir, "uas-messages.log"), filepath.Join(dir, "uac-messages.log")
	pcap := filepath.Join(dir, "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 100)
	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"), "-rtp_echo", "-trace_msg", "-message_file", uasLog)
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}),
		"-trace_msg", "-message_file", uacLog)

	waitMediaBothWays(t, in, 50)
	checkAudioIP(t, in, "127.0.0.1")

	requireSippOK(t, "UAC 6001", waitUAC())
	requireSippOK(t, "UAS 6000", waitUAS())
	for _, tc := range []struct {
		who, log string
		sdp      int // SDP bodies gostrisk sent this phone, at least
	}{
		{"callee 6000", uasLog, 1}, // the INVITE
		{"caller 6001", uacLog, 1}, // the 200 OK
	} {
		got := receivedMessages(t, tc.log)
		bodies := 0
		for _, msg := range got {
			if strings.Contains(msg, "0.0.0.0") {
				t.Errorf("%s got a message naming the wildcard address:\n%s", tc.who, msg)
			}
			if !strings.Contains(msg, "\nv=0") {
				continue
			}
			bodies++
			for _, re := range []*regexp.Regexp{
				regexp.MustCompile(`(?m)^c=IN IP4 127\.0\.0\.1\r?$`),
				regexp.MustCompile(`(?m)^o=root \d+ \d+ IN IP4 127\.0\.0\.1\r?$`),
				regexp.MustCompile(`(?m)^Contact: <sip:[^@>]*@127\.0\.0\.1:\d+>`),
			} {
				if !re.MatchString(msg) {
					t.Errorf("%s: message with SDP does not match %s:\n%s", tc.who, re, msg)
				}
			}
		}
		if bodies < tc.sdp {
			t.Errorf("%s got %d SDP bodies from gostrisk, want >= %d; messages:\n%s", tc.who, bodies, tc.sdp, strings.Join(got, "\n----\n"))
		}
	}
	checkIdle(t, in, 1)
}

// checkAudioIP runs `sip show channel` on every call dialog and wants
// the given address on its Audio IP line.
func checkAudioIP(t *testing.T, in *harness.Instance, ip string) {
	t.Helper()
	list := in.MustRX("sip show channels")
	ids := 0
	for _, ln := range strings.Split(list, "\n")[1:] {
		f := strings.Fields(ln)
		if len(f) < 4 || f[3] != "(ulaw)" { // a call's dialog, not a REGISTER's
			continue
		}
		ids++
		out := in.MustRX("sip show channel " + f[2])
		if want := "  Audio IP:               " + ip + " (local)\n"; !strings.Contains(out, want) {
			t.Errorf("sip show channel %s lacks %q:\n%s", f[2], want, out)
		}
	}
	if ids != 2 {
		t.Errorf("%d call dialogs in sip show channels, want 2:\n%s", ids, list)
	}
}

// receivedMessages are the SIP messages a sipp -trace_msg log shows it
// received.
func receivedMessages(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("sipp message log: %v", err)
	}
	var out []string
	for _, part := range strings.Split(string(b), "\n----------------------------------------------- ") {
		head, msg, ok := strings.Cut(part, "\n\n")
		if ok && strings.Contains(head, "message received") {
			out = append(out, msg)
		}
	}
	return out
}
