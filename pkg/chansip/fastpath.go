package chansip

import (
	"bytes"
	"net"

	"github.com/emiago/sipgo/sip"
)

// REGISTER over UDP is answered on the socket reader's goroutine, before
// sipgo's transaction layer sees it. The registrar keeps no transaction
// for it anyway (see statelessTx), but going through sipgo still cost a
// goroutine per packet (whose stack grows by copying as the handler runs
// deep), a server transaction with its context, timers and store entry
// created only to be terminated, and debug log calls: together about 40 %
// of the CPU of a REGISTER at 7,500 /s. Answering inline also means a
// burst of registrations is served in arrival order at the pace the
// socket is read, instead of piling up goroutines.
//
// OPTIONS over UDP take the same path: the answer is built from the
// request alone (a To tag derived from it, our capabilities), so a
// transaction would only absorb retransmissions, which are answered
// again with the same bytes instead. Through sipgo each OPTIONS kept its
// answered transaction for Timer J (32 s): a flood of them held hundreds
// of thousands of transactions, gigabytes that outlived the flood.

// registerPrefix and optionsPrefix start the requests the fast path takes.
var (
	registerPrefix = []byte("REGISTER ")
	optionsPrefix  = []byte("OPTIONS ")
)

// udpFastPath is what the read hook needs to answer a REGISTER itself:
// the listening socket, wrapped as sipgo's connection so responses are
// written exactly as sipgo would write them.
type udpFastPath struct {
	conn   sip.Connection
	parser *sip.Parser
}

func newUDPFastPath(pc net.PacketConn) *udpFastPath {
	return &udpFastPath{
		conn:   &sip.UDPConnection{PacketConn: pc, PacketAddr: pc.LocalAddr().String(), Listener: true},
		parser: sip.NewParser(),
	}
}

// handleFast answers data itself when it is a REGISTER or an OPTIONS read
// from the UDP listener, and reports whether it did (the caller then drops
// the packet). Anything it cannot parse is left to sipgo, which drops it.
func (d *Driver) handleFast(props sip.TransportReadProps, data []byte) bool {
	fp := d.fast.Load()
	if fp == nil || props.Transport != "UDP" || !(bytes.HasPrefix(data, registerPrefix) || bytes.HasPrefix(data, optionsPrefix)) {
		return false
	}
	ra, ok := props.RemoteAddr.(*net.UDPAddr)
	if !ok {
		return false
	}
	msg, err := fp.parser.ParseSIP(data)
	if err != nil {
		return false
	}
	req, ok := msg.(*sip.Request)
	if !ok || req.SipVersion != "SIP/2.0" || req.Via() == nil || req.CSeq() == nil {
		return false
	}
	if _, err := sip.ServerTxKeyMake(req); err != nil {
		// sipgo answers what it cannot make a transaction of (400).
		return false
	}
	req.SetTransport("UDP")
	req.SetSource(ra.String())
	expandCompact(req)
	switch req.Method {
	case sip.REGISTER:
		// The read hook has dropped packets with a bare CR or LF already.
		d.register(req, udpTx{conn: fp.conn}, true)
	case sip.OPTIONS:
		d.handleOptions(req, udpTx{conn: fp.conn})
	default:
		// A start line such as "OPTIONS/2 ..." that sipgo reads as
		// another method: not ours to answer.
		return false
	}
	return true
}

// udpTx is the transaction handed to the handler of a request taken by
// the fast path: there is none, responses go straight to the socket.
// stateless recognises it by its Connection method, like sipgo's own.
type udpTx struct {
	conn sip.Connection
}

var _ sip.ServerTransaction = udpTx{}

func (t udpTx) Respond(res *sip.Response) error { return t.conn.WriteMsg(res) }
func (t udpTx) Connection() sip.Connection      { return t.conn }
func (udpTx) Terminate()                        {}
func (udpTx) OnTerminate(sip.FnTxTerminate) bool {
	return false
}
func (udpTx) Done() <-chan struct{} { return closedChan }
func (udpTx) Err() error            { return nil }
func (udpTx) Acks() <-chan *sip.Request {
	return nil
}
func (udpTx) OnCancel(sip.FnTxCancel) bool { return false }

// closedChan is Done's answer: the transaction is over as soon as it has
// answered.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()
