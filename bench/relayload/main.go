package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gostrisk/gostrisk/bench/internal/pin"
	"github.com/gostrisk/gostrisk/pkg/realtime"
)

// pinnedEnv marks a relay process that has already been re-executed under
// taskset, so it does not do it again.
const pinnedEnv = "RELAYLOAD_PINNED"

type options struct {
	calls     []int
	modes     []string
	dur       time.Duration
	warmup    time.Duration
	portStart int
	portEnd   int
	relayCPU  string
	phonesCPU string
	file      string // playback mode: the sound file every channel plays
	vmFormat  string // voicemail mode: format=
}

func main() {
	phones := flag.Bool("phones", false, "internal: run as the phones process (driven by the relay over stdin/stdout)")
	calls := flag.String("calls", "100,300,500", "comma-separated numbers of concurrent calls")
	modes := flag.String("modes", "rtp,srtp", "comma-separated modes: rtp (RTP<->RTP), srtp (SRTP<->RTP), ulaw-alaw and g722-ulaw (translated by the core's frame bridge), playback (each leg a channel running Playback; a call is two channels), conf10 and conf100 (each leg a ConfBridge participant, conferences of 10 or 100 with 2 or 3 talkers), mixmonitor (a ulaw call in the frame bridge recorded by MixMonitor), voicemail (each leg a channel leaving a message with VoiceMail, recorded to disk)")
	vmFormat := flag.String("vmformat", "wav", "voicemail mode: voicemail.conf's format= (e.g. wav49|wav)")
	file := flag.String("file", "/usr/share/asterisk/moh/reno_project-system", "playback mode: the sound file (no extension) each channel plays")
	dur := flag.Duration("dur", 10*time.Second, "measurement window per run")
	warmup := flag.Duration("warmup", 2*time.Second, "traffic before the window opens")
	ports := flag.String("ports", "20000-29999", "RTP port range of the relay's allocator")
	relayCPU := flag.String("relay-cpu", "0", "CPU list for the relay (taskset -c); empty: no pinning")
	phonesCPU := flag.String("phones-cpu", "1", "CPU list for the phones process (taskset -c); empty: no pinning")
	highPrio := flag.Bool("highpriority", false, "run the relay's threads under SCHED_RR, as the daemon does with -p or asterisk.conf's highpriority (the phones stay normal)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the relay process (all runs) to this file")
	flag.Parse()

	if *phones {
		if err := runPhones(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "relayload phones:", err)
			os.Exit(1)
		}
		return
	}

	if *relayCPU != "" && os.Getenv(pinnedEnv) == "" {
		if ts, err := exec.LookPath("taskset"); err == nil {
			os.Exit(pin.Reexec("relayload", ts, *relayCPU, pinnedEnv))
		}
	}

	if *highPrio {
		if err := realtime.Enable(); err != nil {
			fmt.Fprintln(os.Stderr, "relayload:", err)
			os.Exit(1)
		}
	}
	opts, err := parseOptions(*calls, *modes, *ports)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relayload:", err)
		os.Exit(2)
	}
	opts.dur, opts.warmup = *dur, *warmup
	opts.file = *file
	opts.vmFormat = *vmFormat
	opts.relayCPU, opts.phonesCPU = *relayCPU, *phonesCPU
	if os.Getenv(pinnedEnv) == "" {
		opts.relayCPU = ""
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "relayload:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "relayload:", err)
			os.Exit(1)
		}
	}
	err = runAll(opts, os.Stdout)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relayload:", err)
		os.Exit(1)
	}
}

func parseOptions(calls, modes, ports string) (options, error) {
	var o options
	for _, f := range strings.Split(calls, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("bad -calls entry %q", f)
		}
		o.calls = append(o.calls, n)
	}
	for _, m := range strings.Split(modes, ",") {
		m = strings.TrimSpace(m)
		_, conf := confModes[m]
		if _, ok := translatingModes[m]; !ok && !conf && m != "rtp" && m != "srtp" && m != "playback" && m != mixMonitorMode && m != "voicemail" {
			return o, fmt.Errorf("bad -modes entry %q (rtp, srtp, ulaw-alaw, g722-ulaw, playback, conf10, conf100, mixmonitor or voicemail)", m)
		}
		o.modes = append(o.modes, m)
	}
	lo, hi, ok := strings.Cut(ports, "-")
	var err1, err2 error
	o.portStart, err1 = strconv.Atoi(lo)
	o.portEnd, err2 = strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil || o.portStart >= o.portEnd {
		return o, fmt.Errorf("bad -ports %q (start-end)", ports)
	}
	return o, nil
}

func runAll(o options, out io.Writer) error {
	policy := ""
	if realtime.Enabled() {
		policy = ", relay SCHED_RR (highpriority)"
	}
	fmt.Fprintf(out, "relay pinned to CPU %q, phones to CPU %q%s; %s warm-up, %s window; %s\n",
		o.relayCPU, o.phonesCPU, policy, o.warmup, o.dur, time.Now().UTC().Format(time.RFC3339))
	var rows []result
	for _, n := range o.calls {
		for _, m := range o.modes {
			r, err := runOne(o, m, n)
			if err != nil {
				return fmt.Errorf("%s with %d calls: %w", m, n, err)
			}
			rows = append(rows, r)
			fmt.Fprintf(out, "  done: %s %d calls\n", m, n)
		}
	}
	printTable(out, rows)
	return nil
}

// result is one run's figures. CPU is in seconds of CPU per second of
// wall clock, i.e. 1.0 is one core busy.
type result struct {
	mode       string
	calls      int
	relayCPU   float64
	phonesCPU  float64
	sent, recv uint64
	bad        uint64
	pps        float64
	outPPS     float64 // packets/s the relay sent (playback: the prompts)
	gapP50     float64 // ms: packet spacing error at the phones
	gapP99     float64
	messages   int // voicemail mode: messages found in the spool after the run
}

func printTable(out io.Writer, rows []result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\tcalls\trelay CPU (% core)\tper call (% core)\tpackets/s relayed\tCPU per packet (us)\tpackets/s out\tCPU per packet in+out (us)\tsent\treceived\tloss %\tbad\tphones CPU (% core)\tgap error p50/p99 (ms)\t")
	for _, r := range rows {
		loss := 0.0
		if r.sent > 0 {
			loss = 100 * (1 - float64(r.recv)/float64(r.sent))
		}
		perPkt := 0.0
		if r.pps > 0 {
			perPkt = 1e6 * r.relayCPU / r.pps
		}
		perInOut := 0.0
		if r.pps+r.outPPS > 0 {
			perInOut = 1e6 * r.relayCPU / (r.pps + r.outPPS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.3f\t%.0f\t%.1f\t%.0f\t%.2f\t%d\t%d\t%.3f\t%d\t%.1f\t%.1f/%.1f\t\n",
			r.mode, r.calls, 100*r.relayCPU, 100*r.relayCPU/float64(r.calls), r.pps, perPkt, r.outPPS, perInOut,
			r.sent, r.recv, loss, r.bad, 100*r.phonesCPU, r.gapP50, r.gapP99)
	}
	_ = tw.Flush()
	for _, r := range rows {
		if r.mode == "voicemail" {
			fmt.Fprintf(out, "voicemail %d calls (%d channels recording): %d messages deposited\n", r.calls, 2*r.calls, r.messages)
		}
	}
}

// encodeKey and decodeKey carry SRTP master keys over the pipe between the
// two processes.
func encodeKey(k []byte) string {
	if k == nil {
		return "-"
	}
	return hex.EncodeToString(k)
}

func decodeKey(s string) ([]byte, error) {
	if s == "-" {
		return nil, nil
	}
	k, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad key %q: %w", s, err)
	}
	return k, nil
}

// readLine reads one line of the pipe protocol, without its newline.
func readLine(r *bufio.Reader) (string, error) {
	s, err := r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("pipe: %w", err)
	}
	return strings.TrimSuffix(s, "\n"), nil
}
