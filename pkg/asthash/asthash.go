// Package asthash is the string hash of Asterisk's containers
// (ast_str_case_hash). Several CLI listings walk a hash table in bucket
// order rather than sorting (sip show users, moh show classes, indication
// show); reproducing the hash keeps those listings in Asterisk's order.
package asthash

// CaseHash is ast_str_case_hash: Bernstein's hash with xor over the
// lower-cased bytes, kept non-negative as Asterisk's int result is.
func CaseHash(s string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = h*33 ^ uint32(c)
	}
	return h & 0x7fffffff
}

// Bucket is the bucket of s in a case-insensitive table of n buckets.
func Bucket(s string, n int) int { return int(CaseHash(s) % uint32(n)) }
