package sipshow

import (
	"net/netip"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
)

// View is everything the "sip show" commands print: the loaded
// configuration and the driver's runtime state at one instant.
type View struct {
	Config   *sipconf.Config
	Peers    map[string]PeerState // runtime state by peer name (as in Config); missing = fresh
	Registry []RegistryState      // parallel to Config.Registrations; missing = fresh
	Now      time.Time            // for "Expire" (seconds left)
	Location *time.Location       // for Reg.Time; nil = time.Local
	Version  string               // Asterisk-compatible version, for the default User Agent
}

// PeerState is a peer's runtime state, owned by the SIP driver.
type PeerState struct {
	// Addr is where the peer is reached: the registered contact's source
	// for a dynamic peer. The zero value means none; a static peer with an
	// IP literal host then shows its configured address.
	Addr netip.AddrPort
	// Expires is when the registration runs out; zero = not registered
	// ("Expire : -1").
	Expires     time.Time
	UserAgent   string
	FullContact string            // "Reg. Contact"
	Transport   sipconf.Transport // transport of the registration; 0 = the peer's primary
	SIPOptions  []string          // option tags the device advertised (Supported:)
	Path        []string          // the registration's Path route set, "<uri>" each
	// LastMs is the last qualify round trip in ms: -1 unreachable, 0 not
	// yet known, > 0 the time.
	LastMs      int
	InUse       int
	Ringing     int
	OnHold      int
	NewMessages int // LastMsgsSent new/old
	OldMessages int
}

// RegState is an outbound registration's state.
type RegState int

// Registration states, as chan_sip names them.
const (
	RegUnregistered RegState = iota
	RegRequestSent
	RegAuthSent
	RegRegistered
	RegRejected
	RegTimeout // renewing: chan_sip shows it as "Registered"
	RegNoAuth
	RegFailed
)

func (s RegState) String() string {
	switch s {
	case RegUnregistered:
		return "Unregistered"
	case RegRequestSent:
		return "Request Sent"
	case RegAuthSent:
		return "Auth. Sent"
	case RegRegistered, RegTimeout:
		return "Registered"
	case RegRejected:
		return "Rejected"
	case RegNoAuth:
		return "No Authentication"
	case RegFailed:
		return "Failed"
	}
	return "Unknown"
}

// RegistryState is an outbound registration's runtime state.
type RegistryState struct {
	State RegState
	// Refresh is the seconds chan_sip shows: the configured expiry until
	// registered, then the time left. 0 = the configured expiry.
	Refresh int
	RegTime time.Time // when the last registration succeeded; zero = never
	DNSMgr  bool      // host is refreshed by DNS
}

func (v *View) peerState(name string) PeerState {
	if st, ok := v.Peers[name]; ok {
		return st
	}
	return PeerState{}
}

// addr is the address chan_sip holds for the peer.
func (v *View) addr(p *sipconf.Peer, st PeerState) netip.AddrPort {
	if st.Addr.IsValid() {
		return st.Addr
	}
	if !p.Dynamic {
		return p.Addr
	}
	return netip.AddrPort{}
}

// peerStatus is chan_sip's peer_status: the text and 1 online, 0 offline,
// -1 unmonitored.
func peerStatus(p *sipconf.Peer, st PeerState) (string, int) {
	if p.Qualify == 0 {
		return "Unmonitored", -1
	}
	switch {
	case st.LastMs < 0:
		return "UNREACHABLE", 0
	case st.LastMs > p.Qualify:
		return "LAGGED (" + itoa(st.LastMs) + " ms)", 1
	case st.LastMs > 0:
		return "OK (" + itoa(st.LastMs) + " ms)", 1
	}
	return "UNKNOWN", 0
}
