package funcs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"time"
)

// This file is a small DNS client for NAPTR records (RFC 3403), which
// net.Resolver does not look up: one question to the nameservers of
// /etc/resolv.conf over UDP, again over TCP when the answer is truncated.

// NAPTR is one NAPTR record.
type NAPTR struct {
	Order, Preference            uint16
	Flags, Services, Regexp, Rep string
}

// NAPTRResolver looks up the NAPTR records of a domain.
type NAPTRResolver interface {
	LookupNAPTR(ctx context.Context, name string) ([]NAPTR, error)
}

// systemNAPTR asks the nameservers of resolv.conf (or 127.0.0.1).
type systemNAPTR struct{ resolvConf string }

func (s systemNAPTR) servers() []string {
	data, err := os.ReadFile(s.resolvConf)
	var out []string
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "nameserver" {
				out = append(out, net.JoinHostPort(f[1], "53"))
			}
		}
	}
	if len(out) == 0 {
		out = []string{"127.0.0.1:53"}
	}
	return out
}

func (s systemNAPTR) LookupNAPTR(ctx context.Context, name string) ([]NAPTR, error) {
	var lastErr error
	for _, srv := range s.servers() {
		recs, err := queryNAPTR(ctx, srv, name)
		if err == nil {
			return recs, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

const typeNAPTR = 35

// errNXDomain is a name that does not exist.
var errNXDomain = errors.New("no such domain")

// queryNAPTR asks server (host:port) once.
func queryNAPTR(ctx context.Context, server, name string) ([]NAPTR, error) {
	id := uint16(rand.Uint32())
	q, err := buildQuery(id, name, typeNAPTR)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(5 * time.Second)
	}
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write(q); err != nil {
		return nil, err
	}
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		if n >= 2 && binary.BigEndian.Uint16(buf) == id {
			recs, truncated, err := parseNAPTRAnswer(buf[:n])
			if truncated {
				return queryNAPTRTCP(ctx, server, q)
			}
			return recs, err
		}
	}
}

func queryNAPTRTCP(ctx context.Context, server string, q []byte) ([]NAPTR, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	msg := binary.BigEndian.AppendUint16(nil, uint16(len(q)))
	if _, err := conn.Write(append(msg, q...)); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return nil, err
	}
	resp := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, resp); err != nil {
		return nil, err
	}
	recs, _, err := parseNAPTRAnswer(resp)
	return recs, err
}

// buildQuery is a recursive query for name's records of type qtype.
func buildQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	b := binary.BigEndian.AppendUint16(nil, id)
	b = append(b, 0x01, 0x00) // RD
	b = append(b, 0, 1, 0, 0, 0, 0, 0, 0)
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		if len(label) == 0 || len(label) > 63 {
			return nil, fmt.Errorf("bad domain name %q", name)
		}
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	b = append(b, 0)
	b = binary.BigEndian.AppendUint16(b, qtype)
	return binary.BigEndian.AppendUint16(b, 1), nil // class IN
}

// parseNAPTRAnswer reads the NAPTR records of a response; truncated is
// the TC bit.
func parseNAPTRAnswer(m []byte) (recs []NAPTR, truncated bool, err error) {
	if len(m) < 12 {
		return nil, false, errors.New("short DNS answer")
	}
	flags := binary.BigEndian.Uint16(m[2:])
	if flags&0x0200 != 0 {
		return nil, true, nil
	}
	switch rcode := flags & 0xf; rcode {
	case 0:
	case 3:
		return nil, false, errNXDomain
	default:
		return nil, false, fmt.Errorf("DNS error code %d", rcode)
	}
	qd, an := int(binary.BigEndian.Uint16(m[4:])), int(binary.BigEndian.Uint16(m[6:]))
	off := 12
	for i := 0; i < qd; i++ {
		if _, off, err = readName(m, off); err != nil {
			return nil, false, err
		}
		off += 4
	}
	for i := 0; i < an; i++ {
		if _, off, err = readName(m, off); err != nil {
			return nil, false, err
		}
		if off+10 > len(m) {
			return nil, false, errors.New("short DNS record")
		}
		typ := binary.BigEndian.Uint16(m[off:])
		rdlen := int(binary.BigEndian.Uint16(m[off+8:]))
		off += 10
		if off+rdlen > len(m) {
			return nil, false, errors.New("short DNS record data")
		}
		if typ == typeNAPTR {
			r, err := parseNAPTR(m, off, off+rdlen)
			if err != nil {
				return nil, false, err
			}
			recs = append(recs, r)
		}
		off += rdlen
	}
	return recs, false, nil
}

func parseNAPTR(m []byte, off, end int) (NAPTR, error) {
	var r NAPTR
	if off+4 > end {
		return r, errors.New("NAPTR record length too short")
	}
	r.Order, r.Preference = binary.BigEndian.Uint16(m[off:]), binary.BigEndian.Uint16(m[off+2:])
	off += 4
	for _, dst := range []*string{&r.Flags, &r.Services, &r.Regexp} {
		if off >= end || off+1+int(m[off]) > end {
			return r, errors.New("NAPTR character string past the record")
		}
		*dst = string(m[off+1 : off+1+int(m[off])])
		off += 1 + int(m[off])
	}
	rep, _, err := readName(m, off)
	r.Rep = rep
	return r, err
}

// readName reads a possibly compressed name at off; next is after it.
func readName(m []byte, off int) (name string, next int, err error) {
	var labels []string
	next = -1
	for hops := 0; hops < 64; hops++ {
		if off >= len(m) {
			return "", 0, errors.New("name past the message")
		}
		l := int(m[off])
		switch {
		case l == 0:
			if next < 0 {
				next = off + 1
			}
			return strings.Join(labels, "."), next, nil
		case l&0xc0 == 0xc0:
			if off+1 >= len(m) {
				return "", 0, errors.New("bad name pointer")
			}
			if next < 0 {
				next = off + 2
			}
			off = int(binary.BigEndian.Uint16(m[off:]) & 0x3fff)
		default:
			if off+1+l > len(m) {
				return "", 0, errors.New("label past the message")
			}
			labels = append(labels, string(m[off+1:off+1+l]))
			off += 1 + l
		}
	}
	return "", 0, errors.New("name pointer loop")
}
