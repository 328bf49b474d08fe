package manager

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/security"
)

// registerCoreActions adds the actions of manager.c and of the core
// modules gostrisk has.
func (m *Module) registerCoreActions() {
	for _, a := range []Action{
		{Name: "Login", Synopsis: "Login Manager.", Handler: actLogin},
		{Name: "Logoff", Synopsis: "Logoff Manager.", Handler: actLogoff},
		{Name: "Challenge", Synopsis: "Generate Challenge for MD5 Auth.", Handler: actChallenge},
		{Name: "Ping", Synopsis: "Keepalive command.", Handler: actPing},
		{Name: "Events", Synopsis: "Control Event Flow.", Handler: actEvents},
		{Name: "Filter", Synopsis: "Dynamically add filters for the current manager session.", Perm: PermSystem, Handler: actFilter},
		{Name: "WaitEvent", Synopsis: "Wait for an event to occur.", Handler: actWaitEvent},
		{Name: "ListCommands", Synopsis: "List available manager commands.", Handler: actListCommands},
		{Name: "Command", Synopsis: "Execute Asterisk CLI Command.", Perm: PermCommand, Handler: actCommand},
		{Name: "CoreStatus", Synopsis: "Show PBX core status variables.", Perm: PermSystem | PermReporting, Handler: actCoreStatus},
		{Name: "CoreSettings", Synopsis: "Show PBX core settings (version etc).", Perm: PermSystem | PermReporting, Handler: actCoreSettings},
		{Name: "CoreShowChannels", Synopsis: "List currently active channels.", Perm: PermSystem | PermReporting, Handler: actCoreShowChannels},
		{Name: "Status", Synopsis: "List channel status.", Perm: PermSystem | PermCall | PermReporting, Handler: actStatus},
		{Name: "Getvar", Synopsis: "Gets a channel variable or function value.", Perm: PermCall | PermReporting, Handler: actGetvar},
		{Name: "Setvar", Synopsis: "Sets a channel variable or function value.", Perm: PermCall, Handler: actSetvar},
		{Name: "Hangup", Synopsis: "Hangup channel.", Perm: PermSystem | PermCall, Handler: actHangup},
		{Name: "Originate", Synopsis: "Originate a call.", Perm: PermOriginate, Handler: actOriginate},
		{Name: "Redirect", Synopsis: "Redirect (transfer) a call.", Perm: PermCall, Handler: actRedirect},
		{Name: "BlindTransfer", Synopsis: "Blind transfer channel(s) to the given destination", Perm: PermCall, Handler: actBlindTransfer},
		{Name: "PlayDTMF", Synopsis: "Play DTMF signal on a specific channel.", Perm: PermCall, Handler: actPlayDTMF},
		{Name: "UserEvent", Synopsis: "Send an arbitrary event.", Perm: PermUser, Handler: actUserEvent},
		{Name: "Reload", Synopsis: "Send a reload event.", Perm: PermSystem | PermConfig, Handler: actReload},
		{Name: "DBGet", Synopsis: "Get DB Entry.", Perm: PermSystem | PermReporting, Handler: actDBGet},
		{Name: "DBPut", Synopsis: "Put DB entry.", Perm: PermSystem, Handler: actDBPut},
		{Name: "DBDel", Synopsis: "Delete DB entry.", Perm: PermSystem, Handler: actDBDel},
		{Name: "DBDelTree", Synopsis: "Delete DB Tree.", Perm: PermSystem, Handler: actDBDelTree},
		{Name: "ExtensionState", Synopsis: "Check Extension Status.", Perm: PermCall | PermReporting, Handler: actExtensionState},
		{Name: "ExtensionStateList", Synopsis: "List the current known extension states.", Perm: PermCall | PermReporting, Handler: actExtensionStateList},
		{Name: "DeviceStateList", Synopsis: "List the current known device states.", Perm: PermCall | PermReporting, Handler: actDeviceStateList},
		{Name: "PresenceState", Synopsis: "Check Presence State", Perm: PermCall | PermReporting, Handler: actPresenceState},
		{Name: "MailboxCount", Synopsis: "Check Mailbox Message Count.", Perm: PermCall | PermReporting, Handler: actMailboxCount},
		{Name: "MailboxStatus", Synopsis: "Check mailbox.", Perm: PermCall | PermReporting, Handler: actMailboxStatus},
	} {
		if err := m.RegisterAction(a); err != nil {
			panic(err) // a duplicate in the list above
		}
	}
}

func actLogin(r *Request) error {
	s := r.s
	s.mu.Lock()
	authed := s.authed
	s.mu.Unlock()
	if authed {
		r.Success("Already authenticated")
		return nil
	}
	if !s.login(r) {
		// manager.c sleeps a second before the answer, then closes the
		// session: one guess per connection, slowly.
		s.pause()
		r.Error("Authentication failed")
		return errClose
	}
	s.uncount()
	r.Success("Authentication accepted")
	// reported after the answer, as Asterisk's (asynchronous) event
	// reaches the session after it
	s.reportSecurity(security.Event{Type: security.SuccessfulAuth, UsingPassword: true})
	s.sendFullyBooted()
	return nil
}

func actLogoff(r *Request) error {
	b := r.head("Goodbye")
	b.line("Message", "Thanks for all the fish.")
	r.s.send(b.end())
	return errClose
}

func actChallenge(r *Request) error {
	if !strings.EqualFold(r.Get("AuthType"), "MD5") {
		r.Error("Must specify AuthType")
		return nil
	}
	s := r.s
	s.mu.Lock()
	if s.challenge == "" {
		s.challenge = newChallenge()
	}
	c := s.challenge
	s.mu.Unlock()
	r.Success("", Header{"Challenge", c})
	return nil
}

func actPing(r *Request) error {
	now := time.Now()
	b := r.head("Success")
	b.line("Ping", "Pong")
	b.line("Timestamp", fmt.Sprintf("%d.%06d", now.Unix(), now.Nanosecond()/1000))
	r.s.send(b.end())
	return nil
}

func actEvents(r *Request) error {
	mask, ok := eventMask(r.Get("EventMask"))
	if !ok {
		r.Error("Invalid event mask")
		return nil
	}
	s := r.s
	s.mu.Lock()
	s.events = mask
	s.mu.Unlock()
	if mask != 0 {
		r.Success("", Header{"Events", "On"})
	} else {
		r.Success("", Header{"Events", "Off"})
	}
	return nil
}

// eventMask reads an EventMask as manager.c's strings_to_mask: a number,
// a yes/no word (every class / none) or a class list; empty is invalid.
func eventMask(s string) (Perm, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, false
	case strings.Trim(s, "0123456789") == "":
		n, err := strconv.ParseUint(s, 10, 32)
		return Perm(n), err == nil
	case confparse.False(s):
		return 0, true
	case confparse.True(s):
		return PermAll, true
	}
	p, _ := ParsePerm(s)
	return p, true
}

func actFilter(r *Request) error {
	op := r.Get("Operation")
	if op == "" {
		op = "Add"
	}
	if !strings.EqualFold(op, "Add") {
		r.Error("Unknown operation")
		return nil
	}
	f, err := parseFilter(r.Get("Filter"))
	if err != nil || r.Get("Filter") == "" {
		r.Error("Filter Not Added")
		return nil
	}
	r.s.mu.Lock()
	r.s.filters = append(r.s.filters, f)
	r.s.mu.Unlock()
	r.Success("Success")
	return nil
}

func actWaitEvent(r *Request) error {
	timeout := -1
	if t := r.Get("Timeout"); t != "" {
		if n, err := strconv.Atoi(t); err == nil {
			timeout = n
		}
	}
	s := r.s
	// wait for an event after this request, not one already delivered
	select {
	case <-s.eventWake:
	default:
	}
	r.Success("Waiting for Event completed.")
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		tc = t.C
	}
	select {
	case <-s.eventWake:
	case <-tc:
	case <-s.done:
		return nil
	}
	b := &msgBuf{}
	b.line("Event", "WaitEventComplete")
	if id := r.ActionID(); id != "" {
		b.line("ActionID", id)
	}
	s.send(b.end())
	return nil
}

func actListCommands(r *Request) error {
	b := r.head("Success")
	for _, a := range r.s.m.Actions() {
		p := a.Perm
		fmt.Fprintf(b, "%s: %s (Priv: %s)\r\n", a.Name, a.Synopsis, p.String())
	}
	r.s.send(b.end())
	return nil
}

// commandBlacklist are the CLI commands Asterisk refuses over the manager
// (they would stop it or hang the session).
var commandBlacklist = [][]string{
	{"module", "load"}, {"module", "unload"}, {"restart", "gracefully"},
}

func actCommand(r *Request) error {
	line := r.Get("Command")
	if strings.TrimSpace(line) == "" {
		r.Error("No command provided")
		return nil
	}
	words := cli.SplitArgs(line)
	for _, bl := range commandBlacklist {
		if len(words) >= len(bl) && strings.EqualFold(words[0], bl[0]) && strings.EqualFold(words[1], bl[1]) {
			r.Error("Command blacklisted")
			return nil
		}
	}
	reg := r.s.m.opts.CLI
	if reg == nil {
		r.Error("Command output follows")
		return nil
	}
	var out bytes.Buffer
	err := reg.Execute(cli.NewSession(0), line, &out)
	kind := "Success"
	if errors.Is(err, cli.ErrNoSuchCommand) || errors.Is(err, cli.ErrShowUsage) {
		kind = "Error"
	}
	b := r.head(kind)
	b.line("Message", "Command output follows")
	// every line, an empty output giving one empty Output line, as
	// manager.c splits it
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		b.line("Output", l)
	}
	r.s.send(b.end())
	return nil
}

func actCoreStatus(r *Request) error {
	m := r.s.m
	started := m.opts.Started
	reloaded := started
	if m.opts.Reloaded != nil {
		reloaded = m.opts.Reloaded()
	}
	calls := 0
	if m.opts.Engine != nil {
		calls = m.opts.Engine.ActiveCalls()
	}
	r.Success("",
		Header{"CoreStartupDate", started.Format("2006-01-02")},
		Header{"CoreStartupTime", started.Format("15:04:05")},
		Header{"CoreReloadDate", reloaded.Format("2006-01-02")},
		Header{"CoreReloadTime", reloaded.Format("15:04:05")},
		Header{"CoreCurrentCalls", strconv.Itoa(calls)},
	)
	return nil
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func actCoreSettings(r *Request) error {
	m := r.s.m
	st := m.opts.Settings
	version, _, _ := strings.Cut(strings.TrimPrefix(m.opts.Version, "Asterisk "), " ")
	r.Success("",
		Header{"AMIversion", strings.TrimPrefix(Banner, "Asterisk Call Manager/")},
		Header{"AsteriskVersion", version},
		Header{"SystemName", st.SystemName},
		Header{"CoreMaxCalls", strconv.Itoa(st.MaxCalls)},
		Header{"CoreMaxLoadAvg", fmt.Sprintf("%f", st.MaxLoadAvg)},
		Header{"CoreRunUser", ""},
		Header{"CoreRunGroup", ""},
		Header{"CoreMaxFilehandles", strconv.Itoa(st.MaxFileHandles)},
		Header{"CoreRealTimeEnabled", yesNo(st.RealTimeEnabled)},
		Header{"CoreCDRenabled", yesNo(st.CDREnabled)},
		Header{"CoreHTTPenabled", yesNo(st.HTTPEnabled)},
	)
	return nil
}

// durationHMS is Asterisk's "%02d:%02d:%02d" of a channel's age.
func durationHMS(d time.Duration) string {
	s := int(d / time.Second)
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func actCoreShowChannels(r *Request) error {
	eng := r.s.m.opts.Engine
	r.ListStart("Channels will follow")
	n := 0
	cfg := r.s.m.Config()
	for _, ch := range eng.Channels() {
		b := &msgBuf{}
		snapshot(b, "", ch, ch.State(), cfg)
		app, data := ch.Application()
		b.line("Application", app)
		b.line("ApplicationData", data)
		b.line("Duration", durationHMS(time.Since(ch.Created())))
		b.line("BridgeId", ch.BridgeID())
		r.ListItem("CoreShowChannel", bodyHeaders(b)...)
		n++
	}
	r.ListComplete("CoreShowChannelsComplete", n)
	return nil
}

// bodyHeaders turns built lines back into headers for ListItem.
func bodyHeaders(b *msgBuf) []Header {
	var out []Header
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n") {
		if l == "" {
			continue
		}
		k, v, _ := strings.Cut(l, ": ")
		out = append(out, Header{k, v})
	}
	return out
}

// findChannel looks a channel up by its exact name, as the manager does
// (no prefix match: an action must not act on the wrong call).
func findChannel(eng *pbx.Engine, name string) *pbx.Channel {
	for _, ch := range eng.Channels() {
		if strings.EqualFold(ch.Name(), name) {
			return ch
		}
	}
	return nil
}

func actStatus(r *Request) error {
	eng := r.s.m.opts.Engine
	want := r.Get("Channel")
	var vars []string
	for _, v := range strings.Split(r.Get("Variables"), ",") {
		if v = strings.TrimSpace(v); v != "" {
			vars = append(vars, v)
		}
	}
	var chans []*pbx.Channel
	if want != "" && !strings.EqualFold(want, "all") {
		ch := findChannel(eng, want)
		if ch == nil {
			r.Error("No such channel")
			return nil
		}
		chans = []*pbx.Channel{ch}
	} else {
		chans = eng.Channels()
	}
	r.ListStart("Channel status will follow")
	cfg := r.s.m.Config()
	for _, ch := range chans {
		b := &msgBuf{}
		b.line("Privilege", "Call")
		snapshot(b, "", ch, ch.State(), cfg)
		app, data := ch.Application()
		con := ch.Connected()
		b.line("Type", ch.Tech())
		b.line("DNID", ch.CallerID().DNID)
		b.line("EffectiveConnectedLineNum", unknownIfEmpty(con.Num))
		b.line("EffectiveConnectedLineName", unknownIfEmpty(con.Name))
		b.line("TimeToHangup", "0")
		b.line("BridgeID", ch.BridgeID())
		b.line("Application", app)
		b.line("Data", data)
		nf, native := "(nothing)", ""
		if f := ch.NativeFormat(); f != nil {
			nf, native = "("+f.Name+")", f.Name
		}
		b.line("Nativeformats", nf)
		// frames are read and written in the native format (translation
		// happens on the other side of Read/Write), hence no paths
		b.line("Readformat", native)
		b.line("Readtrans", "")
		b.line("Writeformat", native)
		b.line("Writetrans", "")
		b.line("Callgroup", "0")
		b.line("Pickupgroup", "0")
		b.lineInt("Seconds", int(time.Since(ch.Created())/time.Second))
		for _, v := range vars {
			val, _ := ch.Var(v)
			b.line("Variable", v+"="+val)
		}
		r.ListItemIDLast("Status", bodyHeaders(b)...)
	}
	r.ListComplete("StatusComplete", len(chans), Header{"Items", strconv.Itoa(len(chans))})
	return nil
}

// readVar reads a variable or, with parentheses, a function; ch nil reads
// globals.
func readVar(eng *pbx.Engine, ch *pbx.Channel, name string) (string, error) {
	if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
		return eng.ReadFunction(ch, name[:i], name[i+1:len(name)-1])
	}
	if ch == nil {
		v, _ := eng.GlobalVar(name)
		return v, nil
	}
	return eng.Substitute(ch, "${"+name+"}"), nil
}

func actGetvar(r *Request) error {
	eng := r.s.m.opts.Engine
	name := r.Get("Variable")
	if name == "" {
		r.Error("No variable specified")
		return nil
	}
	var ch *pbx.Channel
	if cn := r.Get("Channel"); cn != "" {
		if ch = findChannel(eng, cn); ch == nil {
			r.Error("No such channel")
			return nil
		}
	}
	v, err := readVar(eng, ch, name)
	if err != nil {
		r.Error("Function " + name + " not registered")
		return nil
	}
	r.Success("", Header{"Variable", name}, Header{"Value", v})
	return nil
}

func actSetvar(r *Request) error {
	eng := r.s.m.opts.Engine
	name := r.Get("Variable")
	if name == "" {
		r.Error("No variable specified")
		return nil
	}
	value := r.Get("Value")
	var ch *pbx.Channel
	if cn := r.Get("Channel"); cn != "" {
		if ch = findChannel(eng, cn); ch == nil {
			r.Error("No such channel")
			return nil
		}
	}
	if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
		if err := eng.WriteFunction(ch, name[:i], name[i+1:len(name)-1], value); err != nil {
			r.Error("Failed to set variable.")
			return nil
		}
	} else if ch == nil {
		eng.SetGlobalVar(name, value)
	} else {
		ch.SetVar(name, value)
	}
	r.Success("Variable Set")
	return nil
}

func actHangup(r *Request) error {
	eng := r.s.m.opts.Engine
	name := r.Get("Channel")
	if name == "" {
		r.Error("No channel specified")
		return nil
	}
	cause := pbx.CauseNormalClearing
	if c := r.Get("Cause"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil {
			r.Error("Invalid cause")
			return nil
		}
		cause = n
	}
	// "/regex/" hangs up every channel whose name matches (Asterisk 13+).
	if len(name) > 2 && name[0] == '/' && name[len(name)-1] == '/' {
		re, err := regexp.Compile(name[1 : len(name)-1])
		if err != nil {
			r.Error("Invalid regex")
			return nil
		}
		r.ListStart("Channels hung up will follow")
		n := 0
		for _, ch := range eng.Channels() {
			if re.MatchString(ch.Name()) {
				ch.SoftHangup(cause)
				r.ListItem("ChannelHungup", Header{"Channel", ch.Name()})
				n++
			}
		}
		r.ListComplete("ChannelsHungupListComplete", n)
		return nil
	}
	ch := findChannel(eng, name)
	if ch == nil {
		r.Error("No such channel")
		return nil
	}
	ch.SetHangupCause(cause)
	ch.SoftHangup(cause)
	r.Success("Channel Hungup")
	return nil
}

func actRedirect(r *Request) error {
	eng := r.s.m.opts.Engine
	name, extra := r.Get("Channel"), r.Get("ExtraChannel")
	if name == "" {
		r.Error("Channel not specified")
		return nil
	}
	prio := 1
	if p := r.Get("Priority"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			r.Error("Invalid priority")
			return nil
		}
		prio = n
	}
	ch := findChannel(eng, name)
	if ch == nil {
		r.Error("Channel " + name + " not found")
		return nil
	}
	var ch2 *pbx.Channel
	if extra != "" {
		if ch2 = findChannel(eng, extra); ch2 == nil {
			r.Error("ExtraChannel " + extra + " not found")
			return nil
		}
	}
	context, exten := r.Get("Context"), r.Get("Exten")
	if err := ch.AsyncGoto(context, exten, prio); err != nil {
		r.Error("Redirect failed")
		return nil
	}
	if ch2 != nil {
		c2, e2, p2 := context, exten, prio
		if v := r.Get("ExtraContext"); v != "" {
			c2 = v
		}
		if v := r.Get("ExtraExten"); v != "" {
			e2 = v
		}
		if v := r.Get("ExtraPriority"); v != "" {
			if n, err := strconv.Atoi(v); err == nil {
				p2 = n
			}
		}
		if err := ch2.AsyncGoto(c2, e2, p2); err != nil {
			r.Error("Secondary redirect failed")
			return nil
		}
		r.Success("Dual Redirect successful")
		return nil
	}
	r.Success("Redirect successful")
	return nil
}

func actPlayDTMF(r *Request) error {
	eng := r.s.m.opts.Engine
	name, digit := r.Get("Channel"), r.Get("Digit")
	if name == "" {
		r.Error("Channel not specified")
		return nil
	}
	if digit == "" || !strings.ContainsRune("0123456789*#ABCDabcd", rune(digit[0])) {
		r.Error("No digit specified")
		return nil
	}
	ch := findChannel(eng, name)
	if ch == nil {
		r.Error("Channel " + name + " not found")
		return nil
	}
	dur := 100 * time.Millisecond
	if d := r.Get("Duration"); d != "" {
		if n, err := strconv.Atoi(d); err == nil && n > 0 {
			dur = time.Duration(n) * time.Millisecond
		}
	}
	// As ast_queue_frame: the digit arrives on the channel's read side,
	// so whoever reads the channel (an application, the bridge) gets it.
	d := rune(strings.ToUpper(digit[:1])[0])
	ch.InjectFrame(media.Frame{Kind: media.DTMFBegin, Digit: d})
	ch.InjectFrame(media.Frame{Kind: media.DTMFEnd, Digit: d, Duration: dur})
	r.Success("DTMF successfully queued")
	return nil
}

func actUserEvent(r *Request) error {
	name := r.Get("UserEvent")
	if name == "" {
		r.Error("Missing UserEvent")
		return nil
	}
	b := &msgBuf{}
	b.line("UserEvent", name)
	for _, h := range r.Headers {
		if strings.EqualFold(h.Key, "Action") || strings.EqualFold(h.Key, "UserEvent") {
			continue
		}
		b.line(h.Key, h.Value)
	}
	r.Success("Event Sent")
	r.s.m.dispatch(PermUser, "UserEvent", b.Bytes())
	return nil
}

func actReload(r *Request) error {
	m := r.s.m
	if m.opts.Reload == nil {
		r.Error("No such module")
		return nil
	}
	if err := m.opts.Reload(r.Get("Module")); err != nil {
		r.Error(err.Error())
		return nil
	}
	r.Success("Module Reloaded")
	return nil
}

func (m *Module) dbCheck(r *Request, needKey bool) (family, key string, ok bool) {
	if m.opts.DB == nil {
		r.Error("Database not available")
		return "", "", false
	}
	family, key = r.Get("Family"), r.Get("Key")
	if family == "" {
		r.Error("No family specified.")
		return "", "", false
	}
	if needKey && key == "" {
		r.Error("No key specified.")
		return "", "", false
	}
	return family, key, true
}

func actDBGet(r *Request) error {
	m := r.s.m
	family, key, ok := m.dbCheck(r, true)
	if !ok {
		return nil
	}
	v, found := m.opts.DB.Get(family, key)
	if !found {
		r.Error("Database entry not found")
		return nil
	}
	r.ListStart("Result will follow")
	r.ListItemIDLast("DBGetResponse", Header{"Family", family}, Header{"Key", key}, Header{"Val", v})
	r.ListComplete("DBGetComplete", 1)
	return nil
}

func actDBPut(r *Request) error {
	m := r.s.m
	family, key, ok := m.dbCheck(r, true)
	if !ok {
		return nil
	}
	if err := m.opts.DB.Put(family, key, r.Get("Val")); err != nil {
		r.Error("Failed to update entry")
		return nil
	}
	r.Success("Updated database successfully")
	return nil
}

func actDBDel(r *Request) error {
	m := r.s.m
	family, key, ok := m.dbCheck(r, true)
	if !ok {
		return nil
	}
	if _, found := m.opts.DB.Get(family, key); !found {
		r.Error("Database entry not found")
		return nil
	}
	if err := m.opts.DB.Del(family, key); err != nil {
		r.Error("Database entry not found")
		return nil
	}
	r.Success("Key deleted successfully")
	return nil
}

func actDBDelTree(r *Request) error {
	m := r.s.m
	family, key, ok := m.dbCheck(r, false)
	if !ok {
		return nil
	}
	n, err := m.opts.DB.DelTree(family, key)
	if err != nil || n <= 0 {
		r.Error("Database entry not found")
		return nil
	}
	r.Success("Key tree deleted successfully")
	return nil
}

// extStatus maps an extension state to the manager's number and text
// (ast_extension_state2str and its bit values).
func extStatus(st pbx.ExtensionState) (int, string) {
	switch st {
	case pbx.ExtNotInUse:
		return 0, "Idle"
	case pbx.ExtInUse:
		return 1, "InUse"
	case pbx.ExtBusy:
		return 2, "Busy"
	case pbx.ExtUnavailable:
		return 4, "Unavailable"
	case pbx.ExtRinging:
		return 8, "Ringing"
	case pbx.ExtRingInUse:
		return 9, "InUse&Ringing"
	case pbx.ExtOnHold:
		return 16, "Hold"
	case pbx.ExtHoldInUse:
		return 17, "InUse&Hold"
	}
	return -1, "Unknown"
}

func actExtensionState(r *Request) error {
	eng := r.s.m.opts.Engine
	exten, context := r.Get("Exten"), r.Get("Context")
	if context == "" {
		context = "default"
	}
	hint := ""
	if hf, ok := eng.Plan().(pbx.HintFinder); ok {
		hint, _ = hf.Hint(context, exten)
	}
	st, _ := eng.ExtensionState(context, exten)
	n, text := extStatus(st)
	r.Success("Extension Status",
		Header{"Exten", exten}, Header{"Context", context}, Header{"Hint", hint},
		Header{"Status", strconv.Itoa(n)}, Header{"StatusText", text})
	return nil
}

// actExtensionStateList lists every hint but the pattern ones (not real
// extensions to a client), each as an ExtensionStatus with its state
// now.
func actExtensionStateList(r *Request) error {
	eng := r.s.m.opts.Engine
	r.ListStart("Extension Statuses will follow")
	n := 0
	for _, h := range eng.Hints() {
		if strings.HasPrefix(h.Exten, "_") {
			continue
		}
		st, _ := eng.ExtensionState(h.Context, h.Exten)
		code, text := extStatus(st)
		r.ListItem("ExtensionStatus",
			Header{"Exten", h.Exten}, Header{"Context", h.Context}, Header{"Hint", h.Devices},
			Header{"Status", strconv.Itoa(code)}, Header{"StatusText", text})
		n++
	}
	r.ListComplete("ExtensionStateListComplete", n)
	return nil
}

func actMailboxCount(r *Request) error {
	box := r.Get("Mailbox")
	if box == "" {
		r.Error("Mailbox not specified")
		return nil
	}
	c, _ := r.s.m.opts.Engine.MailboxCounts(box)
	r.Success("Mailbox Message Count",
		Header{"Mailbox", box},
		Header{"UrgMessages", strconv.Itoa(c.UrgentNew)},
		Header{"NewMessages", strconv.Itoa(c.New)},
		Header{"OldMessages", strconv.Itoa(c.Old)})
	return nil
}

func actMailboxStatus(r *Request) error {
	box := r.Get("Mailbox")
	if box == "" {
		r.Error("Mailbox not specified")
		return nil
	}
	c, _ := r.s.m.opts.Engine.MailboxCounts(box)
	waiting := 0
	if c.New+c.UrgentNew > 0 {
		waiting = 1
	}
	r.Success("Mailbox Status", Header{"Mailbox", box}, Header{"Waiting", strconv.Itoa(waiting)})
	return nil
}
