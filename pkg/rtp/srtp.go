package rtp

import (
	"crypto/rand"
	"fmt"

	"github.com/pion/srtp/v3"
)

// SRTP suites gostrisk negotiates over SDES, as Asterisk 18 does.
const (
	SuiteAES128SHA1_80 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAES128SHA1_32 = "AES_CM_128_HMAC_SHA1_32"
)

// MasterKeyLen is the length of an SDES inline key: 16 bytes of AES key
// followed by 14 bytes of salt.
const MasterKeyLen = 30

// SRTPParams keys one leg. LocalKey is the key gostrisk advertised in its
// own a=crypto and encrypts what it sends; RemoteKey is the peer's and
// decrypts what arrives. RemoteMKI is set when the peer's key carries an
// MKI, which then trails every packet it sends.
type SRTPParams struct {
	Suite            string
	LocalKey         []byte
	RemoteKey        []byte
	RemoteMKI        []byte
	ReplayProtection bool
}

// replayWindow is the number of packets the anti-replay check remembers;
// RFC 3711 asks for at least 64.
const replayWindow = 128

type srtpState struct {
	enc *srtp.Context
	dec *srtp.Context
}

// NewMasterKey returns a fresh key||salt from crypto/rand.
func NewMasterKey() ([]byte, error) {
	k := make([]byte, MasterKeyLen)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("rtp: srtp key: %w", err)
	}
	return k, nil
}

func profileFor(suite string) (srtp.ProtectionProfile, error) {
	switch suite {
	case SuiteAES128SHA1_80:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, nil
	case SuiteAES128SHA1_32:
		return srtp.ProtectionProfileAes128CmHmacSha1_32, nil
	}
	return 0, fmt.Errorf("rtp: unsupported SRTP suite %q", suite)
}

func newSRTPState(p *SRTPParams) (*srtpState, error) {
	prof, err := profileFor(p.Suite)
	if err != nil {
		return nil, err
	}
	if len(p.LocalKey) != MasterKeyLen || len(p.RemoteKey) != MasterKeyLen {
		return nil, fmt.Errorf("rtp: SRTP master keys must be %d bytes (local %d, remote %d)",
			MasterKeyLen, len(p.LocalKey), len(p.RemoteKey))
	}
	enc, err := srtp.CreateContext(p.LocalKey[:16], p.LocalKey[16:], prof)
	if err != nil {
		return nil, fmt.Errorf("rtp: srtp send context: %w", err)
	}
	var opts []srtp.ContextOption
	if p.ReplayProtection {
		opts = append(opts, srtp.SRTPReplayProtection(replayWindow))
	}
	if len(p.RemoteMKI) > 0 {
		opts = append(opts, srtp.MasterKeyIndicator(p.RemoteMKI))
	}
	dec, err := srtp.CreateContext(p.RemoteKey[:16], p.RemoteKey[16:], prof, opts...)
	if err != nil {
		return nil, fmt.Errorf("rtp: srtp receive context: %w", err)
	}
	return &srtpState{enc: enc, dec: dec}, nil
}

// SetSRTP switches the leg to SRTP with the given keys, or back to plain
// RTP when p is nil. It may be called while the leg is bridged (re-INVITE
// with new keys); the relay picks the new contexts up on the next packet.
func (l *Leg) SetSRTP(p *SRTPParams) error {
	if p == nil {
		l.srtp.Store(nil)
		return nil
	}
	st, err := newSRTPState(p)
	if err != nil {
		return err
	}
	l.srtp.Store(st)
	return nil
}

// Secure reports whether the leg encrypts its media.
func (l *Leg) Secure() bool { return l.srtp.Load() != nil }
