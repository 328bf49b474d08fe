package chansip

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/call"
	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/rtp"
)

// moreState is the driver state behind the less common "sip" commands. Its
// zero value is ready: history off, nothing seen yet.
type moreState struct {
	history   historyLog
	tcp       tcpSessions
	highwater atomic.Int64 // largest scheduler count "sip show sched" reported
	notifies  atomic.Int64 // NOTIFY transactions waiting for their answer
}

// History bounds: chan_sip keeps 50 events per dialog; gostrisk also caps
// the number of dialogs so that history left on under load stays bounded.
const (
	maxHistoryEntries = 50
	maxHistoryDialogs = 1000
	maxHistoryEvent   = 79 // chan_sip formats events into an 80-byte buffer
	// historyLinger is how long a dialog the call manager does not list
	// (REGISTER, OPTIONS, NOTIFY ...) stays visible, as chan_sip keeps such
	// dialogs for its transaction timeout.
	historyLinger = 32 * time.Second
)

// historyLog is "sip set history": per-dialog (Call-ID) event lists.
type historyLog struct {
	on      atomic.Bool
	mu      sync.Mutex
	dialogs map[string]*dialogHistory
	order   []string // Call-IDs oldest first, for eviction and listing
}

type dialogHistory struct {
	events []string
	last   time.Time
}

// add records one event for a dialog when recording is on.
func (h *historyLog) add(callID, event, text string, now time.Time) {
	if !h.on.Load() || callID == "" {
		return
	}
	line := fmt.Sprintf("%-15s %s", event, text)
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	if len(line) > maxHistoryEvent {
		line = line[:maxHistoryEvent]
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dialogs == nil {
		h.dialogs = make(map[string]*dialogHistory)
	}
	dh := h.dialogs[callID]
	if dh == nil {
		dh = &dialogHistory{}
		h.dialogs[callID] = dh
		h.order = append(h.order, callID)
		for len(h.order) > maxHistoryDialogs {
			delete(h.dialogs, h.order[0])
			h.order = h.order[1:]
		}
	}
	if len(dh.events) == maxHistoryEntries {
		dh.events = append(dh.events[:0], dh.events[1:]...)
	}
	dh.events = append(dh.events, line)
	dh.last = now
}

// snapshot returns a copy of the dialogs in recording order.
func (h *historyLog) snapshot() (ids []string, events map[string][]string, last map[string]time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	events = make(map[string][]string, len(h.dialogs))
	last = make(map[string]time.Time, len(h.dialogs))
	for _, id := range h.order {
		dh := h.dialogs[id]
		events[id] = append([]string(nil), dh.events...)
		last[id] = dh.last
	}
	return append([]string(nil), h.order...), events, last
}

func (h *historyLog) clear() {
	h.mu.Lock()
	h.dialogs, h.order = nil, nil
	h.mu.Unlock()
}

// observeTransmit records an outgoing message: chan_sip's TxReq/TxResp
// events, "Rel" when the message is sent reliably (requests other than
// ACK, final responses to INVITE).
func (d *Driver) observeTransmit(msg sip.Message) {
	h := &d.more.history
	if !h.on.Load() {
		return
	}
	cid, cseq := msg.CallID(), msg.CSeq()
	if cid == nil || cseq == nil {
		return
	}
	switch m := msg.(type) {
	case *sip.Request:
		event := "TxReqRel"
		if m.Method == sip.ACK {
			event = "TxReq"
		}
		h.add(cid.Value(), event, fmt.Sprintf("%s / %s - %s", m.Method, cseq.Value(), m.Method), d.now())
	case *sip.Response:
		event := "TxResp"
		if cseq.MethodName == sip.INVITE && m.StatusCode >= 200 {
			event = "TxRespRel"
		}
		h.add(cid.Value(), event, fmt.Sprintf("SIP/2.0 / %s - %d %s", cseq.Value(), m.StatusCode, m.Reason), d.now())
	}
}

// observeRead is the read hook's bookkeeping: history's "Rx" events and the
// TCP/TLS sessions "sip show tcp" lists.
func (d *Driver) observeRead(props sip.TransportReadProps, data []byte) {
	if network := strings.ToUpper(props.Transport); network == "TCP" || network == "TLS" {
		d.more.tcp.seen(network, props.RemoteAddr, props.LocalAddr)
	}
	if !d.more.history.on.Load() {
		return
	}
	part1, part2, callID, cseq, ok := summarize(data)
	if ok {
		d.more.history.add(callID, "Rx", fmt.Sprintf("%s / %s / %s", part1, cseq, part2), d.now())
	}
}

// summarize reads what a history line needs from a raw message: the first
// line split as chan_sip splits it (method and URI, or "SIP/2.0" and the
// status), the Call-ID and the CSeq.
func summarize(data []byte) (part1, part2, callID, cseq string, ok bool) {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	first := strings.TrimSpace(lines[0])
	if first == "" {
		return "", "", "", "", false
	}
	part1, rest, _ := strings.Cut(first, " ")
	if strings.HasPrefix(part1, "SIP/") {
		part2 = strings.TrimSpace(rest)
	} else {
		part2, _, _ = strings.Cut(strings.TrimSpace(rest), " ")
	}
	for _, l := range lines[1:] {
		name, value, found := strings.Cut(l, ":")
		if !found {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "call-id", "i":
			callID = strings.TrimSpace(value)
		case "cseq":
			cseq = strings.TrimSpace(value)
		}
	}
	return part1, part2, callID, cseq, callID != ""
}

// tcpSessions remembers the stream connections packets arrived on; sipgo
// owns the connections, so liveness is checked against its pool when listed.
type tcpSessions struct {
	mu sync.Mutex
	m  map[string]tcpSession // by remote address
}

type tcpSession struct {
	transport string // "TCP" or "TLS"
	local     netip.AddrPort
}

// maxTCPSessions bounds the table between listings; dead entries are
// dropped first when it is full.
const maxTCPSessions = 4096

func (t *tcpSessions) seen(transport string, remote, local net.Addr) {
	r, l := addrPortOf(remote), addrPortOf(local)
	if !r.IsValid() {
		return
	}
	key := r.String()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.m[key]; ok {
		return
	}
	if t.m == nil {
		t.m = make(map[string]tcpSession)
	}
	if len(t.m) >= maxTCPSessions {
		// The listing prunes properly; here any room will do.
		for k := range t.m {
			delete(t.m, k)
			break
		}
	}
	t.m[key] = tcpSession{transport: transport, local: l}
}

func addrPortOf(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.UDPAddr:
		ap = a.AddrPort()
	default:
		if a != nil {
			ap, _ = netip.ParseAddrPort(a.String())
		}
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// tcpConnections lists the TCP/TLS sessions for "sip show tcp": those our
// listeners accepted (the transport tracks them), then the ones we opened,
// which only sipgo's pool holds: packets read on them reveal them, and the
// pool says whether they are still open. Sorted by address.
func (d *Driver) tcpConnections() []ConnInfo {
	d.mu.Lock()
	ua := d.ua
	running := d.started && !d.stopped
	d.mu.Unlock()
	if ua == nil || !running {
		return nil
	}
	out := d.Connections()
	listed := make(map[netip.AddrPort]bool, len(out))
	for _, c := range out {
		listed[c.Remote] = true
	}
	tl := ua.TransportLayer()
	t := &d.more.tcp
	t.mu.Lock()
	for key, s := range t.m {
		remote, err := netip.ParseAddrPort(key)
		var c sip.Connection
		if pool := tl.Pool(s.transport); pool != nil && err == nil {
			c = pool.Get(key)
		}
		if c == nil {
			delete(t.m, key)
			continue
		}
		c.Ref(-1) // Get took a reference for us
		if listed[remote] || slices.Contains(tl.ListenPorts(strings.ToLower(s.transport)), int(s.local.Port())) {
			continue // accepted by our listener: already listed
		}
		out = append(out, ConnInfo{Remote: remote, Transport: s.transport, Client: true})
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b ConnInfo) int { return a.Remote.Compare(b.Remote) })
	return out
}

// moreCommands are the commands this file implements, by their first
// distinctive words; cli.go puts them in chan_sip's order.
func (d *Driver) moreCommands() map[string]*cli.Command {
	callIDs := func(a *cli.Args, pos int, w string) []string {
		if pos != 3 {
			return nil
		}
		return prefixMatch(w, d.dialogIDs())
	}
	return map[string]*cli.Command{
		"notify": {
			Words:   []string{"sip", "notify"},
			Summary: "Send a notify packet to a SIP peer",
			Usage:   "Usage: sip notify <type> <peer> [<peer>...]\n       Send a NOTIFY message to a SIP peer or peers\n       Message types are defined in sip_notify.conf\n",
			Handler: d.cliNotify,
			Complete: func(a *cli.Args, pos int, w string) []string {
				if pos == 2 {
					return prefixMatch(w, d.notifyTypes())
				}
				return d.completePeers(w)
			},
		},
		"prune": {
			Words:   []string{"sip", "prune", "realtime", "[peer|all]"},
			Summary: "Prune cached Realtime users/peers",
			Usage:   "Usage: sip prune realtime [peer [<name>|all|like <pattern>]|all]\n       Prunes object(s) from the cache.\n       Optional regular expression pattern is used to filter the objects.\n",
			Handler: d.cliPruneRealtime,
			Complete: func(a *cli.Args, pos int, w string) []string {
				// Only realtime peers can be pruned and gostrisk has
				// none, so the keywords are all there is to offer.
				if pos == 4 && strings.EqualFold(a.Argv[3], "peer") {
					return prefixMatch(w, []string{"all", "like"})
				}
				return nil
			},
		},
		"history": {
			Words:   []string{"sip", "set", "history", "{on|off}"},
			Summary: "Enable/Disable SIP history",
			Usage:   "Usage: sip set history {on|off}\n       Enables/Disables recording of SIP dialog history for debugging purposes.\n       Use 'sip show history' to view the history of a call number.\n",
			Handler: d.cliSetHistory,
		},
		"show channelstats": {
			Words:   []string{"sip", "show", "channelstats"},
			Summary: "List statistics for active SIP channels",
			Usage:   "Usage: sip show channelstats\n       Lists all currently active SIP channel's RTCP statistics.\n       Note that calls in the much optimized RTP P2P bridge mode will not show any packets here.",
			Handler: d.cliShowChannelStats,
		},
		"show domains": {
			Words:   []string{"sip", "show", "domains"},
			Summary: "List our local SIP domains",
			Usage:   "Usage: sip show domains\n       Lists all configured SIP local domains.\n       Asterisk only responds to SIP messages to local domains.\n",
			Handler: d.cliShowDomains,
		},
		"show history": {
			Words:    []string{"sip", "show", "history"},
			Summary:  "Show SIP dialog history",
			Usage:    "Usage: sip show history <call-id>\n       Provides detailed dialog history on a given SIP call (specified by call-id).\n",
			Handler:  d.cliShowHistory,
			Complete: callIDs,
		},
		"show mwi": {
			Words:   []string{"sip", "show", "mwi"},
			Summary: "Show MWI subscriptions",
			Usage:   "Usage: sip show mwi\n       Provides a list of MWI subscriptions and status.\n",
			Handler: d.cliShowMWI,
		},
		"show objects": {
			Words:   []string{"sip", "show", "objects"},
			Summary: "List all SIP object allocations",
			Usage:   "Usage: sip show objects\n       Lists status of known SIP objects\n",
			Handler: d.cliShowObjects,
		},
		"show sched": {
			Words:   []string{"sip", "show", "sched"},
			Summary: "Present a report on the status of the scheduler queue",
			Usage:   "Usage: sip show sched\n       Shows stats on what's in the sched queue at the moment\n",
			Handler: d.cliShowSched,
		},
		"show tcp": {
			Words:   []string{"sip", "show", "tcp"},
			Summary: "List TCP Connections",
			Usage:   "Usage: sip show tcp\n       Lists all active TCP/TLS sessions.\n",
			Handler: d.cliShowTCP,
		},
	}
}

// channels are the call manager's dialogs (none without calls).
func (d *Driver) channels() []call.ChannelInfo {
	if m := d.callManager(); m != nil {
		return m.Channels()
	}
	return nil
}

// dialogIDs are the Call-IDs "sip show history" knows: the call dialogs,
// then dialogs with recent history, oldest first.
func (d *Driver) dialogIDs() []string {
	chans := d.channels()
	ids := make([]string, 0, len(chans))
	seen := make(map[string]bool, len(chans))
	for i := len(chans) - 1; i >= 0; i-- {
		id := chans[i].CallID
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	order, _, last := d.more.history.snapshot()
	now := d.now()
	for _, id := range order {
		if !seen[id] && now.Sub(last[id]) <= historyLinger {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

func (d *Driver) cliSetHistory(a *cli.Args) error {
	if len(a.Argv) != 4 {
		return cli.ErrShowUsage
	}
	v := strings.ToLower(a.Argv[3])
	switch {
	case strings.HasPrefix(v, "on"):
		d.more.history.on.Store(true)
		a.Printf("SIP History Recording Enabled (use 'sip show history')\n")
	case strings.HasPrefix(v, "off"):
		d.more.history.on.Store(false)
		// A dialog's history lives as long as the dialog; turning
		// recording off is where gostrisk lets the old ones go.
		d.more.history.clear()
		a.Printf("SIP History Recording Disabled\n")
	default:
		return cli.ErrShowUsage
	}
	return nil
}

func (d *Driver) cliShowHistory(a *cli.Args) error {
	if len(a.Argv) != 4 {
		return cli.ErrShowUsage
	}
	if !d.more.history.on.Load() {
		a.Printf("\n***Note: History recording is currently DISABLED.  Use 'sip set history on' to ENABLE.\n")
	}
	want := strings.ToLower(a.Argv[3])
	_, events, _ := d.more.history.snapshot()
	found := 0
	for _, id := range d.dialogIDs() {
		if !strings.HasPrefix(strings.ToLower(id), want) {
			continue
		}
		found++
		a.Printf("\n  * SIP Call\n")
		for i, e := range events[id] {
			a.Printf("%d. %s\n", i+1, e)
		}
		if len(events[id]) == 0 {
			a.Printf("Call '%s' has no history\n", id)
		}
	}
	if found == 0 {
		a.Printf("No such SIP Call ID starting with '%s'\n", a.Argv[3])
	}
	return nil
}

// rtpStatser is what "sip show channelstats" needs from the call manager:
// a dialog's media counters. Without it the rows show zero counts.
type rtpStatser interface {
	RTPStats(callID string) (rtp.Stats, bool)
	RTPQuality(callID string) (rtp.RxQuality, rtp.RTCPStats, bool)
}

func (d *Driver) cliShowChannelStats(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	a.Printf("%-15.15s  %-11.11s  %-8.8s %-10.10s  %-10.10s (     %%) %-6.6s %-10.10s  %-10.10s (     %%) %-6.6s\n",
		"Peer", "Call ID", "Duration", "Recv: Pack", "Lost", "Jitter", "Send: Pack", "Lost", "Jitter")
	var stats rtpStatser
	if m := d.callManager(); m != nil {
		stats, _ = any(m).(rtpStatser)
	}
	now := d.now()
	n := 0
	for _, c := range d.channels() {
		if !c.AudioIP.IsValid() {
			continue // a dialog without media, as chan_sip skips
		}
		var (
			st rtp.Stats
			rq rtp.RxQuality
			rc rtp.RTCPStats
		)
		if stats != nil {
			st, _ = stats.RTPStats(c.CallID)
			rq, rc, _ = stats.RTPQuality(c.CallID)
		}
		dur := ""
		if c.Channel != "" {
			dur = hhmmss(now.Sub(c.Created))
		}
		rx, rxK := kilo(st.PacketsIn)
		tx, txK := kilo(st.PacketsOut)
		// chan_sip's percentages: received loss over what was expected,
		// the far end's reported loss over what we sent. Counts are
		// unsigned there.
		rxLost, txLost := uint32(rq.Lost), uint32(rc.RemoteLost)
		rxPct, txPct := 0.0, 0.0
		if n := float64(st.PacketsIn) + float64(rxLost); n > 0 {
			rxPct = float64(rxLost) / n * 100
		}
		if st.PacketsOut > 0 {
			txPct = float64(txLost) / float64(st.PacketsOut) * 100
		}
		a.Printf("%-15.15s  %-11.11s  %-8.8s %010d%-1.1s %010d (%5.2f%%) %-6.4f %010d%-1.1s %010d (%5.2f%%) %-6.4f\n",
			c.Addr.Addr().String(), c.CallID, dur,
			rx, rxK, rxLost, rxPct, rq.Jitter,
			tx, txK, txLost, txPct, rc.RemoteJitter)
		n++
	}
	a.Printf("%d active SIP channel%s\n", n, plural(n))
	return nil
}

// kilo is chan_sip's packet count column: thousands with a K above 100000.
func kilo(n uint64) (uint64, string) {
	if n > 100000 {
		return n / 1000, "K"
	}
	return n, " "
}

func hhmmss(d time.Duration) string {
	s := int(d / time.Second)
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (d *Driver) cliShowDomains(a *cli.Args) error {
	doms := d.cfg.Load().General.Domains
	if len(doms) == 0 {
		a.Printf("SIP Domain support not enabled.\n\n")
		return nil
	}
	const format = "%-40.40s %-20.20s %-16.16s\n"
	a.Printf(format, "Our local SIP domains:", "Context", "Set by")
	for _, v := range doms {
		dom, ctx, _ := strings.Cut(v, ",")
		dom, ctx = strings.TrimSpace(dom), strings.TrimSpace(ctx)
		if dom == "" {
			continue // chan_sip refuses an empty domain at load
		}
		if ctx == "" {
			ctx = "(default)"
		}
		a.Printf(format, dom, ctx, "[Configured]")
	}
	a.Printf("\n")
	return nil
}

// generalVars are sip.conf's [general] lines with that name as written,
// for what the typed configuration does not keep verbatim.
func (d *Driver) generalVars(name string) []*confparse.Variable {
	raw, diags := confparse.Load("sip.conf", confparse.Options{Dir: d.opts.ConfigDir})
	if raw == nil || diags.HasErrors() {
		return nil
	}
	var out []*confparse.Variable
	for _, cat := range raw.Browse() {
		if !strings.EqualFold(cat.Name, "general") {
			continue
		}
		for _, v := range cat.Vars {
			if strings.EqualFold(v.Name, name) {
				out = append(out, v)
			}
		}
	}
	return out
}

// cliShowMWI is sip_show_mwi: each "mwi =>" line with whether its
// subscription is up (mwi_out.go).
func (d *Driver) cliShowMWI(a *cli.Args) error {
	const format = "%-30.30s  %-12.12s  %-10.10s  %-10.10s\n"
	a.Printf(format, "Host", "Username", "Mailbox", "Subscribed")
	r := d.remoteMWI.Load()
	for _, s := range d.cfg.Load().General.MWI {
		up := "No" // AST_CLI_YESNO
		if r != nil && r.subscribed(s) {
			up = "Yes"
		}
		a.Printf(format, s.HostPort(), s.User, s.Mailbox, up)
	}
	return nil
}

func (d *Driver) cliShowObjects(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	cfg := d.cfg.Load()
	a.Printf("-= Peer objects: %d static, %d realtime, %d autocreate =-\n\n", len(cfg.Peers), 0, 0)
	peers := cfg.HashOrder()
	var byIP []*sipconf.Peer
	refs := make(map[*sipconf.Peer]int, len(peers))
	for _, p := range peers {
		// The references chan_sip holds on a peer at rest: its table,
		// the by-address table once it has an address, and the pending
		// qualify.
		n := 1
		if _, ok := d.peerAddr(p); ok {
			n++
			byIP = append(byIP, p)
			if p.Qualify != 0 {
				n++
			}
		}
		refs[p] = n
	}
	dump := func(p *sipconf.Peer) {
		a.Printf("name: %s\ntype: peer\nobjflags: %d\nrefcount: %d\n\n", p.Name, 0, refs[p])
	}
	for _, p := range peers {
		dump(p)
	}
	a.Printf("-= Peer objects by IP =-\n\n")
	for _, p := range byIP {
		dump(p)
	}
	a.Printf("-= Registry objects: %d =-\n\n", len(cfg.Registrations))
	lines := d.generalVars("register")
	for _, r := range cfg.Registrations {
		a.Printf("name: %s\n", registerLine(r, lines))
	}
	a.Printf("-= Dialog objects:\n\n")
	for _, c := range d.channels() {
		n := 1
		if c.Channel != "" {
			n++ // the owner channel's reference
		}
		a.Printf("name: %s\ntype: dialog\nobjflags: %d\nrefcount: %d\n\n", c.CallID, 0, n)
	}
	return nil
}

// registerLine is the register => value as written (chan_sip names the
// registry object by it), else rebuilt from its parts.
func registerLine(r *sipconf.Register, lines []*confparse.Variable) string {
	for _, v := range lines {
		if v.Line == r.Line && filepath.Base(v.File) == filepath.Base(r.File) {
			return v.Value
		}
	}
	var b strings.Builder
	if r.Peer != "" {
		b.WriteString(r.Peer + "?")
	}
	switch r.Transport {
	case sipconf.TCP:
		b.WriteString("tcp://")
	case sipconf.TLS:
		b.WriteString("tls://")
	}
	b.WriteString(r.DisplayUser())
	if r.Secret != "" {
		b.WriteString(":" + r.Secret)
		if r.AuthUser != "" {
			b.WriteString(":" + r.AuthUser)
		}
	}
	b.WriteString("@" + r.HostPort())
	if r.Extension != "" && r.Extension != "s" {
		b.WriteString("/" + r.Extension)
	}
	return b.String()
}

// cliShowSched reports what gostrisk has scheduled under the names of the
// chan_sip callbacks that do the same work.
func (d *Driver) cliShowSched(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	cfg := d.cfg.Load()
	var pokeWait, pokeInFlight, regs, linger int
	for _, p := range cfg.Peers {
		if d.regs.get(p.Name) != nil {
			regs++
		}
		rt := d.runtime(p.Name)
		if rt == nil {
			continue
		}
		rt.mu.Lock()
		switch {
		case rt.inFlight:
			pokeInFlight++
		case !rt.nextPoke.IsZero() && p.Qualify != 0:
			pokeWait++
		}
		rt.mu.Unlock()
	}
	for _, c := range d.channels() {
		if !c.InUse || c.NeedDestroy {
			linger++
		}
	}
	regTimeout, reregister := d.outregTimers()
	retrans := pokeInFlight + int(d.more.notifies.Load())
	counts := []struct {
		name string
		n    int
	}{
		{"retrans_pkt", retrans},
		{"__sip_autodestruct", linger},
		{"expire_register", regs},
		{"auto_congest", 0},
		{"sip_reg_timeout", regTimeout},
		{"sip_poke_peer_s", pokeWait},
		{"sip_poke_peer_now", 0},
		{"sip_poke_noanswer", pokeInFlight},
		{"sip_reregister", reregister},
		{"sip_reinvite_retry", 0},
	}
	total := 0
	for _, c := range counts {
		total += c.n
	}
	high := d.more.highwater.Load()
	for int64(total) > high {
		if d.more.highwater.CompareAndSwap(high, int64(total)) {
			high = int64(total)
			break
		}
		high = d.more.highwater.Load()
	}
	a.Printf("\n")
	a.Printf(" Highwater = %d\n schedcnt = %d\n", high, total)
	for _, c := range counts {
		a.Printf("    %s : %d\n", c.name, c.n)
	}
	a.Printf("   <unknown> : %d\n", 0)
	return nil
}

// outregTimers counts the outbound registrations waiting for an answer
// and those waiting to renew.
func (d *Driver) outregTimers() (waiting, renewing int) {
	d.mu.Lock()
	o := d.outregs
	d.mu.Unlock()
	if o == nil {
		return 0, 0
	}
	// A registration takes its own lock before the list's, so the list is
	// copied first.
	o.mu.Lock()
	list := append([]*outReg(nil), o.list...)
	o.mu.Unlock()
	for _, r := range list {
		r.mu.Lock()
		if r.timeout != nil {
			waiting++
		}
		if r.renew != nil {
			renewing++
		}
		r.mu.Unlock()
	}
	return waiting, renewing
}

func (d *Driver) cliShowTCP(a *cli.Args) error {
	if len(a.Argv) != 3 {
		return cli.ErrShowUsage
	}
	a.Printf("%-47.47s %9.9s %6.6s\n", "Address", "Transport", "Type")
	for _, c := range d.tcpConnections() {
		kind := "Server"
		if c.Client {
			kind = "Client"
		}
		a.Printf("%-47.47s %-9.9s %-6.6s\n", hostPort(c.Remote), c.Transport, kind)
	}
	return nil
}

// cliPruneRealtime answers as chan_sip does when no peer came from
// realtime, which in gostrisk is always.
func (d *Driver) cliPruneRealtime(a *cli.Args) error {
	var name string
	multi := false
	switch len(a.Argv) {
	case 4:
		name = a.Argv[3]
		if strings.EqualFold(name, "peer") || strings.EqualFold(name, "like") {
			return cli.ErrShowUsage
		}
		if strings.EqualFold(name, "all") {
			multi, name = true, ""
		}
	case 5:
		name = a.Argv[4]
		switch {
		case strings.EqualFold(a.Argv[3], "peer"):
		case strings.EqualFold(a.Argv[3], "like"):
			multi = true
		default:
			return cli.ErrShowUsage
		}
		if strings.EqualFold(name, "like") {
			return cli.ErrShowUsage
		}
		if !multi && strings.EqualFold(name, "all") {
			multi, name = true, ""
		}
	case 6:
		if !strings.EqualFold(a.Argv[4], "like") || !strings.EqualFold(a.Argv[3], "peer") {
			return cli.ErrShowUsage
		}
		name, multi = a.Argv[5], true
	default:
		return cli.ErrShowUsage
	}
	if multi {
		if name != "" {
			if _, err := regexp.Compile(name); err != nil {
				return cli.ErrShowUsage
			}
		}
		a.Printf("No peers found to prune.\n")
		return nil
	}
	if d.cfg.Load().Peer(name) == nil {
		a.Printf("Peer '%s' not found.\n", name)
		return nil
	}
	a.Printf("Peer '%s' is not a Realtime peer, cannot be pruned.\n", name)
	return nil
}

const notifyConf = "sip_notify.conf"

// errNotify makes the CLI add its "Command '...' failed." line, as chan_sip
// fails the command when it has no such notify type.
var errNotify = errors.New("sip notify: no such notify type")

// loadNotify reads sip_notify.conf; nil when it is missing or unreadable,
// which chan_sip reports the same way.
func (d *Driver) loadNotify() *confparse.Config {
	path := notifyConf
	if d.opts.ConfigDir != "" {
		path = filepath.Join(d.opts.ConfigDir, notifyConf)
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	cfg, diags := confparse.Load(notifyConf, confparse.Options{Dir: d.opts.ConfigDir})
	if diags.HasErrors() {
		return nil
	}
	return cfg
}

func (d *Driver) notifyTypes() []string {
	cfg := d.loadNotify()
	if cfg == nil {
		return nil
	}
	var names []string
	for _, c := range cfg.Browse() {
		names = append(names, c.Name)
	}
	return names
}

// notifySpec is a sip_notify.conf type turned into headers and a body.
type notifySpec struct {
	headers []sip.Header
	body    []byte
}

func (d *Driver) buildNotify(cat *confparse.Category) notifySpec {
	pairs := make([][2]string, 0, len(cat.Vars))
	for _, v := range cat.Vars {
		pairs = append(pairs, [2]string{v.Name, v.Value})
	}
	return d.notifySpecOf(pairs, "it is not necessary to specify Content-Length in sip_notify.conf, ignoring")
}

// notifySpecOf turns name/value pairs (a sip_notify.conf type, or the
// manager's SIPnotify Variable lines) into the NOTIFY's headers and body:
// Content lines are the body, Content-Length is ignored with clWarning
// (chan_sip words it differently for the CLI and the manager).
func (d *Driver) notifySpecOf(pairs [][2]string, clWarning string) notifySpec {
	spec := notifySpec{headers: []sip.Header{sip.NewHeader("Subscription-State", "terminated")}}
	var content []string
	for _, v := range pairs {
		name, val := v[0], strings.ReplaceAll(v[1], `\;`, ";")
		switch {
		case strings.EqualFold(name, "Content"):
			content = append(content, val)
		case strings.EqualFold(name, "Content-Length"):
			d.log.Warning(clWarning)
		default:
			spec.headers = append(spec.headers, sip.NewHeader(name, val))
		}
	}
	if len(content) > 0 {
		spec.body = []byte(strings.Join(content, "\r\n"))
	}
	return spec
}

func (d *Driver) cliNotify(a *cli.Args) error {
	if len(a.Argv) < 4 {
		return cli.ErrShowUsage
	}
	cfg := d.loadNotify()
	if cfg == nil {
		a.Printf("No %s file found, or no types listed there\n", notifyConf)
		return errNotify
	}
	cat := cfg.Category(a.Argv[2])
	if cat == nil || len(cat.Vars) == 0 {
		a.Printf("Unable to find notify type '%s'\n", a.Argv[2])
		return errNotify
	}
	spec := d.buildNotify(cat)
	for _, target := range a.Argv[3:] {
		req, dst, err := d.notifyRequest(target, spec)
		if err != nil {
			d.log.Debug(1, "sip notify %s: %v", target, err)
			a.Printf("Could not create address for '%s'\n", target)
			continue
		}
		a.Printf("Sending NOTIFY of type '%s' to '%s'\n", a.Argv[2], target)
		if err := d.sendNotify(req, dst); err != nil {
			d.log.Warning("Unable to send NOTIFY to '%s': %v", target, err)
		}
	}
	return nil
}

// notifyTarget is where a NOTIFY goes: a peer's address and URI, or a host
// given on the command line as chan_sip accepts one.
func (d *Driver) notifyTarget(target string) (dst netip.AddrPort, uri string, p *sipconf.Peer, err error) {
	if p = d.cfg.Load().Peer(target); p != nil {
		addr, ok := d.peerAddr(p)
		if !ok {
			return dst, "", p, errors.New("peer has no address")
		}
		host := peerURIHost(p, addr)
		uri = "sip:" + host
		if p.DefaultUser != "" {
			uri = "sip:" + p.DefaultUser + "@" + host
		}
		if r := d.regs.get(p.Name); r != nil && r.Contact != "" {
			uri = r.Contact
		}
		return addr, uri, p, nil
	}
	host, port := target, sipconf.StandardSIPPort
	if h, ps, err := net.SplitHostPort(target); err == nil {
		n, err := strconv.Atoi(ps)
		if err != nil {
			return dst, "", nil, fmt.Errorf("bad port %q", ps)
		}
		host, port = h, n
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		ips, lerr := net.DefaultResolver.LookupNetIP(ctx, d.cfg.Load().General.LookupNetwork(), host)
		first, ok := sipconf.FirstAddr(ips)
		if lerr != nil || !ok {
			return dst, "", nil, fmt.Errorf("resolve %s: %w", host, lerr)
		}
		ip = first
	}
	dst = netip.AddrPortFrom(ip.Unmap(), uint16(port))
	uri = "sip:" + host
	if port != sipconf.StandardSIPPort {
		uri = "sip:" + hostPort(netip.AddrPortFrom(ip.Unmap(), uint16(port)))
	}
	return dst, uri, nil, nil
}

// notifyRequest builds the NOTIFY as chan_sip's transmit_invite does for
// it: the dialog headers, Date, Allow, Supported, then the type's headers
// after Subscription-State, then the content.
func (d *Driver) notifyRequest(target string, spec notifySpec) (*sip.Request, netip.AddrPort, error) {
	dst, uri, p, err := d.notifyTarget(target)
	if err != nil {
		return nil, dst, err
	}
	var recipient sip.Uri
	if err := sip.ParseUri(uri, &recipient); err != nil {
		return nil, dst, fmt.Errorf("uri %q: %w", uri, err)
	}
	cfg := d.cfg.Load()
	us := d.advertisedAddr(dst.Addr())
	fromUser, fromHost := cfg.General.CallerID, hostPort(us)
	if p != nil && p.FromUser != "" {
		fromUser = p.FromUser
	}
	if p != nil && p.FromDomain != "" {
		fromHost = p.FromDomain
	}
	req := sip.NewRequest(sip.NOTIFY, recipient)
	req.SetDestination(dst.String())
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
		Host: us.Addr().String(), Port: int(us.Port()), Params: sip.NewParams()}
	via.Params.Add("branch", sip.GenerateBranch())
	via.Params.Add("rport", "")
	req.AppendHeader(via)
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: fromUser, Host: fromHost}, Params: sip.NewParams()}
	from.Params.Add("tag", newTag())
	req.AppendHeader(from)
	toAddr := recipient
	toAddr.UriParams = nil
	req.AppendHeader(&sip.ToHeader{Address: toAddr, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Contact", "<sip:"+fromUser+"@"+hostPort(us)+">"))
	callid := sip.CallIDHeader(fmt.Sprintf("%08x%08x", newID(), newID()))
	req.AppendHeader(&callid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 102, MethodName: sip.NOTIFY})
	req.AppendHeader(sip.NewHeader("User-Agent", cfg.General.EffectiveUserAgent(d.opts.Version)))
	req.AppendHeader(dateHeader(d.now()))
	req.AppendHeader(sip.NewHeader("Allow", d.allowHeader()))
	req.AppendHeader(sip.NewHeader("Supported", supportedHeader))
	for _, h := range spec.headers {
		req.AppendHeader(h)
	}
	req.SetBody(spec.body)
	if p != nil {
		call.ApplyRoutes(req, d.pathOf(p.Name), recipient) // the registration's Path
	}
	return req, dst, nil
}

// notifyTimeout is how long a NOTIFY transaction may wait for its answer
// (chan_sip's transaction timeout).
const notifyTimeout = 32 * time.Second

// sendNotify starts the NOTIFY transaction; a goroutine the driver's
// WaitGroup owns collects the answer. Stopping the driver ends the
// transaction layer and so the goroutine.
func (d *Driver) sendNotify(req *sip.Request, dst netip.AddrPort) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopped || d.client == nil {
		return errors.New("the SIP driver is not running")
	}
	d.debugTransmit(req, false)
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	tx, err := d.client.TransactionRequest(ctx, req)
	if err != nil {
		cancel()
		return fmt.Errorf("NOTIFY to %s: %w", dst, err)
	}
	d.more.notifies.Add(1)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer d.more.notifies.Add(-1)
		defer cancel()
		defer tx.Terminate()
		finalResponse(ctx, tx)
	}()
	return nil
}
