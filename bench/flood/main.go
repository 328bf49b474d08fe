// Command flood sends a SIP flood at a server for a bounded time, as an
// attacker's script would, and reports the rate it achieved: bench/run.sh's
// flood step (issue 15) runs it against gostrisk and samples the server's
// memory around it.
//
//	go run ./bench/flood -target 127.0.0.1:5060 -mode options -seconds 30
//
// Modes:
//
//	options       OPTIONS over UDP, each a new transaction (new branch,
//	              Call-ID and From tag), out of dialog
//	invite        INVITE with SDP over UDP from a user the server does not
//	              know, no credentials (each gets a challenge or 403)
//	invite-known  the same INVITE from a known user (-user), no credentials
//	register      REGISTER over UDP for -user without credentials (each
//	              gets a challenge)
//	garbage       random bytes over UDP, 100 to 1,300 per datagram
//	tcp-options   OPTIONS over -conns TCP connections, pipelined (a
//	              connection the server closes is opened again)
//
// Every datagram is built in place in one buffer (the sequence number is
// written into fixed-width fields), so the sender spends its CPU on
// sending. -rate 0 (the default) sends as fast as the socket takes them;
// a positive -rate paces to that many per second. What the server answers
// is read and counted.
//
// The last line printed is the summary bench/run.sh parses:
//
//	flood mode=options sent=2400000 seconds=30.00 rate=80000 answered=2398000 reconnects=0
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("target", "", "server address host:port (required)")
	mode := flag.String("mode", "options", "options, invite, invite-known, register, garbage or tcp-options")
	seconds := flag.Float64("seconds", 30, "how long to send")
	rate := flag.Int("rate", 0, "messages per second (0: as fast as possible)")
	user := flag.String("user", "100000", "the known user for invite-known and register")
	conns := flag.Int("conns", 200, "TCP connections for tcp-options")
	flag.Parse()
	if *target == "" {
		fmt.Fprintln(os.Stderr, "flood: -target is required")
		os.Exit(2)
	}
	dst, err := net.ResolveUDPAddr("udp", *target)
	if err != nil {
		fmt.Fprintf(os.Stderr, "flood: -target: %v\n", err)
		os.Exit(2)
	}
	f := &flood{dst: dst, user: *user, rate: *rate, dur: time.Duration(*seconds * float64(time.Second))}
	switch *mode {
	case "tcp-options":
		err = f.tcp(*conns)
	case "options", "invite", "invite-known", "register", "garbage":
		err = f.udp(*mode)
	default:
		err = fmt.Errorf("unknown -mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "flood: %v\n", err)
		os.Exit(1)
	}
	secs := f.elapsed.Seconds()
	fmt.Printf("flood mode=%s sent=%d seconds=%.2f rate=%.0f answered=%d reconnects=%d\n",
		*mode, f.sent.Load(), secs, float64(f.sent.Load())/secs, f.answered.Load(), f.reconnects.Load())
}

type flood struct {
	dst  *net.UDPAddr
	user string
	rate int
	dur  time.Duration

	sent, answered, reconnects atomic.Int64
	elapsed                    time.Duration
}

// seqWidth is the width of the sequence number fields in a template.
const seqWidth = 10

// seqMark is where a template takes the sequence number.
var seqMark = bytes.Repeat([]byte{'#'}, seqWidth)

// message is a request template with the offsets of its sequence fields.
type message struct {
	buf  []byte
	offs []int
}

// newMessage builds the request for mode: the Via names local (the
// sender's own address, where answers go), and every "#" run of seqWidth
// is a field the sequence number is written into.
func newMessage(mode string, local, dst net.Addr, user, transport string) *message {
	from := "<sip:flood##########@" + hostOf(dst) + ">;tag=##########"
	ruri := "sip:" + user + "@" + dst.String()
	var method, extra, body string
	switch mode {
	case "options", "tcp-options":
		method = "OPTIONS"
		extra = "Accept: application/sdp\r\n"
	case "invite", "invite-known":
		method = "INVITE"
		if mode == "invite-known" {
			from = "<sip:" + user + "@" + hostOf(dst) + ">;tag=##########"
		}
		body = "v=0\r\no=flood 1 1 IN IP4 " + hostOf(local) + "\r\ns=-\r\nc=IN IP4 " + hostOf(local) +
			"\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
		extra = "Content-Type: application/sdp\r\n"
	case "register":
		method = "REGISTER"
		ruri = "sip:" + dst.String()
		from = "<sip:" + user + "@" + hostOf(dst) + ">;tag=##########"
		extra = "Expires: 3600\r\n"
	}
	to := "<sip:" + user + "@" + hostOf(dst) + ">"
	s := method + " " + ruri + " SIP/2.0\r\n" +
		"Via: SIP/2.0/" + transport + " " + local.String() + ";branch=z9hG4bK-flood-##########;rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: " + from + "\r\n" +
		"To: " + to + "\r\n" +
		"Call-ID: ##########-flood@" + hostOf(local) + "\r\n" +
		"CSeq: 1 " + method + "\r\n" +
		"Contact: <sip:flood@" + local.String() + ">\r\n" +
		"User-Agent: gostrisk-flood\r\n" + extra +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	m := &message{buf: []byte(s)}
	for i := 0; ; {
		j := bytes.Index(m.buf[i:], seqMark)
		if j < 0 {
			break
		}
		m.offs = append(m.offs, i+j)
		i += j + seqWidth
	}
	return m
}

// set writes n into every sequence field.
func (m *message) set(n uint64) []byte {
	var d [seqWidth]byte
	for i := seqWidth - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	for _, o := range m.offs {
		copy(m.buf[o:], d[:])
	}
	return m.buf
}

func hostOf(a net.Addr) string {
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// pacer spaces sends to rate per second (rate 0: no pacing), checking the
// clock every batch so it costs little at high rates.
type pacer struct {
	rate  int
	start time.Time
	n     int
}

func (p *pacer) wait() {
	p.n++
	if p.rate <= 0 || p.n%16 != 0 {
		return
	}
	due := p.start.Add(time.Duration(float64(p.n) / float64(p.rate) * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		time.Sleep(d)
	}
}

func (f *flood) udp(mode string) error {
	c, err := net.DialUDP("udp", nil, f.dst)
	if err != nil {
		return fmt.Errorf("dial %s: %w", f.dst, err)
	}
	defer c.Close()
	c.SetWriteBuffer(4 << 20)
	c.SetReadBuffer(4 << 20)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.count(c)
	}()
	var m *message
	var garbage []byte
	rng := rand.New(rand.NewPCG(1, 2))
	if mode == "garbage" {
		garbage = make([]byte, 1300)
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
	} else {
		m = newMessage(mode, c.LocalAddr(), f.dst, f.user, "UDP")
	}
	start := time.Now()
	end := start.Add(f.dur)
	p := &pacer{rate: f.rate, start: start}
	for n := uint64(1); ; n++ {
		if n%256 == 0 && time.Now().After(end) {
			break
		}
		var b []byte
		if garbage != nil {
			// A new slice of the random block each time, with a few
			// bytes changed, so no two datagrams are the same.
			off := rng.IntN(200)
			b = garbage[off : off+100+rng.IntN(1000)]
			b[rng.IntN(len(b))] = byte(n)
		} else {
			b = m.set(n)
		}
		if _, err := c.Write(b); err != nil {
			// ECONNREFUSED from an earlier datagram (nothing listening
			// for a moment) or a full buffer: keep flooding.
			continue
		}
		f.sent.Add(1)
		p.wait()
	}
	f.elapsed = time.Since(start)
	// Answers still in flight are counted for a moment, then the socket
	// is closed, which ends the reader.
	time.Sleep(200 * time.Millisecond)
	c.Close()
	wg.Wait()
	return nil
}

// count reads and counts what the server answers on c until c is closed.
func (f *flood) count(c net.Conn) {
	buf := make([]byte, 65536)
	for {
		if _, err := c.Read(buf); err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		f.answered.Add(1)
	}
}

// tcp floods OPTIONS over conns connections, each its own writer; a
// connection the server closes (or refuses) is dialled again.
func (f *flood) tcp(conns int) error {
	start := time.Now()
	end := start.Add(f.dur)
	var wg sync.WaitGroup
	var seq atomic.Uint64
	perConn := 0
	if f.rate > 0 {
		perConn = max(f.rate/conns, 1)
	}
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if err := f.tcpConn(end, &seq, perConn); err != nil && time.Now().Before(end) {
					if f.reconnects.Add(1) <= 3 {
						fmt.Fprintf(os.Stderr, "flood: connection: %v\n", err)
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	f.elapsed = time.Since(start)
	return nil
}

func (f *flood) tcpConn(end time.Time, seq *atomic.Uint64, rate int) error {
	c, err := net.DialTimeout("tcp", f.dst.String(), 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(end)
	rd := make(chan struct{})
	go func() {
		defer close(rd)
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			// Answers are counted by their status lines.
			f.answered.Add(int64(bytes.Count(buf[:n], []byte("SIP/2.0 "))))
		}
	}()
	defer func() { c.Close(); <-rd }()
	m := newMessage("tcp-options", c.LocalAddr(), c.RemoteAddr(), f.user, "TCP")
	p := &pacer{rate: rate, start: time.Now()}
	// A few requests per write: an attacker's pipelined stream.
	const batch = 8
	out := make([]byte, 0, batch*(len(m.buf)+16))
	for time.Now().Before(end) {
		out = out[:0]
		for range batch {
			out = append(out, m.set(seq.Add(1))...)
		}
		if _, err := c.Write(out); err != nil {
			return err
		}
		f.sent.Add(batch)
		for range batch {
			p.wait()
		}
	}
	return nil
}
