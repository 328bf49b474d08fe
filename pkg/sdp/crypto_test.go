package sdp

import (
	"bytes"
	"errors"
	"testing"
)

const key30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" // 30 bytes

func TestParseCrypto(t *testing.T) {
	tests := []struct {
		in       string
		ok       bool
		tag      int
		suite    string
		lifetime uint64
		mki      []byte
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30, true, 1, SuiteAES128SHA1_80, 0, nil},
		{"2 AES_CM_128_HMAC_SHA1_32 inline:" + key30, true, 2, SuiteAES128SHA1_32, 0, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^31", true, 1, SuiteAES128SHA1_80, 1 << 31, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^60", true, 1, SuiteAES128SHA1_80, 1 << 48, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2000000", true, 1, SuiteAES128SHA1_80, 2000000, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1:4", true, 1, SuiteAES128SHA1_80, 0, []byte{0, 0, 0, 1}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^31|1:1", true, 1, SuiteAES128SHA1_80, 1 << 31, []byte{1}},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^10", false, 0, "", 0, nil},  // too short a lifetime
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1000", false, 0, "", 0, nil},  // idem, decimal
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|300:1", false, 0, "", 0, nil}, // MKI too big for 1 byte
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|1:9", false, 0, "", 0, nil},   // MKI length
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " KDR=1", false, 0, "", 0, nil}, // session parameter
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " UNENCRYPTED_SRTP", false, 0, "", 0, nil},
		{"1 AES_256_CM_HMAC_SHA1_80 inline:" + key30, false, 0, "", 0, nil},
		{"1 F8_128_HMAC_SHA1_80 inline:" + key30, false, 0, "", 0, nil},
		{"0 AES_CM_128_HMAC_SHA1_80 inline:" + key30, false, 0, "", 0, nil},
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + key30, false, 0, "", 0, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", false, 0, "", 0, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:!!!", false, 0, "", 0, nil},
		{"1 AES_CM_128_HMAC_SHA1_80 uri:https://kms/" + key30, false, 0, "", 0, nil},
		{"1 AES_CM_128_HMAC_SHA1_80", false, 0, "", 0, nil},
		// the first acceptable of several key parameters wins
		{"3 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^5;inline:" + key30, true, 3, SuiteAES128SHA1_80, 0, nil},
	}
	for _, tc := range tests {
		c, err := ParseCrypto(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v", tc.in, err)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrCrypto) {
				t.Errorf("%q: error %v does not wrap ErrCrypto", tc.in, err)
			}
			continue
		}
		if c.Tag != tc.tag || c.Suite != tc.suite || c.Lifetime != tc.lifetime || !bytes.Equal(c.MKI, tc.mki) || len(c.Key) != 30 {
			t.Errorf("%q: got %+v", tc.in, c)
		}
	}
}

func TestCryptoRoundTrip(t *testing.T) {
	c, err := NewCrypto(7, SuiteAES128SHA1_32)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := NewCrypto(7, SuiteAES128SHA1_32)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(c.Key, c2.Key) {
		t.Fatal("two fresh keys are equal")
	}
	c.Lifetime, c.MKI = 1<<31, []byte{0, 2}
	back, err := ParseCrypto(c.String())
	if err != nil {
		t.Fatalf("%s: %v", c, err)
	}
	if back.Tag != 7 || !bytes.Equal(back.Key, c.Key) || back.Lifetime != c.Lifetime || !bytes.Equal(back.MKI, c.MKI) {
		t.Errorf("round trip %+v -> %+v", c, back)
	}
	if _, err := NewCrypto(1, "AES_256_CM_HMAC_SHA1_80"); err == nil {
		t.Error("unsupported suite accepted")
	}
}
