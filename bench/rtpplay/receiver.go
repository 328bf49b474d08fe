package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gostrisk/gostrisk/bench/internal/kstamp"
)

// flow is what the receiver keeps of one session's packets in the window.
type flow struct {
	started bool
	ts0     uint32
	seq0    uint16
	maxSeq  uint16
	offsets []int64 // arrival (kernel time) minus the RTP timestamp's time, ns
	packets uint64
}

// runReceiver is the receiver process: it reads the number of sessions,
// binds that many UDP sockets and prints their ports, then on "start"
// begins recording each packet's kernel arrival time and on "stop" prints
// "packets expected p50 p99 max within2ms" (nanoseconds; a share).
func runReceiver(in io.Reader, out io.Writer) error {
	r := bufio.NewReader(in)
	line, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		return fmt.Errorf("count %q: %w", line, err)
	}
	runtime.LockOSThread()
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	fds := make([]int, n)
	var ports []string
	for i := range fds {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		if err := kstamp.Enable(fd); err != nil {
			return err
		}
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			return err
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			return err
		}
		ports = append(ports, strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
		if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}); err != nil {
			return err
		}
		fds[i] = fd
	}
	fmt.Fprintln(out, strings.Join(ports, " "))

	var recording, quit atomic.Bool
	flows := make([]flow, n)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		events := make([]unix.EpollEvent, 256)
		buf := make([]byte, 2048)
		oob := make([]byte, kstamp.OOBSize)
		for !quit.Load() {
			k, err := unix.EpollWait(epfd, events, 100)
			if err != nil {
				continue
			}
			rec := recording.Load()
			for _, ev := range events[:k] {
				i := ev.Fd
				for {
					m, oobn, _, _, err := unix.Recvmsg(fds[i], buf, oob, unix.MSG_DONTWAIT)
					if err != nil {
						break
					}
					if !rec || m < 12 {
						continue
					}
					at, ok := kstamp.Parse(oob[:oobn])
					if !ok {
						at = time.Now().UnixNano()
					}
					flows[i].add(buf[:m], at)
				}
			}
		}
	}()

	for {
		line, err := r.ReadString('\n')
		if f := strings.Fields(line); len(f) > 0 && f[0] == "talk" {
			// Every socket streams 20 ms G.711 to its session from now on,
			// as a phone listening to a prompt still sends its audio.
			ports, err := parsePorts(f[1:], n)
			if err != nil {
				return err
			}
			go talk(fds, ports, &quit)
			fmt.Fprintln(out, "ok")
			continue
		}
		if f := strings.Fields(line); len(f) > 0 && f[0] == "lock" {
			// One packet from each socket to its session, as a phone's
			// first RTP packet.
			pkt := []byte{0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff}
			for i, ps := range f[1:] {
				port, perr := strconv.Atoi(ps)
				if perr != nil || i >= n {
					return fmt.Errorf("lock %q", ps)
				}
				if err := unix.Sendto(fds[i], pkt, 0, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
					return fmt.Errorf("lock send: %w", err)
				}
			}
			fmt.Fprintln(out, "ok")
			continue
		}
		switch strings.TrimSpace(line) {
		case "start":
			recording.Store(true)
			continue
		case "stop":
			recording.Store(false)
			quit.Store(true)
			<-done
			fmt.Fprintln(out, summarize(flows))
			return nil
		}
		if err != nil {
			quit.Store(true)
			<-done
			return nil
		}
	}
}

func (f *flow) add(pkt []byte, at int64) {
	seq := binary.BigEndian.Uint16(pkt[2:])
	ts := binary.BigEndian.Uint32(pkt[4:])
	if pkt[1]&0x7f != 0 {
		return
	}
	if !f.started {
		f.started, f.ts0, f.seq0, f.maxSeq = true, ts, seq, seq
	}
	if int16(seq-f.maxSeq) > 0 {
		f.maxSeq = seq
	}
	f.packets++
	// 8 kHz: 125 us per timestamp unit.
	f.offsets = append(f.offsets, at-int64(ts-f.ts0)*125000)
}

func parsePorts(f []string, n int) ([]int, error) {
	if len(f) != n {
		return nil, fmt.Errorf("%d ports for %d sockets", len(f), n)
	}
	ports := make([]int, n)
	for i, ps := range f {
		p, err := strconv.Atoi(ps)
		if err != nil {
			return nil, fmt.Errorf("port %q: %w", ps, err)
		}
		ports[i] = p
	}
	return ports, nil
}

// talk sends one 172-byte RTP packet from every socket to its session
// each 20 ms, spread over the period, until quit.
func talk(fds, ports []int, quit *atomic.Bool) {
	runtime.LockOSThread()
	pkt := make([]byte, 172)
	pkt[0] = 0x80
	pkt[11] = 2
	addrs := make([]unix.SockaddrInet4, len(fds))
	for i, p := range ports {
		addrs[i] = unix.SockaddrInet4{Port: p, Addr: [4]byte{127, 0, 0, 1}}
	}
	var seq uint16
	var ts uint32
	start := time.Now()
	const groups = 20 // one group per millisecond of the period
	for round := 0; !quit.Load(); round++ {
		g := round % groups
		if g == 0 {
			seq++
			ts += 160
		}
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], ts)
		for i := g; i < len(fds); i += groups {
			_ = unix.Sendto(fds[i], pkt, unix.MSG_DONTWAIT, &addrs[i])
		}
		if d := time.Until(start.Add(time.Duration(round+1) * time.Millisecond)); d > 0 {
			time.Sleep(d)
		}
	}
}

func summarize(flows []flow) string {
	var errs []int64
	var packets, expected uint64
	for i := range flows {
		f := &flows[i]
		if len(f.offsets) == 0 {
			continue
		}
		base := int64(math.MaxInt64)
		for _, o := range f.offsets {
			base = min(base, o)
		}
		for _, o := range f.offsets {
			errs = append(errs, o-base)
		}
		packets += f.packets
		expected += uint64(uint16(f.maxSeq-f.seq0)) + 1
	}
	if len(errs) == 0 {
		return "0 0 0 0 0 0"
	}
	slices.Sort(errs)
	within := 0
	for _, e := range errs {
		if e <= int64(2*time.Millisecond) {
			within++
		}
	}
	pct := func(p float64) int64 { return errs[min(len(errs)-1, int(p*float64(len(errs))))] }
	return fmt.Sprintf("%d %d %d %d %d %f", packets, expected, pct(0.5), pct(0.99), errs[len(errs)-1], float64(within)/float64(len(errs)))
}
