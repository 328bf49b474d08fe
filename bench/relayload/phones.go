package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/srtp/v3"

	"github.com/gostrisk/gostrisk/bench/internal/pin"

	"github.com/gostrisk/gostrisk/bench/internal/kstamp"
)

const (
	ptime       = 20 * time.Millisecond
	payloadSize = 160 // 20 ms of G.711 at 8 kHz
	headerSize  = 12
	drainTime   = 300 * time.Millisecond
)

// phone is one fake handset: a UDP socket that streams to its relay leg
// and counts what comes back.
type phone struct {
	conn  *net.UDPConn
	leg   netip.AddrPort
	fill  byte  // payload byte it sends; the other phone checks it
	want  byte  // payload byte it expects from the other phone; 0: any (translated audio)
	pt    uint8 // payload type it sends
	enc   *srtp.Context
	dec   *srtp.Context
	ssrc  uint32
	seq   uint16
	ts    uint32
	pkt   []byte
	out   []byte
	sent  uint64        // owned by the sender goroutine
	recv  atomic.Uint64 // owned by the phone's reader
	bad   atomic.Uint64
	plain [headerSize + payloadSize + 64]byte
	last  int64 // kernel arrival time (ns) of the previous packet, for the pacing figures
}

func newPhone(legPort uint16, fill, want byte, sendKey, recvKey []byte) (*phone, error) {
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		return nil, fmt.Errorf("phone socket: %w", err)
	}
	if err := kstamp.EnableConn(conn); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("phone socket timestamps: %w", err)
	}
	p := &phone{
		conn: conn, leg: netip.AddrPortFrom(loopback, legPort), fill: fill, want: want,
		ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32(),
		pkt: make([]byte, headerSize+payloadSize), out: make([]byte, 0, headerSize+payloadSize+64),
	}
	for i := headerSize; i < len(p.pkt); i++ {
		p.pkt[i] = fill
	}
	if sendKey != nil {
		if p.enc, err = srtp.CreateContext(sendKey[:16], sendKey[16:], srtp.ProtectionProfileAes128CmHmacSha1_80); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("phone srtp send: %w", err)
		}
	}
	if recvKey != nil {
		if p.dec, err = srtp.CreateContext(recvKey[:16], recvKey[16:], srtp.ProtectionProfileAes128CmHmacSha1_80); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("phone srtp receive: %w", err)
		}
	}
	return p, nil
}

func (p *phone) port() uint16 {
	return uint16(p.conn.LocalAddr().(*net.UDPAddr).Port)
}

// send writes the next 20 ms packet, encrypted when the phone does SRTP.
// Send errors (a full socket buffer) count as sent and lost: the relay
// never saw them, which is what a real phone would experience too.
func (p *phone) send() {
	p.pkt[0], p.pkt[1] = 0x80, p.pt // V=2
	binary.BigEndian.PutUint16(p.pkt[2:], p.seq)
	binary.BigEndian.PutUint32(p.pkt[4:], p.ts)
	binary.BigEndian.PutUint32(p.pkt[8:], p.ssrc)
	p.seq++
	p.ts += payloadSize
	wire := p.pkt
	if p.enc != nil {
		var err error
		if wire, err = p.enc.EncryptRTP(p.out[:0], p.pkt, nil); err != nil {
			return
		}
	}
	p.sent++
	_, _ = p.conn.WriteToUDPAddrPort(wire, p.leg)
}

// read counts packets until the socket's deadline passes. A packet is bad
// when it fails SRTP authentication or its payload is not what the other
// phone sent.
func (p *phone) read() {
	buf := make([]byte, 1500)
	oob := make([]byte, kstamp.OOBSize)
	for {
		n, oobn, _, _, err := p.conn.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			return
		}
		pkt := buf[:n]
		if p.dec != nil {
			if pkt, err = p.dec.DecryptRTP(p.plain[:0], pkt, nil); err != nil {
				p.bad.Add(1)
				continue
			}
		}
		if len(pkt) != headerSize+payloadSize || (p.want != 0 && (pkt[headerSize] != p.want || pkt[len(pkt)-1] != p.want)) {
			p.bad.Add(1)
			continue
		}
		p.recv.Add(1)
		if measuring.Load() {
			at, ok := kstamp.Parse(oob[:oobn])
			if !ok {
				at = time.Now().UnixNano()
			}
			if p.last != 0 {
				spacing.add(time.Duration(at-p.last) - ptime)
			}
			p.last = at
		}
	}
}

// measuring is set while the window is open.
var measuring atomic.Bool

// spacing is a histogram of how far the gaps between packets a phone
// receives are from 20 ms, in 0.1 ms buckets up to 50 ms. Arrivals are the
// kernel's receive timestamps (SO_TIMESTAMPNS), so a busy phones' process
// does not add its own scheduling; a gap still holds the error of both
// packets' sending: an upper bound of the sender's pacing error.
var spacing pacingHist

type pacingHist struct {
	buckets [501]atomic.Uint64
}

func (h *pacingHist) add(d time.Duration) {
	if d < 0 {
		d = -d
	}
	i := int(d / (100 * time.Microsecond))
	if i >= len(h.buckets) {
		i = len(h.buckets) - 1
	}
	h.buckets[i].Add(1)
}

// quantile returns the gap error below which fraction q of packets fall,
// in milliseconds.
func (h *pacingHist) quantile(q float64) float64 {
	var total uint64
	for i := range h.buckets {
		total += h.buckets[i].Load()
	}
	if total == 0 {
		return 0
	}
	want := uint64(q * float64(total))
	var n uint64
	for i := range h.buckets {
		n += h.buckets[i].Load()
		if n >= want && n > 0 {
			return float64(i+1) / 10
		}
	}
	return 50
}

// runPhones is the phones process: it reads the calls from the relay,
// binds two sockets per call, streams when told to and reports totals and
// its own CPU use over the same window as the relay.
func runPhones(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	line, err := readLine(r)
	if err != nil {
		return err
	}
	var n int
	var warmupNs, durNs int64
	if _, err := fmt.Sscanf(line, "setup %d %d %d", &n, &warmupNs, &durNs); err != nil {
		return fmt.Errorf("bad setup line %q: %w", line, err)
	}
	phones := make([]*phone, 0, 2*n)
	defer func() {
		for _, p := range phones {
			_ = p.conn.Close()
		}
	}()
	w := bufio.NewWriter(out)
	for i := 0; i < n; i++ {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		f := strings.Fields(line)
		if len(f) != 9 {
			return fmt.Errorf("bad call line %q", line)
		}
		var fillA, fillB byte
		if _, err := fmt.Sscanf(f[7]+" "+f[8], "%d %d", &fillA, &fillB); err != nil {
			return fmt.Errorf("bad call line %q: %w", line, err)
		}
		var ptA, ptB, relayed uint8
		if _, err := fmt.Sscanf(f[4]+" "+f[5]+" "+f[6], "%d %d %d", &ptA, &ptB, &relayed); err != nil {
			return fmt.Errorf("bad call line %q: %w", line, err)
		}
		// Translated or played audio is not the bytes the other phone
		// sent: only its size is checked then.
		wantA, wantB := byte(0xBB), byte(0xAA)
		if relayed == 0 {
			wantA, wantB = 0, 0
		}
		var aPort, bPort uint16
		if _, err := fmt.Sscanf(f[0]+" "+f[1], "%d %d", &aPort, &bPort); err != nil {
			return fmt.Errorf("bad call line %q: %w", line, err)
		}
		phoneKey, err := decodeKey(f[2])
		if err != nil {
			return err
		}
		legKey, err := decodeKey(f[3])
		if err != nil {
			return err
		}
		a, err := newPhone(aPort, fillA, wantA, phoneKey, legKey)
		if err != nil {
			return err
		}
		a.pt = ptA
		phones = append(phones, a)
		b, err := newPhone(bPort, fillB, wantB, nil, nil)
		if err != nil {
			return err
		}
		b.pt = ptB
		phones = append(phones, b)
		fmt.Fprintf(w, "%d %d\n", a.port(), b.port())
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("report ports: %w", err)
	}
	if line, err := readLine(r); err != nil || line != "go" {
		return errors.Join(fmt.Errorf("expected go, got %q", line), err)
	}

	var readers sync.WaitGroup
	for _, p := range phones {
		readers.Add(1)
		go func() {
			defer readers.Done()
			p.read()
		}()
	}
	stop := make(chan struct{})
	senderDone := make(chan struct{})
	go func() {
		defer close(senderDone)
		tick := time.NewTicker(ptime)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				for _, p := range phones {
					p.send()
				}
			}
		}
	}()

	time.Sleep(time.Duration(warmupNs))
	measuring.Store(true)
	cpu0, err := pin.CPUTime()
	if err != nil {
		return err
	}
	t0 := time.Now()
	time.Sleep(time.Duration(durNs))
	cpu1, err := pin.CPUTime()
	if err != nil {
		return err
	}
	cpu := (cpu1 - cpu0).Seconds() / time.Since(t0).Seconds()
	measuring.Store(false)
	close(stop)
	<-senderDone
	time.Sleep(drainTime)
	for _, p := range phones {
		_ = p.conn.SetReadDeadline(time.Unix(1, 0))
	}
	readers.Wait()

	var sent, recv, bad uint64
	for _, p := range phones {
		sent += p.sent
		recv += p.recv.Load()
		bad += p.bad.Load()
	}
	fmt.Fprintf(w, "result %d %d %d %.4f %.1f %.1f\n", sent, recv, bad, cpu, spacing.quantile(0.5), spacing.quantile(0.99))
	if err := w.Flush(); err != nil {
		return fmt.Errorf("report result: %w", err)
	}
	_ = os.Stdout.Sync()
	return nil
}
