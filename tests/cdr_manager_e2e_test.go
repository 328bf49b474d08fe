package tests

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestCdrManagerEvent: with cdr_manager.conf enabled, a call 6001 -> 6000
// that 6000 answers and ends gives one Cdr manager event (class cdr) with
// the record's fields, next to its Master.csv line.
func TestCdrManagerEvent(t *testing.T) {
	harness.RequireSipp(t)
	amiPort := harness.FreePort(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"},
		Edit: func(f map[string]string) {
			flowDialplan(20)(f)
			f["manager.conf"] = fmt.Sprintf("[general]\nenabled = yes\nport = %d\nbindaddr = 127.0.0.1\n\n"+
				"[cdrreader]\nsecret = cdr\nread = cdr\nwrite = system\n", amiPort)
			f["cdr_manager.conf"] = "[general]\nenabled = yes\n"
			// The reference modules.conf does not load it.
			f["modules.conf"] = strings.ReplaceAll(f["modules.conf"], "noload = cdr_manager.so", "load = cdr_manager.so")
		}})
	in.DumpOnFailure()
	requireSIPCalls(t, in)

	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(amiPort))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	read := func() string {
		var b strings.Builder
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v (%q)", err, b.String())
			}
			if l == "\r\n" {
				return b.String()
			}
			b.WriteString(l)
		}
	}
	br.ReadString('\n') // banner
	fmt.Fprintf(c, "Action: Login\r\nUsername: cdrreader\r\nSecret: cdr\r\n\r\n")
	if got := read(); !strings.Contains(got, "Authentication accepted") {
		t.Fatalf("login: %q", got)
	}

	lab := &flowLab{in: in, uasPort: harness.FreePort(t)}
	runSipp(t, in, regScenario(t), lab.uasPort, 1)
	waitUAS := lab.callee(t, callScenario(t, "flow-uas-bye.xml"))
	waitUAC := lab.caller(t, callScenario(t, "flow-uac-callee-bye.xml"))
	requireSippOK(t, "UAS 6000", waitUAS())
	requireSippOK(t, "UAC 6001", waitUAC())
	rec := checkOneCDR(t, in, "ANSWERED")

	var ev string
	for {
		if ev = read(); strings.HasPrefix(ev, "Event: Cdr\r\n") {
			break
		}
	}
	fields := map[string]string{}
	var keys []string
	for _, l := range strings.Split(strings.TrimSuffix(ev, "\r\n"), "\r\n") {
		k, v, _ := strings.Cut(l, ": ")
		fields[k] = v
		keys = append(keys, k)
	}
	wantKeys := "Event Privilege AccountCode Source Destination DestinationContext CallerID Channel DestinationChannel " +
		"LastApplication LastData StartTime AnswerTime EndTime Duration BillableSeconds Disposition AMAFlags UniqueID UserField"
	if got := strings.Join(keys, " "); got != wantKeys {
		t.Errorf("Cdr lines:\n%s\nwant\n%s", got, wantKeys)
	}
	for k, want := range map[string]string{"Privilege": "cdr,all", "Source": rec.Src, "Destination": rec.Dst,
		"Channel": rec.Channel, "DestinationChannel": rec.DstChannel, "LastApplication": rec.LastApp,
		"Disposition": "ANSWERED", "BillableSeconds": strconv.Itoa(rec.Billsec), "AMAFlags": "DOCUMENTATION"} {
		if fields[k] != want {
			t.Errorf("Cdr %s = %q, want %q (event:\n%s)", k, fields[k], want, ev)
		}
	}
}
