package chansip

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// floodDriver is a started driver with calls (so every handler is wired)
// and TCP on a free port; it returns the driver and its TCP address.
func floodDriver(t *testing.T) (*Driver, string) {
	t.Helper()
	cfg := loadConf(t, strings.Replace(testSIPConf, "[general]\n", "[general]\ntcpenable=yes\n", 1))
	cfg.General.TCPBind = netip.MustParseAddrPort("127.0.0.1:0")
	d, err := New(Options{Config: cfg, Store: newMemStore(), Version: "18.26.4", Engine: pbx.New(pbx.Config{})})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	d.mu.Lock()
	tcpAddr := d.tp.tcp.Addr().String()
	d.mu.Unlock()
	return d, tcpAddr
}

// TestStatelessAnswersKeepNoTransaction: requests over UDP that are
// answered from the request alone leave no sipgo server transaction
// behind. Each such transaction lived 32 s (Timer J) after its answer, so
// a flood of OPTIONS or of requests for unknown dialogs or methods held
// gigabytes; a retransmission is answered again instead.
func TestStatelessAnswersKeepNoTransaction(t *testing.T) {
	d, _ := floodDriver(t)
	ph := newPhone(t, d.LocalAddr())
	me := ph.addr()
	// %[1]s our address, %[2]s the phone's, %[3]d a sequence number.
	for _, tc := range []struct {
		name, msg string
		code      int
	}{
		{"OPTIONS", "OPTIONS sip:%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-o%[3]d;rport\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:%[1]s>\r\nCall-ID: o%[3]d@flood\r\nCSeq: 1 OPTIONS\r\n" +
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", 200},
		{"OPTIONS without From", "OPTIONS sip:%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-of%[3]d\r\n" +
			"To: <sip:%[1]s>\r\nCall-ID: of%[3]d@flood\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", 400},
		{"unknown method", "MESSAGE sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-m%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>\r\nCall-ID: m%[3]d@flood\r\nCSeq: 1 MESSAGE\r\n" +
			"Content-Length: 0\r\n\r\n", 405},
		{"BYE of no dialog", "BYE sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-b%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>;tag=t%[3]d\r\nCall-ID: b%[3]d@flood\r\nCSeq: 2 BYE\r\n" +
			"Content-Length: 0\r\n\r\n", 481},
		{"INFO of no dialog", "INFO sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-i%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>;tag=t%[3]d\r\nCall-ID: i%[3]d@flood\r\nCSeq: 2 INFO\r\n" +
			"Content-Length: 0\r\n\r\n", 481},
		{"re-INVITE of no dialog", "INVITE sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-r%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>;tag=t%[3]d\r\nCall-ID: r%[3]d@flood\r\nCSeq: 2 INVITE\r\n" +
			"Contact: <sip:probe@%[2]s>\r\nContent-Length: 0\r\n\r\n", 481},
		{"INVITE of an unknown caller", "INVITE sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-u%[3]d\r\n" +
			"From: <sip:nobody@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>\r\nCall-ID: u%[3]d@flood\r\nCSeq: 1 INVITE\r\n" +
			"Contact: <sip:nobody@%[2]s>\r\nContent-Length: 0\r\n\r\n", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 20 {
				raw := fmt.Sprintf(tc.msg, d.LocalAddr(), me, i)
				ph.send(raw)
				if res := ph.recv(); res.code != tc.code {
					t.Fatalf("answer %d, want %d:\n%s", res.code, tc.code, res.raw)
				}
				msg, err := sip.ParseMessage([]byte(raw))
				if err != nil {
					t.Fatal(err)
				}
				req := msg.(*sip.Request)
				req.SetSource(me.String())
				// Respond finds the server transaction of the request the
				// response answers, if there is one.
				if _, err := d.ua.TransactionLayer().Respond(sip.NewResponseFromRequest(req, 500, "Probe", nil)); err == nil {
					t.Fatalf("request %d left a server transaction behind", i)
				}
			}
		})
	}
}
