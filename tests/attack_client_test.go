package tests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/digest"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// longRun says whether the long variants of the attack and fault tests
// run (GOSTRISK_LONG=1); CI runs the short forms in make test.
func longRun() bool { return os.Getenv("GOSTRISK_LONG") != "" }

// pick returns long when GOSTRISK_LONG is set, short otherwise.
func pick(short, long int) int {
	if longRun() {
		return long
	}
	return short
}

// sipClient is a raw SIP client on one UDP socket: it writes requests as
// built here and reads responses as bytes, so tests see exactly what an
// attacker sees.
type sipClient struct {
	t    testing.TB
	conn *net.UDPConn
	to   *net.UDPAddr
	buf  []byte
	seq  int
}

func newSIPClient(t testing.TB, port int) *sipClient {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadBuffer(4 << 20)
	return &sipClient{t: t, conn: c, to: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, buf: make([]byte, 65535)}
}

func (c *sipClient) addr() string { return c.conn.LocalAddr().String() }

func (c *sipClient) send(msg string) {
	c.t.Helper()
	if _, err := c.conn.WriteToUDP([]byte(msg), c.to); err != nil {
		c.t.Fatal(err)
	}
}

// sipResp is one response as received.
type sipResp struct {
	code    int
	raw     string
	names   []string          // header names in order, lower case
	headers map[string]string // last value of each, by lower-case name
}

func parseResp(raw string) *sipResp {
	r := &sipResp{raw: raw, headers: map[string]string{}}
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	fmt.Sscanf(lines[0], "SIP/2.0 %d", &r.code)
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			k = strings.ToLower(strings.TrimSpace(k))
			r.names = append(r.names, k)
			r.headers[k] = strings.TrimSpace(v)
		}
	}
	return r
}

// recv waits for the next response whose Call-ID is callID (others, such
// as retransmissions for earlier requests, are skipped); nil on timeout.
func (c *sipClient) recv(callID string, timeout time.Duration) *sipResp {
	deadline := time.Now().Add(timeout)
	for {
		c.conn.SetReadDeadline(deadline)
		n, _, err := c.conn.ReadFromUDP(c.buf)
		if err != nil {
			return nil
		}
		r := parseResp(string(c.buf[:n]))
		if callID == "" || r.headers["call-id"] == callID {
			return r
		}
	}
}

// reqOpts describe one request built by sipClient.build.
type reqOpts struct {
	method  string // REGISTER or INVITE
	user    string // To user for REGISTER, From user for INVITE
	callee  string // INVITE: the Request-URI user
	callID  string
	cseq    int
	auth    string // Authorization header value, "" = none
	fromTag string
}

func (c *sipClient) build(o reqOpts) string {
	c.seq++
	host := c.to.IP.String()
	uri := fmt.Sprintf("sip:%s:%d", host, c.to.Port)
	to := o.user
	if o.method == "INVITE" {
		uri = fmt.Sprintf("sip:%s@%s:%d", o.callee, host, c.to.Port)
		to = o.callee
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", o.method, uri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK-att-%d-%d;rport\r\n", c.addr(), c.seq, time.Now().UnixNano())
	fmt.Fprintf(&b, "From: <sip:%s@%s>;tag=%s\r\n", o.user, host, o.fromTag)
	fmt.Fprintf(&b, "To: <sip:%s@%s>\r\n", to, host)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", o.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", o.cseq, o.method)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s>\r\n", o.user, c.addr())
	if o.auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", o.auth)
	}
	b.WriteString("Max-Forwards: 70\r\nUser-Agent: attack-test\r\n")
	if o.method == "REGISTER" {
		b.WriteString("Expires: 3600\r\nContent-Length: 0\r\n\r\n")
		return b.String()
	}
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
	fmt.Fprintf(&b, "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s", len(sdp), sdp)
	return b.String()
}

// exchange sends a request and answers a 401 with the given password, as
// a phone (or a password-guessing script) does: it returns the challenge
// and the answer to the authenticated request (nil when none came).
func (c *sipClient) exchange(method, user, callee, password string) (first, second *sipResp) {
	c.t.Helper()
	o := reqOpts{method: method, user: user, callee: callee, callID: fmt.Sprintf("att-%d-%d@test", c.seq, time.Now().UnixNano()),
		cseq: 1, fromTag: fmt.Sprintf("ft%d", c.seq)}
	c.send(c.build(o))
	first = c.recv(o.callID, 3*time.Second)
	for first != nil && first.code == 100 {
		first = c.recv(o.callID, 3*time.Second)
	}
	if first == nil || first.code != 401 {
		return first, nil
	}
	if method == "INVITE" {
		c.ack(o, first)
	}
	uri := fmt.Sprintf("sip:%s:%d", c.to.IP, c.to.Port)
	if method == "INVITE" {
		uri = fmt.Sprintf("sip:%s@%s:%d", callee, c.to.IP, c.to.Port)
	}
	ans, err := digest.Answer(first.headers["www-authenticate"], method, uri, user, password, 1)
	if err != nil {
		c.t.Fatalf("answering %q: %v", first.headers["www-authenticate"], err)
	}
	o.cseq, o.auth = 2, ans
	c.send(c.build(o))
	second = c.recv(o.callID, 3*time.Second)
	for second != nil && (second.code == 100 || second.code == 401 && second.headers["cseq"] == "1 INVITE") {
		second = c.recv(o.callID, 3*time.Second)
	}
	if method == "INVITE" && second != nil && second.code >= 300 {
		o.cseq = 2
		c.ack(o, second)
	}
	return first, second
}

// ack acknowledges a final non-2xx answer to an INVITE (same branch).
func (c *sipClient) ack(o reqOpts, res *sipResp) {
	var b strings.Builder
	fmt.Fprintf(&b, "ACK sip:%s@%s:%d SIP/2.0\r\n", o.callee, c.to.IP, c.to.Port)
	fmt.Fprintf(&b, "Via: %s\r\n", res.headers["via"])
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		res.headers["from"], res.headers["to"], o.callID, o.cseq)
	c.send(b.String())
}

// headerSet is the sorted set of header names, what an attacker compares.
func (r *sipResp) headerSet() string {
	if r == nil {
		return "<no answer>"
	}
	names := append([]string(nil), r.names...)
	sort.Strings(names)
	return strconv.Itoa(r.code) + " " + strings.Join(names, ",")
}

// pprofGet reads one profile page of the daemon's --pprof endpoint.
func pprofGet(t testing.TB, addr, path string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("pprof %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("pprof %s: %v", path, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("pprof %s: %s", path, resp.Status)
	}
	return string(b)
}

var (
	reGoroutines = regexp.MustCompile(`^goroutine profile: total (\d+)`)
	reHeapInuse  = regexp.MustCompile(`(?m)^# HeapInuse = (\d+)`)
)

func goroutines(t testing.TB, addr string) int {
	t.Helper()
	m := reGoroutines.FindStringSubmatch(pprofGet(t, addr, "/debug/pprof/goroutine?debug=1"))
	if m == nil {
		t.Fatal("no goroutine count in the goroutine profile")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// heapInuse is the daemon's heap in use right after a collection.
func heapInuse(t testing.TB, addr string) int {
	t.Helper()
	m := reHeapInuse.FindStringSubmatch(pprofGet(t, addr, "/debug/pprof/heap?debug=1&gc=1"))
	if m == nil {
		t.Fatal("no HeapInuse in the heap profile")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// settleGoroutines waits until the daemon's goroutine count is at most
// limit and returns the last count seen.
func settleGoroutines(t testing.TB, addr string, limit int, timeout time.Duration) int {
	n := goroutines(t, addr)
	harness.PollUntil(timeout, func() bool {
		n = goroutines(t, addr)
		return n <= limit
	})
	return n
}

// attackConf is the reference setup without its trunk (whose host is
// 127.0.0.1 with insecure=port: on loopback every packet would come "from
// the trunk"), with extensions 7000..7000+n-1 (secret "right") for the
// enumeration and flood tests.
func attackConf(n int) func(files map[string]string) {
	return func(files map[string]string) {
		s := files["sip.conf"]
		s = regexp.MustCompile(`(?m)^register\s*=>.*$`).ReplaceAllString(s, "")
		s = regexp.MustCompile(`(?ms)^\[trunk-ovh\].*?(^\[)`).ReplaceAllString(s, "$1")
		var b strings.Builder
		b.WriteString(s)
		b.WriteString("\n[ext](!)\ntype=friend\nhost=dynamic\nsecret=right\ncontext=work\nallow=ulaw\n\n")
		for i := range n {
			fmt.Fprintf(&b, "[%d](ext)\n", 7000+i)
		}
		files["sip.conf"] = b.String()
		noDirectMedia(files) // the load scenarios take no re-INVITE
	}
}

// startAttackTarget starts the daemon on attackConf with the profiling
// endpoint on, and returns it and the endpoint's address.
func startAttackTarget(t *testing.T, exts int, edit func(map[string]string)) (*harness.Instance, string) {
	t.Helper()
	pprofAddr := fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t))
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"--pprof", pprofAddr},
		Edit: func(f map[string]string) {
			attackConf(exts)(f)
			if edit != nil {
				edit(f)
			}
		}})
	in.DumpOnFailure()
	requireSIPDriver(t, in)
	return in, pprofAddr
}

// countLines counts the lines of a file that contain substr.
func countLines(t testing.TB, path, substr string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			n++
		}
	}
	return n
}
