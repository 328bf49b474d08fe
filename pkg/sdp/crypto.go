package sdp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// SDES suites accepted, as in Asterisk 18 without the optional AES-192/256
// builds of libsrtp.
const (
	SuiteAES128SHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES128SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
)

// masterKeyLen is AES-128 key (16) plus salt (14).
const masterKeyLen = 30

// minLifetime is the shortest key lifetime (in packets) Asterisk accepts:
// about ten hours of 20 ms packets. gostrisk never rekeys, so a shorter
// lifetime is a promise it could not keep.
const minLifetime = 1800000

// ErrCrypto is wrapped by every a=crypto rejection.
var ErrCrypto = errors.New("sdp: unacceptable a=crypto")

// Crypto is one a=crypto attribute (RFC 4568) with an inline key.
type Crypto struct {
	Tag   int
	Suite string
	Key   []byte // 30 bytes: master key then master salt
	// MKI is the master key identifier the sender appends to each packet,
	// encoded on len(MKI) bytes; nil when the line carries none.
	MKI []byte
	// Lifetime in packets when the line gave one (0 otherwise).
	Lifetime uint64
}

// NewCrypto makes a line with a fresh random key, for an offer or for the
// answer to an accepted offer (same tag and suite, our own key).
func NewCrypto(tag int, suite string) (Crypto, error) {
	if suite != SuiteAES128SHA1_80 && suite != SuiteAES128SHA1_32 {
		return Crypto{}, fmt.Errorf("%w: unsupported suite %q", ErrCrypto, suite)
	}
	if tag < 1 || tag > 999999999 {
		return Crypto{}, fmt.Errorf("%w: tag %d out of range", ErrCrypto, tag)
	}
	k := make([]byte, masterKeyLen)
	if _, err := rand.Read(k); err != nil {
		return Crypto{}, fmt.Errorf("sdp: crypto key: %w", err)
	}
	return Crypto{Tag: tag, Suite: suite, Key: k}, nil
}

// String renders the attribute value, without "a=crypto:".
func (c Crypto) String() string {
	s := fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
	if c.Lifetime != 0 {
		s += "|" + strconv.FormatUint(c.Lifetime, 10)
	}
	if len(c.MKI) > 0 {
		s += fmt.Sprintf("|%d:%d", mkiValue(c.MKI), len(c.MKI))
	}
	return s
}

func mkiValue(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// ParseCrypto reads an a=crypto value ("1 AES_CM_128_HMAC_SHA1_80
// inline:KEY[|lifetime][|mki:len]"). Like Asterisk it refuses session
// parameters, unknown suites, tags outside 1..999999999, keys that are not
// 30 bytes and lifetimes under 1800000 packets; of several key parameters
// separated by ';' the first acceptable inline one is used. Unlike
// Asterisk, which only tolerates MKI value 1, any MKI of 1-4 bytes is
// accepted because pion/srtp honours it.
func ParseCrypto(value string) (Crypto, error) {
	fields := strings.Fields(value)
	if len(fields) < 3 {
		return Crypto{}, fmt.Errorf("%w: %q: want tag, suite and key parameters", ErrCrypto, value)
	}
	if len(fields) > 3 {
		return Crypto{}, fmt.Errorf("%w: unsupported session parameters %q", ErrCrypto, strings.Join(fields[3:], " "))
	}
	tag, err := strconv.Atoi(fields[0])
	if err != nil || tag < 1 || tag > 999999999 {
		return Crypto{}, fmt.Errorf("%w: bad tag %q", ErrCrypto, fields[0])
	}
	suite := fields[1]
	if suite != SuiteAES128SHA1_80 && suite != SuiteAES128SHA1_32 {
		return Crypto{}, fmt.Errorf("%w: unsupported suite %q", ErrCrypto, suite)
	}
	var firstErr error
	for _, kp := range strings.Split(fields[2], ";") {
		c, err := parseKeyParam(kp)
		if err == nil {
			c.Tag, c.Suite = tag, suite
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Crypto{}, firstErr
}

func parseKeyParam(kp string) (Crypto, error) {
	method, info, ok := strings.Cut(kp, ":")
	if !ok || method != "inline" {
		return Crypto{}, fmt.Errorf("%w: key method %q is not inline", ErrCrypto, method)
	}
	parts := strings.Split(info, "|")
	if len(parts) > 3 {
		return Crypto{}, fmt.Errorf("%w: too many key fields in %q", ErrCrypto, info)
	}
	var c Crypto
	key, err := decodeKey(parts[0])
	if err != nil {
		return Crypto{}, err
	}
	c.Key = key
	rest := parts[1:]
	// The field after the key is a lifetime unless it has the mki:len shape.
	if len(rest) > 0 && !strings.Contains(rest[0], ":") {
		lt, err := parseLifetime(rest[0])
		if err != nil {
			return Crypto{}, err
		}
		c.Lifetime = lt
		rest = rest[1:]
	}
	if len(rest) > 1 {
		return Crypto{}, fmt.Errorf("%w: unexpected key field %q", ErrCrypto, rest[1])
	}
	if len(rest) == 1 {
		mki, err := parseMKI(rest[0])
		if err != nil {
			return Crypto{}, err
		}
		c.MKI = mki
	}
	return c, nil
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Some phones drop the padding.
		key, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: key is not base64", ErrCrypto)
	}
	if len(key) != masterKeyLen {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d", ErrCrypto, len(key), masterKeyLen)
	}
	return key, nil
}

func parseLifetime(s string) (uint64, error) {
	var lt float64
	if exp, ok := strings.CutPrefix(s, "2^"); ok {
		n, err := strconv.ParseUint(exp, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("%w: bad lifetime %q", ErrCrypto, s)
		}
		if n > 48 { // SRTP's own limit
			n = 48
		}
		lt = math.Pow(2, float64(n))
	} else {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: bad lifetime %q", ErrCrypto, s)
		}
		lt = float64(n)
	}
	if lt < minLifetime {
		return 0, fmt.Errorf("%w: lifetime %s shorter than %d packets", ErrCrypto, s, minLifetime)
	}
	return uint64(lt), nil
}

func parseMKI(s string) ([]byte, error) {
	vs, ls, _ := strings.Cut(s, ":")
	v, err1 := strconv.ParseUint(vs, 10, 32)
	l, err2 := strconv.Atoi(ls)
	if err1 != nil || err2 != nil || l < 1 || l > 4 || (l < 4 && v >= 1<<(8*l)) {
		return nil, fmt.Errorf("%w: MKI %q unsupported", ErrCrypto, s)
	}
	b := make([]byte, l)
	for i := l - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b, nil
}
