package manager

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// Limits of the input side, as manager.c's: a line longer than its
// 1024-byte buffer is dropped with a warning, and a message keeps at
// most 128 headers.
const (
	maxLineLen = 1024
	maxHeaders = 128
)

// Header is one "Key: value" line.
type Header struct{ Key, Value string }

// Message is one request (or event) as a list of headers in the order
// they came.
type Message struct {
	Headers []Header
}

// Get returns the value of the first header called key (case-insensitive,
// as astman_get_header), or "".
func (m *Message) Get(key string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h.Key, key) {
			return h.Value
		}
	}
	return ""
}

// All returns every value of headers called key (Variable: lines).
func (m *Message) All(key string) []string {
	var out []string
	for _, h := range m.Headers {
		if strings.EqualFold(h.Key, key) {
			out = append(out, h.Value)
		}
	}
	return out
}

// errLongLine reports an input line over maxLineLen; the reader has
// skipped it and can go on.
var errLongLine = errors.New("line too long")

// Reader reads requests off a connection.
type Reader struct {
	br *bufio.Reader
	// LongLine is called with the start of each line dropped for its
	// length (Asterisk logs "Dumping long line with no return from ...").
	LongLine func(start string)
}

// NewReader wraps r.
func NewReader(r io.Reader) *Reader { return &Reader{br: bufio.NewReaderSize(r, 4096)} }

// readLine returns one line without its end ("\r\n" or "\n"); a line over
// maxLineLen is consumed to its end and reported as errLongLine.
func (r *Reader) readLine() (string, error) {
	var buf []byte
	long := false
	for {
		frag, err := r.br.ReadSlice('\n')
		if !long {
			if len(buf)+len(frag) > maxLineLen+2 {
				long = true
				if r.LongLine != nil {
					start := append(buf, frag...)
					if len(start) > 64 {
						start = start[:64]
					}
					r.LongLine(string(start))
				}
				buf = nil
			} else {
				buf = append(buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(buf) > 0 && !long {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if long {
			return "", errLongLine
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		// A lone CR inside a line would end a header line when a value
		// is echoed (UserEvent): it becomes a space.
		for i, c := range buf {
			if c == '\r' {
				buf[i] = ' '
			}
		}
		return string(buf), nil
	}
}

// ReadMessage reads lines up to an empty line and returns them as a
// message. Long lines are dropped; lines past maxHeaders are read and
// ignored. A message with no header at all (stray empty lines) is not
// returned: reading goes on.
func (r *Reader) ReadMessage() (*Message, error) {
	m := &Message{}
	for {
		line, err := r.readLine()
		if err == errLongLine {
			continue
		}
		if err != nil {
			return nil, err
		}
		if line == "" {
			if len(m.Headers) == 0 {
				continue
			}
			return m, nil
		}
		if len(m.Headers) >= maxHeaders {
			continue
		}
		m.Headers = append(m.Headers, parseHeader(line))
	}
}

// parseHeader splits "Key: value"; a line without a colon is kept as a
// key with no value (it matches nothing a handler asks for).
func parseHeader(line string) Header {
	k, v, ok := strings.Cut(line, ":")
	if !ok {
		return Header{Key: line}
	}
	return Header{Key: strings.TrimSpace(k), Value: strings.TrimLeft(v, " \t")}
}

// ParseMessage parses one request from its bytes (for tests and the fuzz
// target); trailing bytes after the first message are ignored.
func ParseMessage(data []byte) (*Message, error) {
	return NewReader(bytes.NewReader(data)).ReadMessage()
}
