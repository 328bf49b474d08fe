package tests

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/tests/harness"
)

// tortureCase is one hostile packet and what may come back: a code listed
// in allow, or nothing (dropped) when allow holds 0.
type tortureCase struct {
	name  string
	data  string
	allow []int
}

// sipMsg assembles a request from its start line and header lines.
func sipMsg(start string, headers ...string) string {
	return start + "\r\n" + strings.Join(headers, "\r\n") + "\r\n\r\n"
}

func tortureCorpus(c *sipClient) []tortureCase {
	via := "Via: SIP/2.0/UDP " + c.addr() + ";branch=z9hG4bK-t%d;rport"
	v := func(i int) string { return fmt.Sprintf(via, i) }
	from := "From: <sip:7000@127.0.0.1>;tag=t1"
	to := "To: <sip:7000@127.0.0.1>"
	reg := "REGISTER sip:127.0.0.1 SIP/2.0"
	huge := strings.Repeat("a", 60000)
	manyVias := strings.Repeat(v(99)+"\r\n", 300)
	return []tortureCase{
		{"binary garbage", "\x00\x01\x02\xff\xfe\x80SIP\x00\r\n\r\n", []int{0}},
		{"bad start line", sipMsg("HELLO THERE", v(1), from, to, "Call-ID: t1", "CSeq: 1 REGISTER"), []int{0, 400}},
		{"start line without version", sipMsg("REGISTER sip:127.0.0.1", v(2), from, to, "Call-ID: t2", "CSeq: 1 REGISTER"), []int{0, 400}},
		{"SIP/3.0", sipMsg("REGISTER sip:127.0.0.1 SIP/3.0", v(3), from, to, "Call-ID: t3", "CSeq: 1 REGISTER"), []int{0, 400, 505}},
		{"request URI <>", sipMsg("REGISTER <> SIP/2.0", v(4), from, to, "Call-ID: t4", "CSeq: 1 REGISTER"), []int{0, 400}},
		{"no Call-ID", sipMsg(reg, v(5), from, to, "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"no CSeq", sipMsg(reg, v(6), from, to, "Call-ID: t6", "Content-Length: 0"), []int{0, 400}},
		{"no Via", sipMsg(reg, from, to, "Call-ID: t7", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"no From", sipMsg(reg, v(8), to, "Call-ID: t8", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"no To", sipMsg(reg, v(9), from, "Call-ID: t9", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"CSeq method differs", sipMsg(reg, v(10), from, to, "Call-ID: t10", "CSeq: 1 INVITE", "Content-Length: 0"), []int{0, 400}},
		{"CSeq not a number", sipMsg(reg, v(11), from, to, "Call-ID: t11", "CSeq: x REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"negative Content-Length", sipMsg(reg, v(12), from, to, "Call-ID: t12", "CSeq: 1 REGISTER", "Content-Length: -5"), []int{0, 400}},
		{"Content-Length past the packet", sipMsg(reg, v(13), from, to, "Call-ID: t13", "CSeq: 1 REGISTER", "Content-Length: 99999999"), []int{0, 400}},
		{"huge header", sipMsg(reg, v(14), from, to, "Call-ID: t14", "CSeq: 1 REGISTER", "Subject: "+huge, "Content-Length: 0"), []int{0, 400, 401, 413, 513}},
		{"300 Via headers", reg + "\r\n" + manyVias + from + "\r\n" + to + "\r\nCall-ID: t15\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n", []int{0, 400, 401}},
		{"lone LF in From (header injection)", sipMsg(reg, v(16), "From: <sip:7000@127.0.0.1>;tag=t1\nInjected: yes", to, "Call-ID: t16", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"escaped CRLF in the To user", sipMsg(reg, v(17), from, "To: <sip:7000%0D%0AInjected:%20yes@127.0.0.1>", "Call-ID: t17", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400, 401, 404}},
		{"NUL in a header", sipMsg(reg, v(18), from, to, "Call-ID: t\x0018", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400, 401}},
		{"Via port out of range", sipMsg(reg, "Via: SIP/2.0/UDP 127.0.0.1:99999;branch=z9hG4bK-t19", from, to, "Call-ID: t19", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0, 400}},
		{"Expires out of range", sipMsg(reg, v(20), from, to, "Call-ID: t20", "CSeq: 1 REGISTER", "Contact: <sip:7000@127.0.0.1>", "Expires: 99999999999999999999", "Content-Length: 0"), []int{0, 400, 401}},
		{"Contact without URI", sipMsg(reg, v(21), from, to, "Call-ID: t21", "CSeq: 1 REGISTER", "Contact: <>", "Content-Length: 0"), []int{0, 400, 401}},
		{"unsolicited response", sipMsg("SIP/2.0 200 OK", v(22), from, to, "Call-ID: t22", "CSeq: 1 REGISTER", "Content-Length: 0"), []int{0}},
		{"unknown method", sipMsg("FROB sip:127.0.0.1 SIP/2.0", v(23), from, to, "Call-ID: t23", "CSeq: 1 FROB", "Content-Length: 0"), []int{0, 400, 405, 501}},
		{"bad SDP", sipMsg("INVITE sip:6000@127.0.0.1 SIP/2.0", v(24), "From: <sip:7000@127.0.0.1>;tag=t24", "To: <sip:6000@127.0.0.1>",
			"Call-ID: t24", "CSeq: 1 INVITE", "Content-Type: application/sdp", "Content-Length: 22") + "v=9\r\nm=audio x RTP/AVP\r\n",
			[]int{0, 400, 401, 488}},
		{"Max-Forwards 0", sipMsg("INVITE sip:6000@127.0.0.1 SIP/2.0", v(25), "From: <sip:7000@127.0.0.1>;tag=t25", "To: <sip:6000@127.0.0.1>",
			"Call-ID: t25", "CSeq: 1 INVITE", "Max-Forwards: 0", "Content-Length: 0"), []int{0, 400, 401, 483}},
		{"keep-alive", "\r\n\r\n", []int{0}},
	}
}

// TestAttackTorture sends a corpus of malformed and hostile packets over
// UDP: each is answered 400 (or the answer its case allows) or dropped,
// no answer carries a lone CR or LF, the daemon keeps its goroutine count,
// and a valid registration works afterwards. GOSTRISK_LONG=1 then sends
// the corpus 200 times more, as fast as the socket takes it.
func TestAttackTorture(t *testing.T) {
	in, pprofAddr := startAttackTarget(t, 2, nil)
	c := newSIPClient(t, in.SIPPort)
	if _, ok := c.exchange("REGISTER", "7001", "", "right"); ok == nil || ok.code != 200 {
		t.Fatalf("a valid registration fails before the torture: %+v", ok)
	}
	base := goroutines(t, pprofAddr)
	for _, tc := range tortureCorpus(c) {
		c.send(tc.data)
		// Read everything that comes back within a short window.
		var got []*sipResp
		for r := c.recv("", 250*time.Millisecond); r != nil; r = c.recv("", 100*time.Millisecond) {
			got = append(got, r)
		}
		if len(got) == 0 && !containsInt(tc.allow, 0) {
			t.Errorf("%s: dropped, want one of %v", tc.name, tc.allow)
		}
		for _, r := range got {
			if !containsInt(tc.allow, r.code) {
				t.Errorf("%s: answered %d, want one of %v:\n%s", tc.name, r.code, tc.allow, r.raw)
			}
			if head, _, _ := strings.Cut(r.raw, "\r\n\r\n"); strings.Count(head, "\n") != strings.Count(head, "\r\n") {
				t.Errorf("%s: the answer carries a lone line break (header injection):\n%q", tc.name, r.raw)
			}
		}
	}
	// The long form repeats the corpus as fast as the socket takes it.
	for range pick(0, 200) {
		for _, tc := range tortureCorpus(c) {
			c.send(tc.data)
		}
		for c.recv("", time.Millisecond) != nil {
		}
	}
	for c.recv("", 300*time.Millisecond) != nil {
	}
	if _, ok := c.exchange("REGISTER", "7000", "", "right"); ok == nil || ok.code != 200 {
		t.Fatalf("a valid registration fails after the torture: %+v", ok)
	}
	if out := in.MustRX("sip show peers"); !strings.Contains(out, "7000 ") || strings.Contains(firstLineWith(out, "7000 "), "(Unspecified)") {
		t.Errorf("7000 not registered after the torture:\n%s", out)
	}
	if n := settleGoroutines(t, pprofAddr, base+5, 5*time.Second); n > base+5 {
		t.Errorf("goroutines: %d before the torture, %d after", base, n)
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func firstLineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestAttackEnumeration: REGISTER and INVITE as 200 existing and 200
// missing extensions, each answering the challenge with a wrong password,
// get the same status codes and the same header sets (nonces and tags
// differ by nature), so the answers do not tell which extensions exist.
func TestAttackEnumeration(t *testing.T) {
	const n = 200
	in, _ := startAttackTarget(t, n, nil)
	c := newSIPClient(t, in.SIPPort)
	for _, method := range []string{"REGISTER", "INVITE"} {
		shapes := map[string][]string{}
		for i := range 2 * n {
			user := strconv.Itoa(7000 + i) // 7000..7199 exist
			if i >= n {
				user = strconv.Itoa(8000 + i - n) // 8000..8199 do not
			}
			first, second := c.exchange(method, user, "6000", "wrong")
			shape := first.headerSet() + " | " + second.headerSet()
			shapes[shape] = append(shapes[shape], user)
		}
		if len(shapes) != 1 {
			var b strings.Builder
			for shape, users := range shapes {
				fmt.Fprintf(&b, "  %s: %d users (%s...)\n", shape, len(users), users[0])
			}
			t.Errorf("%s: existing and missing extensions are told apart by the answers:\n%s", method, b.String())
			continue
		}
		for shape := range shapes {
			if !strings.HasPrefix(shape, "401 ") || !strings.Contains(shape, "| 403 ") {
				t.Errorf("%s: answers %q, want a challenge then 403", method, shape)
			}
		}
	}
}

// TestAttackBruteForce: wrong-password REGISTERs are each logged with
// chan_sip's wording in the messages file, fail2ban's stock filter matches
// every one of them, and the daemon's heap comes back to where it was.
// Short form 300 attempts, GOSTRISK_LONG=1 10,000.
func TestAttackBruteForce(t *testing.T) {
	in, pprofAddr := startAttackTarget(t, 1, nil)
	attempts := pick(300, 10000)
	heap0 := heapInuse(t, pprofAddr)
	c := newSIPClient(t, in.SIPPort)
	start := time.Now()
	for i := range attempts {
		_, second := c.exchange("REGISTER", "7000", "", fmt.Sprintf("guess%d", i))
		if second == nil || second.code != 403 {
			t.Fatalf("attempt %d: %+v, want 403", i, second)
		}
	}
	elapsed := time.Since(start)
	messages := in.Path("var", "log", "messages")
	const wrong = "Registration from '<sip:7000@127.0.0.1>' failed for '127.0.0.1:"
	var logged int
	harness.PollUntil(5*time.Second, func() bool {
		logged = countLines(t, messages, wrong)
		return logged >= attempts
	})
	if logged != attempts {
		t.Errorf("%d wrong-password lines in messages for %d attempts", logged, attempts)
	}
	if f2b, err := exec.LookPath("fail2ban-regex"); err == nil {
		out, err := exec.Command(f2b, messages, fail2banFilter).CombinedOutput()
		if err != nil {
			t.Fatalf("fail2ban-regex: %v\n%s", err, out)
		}
		m := fail2banSummary.FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("fail2ban-regex output without a summary:\n%s", out)
		}
		if matched, _ := strconv.Atoi(m[3]); matched < attempts {
			t.Errorf("fail2ban's asterisk filter matched %s of %d attempts:\n%s", m[3], attempts, out)
		}
	} else {
		t.Log("fail2ban-regex not installed: filter not checked")
	}
	heap1 := heapInuse(t, pprofAddr)
	t.Logf("%d attempts in %v; heap in use %d KB before, %d KB after", attempts, elapsed.Round(time.Millisecond), heap0>>10, heap1>>10)
	if heap1 > heap0+8<<20 {
		t.Errorf("heap in use grew from %d KB to %d KB over %d failed attempts", heap0>>10, heap1>>10, attempts)
	}
	if out := filepath.Base(messages); out == "" {
		t.Fatal("no messages file")
	}
}

// TestAttackFlood: INVITEs from callers that do not exist, sent as fast as
// the socket takes them and never acknowledged, do not stop a legitimate
// call from completing, and leave no goroutines behind. Short form 1,000
// INVITEs; GOSTRISK_LONG=1 sends 20,000 and also checks that the heap is
// back near its start once the unacknowledged transactions have expired.
func TestAttackFlood(t *testing.T) {
	harness.RequireSipp(t)
	in, pprofAddr := startAttackTarget(t, 0, nil)
	requireSIPCalls(t, in)
	flood := pick(1000, 20000)
	base := goroutines(t, pprofAddr)
	heap0 := heapInuse(t, pprofAddr)

	c := newSIPClient(t, in.SIPPort)
	answers := make(chan int, 1)
	go func() {
		// Count what comes back while the flood runs, without ever
		// acknowledging it (the server retransmits its 401s).
		n := 0
		for c.recv("", 2*time.Second) != nil {
			n++
		}
		answers <- n
	}()
	for i := range flood {
		c.send(c.build(reqOpts{method: "INVITE", user: fmt.Sprintf("scan%d", i), callee: "6000",
			callID: fmt.Sprintf("flood-%d@test", i), cseq: 1, fromTag: "f"}))
		if i%200 == 199 {
			time.Sleep(10 * time.Millisecond) // about 20,000/s: faster than the kernel buffers
		}
	}

	// A legitimate call during the aftermath: 6000 registers and answers,
	// 6001 calls it.
	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := harness.Sipp{Scenario: callScenario(t, "call-uas-6000.xml"), LocalPort: uasPort, Timeout: 20 * time.Second}
	waitUAS := uas.Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: callScenario(t, "call-uac-6001-to-6000.xml"),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 20 * time.Second}
	if res := uac.Run(t); res.ExitCode != 0 {
		t.Fatalf("the legitimate call failed after the flood (sipp exit %d)\n%s\n%s", res.ExitCode, res.Output, res.ErrLog)
	}
	if res := waitUAS(); res.ExitCode != 0 {
		t.Fatalf("callee exited %d\n%s", res.ExitCode, res.ErrLog)
	}
	got := <-answers
	t.Logf("%d INVITEs flooded, %d answers (with retransmissions) read", flood, got)
	if got < flood {
		t.Errorf("only %d answers to %d INVITEs: the flood was dropped instead of answered", got, flood)
	}
	if n := settleGoroutines(t, pprofAddr, base+10, 10*time.Second); n > base+10 {
		t.Errorf("goroutines: %d before the flood, %d after", base, n)
	}
	if longRun() {
		// Unacknowledged INVITE transactions live 64*T1 = 32 s.
		var heap1 int
		harness.PollUntil(60*time.Second, func() bool {
			heap1 = heapInuse(t, pprofAddr)
			return heap1 <= heap0+10<<20
		})
		if heap1 > heap0+10<<20 {
			t.Errorf("heap in use %d KB before the flood, %d KB a minute after", heap0>>10, heap1>>10)
		}
	}
}

// TestAttackInviteHeaderInjection: an INVITE whose From carries a lone LF
// (which sipgo's parser keeps inside the value) must not make the daemon
// send that LF back: answered 400 or dropped.
func TestAttackInviteHeaderInjection(t *testing.T) {
	in, _ := startAttackTarget(t, 1, nil)
	c := newSIPClient(t, in.SIPPort)
	c.send(sipMsg("INVITE sip:6000@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP "+c.addr()+";branch=z9hG4bK-lf;rport",
		"From: <sip:7000@127.0.0.1>;tag=x\nInjected: yes", "To: <sip:6000@127.0.0.1>", "Call-ID: lf1", "CSeq: 1 INVITE", "Content-Length: 0"))
	r := c.recv("", 500*time.Millisecond)
	if r == nil || r.code == 400 {
		return
	}
	t.Errorf("answered %d, want 400 or dropped:\n%s", r.code, r.raw)
}

// TestPprofEndpoint: "gostrisk -f --pprof addr" serves Go's profiles for an
// operator (and for the attack tests above).
func TestPprofEndpoint(t *testing.T) {
	_, addr := startAttackTarget(t, 0, nil)
	index := pprofGet(t, addr, "/debug/pprof/")
	for _, p := range []string{"goroutine", "heap", "profile", "allocs"} {
		if !strings.Contains(index, p) {
			t.Errorf("/debug/pprof/ does not list %q", p)
		}
	}
	if n := goroutines(t, addr); n < 5 {
		t.Errorf("goroutine profile counts %d goroutines: not the daemon's", n)
	}
	if heapInuse(t, addr) <= 0 {
		t.Error("heap profile without a heap")
	}
}
