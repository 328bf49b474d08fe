package chansip

import (
	"fmt"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"
)

// TestOptionsFastPathSameAnswer: an OPTIONS over UDP, answered by the read
// hook without a transaction, gets the bytes handleOptions writes through
// a sipgo server transaction (the path it took before), and a
// retransmission gets them again.
func TestOptionsFastPathSameAnswer(t *testing.T) {
	for _, tc := range []struct{ name, to string }{
		{"out of dialog", "<sip:%[1]s>"},
		{"with a To tag", "<sip:%[1]s>;tag=as0badf00d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := startDriver(t, loadConf(t, testSIPConf), nil)
			ph := newPhone(t, env.addr)
			me := ph.addr()
			raw := fmt.Sprintf("OPTIONS sip:%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-same;rport\r\n"+
				"From: <sip:probe@%[3]s>;tag=x\r\nTo: "+tc.to+"\r\nCall-ID: same-1\r\nCSeq: 7 OPTIONS\r\n"+
				"Max-Forwards: 70\r\nAccept: application/sdp\r\nContent-Length: 0\r\n\r\n", env.addr, me, me.Addr())
			ph.send(raw)
			first := ph.recv()
			ph.send(raw)
			if again := ph.recv(); again.raw != first.raw {
				t.Errorf("retransmission answered differently:\n%s\nthen\n%s", first.raw, again.raw)
			}
			msg, err := sip.ParseMessage([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			req := msg.(*sip.Request)
			req.SetTransport("UDP")
			req.SetSource(me.String())
			rec := siptest.NewServerTxRecorder(req)
			env.d.handleOptions(req, rec)
			res := rec.Result()
			if len(res) != 1 {
				t.Fatalf("%d answers through a transaction", len(res))
			}
			if res[0].String() != first.raw {
				t.Errorf("fast path answered\n%s\nthrough a transaction\n%s", first.raw, res[0].String())
			}
		})
	}
}
