package chansip

import (
	"fmt"
	"net"
	"net/netip"
)

// maxStreamMessage is the largest SIP message accepted on a TCP or TLS
// connection: chan_sip's SIP_MAX_PACKET_SIZE (20480 bytes). chan_sip
// closes a connection whose message grows past it, with a WARNING; sipgo
// alone would assemble messages of up to 64 KB (its parser's limit, shared
// with UDP, which stays as it is).
const maxStreamMessage = 20480

// maxRequestLine bounds the start line of a message on a TCP or TLS
// connection. chan_sip has no such limit, but uses at most the first 255
// bytes of a Request-URI to find an extension, so no legitimate request
// needs more: the longest a phone sends (a Contact with push-notification
// parameters in an in-dialog request) stays under 1 KB. A longer one is an
// attack and closes the connection like an oversized message.
const maxRequestLine = 4096

// errStreamRejected ends a connection whose peer sent a message past the
// limits above; sipgo closes a connection whose Read fails.
type errStreamRejected struct{ reason string }

func (e *errStreamRejected) Error() string { return "SIP message rejected: " + e.reason }

// sipFramer follows the message boundaries of a SIP byte stream (start
// line, headers up to the empty line, then Content-Length bytes of body)
// with a few integers of state, so that a message's size is known while it
// arrives, before sipgo buffers it whole. It only measures: the bytes go
// to sipgo unchanged, and sipgo's parser stays the judge of their syntax.
// Keep-alive CRLFs between messages (RFC 5626) belong to no message.
type sipFramer struct {
	state    framerState
	msgLen   int // bytes of the current message so far
	lineLen  int // bytes of the current line so far, CR and LF excluded
	first    bool
	name     [16]byte // lower-cased header name, blanks dropped, while nameLen >= 0
	nameLen  int
	inLength bool // past the colon of a Content-Length header
	length   int  // Content-Length of the current message (the last one given)
	lineNum  int  // this line's value, when it is a Content-Length
	body     int  // body bytes still to come
}

type framerState uint8

const (
	framerBetween framerState = iota // before a message: keep-alives allowed
	framerHead                       // start line and headers
	framerBody
)

// scan measures the next bytes of the stream. It returns how many of them
// belong to messages that came before the one refused (all of them when
// nothing is refused) and, when a message breaks a limit, why.
func (f *sipFramer) scan(b []byte) (int, error) {
	start := 0 // where the current message began in b (0 if earlier)
	for i := 0; i < len(b); i++ {
		switch f.state {
		case framerBetween:
			if c := b[i]; c == '\r' || c == '\n' {
				continue
			}
			*f = sipFramer{state: framerHead, first: true}
			start = i
			fallthrough
		case framerHead:
			f.msgLen++
			if f.msgLen > maxStreamMessage {
				return start, &errStreamRejected{fmt.Sprintf("way too large: %d", f.msgLen+len(b)-i-1)}
			}
			if err := f.headByte(b[i]); err != nil {
				return start, err
			}
		case framerBody:
			n := min(f.body, len(b)-i)
			f.body -= n
			f.msgLen += n
			i += n - 1
			if f.body == 0 {
				f.state = framerBetween
			}
		}
	}
	return len(b), nil
}

// headByte takes one byte of the start line or the headers.
func (f *sipFramer) headByte(c byte) error {
	switch c {
	case '\r':
		return nil
	case '\n':
		if f.lineLen == 0 {
			// The empty line: the body follows, or the next message.
			if f.length > 0 {
				if f.msgLen+f.length > maxStreamMessage {
					return &errStreamRejected{fmt.Sprintf("way too large: %d", f.msgLen+f.length)}
				}
				f.state, f.body = framerBody, f.length
			} else {
				f.state = framerBetween
			}
			return nil
		}
		if f.inLength {
			f.length = f.lineNum
		}
		f.lineLen, f.nameLen, f.inLength, f.lineNum, f.first = 0, 0, false, 0, false
		return nil
	case 0:
		// chan_sip reads a message as a C string, so what it would handle
		// is not what was sent; a datagram with one is dropped (badHead).
		return &errStreamRejected{"it holds a NUL byte in its headers"}
	}
	f.lineLen++
	if f.first {
		if f.lineLen > maxRequestLine {
			return &errStreamRejected{fmt.Sprintf("its first line is way too long: more than %d bytes", maxRequestLine)}
		}
		return nil
	}
	switch {
	case f.inLength:
		if c >= '0' && c <= '9' && f.lineNum <= maxStreamMessage {
			f.lineNum = f.lineNum*10 + int(c-'0')
		}
	case f.nameLen < 0:
	case c == ':':
		name := string(f.name[:f.nameLen])
		f.inLength = name == "content-length" || name == "l"
		f.nameLen = -1
	case c == ' ' || c == '\t':
	case f.nameLen == len(f.name):
		f.nameLen = -1 // longer than any name we look for
	default:
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		f.name[f.nameLen] = c
		f.nameLen++
	}
	return nil
}

// framedListener hands out connections whose reads go through a
// sipFramer: over TLS it sits above the TLS layer, where the SIP bytes are.
type framedListener struct {
	net.Listener
	warn func(format string, args ...any)
}

func (l *framedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &framedConn{Conn: c, warn: l.warn}, nil
}

// framedConn is one accepted connection with its framer. Reads come from
// one goroutine (sipgo's reader of the connection).
type framedConn struct {
	net.Conn
	warn func(format string, args ...any)
	f    sipFramer
	err  error // set once a message was refused: every later read fails
}

func (c *framedConn) Read(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.Conn.Read(b)
	if n == 0 {
		return n, err
	}
	keep, ferr := c.f.scan(b[:n])
	if ferr == nil {
		return n, err
	}
	c.err = ferr
	var from netip.AddrPort
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap := a.AddrPort()
		from = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	// chan_sip's words for the size case; the connection is closed.
	c.warn("Rejecting TCP/TLS packet from '%s' because %s", from, ferr.(*errStreamRejected).reason)
	if keep > 0 {
		// The messages before the refused one still reach sipgo.
		return keep, nil
	}
	return 0, ferr
}
