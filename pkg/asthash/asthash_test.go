package asthash

import "testing"

func TestCaseHash(t *testing.T) {
	for _, c := range []struct {
		s    string
		want uint32
	}{
		{"", 5381},
		{"a", (5381*33 ^ 'a') & 0x7fffffff},
		{"US", CaseHash("us")},
	} {
		if got := CaseHash(c.s); got != c.want {
			t.Errorf("CaseHash(%q) = %d, want %d", c.s, got, c.want)
		}
	}
	// chan_sip's peer table (563 buckets) puts 6001 before 6000, as
	// `sip show users` on Asterisk shows.
	if Bucket("6001", 563) >= Bucket("6000", 563) {
		t.Errorf("bucket(6001)=%d, bucket(6000)=%d: want 6001 first", Bucket("6001", 563), Bucket("6000", 563))
	}
}
