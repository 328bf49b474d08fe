package call

import (
	"fmt"
	"github.com/gostrisk/gostrisk/pkg/rtp"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/cli"
)

// ChannelInfo is one SIP dialog as `sip show channels` and `sip show
// channel` print it. The driver builds the same rows for its REGISTER and
// OPTIONS dialogs (Deps.OtherDialogs).
type ChannelInfo struct {
	Created     time.Time
	Addr        netip.AddrPort // the far end's signalling address
	User        string         // User/ANR: the peer's defaultuser, else the caller number; "" prints (None)
	CallID      string
	Format      string // codec in use, sip.conf name; "" prints (nothing)
	OnHold      bool
	NeedDestroy bool
	LastMsg     string // "Rx: INVITE", "Tx: ACK", "Init: OPTIONS", ...
	Peer        string // "" prints <guest>
	Outgoing    bool
	Channel     string // owner channel, "" when none
	OurCodecs   []string
	TheirCodecs []string
	OurTag      string
	TheirTag    string
	UserAgent   string
	URI         string
	CallerNum   string
	DTMFMode    string
	ForceRport  string
	AudioIP     netip.Addr
	// AudioOutside: the phone was re-INVITEd to send its media to
	// AudioIP, another phone (direct media), not to us.
	AudioOutside bool
	InUse        bool // counts in `sip show inuse`
}

// info snapshots a dialog.
func (d *dialog) info() ChannelInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	ci := ChannelInfo{
		Created: d.created, Addr: d.addr, User: d.user, CallID: d.callID,
		OnHold: d.onHold, LastMsg: d.lastMsg, Peer: d.peerName, Outgoing: d.outbound,
		TheirCodecs: append([]string(nil), d.theirCaps...),
		OurTag:      d.localTag, TheirTag: d.remoteTag, UserAgent: d.remoteUA,
		URI: d.uri, CallerNum: d.cidNum, AudioIP: d.mediaIP,
		InUse: !d.ended && !d.released,
	}
	d.direct.mu.Lock()
	if to := d.direct.to; to.IsValid() {
		ci.AudioIP, ci.AudioOutside = to.Addr(), true
	}
	d.direct.mu.Unlock()
	if !d.released && len(d.codecs) > 0 {
		ci.Format = codecName(d.codecs[0])
	}
	if d.ch != nil && !d.released {
		ci.Channel = d.ch.Name()
	}
	var ours []string
	var nat sipconf.NAT = sipconf.DefaultNAT
	dtmf := sipconf.DTMFRFC2833
	if d.peer != nil {
		ours = d.peer.Codecs
		nat, dtmf = d.peer.NAT, d.peer.DTMFMode
	} else if g := d.m.d.General(); g != nil {
		ours = g.Codecs
		nat, dtmf = g.NAT, g.DTMFMode
	}
	ci.OurCodecs = append([]string(nil), ours...)
	ci.DTMFMode = dtmf.String()
	ci.ForceRport = nat.ForceRportString()
	return ci
}

// Channels lists the call dialogs (and lingering finished ones), newest
// first.
func (m *Manager) Channels() []ChannelInfo {
	var rows []ChannelInfo
	for _, d := range m.live() {
		rows = append(rows, d.info())
	}
	sortChannels(rows)
	return rows
}

// allChannels adds the driver's own dialogs to ours.
func (m *Manager) allChannels() []ChannelInfo {
	rows := m.Channels()
	if m.d.OtherDialogs != nil {
		rows = append(rows, m.d.OtherDialogs()...)
	}
	sortChannels(rows)
	return rows
}

func caps(list []string) string {
	if len(list) == 0 {
		return "(nothing)"
	}
	return "(" + strings.Join(list, "|") + ")"
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// Column layouts of chan_sip's `sip show channels`.
const (
	channelsHeader = "%-15.15s  %-15.15s  %-15.15s  %-15.15s  %-7.7s  %-15.15s %-10.10s %-10.10s\n"
	channelsRow    = "%-15.15s  %-15.15s  %-15.15s  %-15.15s  %-3.3s %-3.3s  %-15.15s %-10.10s %-10.10s\n"
)

// WriteChannels prints `sip show channels` for the given rows.
func WriteChannels(w io.Writer, rows []ChannelInfo) {
	fmt.Fprintf(w, channelsHeader, "Peer", "User/ANR", "Call ID", "Format", "Hold", "Last Message", "Expiry", "Peer")
	for _, r := range rows {
		addr := ""
		if r.Addr.IsValid() {
			addr = r.Addr.Addr().String()
		}
		format := "(nothing)"
		if r.Format != "" {
			format = "(" + r.Format + ")"
		}
		destroy := ""
		if r.NeedDestroy {
			destroy = "(d)"
		}
		fmt.Fprintf(w, channelsRow, addr, orStr(r.User, "(None)"), r.CallID, format,
			yesNo(r.OnHold), destroy, r.LastMsg, "", orStr(r.Peer, "<guest>"))
	}
	s := "s"
	if len(rows) == 1 {
		s = ""
	}
	fmt.Fprintf(w, "%d active SIP dialog%s\n", len(rows), s)
}

// WriteChannel prints `sip show channel <prefix>` for every row whose
// Call-ID starts with prefix (case-insensitively), as chan_sip does.
func WriteChannel(w io.Writer, rows []ChannelInfo, prefix string) {
	found := 0
	for _, r := range rows {
		if len(r.CallID) < len(prefix) || !strings.EqualFold(r.CallID[:len(prefix)], prefix) {
			continue
		}
		found++
		dir := "Incoming"
		if r.Outgoing {
			dir = "Outgoing"
		}
		format := "(nothing)"
		if r.Format != "" && r.Channel != "" {
			format = "(" + r.Format + ")"
		}
		joint := "(nothing)"
		if r.Format != "" {
			joint = "(" + r.Format + ")"
		}
		addr := ""
		if r.Addr.IsValid() {
			addr = r.Addr.String()
		}
		fmt.Fprintf(w, "\n  * SIP Call\n")
		fmt.Fprintf(w, "  Curr. trans. direction:  %s\n", dir)
		fmt.Fprintf(w, "  Call-ID:                %s\n", r.CallID)
		fmt.Fprintf(w, "  Owner channel ID:       %s\n", orStr(r.Channel, "<none>"))
		fmt.Fprintf(w, "  Our Codec Capability:   %s\n", caps(r.OurCodecs))
		fmt.Fprintf(w, "  Non-Codec Capability (DTMF):   %d\n", dtmfCapability(r.DTMFMode))
		fmt.Fprintf(w, "  Their Codec Capability:   %s\n", caps(r.TheirCodecs))
		fmt.Fprintf(w, "  Joint Codec Capability:   %s\n", joint)
		fmt.Fprintf(w, "  Format:                 %s\n", format)
		fmt.Fprintf(w, "  T.38 support            No\n")
		fmt.Fprintf(w, "  Video support           No\n")
		fmt.Fprintf(w, "  MaxCallBR:              384 kbps\n")
		fmt.Fprintf(w, "  Theoretical Address:    %s\n", addr)
		fmt.Fprintf(w, "  Received Address:       %s\n", addr)
		fmt.Fprintf(w, "  SIP Transfer mode:      open\n")
		fmt.Fprintf(w, "  Force rport:            %s\n", orStr(r.ForceRport, "No"))
		audio := ""
		if r.AudioIP.IsValid() {
			audio = r.AudioIP.String()
		}
		where := "(local)"
		if r.AudioOutside {
			where = "(Outside bridge)"
		}
		fmt.Fprintf(w, "  Audio IP:               %s %s\n", audio, where)
		fmt.Fprintf(w, "  Our Tag:                %s\n", r.OurTag)
		fmt.Fprintf(w, "  Their Tag:              %s\n", r.TheirTag)
		fmt.Fprintf(w, "  SIP User agent:         %s\n", r.UserAgent)
		if r.User != "" {
			fmt.Fprintf(w, "  Username:               %s\n", r.User)
		}
		if r.Peer != "" {
			fmt.Fprintf(w, "  Peername:               %s\n", r.Peer)
		}
		if r.URI != "" {
			fmt.Fprintf(w, "  Original uri:           %s\n", r.URI)
		}
		if r.CallerNum != "" {
			fmt.Fprintf(w, "  Caller-ID:              %s\n", r.CallerNum)
		}
		fmt.Fprintf(w, "  Need Destroy:           %s\n", yesNo(r.NeedDestroy))
		fmt.Fprintf(w, "  Last Message:           %s\n", r.LastMsg)
		fmt.Fprintf(w, "  Promiscuous Redir:      No\n")
		fmt.Fprintf(w, "  Route:                  (none)\n")
		fmt.Fprintf(w, "  DTMF Mode:              %s\n", orStr(r.DTMFMode, "rfc2833"))
		fmt.Fprintf(w, "  SIP Options:            (none)\n")
		fmt.Fprintf(w, "  Session-Timer:          Inactive\n")
		fmt.Fprintf(w, "\n\n")
	}
	if found == 0 {
		fmt.Fprintf(w, "No such SIP Call ID starting with '%s'\n", prefix)
	}
}

// dtmfCapability is chan_sip's non-codec capability bit for RFC 2833.
func dtmfCapability(mode string) int {
	if mode == "rfc2833" || mode == "auto" || mode == "" {
		return 1
	}
	return 0
}

// Commands returns `sip show channels` and `sip show channel`.
func (m *Manager) Commands() []*cli.Command {
	return []*cli.Command{
		{
			Words:   []string{"sip", "show", "channels"},
			Summary: "List active SIP channels or subscriptions",
			Usage:   "Usage: sip show channels\n       Lists all currently active SIP calls (dialogs).\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				WriteChannels(a.Out, m.allChannels())
				return nil
			},
		},
		{
			Words:   []string{"sip", "show", "channel"},
			Summary: "Show detailed SIP channel info",
			Usage:   "Usage: sip show channel <call-id>\n       Provides detailed status on a given SIP dialog (identified by SIP call-id).\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				WriteChannel(a.Out, m.allChannels(), a.Argv[3])
				return nil
			},
			Complete: func(_ *cli.Args, pos int, word string) []string {
				if pos != 3 {
					return nil
				}
				var out []string
				for _, r := range m.allChannels() {
					if strings.HasPrefix(strings.ToLower(r.CallID), strings.ToLower(word)) {
						out = append(out, r.CallID)
					}
				}
				return out
			},
		},
	}
}

// RTPStats returns the media counters of a dialog's leg, for
// `sip show channelstats`; ok is false when the dialog has no media.
func (m *Manager) RTPStats(callID string) (rtp.Stats, bool) {
	d := m.find(callID)
	if d == nil {
		return rtp.Stats{}, false
	}
	d.mu.Lock()
	leg := d.leg
	d.mu.Unlock()
	if leg == nil {
		return rtp.Stats{}, false
	}
	return leg.Stats(), true
}

// RTPQuality returns what a dialog's leg measured of its media: RFC 3550
// loss and jitter of what it receives, and the far end's RTCP reports of
// what it sends; ok is false when the dialog has no media.
func (m *Manager) RTPQuality(callID string) (rtp.RxQuality, rtp.RTCPStats, bool) {
	d := m.find(callID)
	if d == nil {
		return rtp.RxQuality{}, rtp.RTCPStats{}, false
	}
	d.mu.Lock()
	leg := d.leg
	d.mu.Unlock()
	if leg == nil {
		return rtp.RxQuality{}, rtp.RTCPStats{}, false
	}
	return leg.RxQuality(), leg.RTCPStats(), true
}
