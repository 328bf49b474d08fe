package rtp

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// StrictMode is the value of rtp.conf's strictrtp option.
type StrictMode int

const (
	// StrictOff accepts media from any source.
	StrictOff StrictMode = iota
	// StrictYes learns one source after the remote address is set and drops
	// packets from any other.
	StrictYes
	// StrictSeqno is accepted for compatibility: like StrictYes, a new
	// source must first send Probation packets in sequence.
	StrictSeqno
)

func (m StrictMode) String() string {
	switch m {
	case StrictYes:
		return "yes"
	case StrictSeqno:
		return "seqno"
	default:
		return "no"
	}
}

// Config is the typed [general] section of rtp.conf.
type Config struct {
	Start, End       int           // rtpstart, rtpend: port range, inclusive
	Strict           StrictMode    // strictrtp
	Probation        int           // probation: in-sequence packets before a new source is trusted
	Checksums        bool          // rtpchecksums: UDP checksums (informational on Linux)
	DTMFTimeout      int           // dtmftimeout, in samples as Asterisk counts them
	RTCPInterval     time.Duration // rtcpinterval
	ICESupport       bool          // icesupport
	STUNAddr         string        // stunaddr, host[:port]
	ReplayProtection bool          // srtpreplayprotection
}

// Defaults as Asterisk 18's res_rtp_asterisk applies them when rtp.conf is
// missing or silent.
const (
	DefaultStart        = 5000
	DefaultEnd          = 31000
	DefaultProbation    = 4
	DefaultDTMFTimeout  = 3000
	DefaultRTCPInterval = 5000 * time.Millisecond
)

// DefaultConfig returns the configuration used when rtp.conf has no
// [general] section. Note: Asterisk's compiled-in port range is 5000-31000;
// the stock rtp.conf sample narrows it to 10000-20000.
func DefaultConfig() Config {
	return Config{
		Start:            DefaultStart,
		End:              DefaultEnd,
		Strict:           StrictYes,
		Probation:        DefaultProbation,
		Checksums:        true,
		DTMFTimeout:      DefaultDTMFTimeout,
		RTCPInterval:     DefaultRTCPInterval,
		ICESupport:       true,
		ReplayProtection: true,
	}
}

// options known in rtp.conf [general] but with no effect in gostrisk yet
// (TURN, ICE/STUN ACLs, DTLS): accepted silently so admins' files do not
// warn.
var acceptedOnly = map[string]bool{
	"turnaddr": true, "turnusername": true, "turnpassword": true,
	"ice_host_candidate": true, "ice_blacklist": true, "stun_blacklist": true,
	"ice_acl": true, "ice_deny": true, "ice_permit": true,
	"stun_acl": true, "stun_deny": true, "stun_permit": true,
	"dtls_mtu": true, "rtcpmux": true,
}

// LoadConfig turns a parsed rtp.conf into a Config. Unknown options are
// warnings with file:line; values that cannot be used are errors, and the
// option keeps its default so callers that ignore errors still get a usable
// Config.
func LoadConfig(cfg *confparse.Config) (Config, confparse.Diagnostics) {
	c := DefaultConfig()
	var diags confparse.Diagnostics
	if cfg == nil {
		return c, nil
	}
	gen := cfg.Category("general")
	if gen == nil {
		return c, nil
	}
	bad := func(v *confparse.Variable, format string, args ...any) {
		diags = append(diags, confparse.Diagnostic{
			File: v.File, Line: v.Line, Severity: confparse.Error,
			Message: fmt.Sprintf("%s = %q: ", v.Name, v.Value) + fmt.Sprintf(format, args...),
		})
	}
	var startVar, endVar *confparse.Variable
	for _, v := range gen.Vars {
		name := strings.ToLower(v.Name)
		val := strings.TrimSpace(v.Value)
		switch name {
		case "rtpstart", "rtpend":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1024 || n > 65535 {
				bad(v, "want a port number between 1024 and 65535")
				continue
			}
			if name == "rtpstart" {
				c.Start, startVar = n, v
			} else {
				c.End, endVar = n, v
			}
		case "strictrtp":
			switch {
			case strings.EqualFold(val, "seqno"):
				c.Strict = StrictSeqno
			case confparse.True(val):
				c.Strict = StrictYes
			case confparse.False(val):
				c.Strict = StrictOff
			default:
				bad(v, "want yes, no or seqno")
			}
		case "probation":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				bad(v, "want a non-negative packet count")
				continue
			}
			c.Probation = n
		case "rtpchecksums":
			c.Checksums = boolOpt(v, val, &diags, c.Checksums)
		case "icesupport":
			c.ICESupport = boolOpt(v, val, &diags, c.ICESupport)
		case "srtpreplayprotection":
			c.ReplayProtection = boolOpt(v, val, &diags, c.ReplayProtection)
		case "dtmftimeout":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > 64000 {
				bad(v, "want a number between 0 and 64000")
				continue
			}
			c.DTMFTimeout = n
		case "rtcpinterval":
			n, err := strconv.Atoi(val)
			// 0 disables RTCP in Asterisk; otherwise it clamps to 500-60000 ms.
			if err != nil || n < 0 || n > 60000 {
				bad(v, "want milliseconds between 0 and 60000")
				continue
			}
			if n > 0 && n < 500 {
				n = 500
			}
			c.RTCPInterval = time.Duration(n) * time.Millisecond
		case "stunaddr":
			c.STUNAddr = val
		default:
			if acceptedOnly[name] {
				continue
			}
			diags = append(diags, confparse.Diagnostic{
				File: v.File, Line: v.Line, Severity: confparse.Warning,
				Message: fmt.Sprintf("unknown option %q in [general] of rtp.conf", v.Name),
			})
		}
	}
	if c.Start >= c.End {
		v := endVar
		if v == nil {
			v = startVar
		}
		if v != nil {
			bad(v, "rtpstart (%d) must be lower than rtpend (%d)", c.Start, c.End)
		}
		c.Start, c.End = DefaultStart, DefaultEnd
	}
	return c, diags
}

func boolOpt(v *confparse.Variable, val string, diags *confparse.Diagnostics, def bool) bool {
	switch {
	case confparse.True(val):
		return true
	case confparse.False(val):
		return false
	}
	*diags = append(*diags, confparse.Diagnostic{
		File: v.File, Line: v.Line, Severity: confparse.Error,
		Message: fmt.Sprintf("%s = %q: want yes or no", v.Name, v.Value),
	})
	return def
}
