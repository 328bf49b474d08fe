package cli

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
)

// The control socket carries frames: one type byte, a big-endian uint32
// payload length, then the payload. Our own framing, not Asterisk's: only
// gostrisk talks to gostrisk over it.
const (
	// client -> server
	frameHello      = 'H' // "<verbose> <interactive 0|1>"
	frameExec       = 'X' // command line
	frameComplete   = 'C' // line to complete
	frameSetVerbose = 'V' // decimal verbosity

	// server -> client
	frameWelcome     = 'W' // hostname NUL version NUL pid
	frameOutput      = 'O' // a chunk of command output
	frameDone        = 'D' // "1" success, "0" failure; ends an exec
	frameCompletions = 'L' // candidates joined by NUL; answers a complete
	frameEvent       = 'E' // "<verbose> " then the already formatted text
)

const maxFrame = 16 << 20

// Event is one line (or block) of log output pushed to consoles.
type Event struct {
	// Verbose is 0 for a log line (NOTICE, WARNING, ...), shown on every
	// interactive console; n > 0 for a verbose message, shown only on
	// consoles whose verbosity is at least n.
	Verbose int
	// Text is the formatted line(s), newline included.
	Text string
}

func writeFrame(w io.Writer, typ byte, payload []byte) error {
	if len(payload) > maxFrame {
		return fmt.Errorf("cli: frame of %d bytes too large", len(payload))
	}
	buf := make([]byte, 5+len(payload))
	buf[0] = typ
	binary.BigEndian.PutUint32(buf[1:5], uint32(len(payload)))
	copy(buf[5:], payload)
	_, err := w.Write(buf)
	return err
}

func readFrame(r io.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("cli: frame of %d bytes too large", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return 0, nil, fmt.Errorf("cli: short frame: %w", err)
	}
	return hdr[0], payload, nil
}

func encodeEvent(ev Event) []byte {
	return []byte(strconv.Itoa(ev.Verbose) + " " + ev.Text)
}

func decodeEvent(p []byte) (Event, error) {
	lvl, text, ok := strings.Cut(string(p), " ")
	n, err := strconv.Atoi(lvl)
	if !ok || err != nil {
		return Event{}, errors.New("cli: malformed event frame")
	}
	return Event{Verbose: n, Text: text}, nil
}

// eventQueue is a bounded queue that never blocks the producer: when full,
// the oldest event goes, so a console that stopped reading loses history
// rather than stalling the daemon.
type eventQueue struct {
	mu      sync.Mutex
	items   []Event
	limit   int
	dropped int
	ready   chan struct{}
}

func newEventQueue(limit int) *eventQueue {
	if limit <= 0 {
		limit = 256
	}
	return &eventQueue{limit: limit, ready: make(chan struct{}, 1)}
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if len(q.items) >= q.limit {
		q.items = q.items[1:]
		q.dropped++
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *eventQueue) take() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}
