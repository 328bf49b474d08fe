package rtp

import (
	"bytes"
	"testing"

	"github.com/pion/srtp/v3"
)

// srtpPhone holds the phone-side contexts of an SDES call: it encrypts with
// its own key (which the leg knows as RemoteKey) and decrypts with the key
// gostrisk advertised (the leg's LocalKey).
type srtpPhone struct {
	enc, dec *srtp.Context
}

func newSRTPPair(t testing.TB, suite string, replay bool) (*SRTPParams, *srtpPhone) {
	t.Helper()
	local, err := NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	remote, err := NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profileFor(suite)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := srtp.CreateContext(remote[:16], remote[16:], prof)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := srtp.CreateContext(local[:16], local[16:], prof, srtp.SRTPReplayProtection(64))
	if err != nil {
		t.Fatal(err)
	}
	return &SRTPParams{Suite: suite, LocalKey: local, RemoteKey: remote, ReplayProtection: replay},
		&srtpPhone{enc: enc, dec: dec}
}

func TestSRTPToPlainRoundTrip(t *testing.T) {
	for _, suite := range []string{SuiteAES128SHA1_80, SuiteAES128SHA1_32} {
		t.Run(suite, func(t *testing.T) {
			alloc := testAllocator(t, 4)
			sec := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
			plain := newTestLeg(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
			params, keys := newSRTPPair(t, suite, true)
			if err := sec.SetSRTP(params); err != nil {
				t.Fatal(err)
			}
			if !sec.Secure() || plain.Secure() {
				t.Fatal("Secure() wrong")
			}
			ps, pp := newPhone(t), newPhone(t)
			sec.SetRemote(ps.addr())
			plain.SetRemote(pp.addr())
			newTestBridge(t, sec, plain)

			// secure phone -> plain phone: the bridge decrypts.
			clear := rtpPacket(t, 0, 500, 8000, 0xabcdef01, true, []byte("secret voice"))
			ct, err := keys.enc.EncryptRTP(nil, clear, nil)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(ct, []byte("secret voice")) {
				t.Fatal("test setup: payload not encrypted")
			}
			ps.send(sec.LocalAddr(), ct)
			if got := pp.mustRecv(); !bytes.Equal(got, clear) {
				t.Fatalf("plain side got %x, want %x", got, clear)
			}

			// plain phone -> secure phone: the bridge encrypts with LocalKey.
			reply := rtpPacket(t, 0, 77, 320, 0x11111111, false, []byte("plain reply"))
			pp.send(plain.LocalAddr(), reply)
			got := ps.mustRecv()
			if bytes.Contains(got, []byte("plain reply")) {
				t.Fatal("payload sent in clear to the SRTP phone")
			}
			dec, err := keys.dec.DecryptRTP(nil, got, nil)
			if err != nil {
				t.Fatalf("phone cannot decrypt: %v", err)
			}
			if !bytes.Equal(dec, reply) {
				t.Fatalf("decrypted %x, want %x", dec, reply)
			}
		})
	}
}

func TestSRTPTamperedAndReplayedDropped(t *testing.T) {
	alloc := testAllocator(t, 4)
	sec := newTestLeg(t, alloc, LegOptions{})
	plain := newTestLeg(t, alloc, LegOptions{})
	params, keys := newSRTPPair(t, SuiteAES128SHA1_80, true)
	if err := sec.SetSRTP(params); err != nil {
		t.Fatal(err)
	}
	ps, pp := newPhone(t), newPhone(t)
	sec.SetRemote(ps.addr())
	plain.SetRemote(pp.addr())
	newTestBridge(t, sec, plain)

	ct, err := keys.enc.EncryptRTP(nil, rtpPacket(t, 0, 1, 0, 5, false, []byte("voice")), nil)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), ct...)
	tampered[14] ^= 0x01
	ps.send(sec.LocalAddr(), tampered)
	pp.mustNotRecv()

	ps.send(sec.LocalAddr(), ct)
	pp.mustRecv()
	ps.send(sec.LocalAddr(), ct) // replay
	pp.mustNotRecv()
	if d := sec.Stats().Dropped; d != 2 {
		t.Errorf("Dropped = %d, want 2 (tampered + replay)", d)
	}
}

func TestSRTPBadParams(t *testing.T) {
	key, _ := NewMasterKey()
	tests := []struct {
		name string
		p    SRTPParams
	}{
		{"suite", SRTPParams{Suite: "AES_256_CM_HMAC_SHA1_80", LocalKey: key, RemoteKey: key}},
		{"short key", SRTPParams{Suite: SuiteAES128SHA1_80, LocalKey: key[:16], RemoteKey: key}},
	}
	alloc := testAllocator(t, 1)
	l := newTestLeg(t, alloc, LegOptions{})
	for _, tc := range tests {
		if err := l.SetSRTP(&tc.p); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if l.Secure() {
		t.Error("failed SetSRTP left the leg secure")
	}
}
