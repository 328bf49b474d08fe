package chansip

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// cipherInfo describes one TLS 1.2 suite Go offers with the OpenSSL name
// and the OpenSSL selector words that match it.
type cipherInfo struct {
	id      uint16
	openssl string
	tags    []string
}

// offeredCiphers are Go's secure TLS 1.2 suites in Go's preference order.
// TLS 1.3 suites are not configurable, in Go as in OpenSSL's cipher
// list, so tlscipher does not touch them.
var offeredCiphers = []cipherInfo{
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aECDSA", "ECDSA", "AES", "AES128", "AESGCM", "SHA256", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aRSA", "RSA", "AES", "AES128", "AESGCM", "SHA256", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aECDSA", "ECDSA", "AES", "AES256", "AESGCM", "SHA384", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aRSA", "RSA", "AES", "AES256", "AESGCM", "SHA384", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aECDSA", "ECDSA", "CHACHA20", "SHA256", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aRSA", "RSA", "CHACHA20", "SHA256", "AEAD", "TLSv1.2"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, "ECDHE-ECDSA-AES128-SHA", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aECDSA", "ECDSA", "AES", "AES128", "SHA1", "SHA", "SSLv3", "TLSv1"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, "ECDHE-RSA-AES128-SHA", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aRSA", "RSA", "AES", "AES128", "SHA1", "SHA", "SSLv3", "TLSv1"}},
	{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, "ECDHE-ECDSA-AES256-SHA", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aECDSA", "ECDSA", "AES", "AES256", "SHA1", "SHA", "SSLv3", "TLSv1"}},
	{tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, "ECDHE-RSA-AES256-SHA", []string{"kECDHE", "ECDHE", "EECDH", "kEECDH", "aRSA", "RSA", "AES", "AES256", "SHA1", "SHA", "SSLv3", "TLSv1"}},
	{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256", []string{"kRSA", "aRSA", "RSA", "AES", "AES128", "AESGCM", "SHA256", "AEAD", "TLSv1.2"}},
	{tls.TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384", []string{"kRSA", "aRSA", "RSA", "AES", "AES256", "AESGCM", "SHA384", "AEAD", "TLSv1.2"}},
	{tls.TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA", []string{"kRSA", "aRSA", "RSA", "AES", "AES128", "SHA1", "SHA", "SSLv3", "TLSv1"}},
	{tls.TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA", []string{"kRSA", "aRSA", "RSA", "AES", "AES256", "SHA1", "SHA", "SSLv3", "TLSv1"}},
}

// knownEmpty are OpenSSL selector words that name nothing Go offers
// (weak, obsolete or unimplemented algorithms): selecting them adds
// nothing and excluding them is already the case, silently, as OpenSSL
// does for words that match no compiled-in suite.
var knownEmpty = map[string]bool{
	"aNULL": true, "eNULL": true, "NULL": true, "COMPLEMENTOFALL": true, "COMPLEMENTOFDEFAULT": true,
	"EXPORT": true, "EXP": true, "EXPORT40": true, "EXPORT56": true, "LOW": true, "MEDIUM": true,
	"RC4": true, "RC2": true, "MD5": true, "DES": true, "3DES": true, "IDEA": true, "SEED": true,
	"CAMELLIA": true, "CAMELLIA128": true, "CAMELLIA256": true, "ARIA": true, "ARIA128": true, "ARIA256": true,
	"CCM": true, "CCM8": true, "AESCCM": true, "AESCCM8": true, "PSK": true, "kPSK": true, "aPSK": true,
	"kECDHEPSK": true, "kDHEPSK": true, "kRSAPSK": true, "SRP": true, "kSRP": true, "aSRP": true,
	"DSS": true, "aDSS": true, "DH": true, "DHE": true, "EDH": true, "kDHE": true, "kEDH": true,
	"ADH": true, "AECDH": true, "kDHr": true, "kDHd": true, "kDH": true, "aDH": true, "kECDHr": true,
	"kECDHe": true, "kECDH": true, "aECDH": true, "GOST94": true, "GOST89MAC": true, "aGOST": true,
	"aGOST01": true, "kGOST": true, "SUITEB128": true, "SUITEB128ONLY": true, "SUITEB192": true,
	"SSLv2": true, "TLSv1.0": true, "FIPS": true,
}

// insecureNames are OpenSSL names of suites Go implements but we never
// offer: naming one is a warning, not a silent no-op.
var insecureNames = map[string]bool{
	"DES-CBC3-SHA": true, "ECDHE-RSA-DES-CBC3-SHA": true, "RC4-SHA": true, "ECDHE-RSA-RC4-SHA": true,
	"ECDHE-ECDSA-RC4-SHA": true, "AES128-SHA256": true, "ECDHE-ECDSA-AES128-SHA256": true,
	"ECDHE-RSA-AES128-SHA256": true,
}

// CipherSuites maps an OpenSSL cipher list (tlscipher) onto the TLS 1.2
// suites Go offers, following OpenSSL's list semantics: words separated
// by ':', ',' or spaces; "A+B" is the suites matching both; "!X" removes
// for good, "-X" removes (a later word may add back), "+X" moves to the
// end; ALL, DEFAULT and HIGH select everything offered; "@STRENGTH" and
// "@SECLEVEL=n" are accepted. Words that name nothing Go has are
// warnings. An empty spec, or one that leaves nothing, gives nil (Go's
// defaults), the latter with a warning.
func CipherSuites(spec string) ([]uint16, []string) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	var warns []string
	var list []int // indexes into offeredCiphers, in order
	banned := map[int]bool{}
	has := func(i int) int {
		for k, v := range list {
			if v == i {
				return k
			}
		}
		return -1
	}
	words := strings.FieldsFunc(spec, func(r rune) bool { return r == ':' || r == ',' || r == ' ' })
	for _, w := range words {
		op := byte(0)
		if w[0] == '!' || w[0] == '-' || w[0] == '+' {
			op, w = w[0], w[1:]
		}
		if strings.HasPrefix(w, "@") {
			continue // strength sorting and security levels: Go orders suites itself
		}
		match, ok, why := matchCipherWord(w)
		if !ok {
			warns = append(warns, fmt.Sprintf("tlscipher: %s", why))
			continue
		}
		switch op {
		case '!':
			for _, i := range match {
				banned[i] = true
				if k := has(i); k >= 0 {
					list = append(list[:k], list[k+1:]...)
				}
			}
		case '-':
			for _, i := range match {
				if k := has(i); k >= 0 {
					list = append(list[:k], list[k+1:]...)
				}
			}
		case '+':
			var moved []int
			for _, i := range match {
				if k := has(i); k >= 0 {
					list = append(list[:k], list[k+1:]...)
					moved = append(moved, i)
				}
			}
			list = append(list, moved...)
		default:
			for _, i := range match {
				if !banned[i] && has(i) < 0 {
					list = append(list, i)
				}
			}
		}
	}
	if len(list) == 0 {
		warns = append(warns, fmt.Sprintf("tlscipher %q leaves no cipher suite that is offered; using the default suites", spec))
		return nil, warns
	}
	ids := make([]uint16, len(list))
	for k, i := range list {
		ids[k] = offeredCiphers[i].id
	}
	return ids, warns
}

// matchCipherWord gives the offered suites one word (possibly "A+B")
// selects; ok is false, with the reason, for a word that names nothing
// known.
func matchCipherWord(w string) (match []int, ok bool, why string) {
	switch w {
	case "ALL", "DEFAULT", "HIGH", "COMPLEMENTOFDEFAULT":
		if w == "COMPLEMENTOFDEFAULT" {
			return nil, true, ""
		}
		for i := range offeredCiphers {
			match = append(match, i)
		}
		return match, true, ""
	}
	if insecureNames[w] {
		return nil, false, fmt.Sprintf("%s is insecure and not offered", w)
	}
	for i, c := range offeredCiphers {
		if c.openssl == w {
			return []int{i}, true, ""
		}
	}
	parts := strings.Split(w, "+")
	var sets [][]int
	for _, p := range parts {
		if knownEmpty[p] {
			return nil, true, ""
		}
		var s []int
		known := false
		for i, c := range offeredCiphers {
			for _, t := range c.tags {
				if t == p {
					s = append(s, i)
					known = true
					break
				}
			}
		}
		if !known {
			return nil, false, fmt.Sprintf("%q has no equivalent among the suites offered; ignored", p)
		}
		sets = append(sets, s)
	}
	for _, i := range sets[0] {
		all := true
		for _, s := range sets[1:] {
			found := false
			for _, j := range s {
				if j == i {
					found = true
					break
				}
			}
			all = all && found
		}
		if all {
			match = append(match, i)
		}
	}
	return match, true, ""
}
