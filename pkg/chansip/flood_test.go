package chansip

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

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
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", 404}, // no "s" in the empty dialplan, as chan_sip
		{"OPTIONS without From", "OPTIONS sip:%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-of%[3]d\r\n" +
			"To: <sip:%[1]s>\r\nCall-ID: of%[3]d@flood\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", 400},
		{"PRACK (no reliable provisional)", "PRACK sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-m%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>\r\nCall-ID: m%[3]d@flood\r\nCSeq: 1 PRACK\r\n" +
			"Content-Length: 0\r\n\r\n", 481},
		{"REFER outside a dialog", "REFER sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-m%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>\r\nCall-ID: m%[3]d@flood\r\nCSeq: 1 REFER\r\n" +
			"Content-Length: 0\r\n\r\n", 603},
		{"MESSAGE refused", "MESSAGE sip:6000@%[1]s SIP/2.0\r\nVia: SIP/2.0/UDP %[2]s;branch=z9hG4bK-mm%[3]d\r\n" +
			"From: <sip:probe@127.0.0.1>;tag=f%[3]d\r\nTo: <sip:6000@%[1]s>\r\nCall-ID: mm%[3]d@flood\r\nCSeq: 1 MESSAGE\r\n" +
			"Content-Length: 0\r\n\r\n", 415},
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

// optionsTCP is an OPTIONS over TCP from local, numbered n.
func optionsTCP(to, local string, n int, callID string) string {
	if callID == "" {
		callID = fmt.Sprintf("tcp-%d@flood", n)
	}
	return "OPTIONS sip:" + to + " SIP/2.0\r\nVia: SIP/2.0/TCP " + local + fmt.Sprintf(";branch=z9hG4bK-t%d\r\n", n) +
		fmt.Sprintf("From: <sip:probe@127.0.0.1>;tag=p%d\r\n", n) + "To: <sip:" + to + ">\r\nCall-ID: " + callID + "\r\n" +
		"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
}

// readAnswers reads SIP responses from r until n have come (or the
// deadline passes) and returns their Call-IDs in order.
func readAnswers(t *testing.T, c net.Conn, r *bufio.Reader, n int, within time.Duration) []string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(within))
	var ids []string
	for len(ids) < n {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %d answers: %v", len(ids), err)
		}
		if v, ok := strings.CutPrefix(line, "Call-ID: "); ok {
			ids = append(ids, strings.TrimSpace(v))
		}
	}
	return ids
}

// TestTCPFloodFlowControlled: a peer pipelining requests over TCP without
// reading the answers is read only as fast as its requests are handled.
// sipgo started a goroutine per request it read, without limit: 20,000
// OPTIONS left thousands of goroutines waiting to write their answers.
// Here the connection's reader waits with connWindow requests in progress,
// the peer's writes block, and every request is answered once it reads.
func TestTCPFloodFlowControlled(t *testing.T) {
	d, tcpAddr := floodDriver(t)
	before := runtime.NumGoroutine()
	c, err := net.Dial("tcp4", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().String()
	const n = 20000
	writer := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(c, 64<<10)
		c.SetWriteDeadline(time.Now().Add(60 * time.Second))
		for i := range n {
			if _, err := w.WriteString(optionsTCP(tcpAddr, local, i, "")); err != nil {
				writer <- err
				return
			}
		}
		writer <- w.Flush()
	}()
	// The answers pile up unread until the socket buffers are full; from
	// then on the handlers block writing, and nothing moves until the
	// peer reads: the goroutine count settles.
	deadline := time.Now().Add(20 * time.Second)
	peak, last, settled := 0, -1, 0
	for time.Now().Before(deadline) && settled < 30 {
		g := runtime.NumGoroutine() - before
		peak = max(peak, g)
		if g == last {
			settled++
		} else {
			settled = 0
		}
		last = g
		time.Sleep(10 * time.Millisecond)
	}
	if peak > connWindow+50 {
		t.Errorf("%d goroutines more while the peer does not read, want at most about %d", peak, connWindow)
	}
	if st := d.flow.stats(); st.total < connWindow {
		t.Errorf("the connection is not held at its window while the peer does not read: %+v", st)
	}
	// Reading the answers lets the rest through: none is lost.
	ids := readAnswers(t, c, bufio.NewReaderSize(c, 64<<10), n, 60*time.Second)
	if err := <-writer; err != nil {
		t.Fatalf("writing: %v", err)
	}
	seen := make(map[string]bool, n)
	for _, id := range ids {
		seen[id] = true
	}
	for i := range n {
		if id := fmt.Sprintf("tcp-%d@flood", i); !seen[id] {
			t.Fatalf("no answer to %s (%d distinct answers)", id, len(seen))
		}
	}
	c.Close()
	deadline = time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && (runtime.NumGoroutine() > before+5 || d.flow.stats() != (flowStats{})) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before+5 {
		t.Errorf("%d goroutines after the connection closed, %d before", g, before)
	}
	if st := d.flow.stats(); st != (flowStats{}) {
		t.Errorf("still counted after the connection closed: %+v", st)
	}
}

// TestTCPReadsSplitInsideCRLF: a read from a TCP stream may end between
// the CR and the LF of a line. The read hook dropped such a read as a
// packet with a bare line break, which cut the stream: the request was
// lost and the parser, out of step, closed the connection. A request with
// a lone LF in a header our answer copies is still dropped, alone.
func TestTCPReadsSplitInsideCRLF(t *testing.T) {
	_, tcpAddr := floodDriver(t)
	c, err := net.Dial("tcp4", tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetNoDelay(true)
	local := c.LocalAddr().String()
	r := bufio.NewReader(c)
	for i := range 5 {
		msg := optionsTCP(tcpAddr, local, i, "")
		// Each write ends just after a CR; the pause lets the server
		// read it apart from the LF that follows.
		for part := range strings.SplitAfterSeq(msg, "\r") {
			if _, err := c.Write([]byte(part)); err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			time.Sleep(2 * time.Millisecond)
		}
		if ids := readAnswers(t, c, r, 1, 5*time.Second); ids[0] != fmt.Sprintf("tcp-%d@flood", i) {
			t.Fatalf("answer to %s, want tcp-%d@flood", ids[0], i)
		}
	}
	// The request with a lone LF goes first, and has time to be answered
	// (wrongly) before the clean one follows.
	if _, err := c.Write([]byte(optionsTCP(tcpAddr, local, 10, "bad@flood\nInjected: yes"))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := c.Write([]byte(optionsTCP(tcpAddr, local, 11, ""))); err != nil {
		t.Fatal(err)
	}
	if ids := readAnswers(t, c, r, 1, 5*time.Second); ids[0] != "tcp-11@flood" {
		t.Fatalf("answer to %q, want only tcp-11@flood (the request with a lone LF dropped)", ids[0])
	}
}
