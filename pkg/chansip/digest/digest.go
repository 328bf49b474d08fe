package digest

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Credentials is a parsed Authorization / Proxy-Authorization header.
type Credentials struct {
	Username  string
	Realm     string
	Nonce     string
	URI       string
	Response  string
	Algorithm string
	CNonce    string
	QOP       string
	NC        string
	Opaque    string
}

// ErrMalformed means the header is not a digest answer.
var ErrMalformed = errors.New("digest: malformed authorization header")

// Parse reads `Digest username="6000", realm="asterisk", ...`.
func Parse(header string) (*Credentials, error) {
	h := strings.TrimSpace(header)
	if len(h) < 7 || !strings.EqualFold(h[:6], "digest") || (h[6] != ' ' && h[6] != '\t') {
		return nil, ErrMalformed
	}
	c := &Credentials{}
	rest := h[7:]
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, ErrMalformed
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			var b strings.Builder
			for ; end < len(rest) && rest[end] != '"'; end++ {
				if rest[end] == '\\' && end+1 < len(rest) {
					end++
				}
				b.WriteByte(rest[end])
			}
			if end >= len(rest) {
				return nil, ErrMalformed
			}
			val, rest = b.String(), rest[end+1:]
		} else {
			end := strings.IndexAny(rest, ", \t")
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		switch key {
		case "username":
			c.Username = val
		case "realm":
			c.Realm = val
		case "nonce":
			c.Nonce = val
		case "uri":
			c.URI = val
		case "response":
			c.Response = val
		case "algorithm":
			c.Algorithm = val
		case "cnonce":
			c.CNonce = val
		case "qop":
			c.QOP = val
		case "nc":
			c.NC = val
		case "opaque":
			c.Opaque = val
		}
	}
	if c.Username == "" || c.Nonce == "" || c.Response == "" {
		return nil, ErrMalformed
	}
	return c, nil
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HA1 is md5(user:realm:secret), what md5secret= holds.
func HA1(user, realm, secret string) string { return md5hex(user + ":" + realm + ":" + secret) }

// Response computes the expected response for ha1, method and credentials.
func Response(ha1, method string, c *Credentials) string {
	ha2 := md5hex(method + ":" + c.URI)
	if c.QOP == "auth" || c.QOP == "auth-int" {
		return md5hex(ha1 + ":" + c.Nonce + ":" + c.NC + ":" + c.CNonce + ":" + c.QOP + ":" + ha2)
	}
	return md5hex(ha1 + ":" + c.Nonce + ":" + ha2)
}

// Check reports whether the credentials answer the challenge for this
// method with the given HA1. The comparison does not leak timing.
func Check(ha1, method string, c *Credentials) bool {
	return sameHex(Response(ha1, method, c), c.Response)
}

// CheckUnoffered reports whether the credentials answer a challenge that
// offered no qop, as chan_sip's challenges (and ours) never do. chan_sip
// checks the RFC 2069 form md5(HA1:nonce:HA2) whatever qop the answer
// names: svcrack and some old phones name qop=auth without being offered
// it, yet compute that form (Check, which follows the qop named, refuses
// them). A client that names qop=auth with a cnonce and nc and computes
// the RFC 2617 form over them proves the same knowledge of the secret for
// this nonce, method and uri, so that form is accepted too.
func CheckUnoffered(ha1, method string, c *Credentials) bool {
	ha2 := md5hex(method + ":" + c.URI)
	if strings.EqualFold(c.QOP, "auth") && c.CNonce != "" && c.NC != "" &&
		sameHex(md5hex(ha1+":"+c.Nonce+":"+c.NC+":"+c.CNonce+":"+c.QOP+":"+ha2), c.Response) {
		return true
	}
	return sameHex(md5hex(ha1+":"+c.Nonce+":"+ha2), c.Response)
}

// sameHex compares an expected lower-case digest with a received one of
// either case, in time that does not depend on where they differ.
func sameHex(want, got string) bool {
	if len(want) != len(got) {
		return false
	}
	var diff byte
	for i := 0; i < len(want); i++ {
		diff |= want[i] ^ toLower(got[i])
	}
	return diff == 0
}

func toLower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 32
	}
	return b
}

// Challenge formats a WWW-Authenticate / Proxy-Authenticate value as chan_sip
// sends it.
func Challenge(realm, nonce string, stale bool) string {
	s := fmt.Sprintf(`Digest algorithm=MD5, realm="%s", nonce="%s"`, realm, nonce)
	if stale {
		s += ", stale=true"
	}
	return s
}

// Answer builds the Authorization value a client sends in reply to a
// challenge header (for trunks that challenge our REGISTER or INVITE).
func Answer(challenge, method, uri, user, secret string, nc int) (string, error) {
	ch, err := parseChallenge(challenge)
	if err != nil {
		return "", err
	}
	c := &Credentials{Username: user, Realm: ch["realm"], Nonce: ch["nonce"], URI: uri, Opaque: ch["opaque"]}
	if alg := ch["algorithm"]; alg != "" && !strings.EqualFold(alg, "MD5") {
		return "", fmt.Errorf("digest: unsupported algorithm %q", alg)
	}
	if qop := ch["qop"]; qop != "" {
		for _, q := range strings.Split(qop, ",") {
			if strings.TrimSpace(q) == "auth" {
				c.QOP = "auth"
			}
		}
		if c.QOP == "" {
			return "", fmt.Errorf("digest: unsupported qop %q", qop)
		}
		var b [8]byte
		rand.Read(b[:])
		c.CNonce = hex.EncodeToString(b[:])
		c.NC = fmt.Sprintf("%08x", nc)
	}
	c.Response = Response(HA1(user, c.Realm, secret), method, c)
	var s strings.Builder
	fmt.Fprintf(&s, `Digest username="%s", realm="%s", algorithm=MD5, uri="%s", nonce="%s", response="%s"`,
		c.Username, c.Realm, c.URI, c.Nonce, c.Response)
	if c.Opaque != "" {
		fmt.Fprintf(&s, `, opaque="%s"`, c.Opaque)
	}
	if c.QOP != "" {
		fmt.Fprintf(&s, `, qop=%s, cnonce="%s", nc=%s`, c.QOP, c.CNonce, c.NC)
	}
	return s.String(), nil
}

func parseChallenge(h string) (map[string]string, error) {
	c, err := Parse(h + `, username="x", response="x"`)
	if err != nil {
		return nil, fmt.Errorf("digest: bad challenge %q", h)
	}
	m := map[string]string{"realm": c.Realm, "nonce": c.Nonce, "algorithm": c.Algorithm, "qop": c.QOP, "opaque": c.Opaque}
	return m, nil
}
