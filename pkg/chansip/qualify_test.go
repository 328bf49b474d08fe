package chansip

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// optionsAnswerer answers every OPTIONS it reads with 200 OK.
func optionsAnswerer(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { c.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			req := string(buf[:n])
			if !strings.HasPrefix(req, "OPTIONS ") {
				continue
			}
			var b strings.Builder
			b.WriteString("SIP/2.0 200 OK\r\n")
			for _, l := range strings.Split(req, "\r\n")[1:] {
				for _, h := range []string{"Via:", "From:", "To:", "Call-ID:", "CSeq:"} {
					if strings.HasPrefix(l, h) {
						b.WriteString(l + "\r\n")
					}
				}
			}
			b.WriteString("Content-Length: 0\r\n\r\n")
			c.WriteToUDPAddrPort([]byte(b.String()), from)
		}
	}()
	return c
}

func TestQualify(t *testing.T) {
	up := optionsAnswerer(t)
	silent, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	conf := testSIPConf + fmt.Sprintf(`
[up]
type=peer
host=127.0.0.1
port=%d
qualify=500

[down]
type=peer
host=127.0.0.1
port=%d
qualify=100
`, up.LocalAddr().(*net.UDPAddr).Port, silent.LocalAddr().(*net.UDPAddr).Port)
	env := startDriver(t, loadConf(t, conf), nil)
	env.log.waitFor(t, "NOTICE: Peer 'down' is now UNREACHABLE!  Last qualify: 0", 3*time.Second)
	env.log.waitFor(t, "NOTICE: Peer 'up' is now Reachable. (", 3*time.Second)
	for _, l := range env.log.take() {
		if strings.Contains(l, "'up'") && !regexp.MustCompile(`^NOTICE: Peer 'up' is now Reachable\. \(\d+ms / 500ms\)$`).MatchString(l) {
			t.Errorf("bad line %q", l)
		}
	}
	v := env.d.View()
	if st := v.Peers["down"]; st.LastMs != -1 {
		t.Errorf("down: LastMs %d", st.LastMs)
	}
	if st := v.Peers["up"]; st.LastMs < 1 || st.LastMs > 500 {
		t.Errorf("up: LastMs %d", st.LastMs)
	}
	out := env.rx(t, "sip show peers")
	if !regexp.MustCompile(`(?m)^up .* OK \(\d+ ms\)`).MatchString(out) || !regexp.MustCompile(`(?m)^down .* UNREACHABLE`).MatchString(out) {
		t.Errorf("sip show peers:\n%s", out)
	}
	// "sip qualify peer" pokes at once; an unchanged status logs nothing.
	env.rx(t, "sip qualify peer up")
	time.Sleep(200 * time.Millisecond)
	for _, l := range env.log.take() {
		if strings.Contains(l, "'up'") {
			t.Errorf("unchanged status logged: %q", l)
		}
	}
}
