package manager

import (
	"bufio"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// TestSlowClientCutOff floods events to three clients; one never reads.
// The other two receive every event in order, the stuck one is
// disconnected with a log line, and the flood never waits for it.
func TestSlowClientCutOff(t *testing.T) {
	l := newLab(t, testConf)
	const n = 60000
	var fast []*client
	for i := 0; i < 2; i++ {
		c := l.dial()
		c.login("admin", "s3cret")
		fast = append(fast, c)
	}
	slow := l.dial()
	slow.login("admin", "s3cret")

	var wg sync.WaitGroup
	counts := make([]int, len(fast))
	errs := make([]string, len(fast))
	for i, c := range fast {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br := bufio.NewReaderSize(c.c, 1<<16)
			next := 0
			c.c.SetReadDeadline(time.Now().Add(60 * time.Second))
			for next < n {
				line, err := br.ReadString('\n')
				if err != nil {
					errs[i] = err.Error()
					return
				}
				if v, ok := strings.CutPrefix(line, "Seq: "); ok {
					got, _ := strconv.Atoi(strings.TrimSpace(v))
					if got != next {
						errs[i] = "event " + strconv.Itoa(next) + " missing, got " + strconv.Itoa(got)
						return
					}
					next++
				}
			}
			counts[i] = next
		}()
	}
	bus := l.eng.Bus()
	start := time.Now()
	for i := 0; i < n; i++ {
		bus.Publish(pbx.BusEvent{Type: pbx.BusUserEvent, EventName: "Load",
			Fields: []pbx.EventField{{Key: "Seq", Value: strconv.Itoa(i)}, {Key: "Pad", Value: strings.Repeat("x", 200)}}})
		if i%500 == 499 {
			// 50,000 events/s: far beyond 100 calls/s, yet paced so a
			// reader on a loaded machine keeps up
			time.Sleep(10 * time.Millisecond)
		}
	}
	wg.Wait()
	for i := range fast {
		if counts[i] != n {
			t.Errorf("fast client %d: %d of %d events (%s)", i, counts[i], n, errs[i])
		}
	}
	if !l.log.find("Manager session of 'admin' from 127.0.0.1 is too slow to read its events") {
		t.Errorf("the stuck client was not cut off: %q", l.log.lines)
	}
	if d := time.Since(start); d > 45*time.Second {
		t.Errorf("flood took %v", d)
	}
	if s := l.m.sub.Dropped(); s != 0 {
		t.Errorf("the manager's bus subscription dropped %d events", s)
	}
	_ = slow
}
