package chansip

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/emiago/sipgo/siptest"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// fuzzSeeds are requests of every method the driver handles, in the shapes
// phones send them, plus hostile variants; the fuzzer mutates from here.
var fuzzSeeds = []string{
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=a1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: c1@test\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: <sip:6000@127.0.0.1:5061;transport=UDP>\r\nMax-Forwards: 70\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n",
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-2;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=a1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: c1@test\r\nCSeq: 2 REGISTER\r\n" +
		"Contact: <sip:6000@127.0.0.1:5061;transport=UDP>;expires=60\r\n" +
		`Authorization: Digest username="6000", realm="asterisk", algorithm=MD5, uri="sip:127.0.0.1", nonce="0000000000000000000000000000000000", response="00000000000000000000000000000000"` +
		"\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-3\r\n" +
		"From: <sip:nat@127.0.0.1>;tag=a2\r\nTo: <sip:nat@127.0.0.1>\r\nCall-ID: c2@test\r\nCSeq: 1 REGISTER\r\n" +
		"Contact: *\r\nExpires: 0\r\nContent-Length: 0\r\n\r\n",
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4\r\n" +
		"From: <sip:9999@127.0.0.1>;tag=a3\r\nTo: <sip:9999@127.0.0.1>\r\nCall-ID: c3@test\r\nCSeq: 1 REGISTER\r\n" +
		"Content-Length: 0\r\n\r\n",
	"INVITE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-5;rport\r\n" +
		"From: \"Choucheh\" <sip:6001@127.0.0.1>;tag=b1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: c4@test\r\nCSeq: 1 INVITE\r\n" +
		"Contact: <sip:6001@127.0.0.1:5061>\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\nContent-Length: 128\r\n\r\n" +
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n",
	"INVITE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-6\r\n" +
		"From: <sip:anyone@127.0.0.1>;tag=b2\r\nTo: <sip:6000@127.0.0.1>;tag=as1234\r\nCall-ID: c5@test\r\nCSeq: 2 INVITE\r\n" +
		"Content-Length: 0\r\n\r\n",
	"ACK sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-5\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=b1\r\nTo: <sip:6000@127.0.0.1>;tag=x\r\nCall-ID: c4@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
	"BYE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-7\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=b1\r\nTo: <sip:6000@127.0.0.1>;tag=x\r\nCall-ID: c4@test\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n",
	"CANCEL sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-5\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=b1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: c4@test\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
	"INFO sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-8\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=b1\r\nTo: <sip:6000@127.0.0.1>;tag=x\r\nCall-ID: c4@test\r\nCSeq: 4 INFO\r\n" +
		"Content-Type: application/dtmf-relay\r\nContent-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n",
	"OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-9\r\n" +
		"From: <sip:scanner@127.0.0.1>;tag=o1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: c6@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
	// Hostile: an escaped CRLF in the To user (which the registrar logs
	// and answers with), an IPv6 Via.
	"REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP [::1]:5061;branch=z9hG4bK-10;rport\r\n" +
		"From: \"x\" <sip:6000@127.0.0.1>;tag=h1\r\nTo: <sip:6000%0D%0AInjected:%20yes@127.0.0.1>\r\nCall-ID: c7@test\r\nCSeq: 1 REGISTER\r\n" +
		"Content-Length: 0\r\n\r\n",
	// Subscriptions (subscribe.go): a BLF SUBSCRIBE from a guest, one with
	// a bad Expires and no Accept, an in-dialog one of no dialog, an MWI
	// one; an unknown NOTIFY and a PUBLISH (notify_in.go).
	"SUBSCRIBE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-20;rport\r\n" +
		"From: <sip:guest@127.0.0.1>;tag=s1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: s1@test\r\nCSeq: 1 SUBSCRIBE\r\n" +
		"Contact: <sip:guest@127.0.0.1:5061>\r\nEvent: dialog;id=1\r\nAccept: application/dialog-info+xml, application/pidf+xml\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
	"SUBSCRIBE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-21;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=s2\r\nTo: <sip:6000@127.0.0.1>;tag=x\r\nCall-ID: s2@test\r\nCSeq: 1 SUBSCRIBE\r\n" +
		"Event: presence\r\nExpires: -99999999999999999999\r\nContent-Length: 4\r\n\r\n<x/>",
	"SUBSCRIBE sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-22;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=s3\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: s3@test\r\nCSeq: 1 SUBSCRIBE\r\n" +
		"Contact: <sip:6000@127.0.0.1:5061>\r\nEvent: message-summary\r\nAccept: application/simple-message-summary\r\nContent-Length: 0\r\n\r\n",
	"NOTIFY sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-23;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=n1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: n1@test\r\nCSeq: 1 NOTIFY\r\nEvent: keep-alive\r\nContent-Length: 0\r\n\r\n",
	"PUBLISH sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-24;rport\r\n" +
		"From: <sip:6000@127.0.0.1>;tag=p9\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: p9@test\r\nCSeq: 1 PUBLISH\r\nEvent: presence\r\n" +
		"Content-Type: application/pidf+xml\r\nContent-Length: 4\r\n\r\n<x/>",
	// No handler: 405 for a method chan_sip knows, 501 for one it does not.
	"PRACK sip:6000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-11\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=p1\r\nTo: <sip:6000@127.0.0.1>\r\nCall-ID: c8@test\r\nCSeq: 1 PRACK\r\nContent-Length: 0\r\n\r\n",
	"FROB sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-12\r\n" +
		"From: <sip:6001@127.0.0.1>;tag=p2\r\nTo: <sip:127.0.0.1>\r\nCall-ID: c9@test\r\nCSeq: 1 FROB\r\nContent-Length: 0\r\n\r\n",
}

// routeTable is the driver's method table as setupStack and startCalls
// register it with sipgo; TestFuzzRoutesMatchTheServer keeps the two equal.
func routeTable(d *Driver) map[sip.RequestMethod]func(*sip.Request, sip.ServerTransaction) {
	return map[sip.RequestMethod]func(*sip.Request, sip.ServerTransaction){
		sip.REGISTER: d.handleRegister,
		sip.OPTIONS:  d.handleOptions,
		sip.INVITE:   d.handleInvite,
		sip.ACK:      d.handleInDialog,
		sip.BYE:      d.handleInDialog,
		sip.CANCEL:   d.handleInDialog,
		sip.INFO:     d.handleInDialog,
		sip.UPDATE:   d.handleInDialog,
		sip.MESSAGE:  d.handleMessage,
		sip.REFER:    d.handleInDialog,
		// subscribe.go, notify_in.go
		sip.SUBSCRIBE: d.handleSubscribe,
		sip.NOTIFY:    d.handleNotify,
		sip.PUBLISH:   d.handlePublish,
		sip.PRACK:     d.handlePRACK, // prack.go
	}
}

// fuzzDriver is a started driver with calls enabled (an engine with an
// empty dialplan), so every handler the server routes to is reachable.
func fuzzDriver(tb testing.TB) *Driver {
	tb.Helper()
	d, err := New(Options{Config: loadConf(tb, testSIPConf), Store: newMemStore(), Version: "18.26.4",
		Engine: pbx.New(pbx.Config{}), Security: secFormat{}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(d.Stop)
	return d
}

func TestFuzzRoutesMatchTheServer(t *testing.T) {
	d := fuzzDriver(t)
	var ours []string
	for m := range routeTable(d) {
		ours = append(ours, m.String())
	}
	theirs := d.srv.RegisteredMethods()
	sort.Strings(ours)
	sort.Strings(theirs)
	if !slices.Equal(ours, theirs) {
		t.Errorf("fuzz routes %v, the server routes %v: update routeTable", ours, theirs)
	}
}

// FuzzSIPRequest drives the driver's real request handlers with whatever
// sipgo's parser makes of arbitrary bytes, as the UDP transport would hand
// them over (source 127.0.0.1:5061), through a recording transaction. It
// checks that nothing panics and that every answer is a well-formed
// response to that request: a status code, the request's Call-ID and CSeq,
// at most one final response, and bytes that parse as SIP again (so no
// input can smuggle headers into our answers).
func FuzzSIPRequest(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	d := fuzzDriver(f)
	routes := routeTable(d)
	props := sip.TransportReadProps{Transport: "UDP",
		LocalAddr:  &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5060},
		RemoteAddr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5061}}
	// REGISTERs read from UDP are answered by the read hook itself
	// (fastpath.go); its answers are recorded from the socket.
	sock := &recordingConn{}
	d.fast.Store(&udpFastPath{conn: sock, parser: sip.NewParser()})
	f.Fuzz(func(t *testing.T, raw []byte) {
		// The transport's path: read filter, then parser.
		data, err := d.readHook(props, raw)
		if answers := sock.take(); len(answers) > 0 {
			checkFastAnswers(t, raw, answers)
		}
		if err != nil || len(data) == 0 {
			return
		}
		msg, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		req.SetTransport("UDP")
		req.SetSource("127.0.0.1:5061")
		if _, err := sip.ServerTxKeyMake(req); err != nil {
			// sipgo answers 400 itself before any handler runs.
			return
		}
		handle := routes[req.Method]
		if handle == nil {
			handle = d.handleNoRoute
		}
		rec := siptest.NewServerTxRecorder(req)
		handle(req, rec)
		rec.Terminate()
		checkResponses(t, req, rec.Result())
	})
}

// checkFastAnswers checks what the read hook answered itself to the
// request in raw, as checkResponses does for the handlers' answers.
func checkFastAnswers(t *testing.T, raw []byte, answers []*sip.Response) {
	t.Helper()
	msg, err := sip.ParseMessage(raw)
	if err != nil {
		t.Fatalf("the read hook answered a request sipgo cannot parse (%v):\n%q", err, raw)
	}
	req, ok := msg.(*sip.Request)
	if !ok {
		t.Fatalf("the read hook answered a response:\n%q", raw)
	}
	checkResponses(t, req, answers)
}

// recordingConn stands for the UDP socket the read hook answers on; it
// keeps the responses written to it.
type recordingConn struct {
	sip.Connection // nil: only WriteMsg is used
	mu             sync.Mutex
	out            []*sip.Response
}

func (c *recordingConn) WriteMsg(m sip.Message) error {
	r, ok := m.(*sip.Response)
	if !ok {
		return fmt.Errorf("the read hook wrote a request: %q", m.String())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out = append(c.out, r)
	return nil
}

func (c *recordingConn) take() []*sip.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}

func checkResponses(t *testing.T, req *sip.Request, res []*sip.Response) {
	t.Helper()
	finals := 0
	for _, r := range res {
		raw := r.String()
		if r.StatusCode < 100 || r.StatusCode > 699 {
			t.Fatalf("status %d in response to %q:\n%s", r.StatusCode, req.StartLine(), raw)
		}
		if r.StatusCode >= 200 {
			finals++
		}
		if id, rid := req.CallID(), r.CallID(); id != nil && (rid == nil || rid.Value() != id.Value()) {
			t.Fatalf("response Call-ID %v, request %q:\n%s", rid, id.Value(), raw)
		}
		if cs, rcs := req.CSeq(), r.CSeq(); cs != nil && (rcs == nil || rcs.SeqNo != cs.SeqNo || rcs.MethodName != cs.MethodName) {
			t.Fatalf("response CSeq %v, request %v:\n%s", rcs, cs, raw)
		}
		if err := oneHeaderPerLine(r); err != nil {
			t.Fatalf("our %d: %v:\n%q", r.StatusCode, err, raw)
		}
	}
	if finals > 1 {
		t.Fatalf("%d final responses to %q", finals, req.StartLine())
	}
}

// oneHeaderPerLine checks that a response's header section has exactly one
// line per header: a value carrying CR or LF would let a request smuggle
// headers, or a body, into our answer. (Re-parsing with sipgo is not the
// test: its parser accepts shapes it does not write back the same way.)
func oneHeaderPerLine(r *sip.Response) error {
	var b strings.Builder
	r.StringWrite(&b)
	raw := b.String()
	head, _, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		return fmt.Errorf("no end of headers")
	}
	if strings.Count(head, "\r") != strings.Count(head, "\r\n") || strings.Count(head, "\n") != strings.Count(head, "\r\n") {
		return fmt.Errorf("a bare CR or LF in the header section")
	}
	if lines, headers := strings.Count(head, "\r\n"), len(r.Headers()); lines != headers {
		return fmt.Errorf("%d header lines for %d headers", lines, headers)
	}
	return nil
}

// TestFuzzSeedsAnswered runs every seed through the handlers
// once and shows what the driver answers, so a failing seed is readable.
func TestFuzzSeedsAnswered(t *testing.T) {
	d := fuzzDriver(t)
	routes := routeTable(d)
	for i, s := range fuzzSeeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			msg, err := sip.ParseMessage([]byte(s))
			if err != nil {
				t.Skipf("sipgo rejects seed %d: %v", i, err)
			}
			req := msg.(*sip.Request)
			req.SetTransport("UDP")
			req.SetSource("127.0.0.1:5061")
			rec := siptest.NewServerTxRecorder(req)
			handle := routes[req.Method]
			if handle == nil {
				handle = d.handleNoRoute
			}
			handle(req, rec)
			rec.Terminate()
			res := rec.Result()
			checkResponses(t, req, res)
			if req.Method != sip.ACK && len(res) == 0 {
				t.Errorf("%s got no answer", strings.Fields(s)[0])
			}
		})
	}
}

func TestBareLineBreak(t *testing.T) {
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"clean", "OPTIONS sip:a SIP/2.0\r\nVia: x\r\n\r\n", false},
		{"clean with body", "INVITE sip:a SIP/2.0\r\nContent-Length: 4\r\n\r\na\nb\r", false},
		{"lone LF in a value", "REGISTER sip:a SIP/2.0\r\nFrom: <sip:a>;tag=\n0\r\n\r\n", true},
		{"lone CR in a value", "REGISTER sip:a SIP/2.0\r\nFrom: x\ry\r\n\r\n", true},
		{"LF line endings", "OPTIONS sip:a SIP/2.0\nVia: x\n\n", true},
		{"CR at the end of a headers-only packet", "OPTIONS sip:a SIP/2.0\r\nVia: x\r", true},
		{"keep-alive", "\r\n\r\n", false},
	}
	for _, tc := range tests {
		if got := bareLineBreak([]byte(tc.data)); got != tc.want {
			t.Errorf("%s: bareLineBreak = %v, want %v", tc.name, got, tc.want)
		}
	}
	// What the registrar sees after sipgo's parser kept the LF.
	msg, err := sip.ParseMessage([]byte("REGISTER sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n" +
		"From: <sip:a@h>;tag=\n0\r\nTo: <sip:a@h>\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasBareLineBreak(msg.(*sip.Request)) {
		t.Error("hasBareLineBreak misses the LF sipgo kept in From")
	}
}
