package tests

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// amiReader is a raw manager client counting what it reads.
type amiReader struct {
	c        net.Conn
	mu       sync.Mutex
	events   int
	newchan  map[string]bool
	hangup   map[string]bool
	err      error
	finished chan struct{}
}

func amiLogin(t *testing.T, port int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n")
	return c
}

// read consumes events until the connection ends or stop is closed.
func (r *amiReader) read(stop <-chan struct{}) {
	defer close(r.finished)
	br := bufio.NewReaderSize(r.c, 1<<16)
	var uid, event string
	for {
		select {
		case <-stop:
			return
		default:
		}
		r.c.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, err := br.ReadString('\n')
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			r.mu.Lock()
			if event != "" && uid != "" { // the calls' events (not the logins' security events)
				r.events++
			}
			switch event {
			case "Newchannel":
				r.newchan[uid] = true
			case "Hangup":
				r.hangup[uid] = true
			}
			r.mu.Unlock()
			uid, event = "", ""
		case strings.HasPrefix(line, "Event: "):
			event = line[7:]
		case strings.HasPrefix(line, "Uniqueid: "):
			uid = line[10:]
		}
	}
}

// slowLogin logs in with a small receive buffer and then reads nothing:
// the kernel holds little for it, as for a client far away or stuck.
func slowLogin(t *testing.T, port int) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return serr
	}}
	c, err := d.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n")
	return c
}

func vmRSS(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestAMIEventsUnderLoad: calls at a steady rate while three manager
// clients read the event stream; one never reads. The two others get
// every call's Newchannel and Hangup and the same number of events, the
// stuck one is disconnected with a log line, the daemon's memory stays
// bounded. GOSTRISK_AMI_LOAD=<calls/s>x<seconds> sets the load (default
// 50x10; the figure is 100x30).
func TestAMIEventsUnderLoad(t *testing.T) {
	harness.RequireSipp(t)
	rate, secs := 50, 10
	if v := os.Getenv("GOSTRISK_AMI_LOAD"); v != "" {
		fmt.Sscanf(v, "%dx%d", &rate, &secs)
	}
	calls := rate * secs
	// without the loopback trunk, which would claim sipp's INVITEs
	in, port := amiInstance(t, map[string][]string{"6001": {"context=loadtest"}}, "", func(f map[string]string) {
		f["sip.conf"] = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(f["sip.conf"], "$1")
		f["extensions.conf"] += "\n[loadtest]\nexten => 7100,1,Answer()\nsame => n,Set(LOADVAR=${EXTEN})\nsame => n,Wait(10)\n"
	})
	requireSIPCalls(t, in)
	src, err := os.ReadFile(callScenario(t, "ports-uac-6001-to-6000.xml"))
	if err != nil {
		t.Fatal(err)
	}
	// the same short call, to an extension the dialplan answers itself
	scen := filepath.Join(t.TempDir(), "uac-7100.xml")
	os.WriteFile(scen, []byte(strings.ReplaceAll(string(src), "sip:6000@", "sip:7100@")), 0o644)

	stop := make(chan struct{})
	var fast []*amiReader
	for i := 0; i < 2; i++ {
		r := &amiReader{c: amiLogin(t, port), newchan: map[string]bool{}, hangup: map[string]bool{}, finished: make(chan struct{})}
		go r.read(stop)
		fast = append(fast, r)
	}
	slow := slowLogin(t, port) // logs in, never reads
	_ = slow
	time.Sleep(500 * time.Millisecond)
	rssBefore := vmRSS(t, in.Pid())

	uac := harness.Sipp{Scenario: scen, Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Calls: calls, Rate: rate,
		Extra: []string{"-l", strconv.Itoa(rate * 2), "-d", "500"}, Timeout: time.Duration(secs+60) * time.Second}
	start := time.Now()
	res := uac.Run(t)
	took := time.Since(start)
	m := regexp.MustCompile(`Successful call\s+\|\s+\d+\s+\|\s+(\d+)`).FindStringSubmatch(res.Output)
	ok := 0
	if m != nil {
		ok, _ = strconv.Atoi(m[1])
	}
	if ok < calls*9/10 {
		t.Fatalf("only %d of %d calls succeeded (exit %d)\n%s\n%s", ok, calls, res.ExitCode, res.Output, res.ErrLog)
	}
	rssPeak := vmRSS(t, in.Pid())
	// let the last hangups through, then compare
	harness.PollUntil(20*time.Second, func() bool {
		return len(in.MustRX("core show channels concise")) == 0
	})
	time.Sleep(time.Second)
	close(stop)
	for _, r := range fast {
		<-r.finished
	}
	for i, r := range fast {
		r.mu.Lock()
		missing := 0
		for uid := range r.newchan {
			if !r.hangup[uid] {
				missing++
			}
		}
		if r.err != nil {
			t.Errorf("fast client %d lost its connection: %v", i, r.err)
		}
		if len(r.newchan) < ok || missing > 0 {
			t.Errorf("fast client %d: %d channels seen for %d calls, %d without Hangup", i, len(r.newchan), ok, missing)
		}
		r.mu.Unlock()
	}
	if fast[0].events != fast[1].events {
		t.Errorf("the fast clients read %d and %d events", fast[0].events, fast[1].events)
	}
	if !strings.Contains(in.Output(), "Manager session of 'admin' from 127.0.0.1 is too slow to read its events") {
		t.Errorf("the client that never reads was not cut off")
	}
	t.Logf("%d calls in %v (%d/s asked), %d events to each fast client, RSS %d kB before, %d kB at the end of the load",
		ok, took.Round(time.Millisecond), rate, fast[0].events, rssBefore, rssPeak)
	if rssPeak-rssBefore > 200*1024 {
		t.Errorf("RSS grew by %d kB during the load", rssPeak-rssBefore)
	}
}
