package chansip

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestManagerNotify: the manager's SIPnotify sends a NOTIFY to a peer
// with the given headers after Subscription-State and the Content lines
// as the body; an unknown target is an error.
func TestManagerNotify(t *testing.T) {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	conf := strings.ReplaceAll(moreSIPConf, "port=5070\nqualify=yes", "port="+strconv.Itoa(port))
	conf = strings.ReplaceAll(conf, "register =>", ";register =>")
	d, _, _ := newCLIDriver(t, conf, notifyConfText)
	d.cfg.Load().General.UDPBind = netip.MustParseAddrPort("127.0.0.1:0")
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer d.Stop()

	if err := d.ManagerNotify("SIP/6000", [][2]string{{"Event", "x"}}); err == nil {
		t.Error("NOTIFY to a peer without an address: no error")
	}
	if err := d.ManagerNotify("SIP/trunk", [][2]string{{"Event", "check-sync;reboot=false"}, {"Content-Type", "text/plain"},
		{"Content", "line one"}, {"Content", "line two"}}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 65535)
	pc.SetReadDeadline(time.Now().Add(3 * time.Second))
	n, _, err := pc.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no NOTIFY: %v", err)
	}
	head, body, _ := strings.Cut(string(buf[:n]), "\r\n\r\n")
	if !strings.HasPrefix(head, "NOTIFY sip:127.0.0.1:"+strconv.Itoa(port)+" SIP/2.0\r\n") {
		t.Errorf("request line: %q", head)
	}
	if !strings.Contains(head, "\r\nSubscription-State: terminated\r\nEvent: check-sync;reboot=false\r\nContent-Type: text/plain\r\n") {
		t.Errorf("headers:\n%s", head)
	}
	if body != "line one\r\nline two" {
		t.Errorf("body %q", body)
	}
}
