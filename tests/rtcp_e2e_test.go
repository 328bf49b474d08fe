package tests

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/rtp"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestRTCPChannelStats: 6001 (sipp) plays PCMU through gostrisk to 6000,
// which echoes it. gostrisk sends RTCP on the caller's leg to the caller's
// media port + 1, where the test listens in sipp's place (sipp binds no
// RTCP port): an SR, since the leg sends the echoed audio, whose report
// block covers what the caller sent. The test answers with an RR claiming
// 3 packets lost and 100 ms of jitter; "sip show channelstats" shows the
// packets both ways and the reported loss and jitter in the Send columns.
func TestRTCPChannelStats(t *testing.T) {
	harness.RequireSipp(t)
	edit := flowDialplan(20)
	amiPort := harness.FreePort(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"},
		Edit: func(f map[string]string) {
			edit(f)
			f["rtp.conf"] = "[general]\nrtpstart=10000\nrtpend=20000\nrtcpinterval=500\n"
			f["manager.conf"] = fmt.Sprintf("[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"+
				"[admin]\nsecret = amp111\nread = reporting\nwrite = all\n", amiPort)
		}})
	in.DumpOnFailure()
	ami := amiLogin(t, amiPort)
	events := make(chan string, 256)
	go func() {
		// Owned by the test: ends when the connection closes at cleanup.
		defer close(events)
		br := bufio.NewReader(ami)
		var msg strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line != "\r\n" {
				msg.WriteString(line)
				continue
			}
			select {
			case events <- msg.String():
			default:
			}
			msg.Reset()
		}
	}()
	requireSIPCalls(t, in)
	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)

	mediaPort, rtcpConn := rtcpListener(t)
	pcap := filepath.Join(t.TempDir(), "pcmu-440hz.pcap")
	writePCMUPcap(t, pcap, 150)
	waitUAS := lab.callee(t, callScenario(t, "call-uas-6000.xml"), "-rtp_echo")
	waitUAC := lab.caller(t, scenarioFrom(t, "flow-uac-rtp.xml.tmpl", map[string]string{"PCAP": pcap}),
		"-mp", strconv.Itoa(mediaPort))

	// gostrisk's first report to the caller.
	buf := make([]byte, 1500)
	var rep rtp.Report
	var from netip.AddrPort
	_ = rtcpConn.SetReadDeadline(time.Now().Add(8 * time.Second))
	for {
		n, f, err := rtcpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("no RTCP from gostrisk on the caller's port %d: %v", mediaPort+1, err)
		}
		r, err := rtp.ParseRTCP(buf[:n])
		if err != nil {
			t.Fatalf("not RTCP from %v: % x", f, buf[:n])
		}
		if r.SR && len(r.Blocks) == 1 && r.Sender.PacketCount > 0 {
			rep, from = r, f
			break
		}
	}
	t.Logf("gostrisk's SR: %+v from %v", rep, from)

	// Our RR about gostrisk's stream: 3 lost, jitter 800 units (0.1 s).
	rr := rtp.AppendRTCP(nil, 0x600160, nil, &rtp.ReportBlock{SSRC: rep.SSRC, CumLost: 3, Jitter: 800,
		LSR: uint32(rep.Sender.NTP >> 16), DLSR: 0}, "sipp-6001")
	if _, err := rtcpConn.WriteToUDPAddrPort(rr, from); err != nil {
		t.Fatal(err)
	}
	var out string
	ok := harness.PollUntil(8*time.Second, func() bool {
		out = in.MustRX("sip show channelstats")
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, " 0000000003 (") && strings.HasSuffix(strings.TrimSpace(line), "0.1000") {
				return true
			}
		}
		return false
	})
	if !ok {
		t.Errorf("sip show channelstats never showed the reported loss and jitter:\n%s", out)
	}
	rows := parseChannelStats(out)
	if len(rows) != 2 {
		t.Errorf("want 2 dialogs in:\n%s", out)
	}
	for _, r := range rows {
		if r.Recv == 0 || r.Sent == 0 {
			t.Errorf("dialog %s: recv %d sent %d packets", r.CallID, r.Recv, r.Sent)
		}
	}
	t.Logf("during the call:\n%s", out)

	// The manager saw reports both ways on the caller's channel.
	var sent, received bool
	deadline := time.After(8 * time.Second)
	for !sent || !received {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("manager connection closed")
			}
			if strings.HasPrefix(ev, "Event: RTCPSent\r\nPrivilege: reporting,all\r\nChannel: SIP/6001-") &&
				strings.Contains(ev, "\r\nPT: 200(SR)\r\nTo: "+rtcpConn.LocalAddr().String()+"\r\nReportCount: 1\r\n") {
				sent = true
			}
			if strings.HasPrefix(ev, "Event: RTCPReceived\r\nPrivilege: reporting,all\r\nChannel: SIP/6001-") &&
				strings.Contains(ev, "\r\nSSRC: 6291808\r\nPT: 201(RR)\r\n") && strings.Contains(ev, "\r\nReport0CumulativeLost: 3\r\n") {
				received = true
				t.Logf("RTCPReceived:\n%s", ev)
			}
		case <-deadline:
			t.Fatalf("manager events: RTCPSent %v, RTCPReceived %v", sent, received)
		}
	}
	requireSippOK(t, "UAC 6001", waitUAC())
	requireSippOK(t, "UAS 6000", waitUAS())
}

// rtcpListener finds an even port whose neighbour it can bind: sipp gets
// the even one as its media port, the test keeps the odd one for RTCP.
func rtcpListener(t *testing.T) (int, *net.UDPConn) {
	t.Helper()
	for i := 0; i < 50; i++ {
		p := harness.FreePort(t) &^ 1
		probe, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p})
		if err != nil {
			continue
		}
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1})
		probe.Close()
		if err != nil {
			continue
		}
		t.Cleanup(func() { c.Close() })
		return p, c
	}
	t.Fatal("no free even/odd port pair")
	return 0, nil
}
