package cli

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// ErrNoServer is wrapped by Dial's error when nothing answers on the
// socket; the command layer then prints Asterisk's "Unable to connect to
// remote asterisk (does <path> exist?)".
var ErrNoServer = errors.New("cli: no server on control socket")

// ErrDisconnected is returned by a client whose server went away.
var ErrDisconnected = errors.New("cli: disconnected from server")

// ClientOptions chooses what a connection asks of the server.
type ClientOptions struct {
	Verbose int  // the console's initial verbosity (number of -v flags)
	Events  bool // receive log and verbose events (interactive consoles)
	// EventQueue bounds undelivered events on the client side (default 256).
	EventQueue int
}

// Client is a connection to a Server.
type Client struct {
	nc   net.Conn
	info ServerInfo

	reqMu sync.Mutex // one request at a time
	resp  chan frame
	queue *eventQueue

	events chan Event
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
}

type frame struct {
	typ     byte
	payload []byte
}

// Dial connects for one-shot commands (-rx): no events are delivered.
func Dial(path string) (*Client, error) {
	return DialOptions(path, ClientOptions{})
}

// DialOptions connects with the given options.
func DialOptions(path string, opts ClientOptions) (*Client, error) {
	nc, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoServer, path, err)
	}
	inter := "0"
	if opts.Events {
		inter = "1"
	}
	if err := writeFrame(nc, frameHello, []byte(strconv.Itoa(opts.Verbose)+" "+inter)); err != nil {
		nc.Close()
		return nil, fmt.Errorf("cli: hello: %w", err)
	}
	typ, p, err := readFrame(nc)
	if err != nil || typ != frameWelcome {
		nc.Close()
		if err == nil {
			err = fmt.Errorf("unexpected frame %q", typ)
		}
		return nil, fmt.Errorf("cli: %s is not a gostrisk control socket: %w", path, err)
	}
	parts := strings.SplitN(string(p), "\x00", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	pid, _ := strconv.Atoi(parts[2])
	c := &Client{
		nc:     nc,
		info:   ServerInfo{Hostname: parts[0], Version: parts[1], PID: pid},
		resp:   make(chan frame, 16),
		queue:  newEventQueue(opts.EventQueue),
		events: make(chan Event),
		done:   make(chan struct{}),
	}
	c.wg.Add(2)
	go c.read()
	go c.deliver()
	return c, nil
}

// Info returns what the server announced.
func (c *Client) Info() ServerInfo { return c.info }

// Events delivers the server's log and verbose events; it is closed when the
// connection ends.
func (c *Client) Events() <-chan Event { return c.events }

// Done is closed when the connection ends.
func (c *Client) Done() <-chan struct{} { return c.done }

// Close ends the connection and waits for the client's goroutines.
func (c *Client) Close() error {
	c.nc.Close()
	c.wg.Wait()
	return nil
}

// read demultiplexes frames: events to the queue, the rest to the pending
// request.
func (c *Client) read() {
	defer c.wg.Done()
	defer c.once.Do(func() { close(c.done) })
	for {
		typ, p, err := readFrame(c.nc)
		if err != nil {
			return
		}
		if typ == frameEvent {
			if ev, err := decodeEvent(p); err == nil {
				c.queue.push(ev)
			}
			continue
		}
		select {
		case c.resp <- frame{typ, p}:
		case <-c.done:
			return
		}
	}
}

// deliver hands queued events to the Events channel without ever holding
// up read, so command replies flow while nobody consumes events.
func (c *Client) deliver() {
	defer c.wg.Done()
	defer close(c.events)
	for {
		select {
		case <-c.done:
			return
		case <-c.queue.ready:
		}
		for _, ev := range c.queue.take() {
			select {
			case c.events <- ev:
			case <-c.done:
				return
			}
		}
	}
}

// Exec runs a command and returns its output; ok is false when the command
// failed (unknown command, usage, handler error). Events are never mixed
// into the output.
func (c *Client) Exec(cmd string) (output string, ok bool, err error) {
	var b strings.Builder
	ok, err = c.Run(cmd, &b)
	return b.String(), ok, err
}

// Run runs a command, streaming its output to out.
func (c *Client) Run(line string, out io.Writer) (bool, error) {
	c.reqMu.Lock()
	defer c.reqMu.Unlock()
	if err := c.send(frameExec, []byte(line)); err != nil {
		return false, err
	}
	for {
		f, err := c.next()
		if err != nil {
			return false, err
		}
		switch f.typ {
		case frameOutput:
			if _, err := out.Write(f.payload); err != nil {
				return false, fmt.Errorf("cli: writing output: %w", err)
			}
		case frameDone:
			return string(f.payload) == "1", nil
		}
	}
}

// Complete returns the server's candidates for the last word of line.
func (c *Client) Complete(line string) ([]string, error) {
	c.reqMu.Lock()
	defer c.reqMu.Unlock()
	if err := c.send(frameComplete, []byte(line)); err != nil {
		return nil, err
	}
	for {
		f, err := c.next()
		if err != nil {
			return nil, err
		}
		if f.typ == frameCompletions {
			if len(f.payload) == 0 {
				return nil, nil
			}
			return strings.Split(string(f.payload), "\x00"), nil
		}
	}
}

// SetVerbose changes this connection's verbosity on the server.
func (c *Client) SetVerbose(n int) error {
	c.reqMu.Lock()
	defer c.reqMu.Unlock()
	return c.send(frameSetVerbose, []byte(strconv.Itoa(n)))
}

func (c *Client) send(typ byte, p []byte) error {
	if err := writeFrame(c.nc, typ, p); err != nil {
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	return nil
}

func (c *Client) next() (frame, error) {
	select {
	case f := <-c.resp:
		return f, nil
	case <-c.done:
		// A reply that raced the disconnection is still a reply.
		select {
		case f := <-c.resp:
			return f, nil
		default:
			return frame{}, ErrDisconnected
		}
	}
}
