package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAppsPage: 6000 pages 6001 and 6002 (baresip answers at once); both
// paged phones hear the caller's tone, the caller hears neither of them
// (one-way: the paged are muted), and the page ends for everybody when the
// caller hangs up. With d (duplex) the caller hears the paged phones.
func TestAppsPage(t *testing.T) {
	requireBaresip(t)
	for _, tc := range []struct {
		name, opts string
		duplex     bool
	}{
		{name: "one-way", opts: "q"},
		{name: "duplex", opts: "qd", duplex: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := confInstance(t, "[general]\n",
				"exten => 8600,1,SIPAddHeader(Call-Info: <uri>\\;answer-after=0)\n"+
					" same => n,Page(SIP/6001&SIP/6002&SIP/6000,"+tc.opts+",10)\n"+
					" same => n,NoOp(not reached)\n")
			requireApps(t, in, "Page")
			caller := &confPhone{baresip: phone(t, in, "6000", "PCMU", 440), freq: 440}
			paged := []*confPhone{
				{baresip: phone(t, in, "6001", "PCMU", 1050), freq: 1050},
				{baresip: phone(t, in, "6002", "PCMU", 1650), freq: 1650},
			}
			caller.command("dial", "sip:8600@127.0.0.1:"+strconv.Itoa(in.SIPPort))
			for _, p := range append([]*confPhone{caller}, paged...) {
				if err := p.waitEvent("CALL_ESTABLISHED", 8*time.Second); err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				p.joined = time.Now()
			}
			time.Sleep(5 * time.Second)
			end := time.Now()
			users, _ := in.RX("confbridge list")
			hangup(t, caller.baresip, nil)
			for _, p := range paged {
				if err := p.waitEvent("CALL_CLOSED", 5*time.Second); err != nil {
					t.Errorf("%s was not hung up when the caller left: %v", p.name, err)
				}
			}
			for _, p := range append([]*confPhone{caller}, paged...) {
				p.Stop()
			}
			if !strings.Contains(users, " 3      1 ") {
				t.Errorf("confbridge list during the page (want 3 users, 1 marked):\n%s", users)
			}
			for _, p := range paged {
				s, rate := p.heardBetween(t, p.joined.Add(2500*time.Millisecond), end)
				checkHears(t, p.name+" (paged)", s, rate, []float64{440}, nil)
			}
			s, rate := caller.heardBetween(t, caller.joined.Add(2500*time.Millisecond), end)
			if tc.duplex {
				checkHears(t, "the caller (duplex)", s, rate, []float64{1050, 1650}, nil)
			} else {
				checkHears(t, "the caller (one-way)", s, rate, nil, []float64{1050, 1650})
			}
			log := fullLog(t, in)
			if strings.Contains(log, "not reached") {
				t.Error("the dialplan went on after Page")
			}
			if strings.Contains(log, "Called SIP/6000") {
				t.Error("Page called the caller's own device")
			}
		})
	}
}
