package main

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/bench/internal/pin"
	"github.com/gostrisk/gostrisk/pkg/realtime"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// call is one relayed call: leg a faces phone A (SRTP in srtp mode), leg b
// faces phone B (always plain).
type call struct {
	a, b     *rtp.Leg
	br       *rtp.Bridge
	xc       *transcoded // translating modes: the core's frame bridge instead of br
	phoneKey []byte      // phone A encrypts with it, leg a decrypts
	legKey   []byte      // leg a encrypts with it, phone A decrypts
	phoneA   netip.AddrPort
	phoneB   netip.AddrPort
}

func (c *call) close() {
	if c.br != nil {
		_ = c.br.Close()
	}
	if c.xc != nil {
		c.xc.close()
	}
	if c.a != nil {
		_ = c.a.Close()
	}
	if c.b != nil {
		_ = c.b.Close()
	}
}

func newCall(alloc *rtp.Allocator, cfg rtp.Config, secure bool) (*call, error) {
	opts := rtp.LegOptions{Strict: cfg.Strict, Probation: cfg.Probation}
	c := &call{}
	var err error
	if c.a, err = rtp.NewLeg(alloc, loopback, opts); err != nil {
		return nil, fmt.Errorf("leg a: %w", err)
	}
	if c.b, err = rtp.NewLeg(alloc, loopback, opts); err != nil {
		c.close()
		return nil, fmt.Errorf("leg b: %w", err)
	}
	pcmu := []rtp.PayloadType{{Encoding: "PCMU/8000", PT: 0}, {Encoding: "telephone-event/8000", PT: 101}}
	c.a.SetPayloadTypes(pcmu)
	c.b.SetPayloadTypes(pcmu)
	if secure {
		if c.phoneKey, err = rtp.NewMasterKey(); err == nil {
			c.legKey, err = rtp.NewMasterKey()
		}
		if err == nil {
			err = c.a.SetSRTP(&rtp.SRTPParams{
				Suite:            rtp.SuiteAES128SHA1_80,
				LocalKey:         c.legKey,
				RemoteKey:        c.phoneKey,
				ReplayProtection: cfg.ReplayProtection,
			})
		}
		if err != nil {
			c.close()
			return nil, fmt.Errorf("srtp: %w", err)
		}
	}
	return c, nil
}

// runOne measures one mode at one call count: legs and bridges are set up
// before the phones start, the relay's CPU is read when the warm-up ends
// and when the window closes.
func runOne(o options, mode string, n int) (res result, err error) {
	res = result{mode: mode, calls: n}
	alloc, err := rtp.NewAllocator(o.portStart, o.portEnd)
	if err != nil {
		return res, err
	}
	cfg := rtp.DefaultConfig()
	eng := newEngine()
	ce, err := newConfEngine(eng)
	if err != nil {
		return res, err
	}
	defer ce.close()
	var vm *vmLab
	if mode == "voicemail" {
		if vm, err = newVMLab(eng, 2*n, o.vmFormat); err != nil {
			return res, err
		}
		defer func() {
			res.messages = vm.messages()
			vm.close()
		}()
	}
	calls := make([]*call, 0, n)
	defer func() {
		for _, c := range calls {
			c.close()
		}
		// The callers have hung up: their messages are in the spool now.
		if vm != nil {
			res.messages = vm.messages()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := newCall(alloc, cfg, mode == "srtp")
		if err != nil {
			return res, fmt.Errorf("call %d: %w", i, err)
		}
		calls = append(calls, c)
	}

	cmd, err := phonesCommand(o.phonesCPU)
	if err != nil {
		return res, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return res, fmt.Errorf("phones stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, fmt.Errorf("phones stdout: %w", err)
	}
	cmd.Stderr = os.Stderr
	if err := realtime.Start(cmd); err != nil {
		return res, fmt.Errorf("start phones: %w", err)
	}
	// The phones process exits by itself after the window; killing it is
	// only for the error paths, Wait reaps it in every case.
	defer func() {
		_ = stdin.Close()
		if err != nil {
			_ = cmd.Process.Kill()
		}
		if werr := cmd.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("phones: %w", werr)
		}
	}()

	w := bufio.NewWriter(stdin)
	fmt.Fprintf(w, "setup %d %d %d\n", n, o.warmup.Nanoseconds(), o.dur.Nanoseconds())
	for i, c := range calls {
		ptA, ptB := payloadTypes(mode)
		relayed := 0
		if mode == "rtp" || mode == "srtp" {
			relayed = 1
		}
		fillA, fillB := fills(mode, i)
		fmt.Fprintf(w, "%d %d %s %s %d %d %d %d %d\n", c.a.Port(), c.b.Port(), encodeKey(c.phoneKey), encodeKey(c.legKey), ptA, ptB, relayed, fillA, fillB)
	}
	if err := w.Flush(); err != nil {
		return res, fmt.Errorf("phones setup: %w", err)
	}
	r := bufio.NewReader(stdout)
	for i, c := range calls {
		line, err := readLine(r)
		if err != nil {
			return res, err
		}
		var pa, pb uint16
		if _, err := fmt.Sscanf(line, "%d %d", &pa, &pb); err != nil {
			return res, fmt.Errorf("phones: bad port line %q: %w", line, err)
		}
		c.phoneA, c.phoneB = netip.AddrPortFrom(loopback, pa), netip.AddrPortFrom(loopback, pb)
		c.a.SetRemote(c.phoneA)
		c.b.SetRemote(c.phoneB)
		if _, ok := confModes[mode]; ok {
			if c.xc, err = startConference(eng, c.a, c.b, mode, i); err != nil {
				return res, fmt.Errorf("call %d: %w", i, err)
			}
			continue
		}
		if mode == mixMonitorMode {
			if c.xc, err = startMixMonitor(eng, ce, c.a, c.b, i); err != nil {
				return res, fmt.Errorf("call %d: %w", i, err)
			}
			continue
		}
		if mode == "voicemail" {
			if c.xc, err = startVoicemail(eng, c.a, c.b, i); err != nil {
				return res, fmt.Errorf("call %d: %w", i, err)
			}
			continue
		}
		if mode == "playback" {
			if c.xc, err = startPlayback(eng, c.a, c.b, o.file); err != nil {
				return res, fmt.Errorf("call %d: %w", i, err)
			}
			continue
		}
		if tm, ok := translatingModes[mode]; ok {
			if c.xc, err = startTranscoded(eng, c.a, c.b, tm); err != nil {
				return res, fmt.Errorf("call %d: %w", i, err)
			}
			continue
		}
		if c.br, err = rtp.NewBridge(c.a, c.b); err != nil {
			return res, fmt.Errorf("bridge %d: %w", i, err)
		}
	}
	if _, err := fmt.Fprintln(w, "go"); err != nil {
		return res, err
	}
	if err := w.Flush(); err != nil {
		return res, fmt.Errorf("phones go: %w", err)
	}

	time.Sleep(o.warmup)
	cpu0, err := pin.CPUTime()
	if err != nil {
		return res, err
	}
	in0, out0 := packetsIn(calls), packetsOut(calls)
	t0 := time.Now()
	time.Sleep(o.dur)
	cpu1, err := pin.CPUTime()
	if err != nil {
		return res, err
	}
	wall := time.Since(t0)
	in1, out1 := packetsIn(calls), packetsOut(calls)
	res.relayCPU = (cpu1 - cpu0).Seconds() / wall.Seconds()
	res.pps = float64(in1-in0) / wall.Seconds()
	res.outPPS = float64(out1-out0) / wall.Seconds()

	line, err := readLine(r)
	if err != nil {
		return res, err
	}
	f := strings.Fields(line)
	if len(f) != 7 || f[0] != "result" {
		return res, fmt.Errorf("phones: bad result line %q", line)
	}
	vals := make([]float64, 6)
	for i := range vals {
		if vals[i], err = strconv.ParseFloat(f[i+1], 64); err != nil {
			return res, fmt.Errorf("phones: bad result line %q: %w", line, err)
		}
	}
	res.sent, res.recv, res.bad = uint64(vals[0]), uint64(vals[1]), uint64(vals[2])
	res.phonesCPU = vals[3]
	res.gapP50, res.gapP99 = vals[4], vals[5]
	return res, nil
}

// packetsIn sums what the relay accepted on all legs.
func packetsIn(calls []*call) uint64 {
	var n uint64
	for _, c := range calls {
		n += c.a.Stats().PacketsIn + c.b.Stats().PacketsIn
	}
	return n
}

// packetsOut sums what the relay sent on all legs.
func packetsOut(calls []*call) uint64 {
	var n uint64
	for _, c := range calls {
		n += c.a.Stats().PacketsOut + c.b.Stats().PacketsOut
	}
	return n
}

// phonesCommand starts this same binary in phones mode, pinned when a CPU
// list is given and taskset exists.
func phonesCommand(cpus string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("own executable: %w", err)
	}
	if cpus != "" {
		if ts, err := exec.LookPath("taskset"); err == nil {
			return exec.Command(ts, "-c", cpus, self, "-phones"), nil
		}
	}
	return exec.Command(self, "-phones"), nil
}
