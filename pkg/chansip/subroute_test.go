package chansip

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSubscribeNotifyFollowsRecordRoute: a SUBSCRIBE that crossed a
// record-routing proxy gets its NOTIFYs through that proxy: sent to it,
// with its entry as Route and the subscriber's Contact as Request-URI
// (RFC 3261 12.1.1, RFC 6665 4.1.2.1). Without Record-Route the NOTIFY
// goes to the subscriber as before.
func TestSubscribeNotifyFollowsRecordRoute(t *testing.T) {
	d, ph := subLab(t, "[general]\ncontext=default\nallowguest=yes\n", "[default]\nexten => 100,hint,SIP/100\n")
	proxy, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	hop := fmt.Sprintf("<sip:%s;lr>", proxy.LocalAddr())
	me := ph.addr()
	ph.send(fmt.Sprintf("SUBSCRIBE sip:100@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-rr1;rport\r\n"+
		"Record-Route: %s\r\nFrom: <sip:guest@%s>;tag=g-rr\r\nTo: <sip:100@%s>\r\nCall-ID: rr-sub\r\nCSeq: 1 SUBSCRIBE\r\n"+
		"Contact: <sip:guest@%s>\r\nEvent: dialog\r\nAccept: application/dialog-info+xml\r\nExpires: 600\r\n"+
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ph.to, me, hop, ph.to.Addr(), ph.to.Addr(), me))
	if r := ph.recv(); r.code != 200 {
		t.Fatalf("SUBSCRIBE: %d\n%s", r.code, r.raw)
	}
	buf := make([]byte, 65535)
	proxy.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := proxy.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no NOTIFY through the recorded proxy: %v", err)
	}
	msg := string(buf[:n])
	if !strings.HasPrefix(msg, "NOTIFY sip:guest@"+me.String()+" SIP/2.0\r\n") || !strings.Contains(msg, "\r\nRoute: "+hop+"\r\n") {
		t.Errorf("NOTIFY through the proxy:\n%s", msg)
	}
	if rows := d.subscriptionRows(); len(rows) != 1 {
		t.Errorf("%d subscriptions, want 1", len(rows))
	}
}
