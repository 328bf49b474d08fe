package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gostrisk/gostrisk/bench/internal/pin"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/realtime"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// pinnedEnv marks a process already re-executed under taskset.
const pinnedEnv = "RTPPLAY_PINNED"

type options struct {
	talk       bool
	lock       bool
	counts     []int
	dur        time.Duration
	warmup     time.Duration
	portStart  int
	portEnd    int
	recvCPU    string
	sessionCPU string
}

func main() {
	recv := flag.Bool("recv", false, "internal: run as the receiver process (driven over stdin/stdout)")
	n := flag.String("n", "2000", "comma-separated numbers of concurrent sessions")
	dur := flag.Duration("dur", 20*time.Second, "measurement window per run")
	warmup := flag.Duration("warmup", 2*time.Second, "playing before the window opens")
	ports := flag.String("ports", "20000-29999", "RTP port range of the sessions' allocator")
	sessionCPU := flag.String("cpu", "0", "CPU list for the sessions (taskset -c); empty: no pinning")
	recvCPU := flag.String("recv-cpu", "1", "CPU list for the receiver process; empty: no pinning")
	lock := flag.Bool("lock", true, "the receiver first sends one RTP packet to each session, as a phone would, so strict RTP locks the peer and the socket is connected to it")
	talk := flag.Bool("talk", false, "the receiver also streams 20 ms G.711 to every session (a phone talking while it listens); the sessions' CPU then includes receiving")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the sessions' process to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the sessions' process to this file at the end")
	floorProbe := flag.Bool("floor", true, "before the runs, measure the machine's own timing floor: a bare thread sleeping to 1 ms deadlines on the sessions' CPU for -dur")
	highPrio := flag.Bool("highpriority", false, "run the sessions' threads under SCHED_RR, as the daemon does with -p or asterisk.conf's highpriority (the receiver stays normal)")
	flag.Parse()

	if *recv {
		if err := runReceiver(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay receiver:", err)
			os.Exit(1)
		}
		return
	}
	if *sessionCPU != "" && os.Getenv(pinnedEnv) == "" {
		if ts, err := exec.LookPath("taskset"); err == nil {
			os.Exit(pin.Reexec("rtpplay", ts, *sessionCPU, pinnedEnv))
		}
	}
	if *highPrio {
		if err := realtime.Enable(); err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay:", err)
			os.Exit(1)
		}
	}
	o := options{talk: *talk, lock: *lock, dur: *dur, warmup: *warmup, recvCPU: *recvCPU, sessionCPU: *sessionCPU}
	for _, f := range strings.Split(*n, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			fmt.Fprintf(os.Stderr, "rtpplay: bad -n %q\n", f)
			os.Exit(2)
		}
		o.counts = append(o.counts, v)
	}
	if _, err := fmt.Sscanf(*ports, "%d-%d", &o.portStart, &o.portEnd); err != nil {
		fmt.Fprintf(os.Stderr, "rtpplay: bad -ports %q\n", *ports)
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var fl floor
	if *floorProbe {
		fl = measureFloor(*dur)
	}
	var rows []result
	for _, n := range o.counts {
		r, err := runOne(o, n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		rows = append(rows, r)
	}
	printTable(os.Stdout, o, rows)
	if fl.measured {
		fmt.Printf("machine floor: a bare thread sleeping to 1 ms deadlines on the same CPU and policy, %d wake-ups: p99 %.2f ms, max %.2f ms, %.3f %% later than 2 ms\n",
			fl.wakeups, ms(fl.p99), ms(fl.max), 100*fl.over2ms)
	}
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err == nil {
			err = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "rtpplay:", err)
			os.Exit(1)
		}
	}
}

type result struct {
	n             int
	p50, p99, max time.Duration // receiver-side pacing error
	within2ms     float64       // share of packets within 2 ms
	sendMax       time.Duration // worst MaxPacingError of the sessions' Stats
	pps           float64       // packets/s received in the window
	sentPPS       float64
	recvPPS       float64 // packets/s the sessions accepted from the talking peers
	usPerPacket   float64 // CPU of the sessions' process per packet sent or received, us
	cpu           float64 // % of one core, sessions' process
	goroutines    int
	lostShare     float64 // packets expected but not received, share
	waitPct       float64 // time the process's threads waited for a CPU, % of the window
}

// tone is one second of a 1 kHz tone in mu-law, cycled by every producer.
var tone = func() []byte {
	b := make([]byte, 8000)
	for i := range b {
		// 1 kHz at 8 kHz: the eight sample values of one period.
		b[i] = media.LinearToULaw([8]int16{0, 5792, 8191, 5792, 0, -5792, -8191, -5792}[i%8])
	}
	return b
}()

func runOne(o options, n int) (res result, err error) {
	res.n = n
	cmd, stdin, stdout, err := startReceiver(o.recvCPU)
	if err != nil {
		return res, err
	}
	defer func() {
		stdin.Close()
		if werr := cmd.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("receiver: %w", werr)
		}
	}()
	fmt.Fprintf(stdin, "%d\n", n)
	line, err := readLine(stdout)
	if err != nil {
		return res, fmt.Errorf("receiver ports: %w", err)
	}
	var ports []uint16
	for _, f := range strings.Fields(line) {
		p, err := strconv.Atoi(f)
		if err != nil {
			return res, fmt.Errorf("receiver port %q: %w", f, err)
		}
		ports = append(ports, uint16(p))
	}
	if len(ports) != n {
		return res, fmt.Errorf("receiver gave %d ports, want %d", len(ports), n)
	}

	alloc, err := rtp.NewAllocator(o.portStart, o.portEnd)
	if err != nil {
		return res, err
	}
	lo := netip.MustParseAddr("127.0.0.1")
	legs := make([]*rtp.Leg, 0, n)
	sessions := make([]*rtp.Session, 0, n)
	defer func() {
		for _, s := range sessions {
			s.Close()
		}
		for _, l := range legs {
			l.Close()
		}
	}()
	for i := range n {
		l, err := rtp.NewLeg(alloc, lo, rtp.LegOptions{Strict: rtp.StrictYes})
		if err != nil {
			return res, fmt.Errorf("leg %d: %w", i, err)
		}
		legs = append(legs, l)
		l.SetRemote(netip.AddrPortFrom(lo, ports[i]))
		s, err := l.StartSession(rtp.SessionConfig{Format: media.ULaw, PT: 0, DTMFPT: 101})
		if err != nil {
			return res, fmt.Errorf("session %d: %w", i, err)
		}
		sessions = append(sessions, s)
	}

	if o.lock {
		var b strings.Builder
		b.WriteString("lock")
		for _, l := range legs {
			fmt.Fprintf(&b, " %d", l.Port())
		}
		fmt.Fprintln(stdin, b.String())
		if line, err := readLine(stdout); err != nil || line != "ok" {
			return res, fmt.Errorf("receiver lock: %q %v", line, err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for _, l := range legs {
			for _, ok := l.LockedSource(); !ok; _, ok = l.LockedSource() {
				if time.Now().After(deadline) {
					return res, errors.New("strict RTP did not lock on the receiver's packets")
				}
				time.Sleep(time.Millisecond)
			}
		}
	}

	if o.talk {
		var b strings.Builder
		b.WriteString("talk")
		for _, l := range legs {
			fmt.Fprintf(&b, " %d", l.Port())
		}
		fmt.Fprintln(stdin, b.String())
		if line, err := readLine(stdout); err != nil || line != "ok" {
			return res, fmt.Errorf("receiver talk: %q %v", line, err)
		}
	}

	// One producer per session, as a Playback channel would be: it reads
	// its "file" (the tone, from a per-session offset) and WriteFrame
	// paces it.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			off := (i * 160) % len(tone)
			for {
				select {
				case <-stop:
					return
				default:
				}
				// The frames share the tone's bytes, as Playback's share a
				// prompt's encoded frames (apps' sound cache): a player
				// allocates nothing per frame, and neither does this one.
				payload := tone[off : off+160 : off+160]
				off = (off + 160) % len(tone)
				if s.WriteFrame(media.VoiceFrame(media.ULaw, payload, 0)) != nil {
					return
				}
			}
		}()
	}
	if o.talk {
		// A channel in Playback still reads what its phone sends (that is
		// how it sees a digit or a hang-up): one reader per session.
		for _, s := range sessions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range s.Frames() {
				}
			}()
		}
	}
	defer func() {
		close(stop)
		for _, s := range sessions {
			s.Close()
		}
		wg.Wait()
	}()

	time.Sleep(o.warmup)
	sentBefore, recvBefore := sent(sessions), received(sessions)
	fmt.Fprintln(stdin, "start")
	cpu0, err := pin.CPUTime()
	if err != nil {
		return res, err
	}
	wait0 := runQueueWait()
	t0 := time.Now()
	time.Sleep(o.dur)
	cpu1, _ := pin.CPUTime()
	res.waitPct = 100 * float64(runQueueWait()-wait0) / float64(time.Since(t0))
	wall := time.Since(t0)
	res.goroutines = runtime.NumGoroutine()
	fmt.Fprintln(stdin, "stop")
	sentN, recvN := sent(sessions)-sentBefore, received(sessions)-recvBefore
	res.sentPPS = float64(sentN) / wall.Seconds()
	res.recvPPS = float64(recvN) / wall.Seconds()
	res.cpu = 100 * float64(cpu1-cpu0) / float64(wall)
	if sentN+recvN > 0 {
		res.usPerPacket = float64((cpu1-cpu0)/time.Nanosecond) / 1000 / float64(sentN+recvN)
	}
	for _, s := range sessions {
		res.sendMax = max(res.sendMax, s.Stats().MaxPacingError)
	}
	line, err = readLine(stdout)
	if err != nil {
		return res, fmt.Errorf("receiver result: %w", err)
	}
	var p50, p99, pmax int64
	var packets, expected uint64
	var within float64
	if _, err := fmt.Sscanf(line, "%d %d %d %d %d %f", &packets, &expected, &p50, &p99, &pmax, &within); err != nil {
		return res, fmt.Errorf("receiver result %q: %w", line, err)
	}
	res.p50, res.p99, res.max = time.Duration(p50), time.Duration(p99), time.Duration(pmax)
	res.within2ms = within
	res.pps = float64(packets) / wall.Seconds()
	if expected > 0 && expected > packets {
		res.lostShare = float64(expected-packets) / float64(expected)
	}
	return res, nil
}

func sent(ss []*rtp.Session) uint64 {
	var n uint64
	for _, s := range ss {
		n += s.Stats().PacketsOut
	}
	return n
}

func received(ss []*rtp.Session) uint64 {
	var n uint64
	for _, s := range ss {
		n += s.Stats().PacketsIn
	}
	return n
}

func startReceiver(cpus string) (*exec.Cmd, io.WriteCloser, *bufio.Reader, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	args := []string{self, "-recv"}
	if cpus != "" {
		if ts, err := exec.LookPath("taskset"); err == nil {
			args = append([]string{ts, "-c", cpus}, args...)
		}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := realtime.Start(cmd); err != nil {
		return nil, nil, nil, err
	}
	return cmd, stdin, bufio.NewReader(out), nil
}

func printTable(out io.Writer, o options, rows []result) {
	pin := "not pinned"
	if os.Getenv(pinnedEnv) != "" {
		pin = "sessions on CPU " + o.sessionCPU + ", receiver on CPU " + o.recvCPU
	}
	if realtime.Enabled() {
		pin += ", sessions SCHED_RR (highpriority)"
	}
	peer := "peers silent (sockets not connected)"
	switch {
	case o.talk:
		peer = "every peer streams 20 ms G.711 to its session (received, jitter-buffered, handed to Frames)"
	case o.lock:
		peer = "each peer sent one packet first (strict RTP locked, sockets connected)"
	}
	fmt.Fprintf(out, "rtpplay: G.711 20 ms, one producer goroutine per session, %v window after %v warm-up, %s, %s, GOMAXPROCS %d\n",
		o.dur, o.warmup, peer, pin, runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "sessions\tpackets/s\tpacing p50\tp99\tmax\t<= 2 ms\tsender max\tlost\treceived/s\tCPU % of one core\tus CPU/packet\twaiting for a CPU\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%.0f\t%.2f ms\t%.2f ms\t%.2f ms\t%.3f %%\t%.2f ms\t%.3f %%\t%.0f\t%.1f\t%.2f\t%.1f %%\t\n",
			r.n, r.pps, ms(r.p50), ms(r.p99), ms(r.max), 100*r.within2ms, ms(r.sendMax), 100*r.lostShare, r.recvPPS, r.cpu, r.usPerPacket, r.waitPct)
	}
	tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// runQueueWait sums how long the process's threads have waited on a run
// queue (the second field of /proc/self/task/*/schedstat): on a shared
// machine this says how much of a late packet was the scheduler's doing.
func runQueueWait() time.Duration {
	tasks, _ := os.ReadDir("/proc/self/task")
	var total int64
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) >= 2 {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			total += v
		}
	}
	return time.Duration(total)
}

func readLine(r *bufio.Reader) (string, error) {
	s, err := r.ReadString('\n')
	return strings.TrimSpace(s), err
}
