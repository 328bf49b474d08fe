package managertest

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/manager"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

const conf = `[general]
enabled = yes
bindaddr = 127.0.0.1

[admin]
secret = admin
read = all
write = all
`

// Start runs a manager on eng, listening on a free port until the test
// ends.
func Start(t testing.TB, eng *pbx.Engine) *manager.Module {
	t.Helper()
	pc, diags := confparse.Parse("manager.conf", []byte(conf), confparse.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, _ := manager.Load(pc)
	cfg.Port = 0
	m := manager.New(manager.Options{Engine: eng, FailedLoginDelay: time.Millisecond, Started: time.Now()}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Start(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); m.Close() })
	return m
}

// Client is a logged-in raw connection.
type Client struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
	n  int
}

// Dial connects to m and logs in as the admin user, with events off so
// that reads see the answers only.
func Dial(t testing.TB, m *manager.Module) *Client {
	t.Helper()
	c, err := net.Dial("tcp", m.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := &Client{t: t, c: c, br: bufio.NewReader(c)}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := cl.br.ReadString('\n'); err != nil {
		t.Fatalf("banner: %v", err)
	}
	if got := cl.Do("Action: Login", "Username: admin", "Secret: admin", "Events: off"); !strings.Contains(got, "Authentication accepted") {
		t.Fatalf("login: %q", got)
	}
	return cl
}

// Send writes one action, its lines joined by CRLF.
func (c *Client) Send(lines ...string) {
	c.t.Helper()
	if _, err := c.c.Write([]byte(strings.Join(lines, "\r\n") + "\r\n\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// Read returns the next message, its lines CRLF-terminated, without the
// empty line that ends it.
func (c *Client) Read() string {
	c.t.Helper()
	var b strings.Builder
	c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read: %v (got %q)", err, b.String())
		}
		if line == "\r\n" {
			return b.String()
		}
		b.WriteString(line)
	}
}

// Do sends an action and returns its answer: the next message with the
// ActionID it adds ("T<n>"), which it leaves out of what it returns.
// Messages without it (events) are skipped.
func (c *Client) Do(lines ...string) string {
	c.t.Helper()
	id := c.send(lines)
	return c.next(id)
}

func (c *Client) send(lines []string) string {
	c.t.Helper()
	c.n++
	id := "T" + strconv.Itoa(c.n)
	c.Send(append(append([]string(nil), lines...), "ActionID: "+id)...)
	return id
}

// next reads up to the next message carrying ActionID id, which it
// removes.
func (c *Client) next(id string) string {
	c.t.Helper()
	line := "ActionID: " + id + "\r\n"
	for {
		s := c.Read()
		if strings.Contains(s, line) {
			return strings.Replace(s, line, "", 1)
		}
	}
}

// List sends an action answered by an event list and returns every
// message up to the one with "EventList: Complete", the answer first,
// without their ActionID lines.
func (c *Client) List(lines ...string) []string {
	c.t.Helper()
	id := c.send(lines)
	out := []string{c.next(id)}
	if !strings.Contains(out[0], "EventList: start") {
		return out
	}
	for {
		s := c.next(id)
		out = append(out, s)
		if strings.Contains(s, "EventList: Complete") {
			return out
		}
	}
}
