package meetme

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/confbridge"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Room is one "conf =>" line of meetme.conf's [rooms].
type Room struct {
	Number, PIN, AdminPIN string
}

// Config is meetme.conf.
type Config struct {
	Rooms map[string]Room
}

// Load reads meetme.conf (nil: no file, no static rooms).
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{Rooms: map[string]Room{}}
	var diags confparse.Diagnostics
	if cfg == nil {
		return c, nil
	}
	for _, cat := range cfg.Browse() {
		switch strings.ToLower(cat.Name) {
		case "general":
			for _, v := range cat.Vars {
				switch strings.ToLower(v.Name) {
				case "audiobuffers", "schedule", "logmembercount", "fuzzystart", "earlyalert", "endalert":
					// Accepted: DAHDI buffers and the realtime scheduler
					// have no counterpart.
				default:
					diags.Warnf(v.File, v.Line, "unknown option '%s' in [general]", v.Name)
				}
			}
		case "rooms":
			for _, v := range cat.Vars {
				if !strings.EqualFold(v.Name, "conf") {
					diags.Warnf(v.File, v.Line, "unknown option '%s' in [rooms] (conf => confno[,pin][,adminpin])", v.Name)
					continue
				}
				parts := strings.Split(v.Value, ",")
				for len(parts) < 3 {
					parts = append(parts, "")
				}
				r := Room{Number: strings.TrimSpace(parts[0]), PIN: strings.TrimSpace(parts[1]), AdminPIN: strings.TrimSpace(parts[2])}
				if r.Number == "" {
					diags.Warnf(v.File, v.Line, "conf => without a conference number")
					continue
				}
				c.Rooms[r.Number] = r
			}
		}
	}
	return c, diags
}

// Options configure a Module: those of the conferences it runs on.
type Options = confbridge.Options

// Module is app_meetme mapped onto gostrisk's conferences: its own set
// of conferences (MeetMe rooms are not ConfBridge conferences), run by a
// confbridge.Module with profiles built from MeetMe's options.
type Module struct {
	cb  *confbridge.Module
	log pbx.Logger
	cfg atomic.Pointer[Config]
}

// New returns the module with meetme.conf's rooms.
func New(opts Options, cfg *Config) *Module {
	opts.MeetMe = true
	cbCfg, _ := confbridge.Load(nil)
	m := &Module{cb: confbridge.New(opts, &confbridge.Config{Bridges: cbCfg.Bridges, Users: cbCfg.Users, Menus: cbCfg.Menus}), log: opts.Log}
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	m.cfg.Store(cfg)
	return m
}

// SetConfig swaps in a reloaded meetme.conf.
func (m *Module) SetConfig(cfg *Config) {
	if cfg != nil {
		m.cfg.Store(cfg)
	}
}

// Close kicks everyone and waits for the rooms to end.
func (m *Module) Close() { m.cb.Close() }

// Register adds MeetMe, MeetMeCount and MEETME_INFO.
func (m *Module) Register(eng *pbx.Engine) error {
	m.cb.Attach(eng)
	return eng.RegisterModule("app_meetme", append([]*pbx.App{
		{Name: "MeetMe", Synopsis: "MeetMe conference bridge.", Syntax: "MeetMe([confno[,options[,pin]]])",
			Description: "Enters the user into a specified MeetMe conference (gostrisk runs it on its ConfBridge mixer). " +
				"Options: a (admin), A (marked), c (announce user count), d/D (dynamic), m (listen only), M(class) (music when alone), " +
				"p (exit on #), q (quiet), s (menu on *), T (talker detection), w (wait for the marked user), x (end with the last marked user).",
			Arguments: "confno\noptions\npin", Exec: m.exec},
		{Name: "MeetMeCount", Synopsis: "MeetMe participant count.", Syntax: "MeetMeCount(confno[,var])",
			Arguments: "confno\nvar", Exec: m.countExec},
	}, m.adminApps()...), []pbx.Function{{Name: "MEETME_INFO", Synopsis: "Query a given conference of various properties.",
		Syntax: "MEETME_INFO(keyword,confno)", Arguments: "keyword\nconfno", Read: m.info}})
}

func has(f map[byte]string, c byte) bool { _, ok := f[c]; return ok }

// Profiles turns MeetMe's options into the conference profiles.
func Profiles(f map[byte]string, admin bool) (*confbridge.BridgeProfile, *confbridge.UserProfile, *confbridge.Menu) {
	cfg, _ := confbridge.Load(nil)
	bp := *cfg.Bridges[confbridge.DefaultBridgeProfile]
	bp.Name = "meetme"
	bp.Sounds = map[string]string{"sound_join": "beep", "sound_leave": "beeperr"}
	up := *cfg.Users[confbridge.DefaultUserProfile]
	up.Name = "meetme"
	up.Admin = admin || has(f, 'a')
	up.Marked = has(f, 'A')
	up.StartMuted = has(f, 'm')
	up.Quiet = has(f, 'q')
	up.WaitMarked = has(f, 'w')
	up.EndMarked = has(f, 'x')
	up.TalkDetection = has(f, 'T')
	up.AnnounceUserCount = has(f, 'c')
	// i and I: the name recorded before joining and announced on join
	// and leave, i with the review menu.
	up.AnnounceJoinLeave = has(f, 'i') || has(f, 'I')
	up.JoinReview = has(f, 'i')
	if cls, ok := f['M']; ok {
		up.MusicOnHoldWhenEmpty, up.MusicClass = true, cls
	}
	menu := &confbridge.Menu{Name: "meetme"}
	add := func(dtmf, action string) {
		if e, err := confbridge.ParseMenuEntry(dtmf, action); err == nil {
			menu.Entries = append(menu.Entries, e)
		}
	}
	if has(f, 's') {
		if !up.StartMuted || up.Admin {
			add("*1", "toggle_mute")
		}
		add("*4", "decrease_listening_volume")
		add("*6", "increase_listening_volume")
		add("*7", "decrease_talking_volume")
		add("*9", "increase_talking_volume")
		if up.Admin {
			add("*2", "admin_toggle_conference_lock")
			add("*3", "admin_kick_last")
		}
	}
	if has(f, 'p') {
		add("#", "leave_conference")
	}
	return &bp, &up, menu
}

// exec is MeetMe(confno,options,pin).
func (m *Module) exec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	for len(args) < 3 {
		args = append(args, "")
	}
	confno, f, pin := strings.TrimSpace(args[0]), pbx.ParseAppOptions(args[1]), strings.TrimSpace(args[2])
	if ch.State() != pbx.StateUp {
		if err := ch.Answer(); err != nil {
			return pbx.HangupResult, nil
		}
	}
	dynamic := has(f, 'd') || has(f, 'D')
	asked := confno == ""
	var room Room
	for tries := 0; ; tries++ {
		if confno == "" {
			if tries >= 3 {
				return pbx.HangupResult, nil
			}
			got, err := m.cb.ReadDigits(ch, "conf-getconfno", 80, 5*time.Second)
			if err != nil {
				return pbx.HangupResult, nil
			}
			confno = got
			if confno == "" {
				continue
			}
		}
		r, ok := m.cfg.Load().Rooms[confno]
		if ok || dynamic || m.cb.Find(confno) != nil {
			if !ok {
				r = Room{Number: confno, PIN: pin}
				if live := m.cb.Find(confno); live != nil {
					r.PIN = "" // a dynamic room's PIN was its creator's
				}
			}
			room = r
			break
		}
		if _, err := m.cb.Play(ch, "conf-invalid"); err != nil || !asked {
			return pbx.HangupResult, nil
		}
		confno = ""
	}
	admin := false
	if room.PIN != "" || room.AdminPIN != "" {
		ok := false
		if pin != "" && (pin == room.PIN || pin == room.AdminPIN) {
			ok, admin = true, pin == room.AdminPIN && room.AdminPIN != ""
		}
		for i := 0; !ok && i < 3; i++ {
			got, err := m.cb.ReadDigits(ch, "conf-getpin", 80, 5*time.Second)
			if err != nil {
				return pbx.HangupResult, nil
			}
			if got != "" && (got == room.PIN || got == room.AdminPIN) {
				ok, admin = true, got == room.AdminPIN && room.AdminPIN != ""
				break
			}
			if _, err := m.cb.Play(ch, "conf-invalidpin"); err != nil {
				return pbx.HangupResult, nil
			}
		}
		if !ok {
			return pbx.HangupResult, nil
		}
	}
	bp, up, menu := Profiles(f, admin)
	return m.cb.Enter(ch, confno, bp, up, menu, menu.Name), nil
}

// countExec is MeetMeCount(confno[,var]): the number of users in var, or
// said when no variable is named.
func (m *Module) countExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	args := pbx.SplitArgs(data, ',')
	if strings.TrimSpace(args[0]) == "" {
		m.log.Warning("MeetMeCount requires an argument (conference number)\n")
		return pbx.Continue, nil
	}
	n := 0
	if c := m.cb.Find(strings.TrimSpace(args[0])); c != nil {
		n = len(c.Users())
	}
	if len(args) > 1 && strings.TrimSpace(args[1]) != "" {
		ch.SetVar(strings.TrimSpace(args[1]), strconv.Itoa(n))
		return pbx.Continue, nil
	}
	if ch.State() != pbx.StateUp {
		_ = ch.Answer()
	}
	_, err := m.cb.Play(ch, strings.Join(confbridge.NumberFiles(n), "&"))
	if err != nil {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// info is MEETME_INFO(lock|parties|activity|dynamic,confno).
func (m *Module) info(_ *pbx.Channel, args string) (string, error) {
	a := pbx.SplitArgs(args, ',')
	if len(a) != 2 {
		return "", fmt.Errorf("MEETME_INFO: usage MEETME_INFO(keyword,confno)")
	}
	c := m.cb.Find(strings.TrimSpace(a[1]))
	switch strings.ToLower(strings.TrimSpace(a[0])) {
	case "lock":
		if c == nil {
			return "0", nil
		}
		_, _, locked, _ := c.Counts()
		return b2s(locked), nil
	case "parties":
		if c == nil {
			return "0", nil
		}
		return strconv.Itoa(len(c.Users())), nil
	case "activity":
		if c == nil {
			return "0", nil
		}
		return strconv.Itoa(int(time.Since(c.Created()).Seconds())), nil
	case "dynamic":
		if c == nil {
			return "0", nil
		}
		_, static := m.cfg.Load().Rooms[c.Name()]
		return b2s(!static), nil
	}
	return "", fmt.Errorf("MEETME_INFO: unknown keyword '%s'", a[0])
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// RegisterCLI adds "meetme list" and the meetme lock/unlock/mute/unmute/kick commands.
func (m *Module) RegisterCLI(reg *cli.Registry) error {
	return reg.Register(
		&cli.Command{
			Words:   []string{"meetme", "list"},
			Summary: "List all conferences or a specific conference.",
			Usage:   "Usage: meetme list [<confno>] [concise]\n       List all conferences or a specific conference.\n",
			Handler: func(a *cli.Args) error {
				out, err := m.List(a.Argv[2:])
				if err != nil {
					return cli.ErrShowUsage
				}
				a.Printf("%s", out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"meetme", "{lock|unlock|mute|unmute|kick}"},
			Summary: "Execute a command on a conference or conferee",
			Usage: "Usage: meetme (un)lock|(un)mute|kick <confno> <usernumber>\n" +
				"       Executes a command for the conference or on a conferee\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 {
					return cli.ErrShowUsage
				}
				c := m.cb.Find(a.Argv[2])
				if c == nil {
					return nil
				}
				target := ""
				if len(a.Argv) > 3 {
					target = a.Argv[3]
				}
				switch a.Argv[1] {
				case "lock", "unlock":
					c.SetLocked(a.Argv[1] == "lock")
				case "mute", "unmute", "kick":
					for _, u := range c.Users() {
						if target != "all" && strconv.Itoa(u.Number()) != target {
							continue
						}
						if a.Argv[1] == "kick" {
							c.Kick(u.Channel().Name())
						} else {
							c.Mute(u.Channel().Name(), a.Argv[1] == "mute")
						}
					}
				}
				return nil
			},
		},
	)
}

// List is "meetme list [confno] [concise]" in app_meetme's layout.
func (m *Module) List(args []string) (string, error) {
	var b strings.Builder
	now := time.Now()
	hms := func(d time.Duration) (int, int, int) {
		s := int(d.Seconds())
		return s / 3600, s % 3600 / 60, s % 60
	}
	concise := len(args) > 0 && strings.EqualFold(args[len(args)-1], "concise")
	if concise {
		args = args[:len(args)-1]
	}
	confs := m.cb.Conferences()
	switch len(args) {
	case 0:
		if len(confs) == 0 {
			if !concise {
				b.WriteString("No active MeetMe conferences.\n")
			}
			return b.String(), nil
		}
		if !concise {
			fmt.Fprintf(&b, "%-14s %-14s %-10s %-8s  %-8s  %-6s\n", "Conf Num", "Parties", "Marked", "Activity", "Creation", "Locked")
		}
		total := 0
		for _, c := range confs {
			users, marked, locked, _ := c.Counts()
			h, mi, s := hms(now.Sub(c.Created()))
			_, static := m.cfg.Load().Rooms[c.Name()]
			if concise {
				fmt.Fprintf(&b, "%s!%d!%d!%02d:%02d:%02d!%d!%d\n", c.Name(), users, marked, h, mi, s, b2i(!static), b2i(locked))
				continue
			}
			markedText := "N/A "
			if marked > 0 {
				markedText = fmt.Sprintf("%04d", marked)
			}
			kind := "Dynamic"
			if static {
				kind = "Static"
			}
			lockText := "No"
			if locked {
				lockText = "Yes"
			}
			name := c.Name()
			if len(name) > 12 {
				name = name[:12]
			}
			fmt.Fprintf(&b, "%-12.12s   %04d\t      %4.4s       %02d:%02d:%02d  %-8s  %-6s\n", name, users, markedText, h, mi, s, kind, lockText)
			total += users
		}
		if !concise {
			fmt.Fprintf(&b, "* Total number of MeetMe users: %d\n", total)
		}
	case 1:
		if len(confs) == 0 {
			if !concise {
				b.WriteString("No active MeetMe conferences.\n")
			}
			return b.String(), nil
		}
		c := m.cb.Find(args[0])
		if c == nil || c.Name() != args[0] {
			if !concise {
				fmt.Fprintf(&b, "No such conference: %s.\n", args[0])
			}
			return b.String(), nil
		}
		users := c.Users()
		for _, u := range users {
			h, mi, s := hms(now.Sub(u.Joined()))
			cid := u.Channel().CallerID()
			up := u.Profile()
			talking := -1
			if up.TalkDetection {
				talking = b2i(u.Talking())
			}
			if concise {
				fmt.Fprintf(&b, "%d!%s!%s!%s!%s!%s!%s!%s!%d!%02d:%02d:%02d\n", u.Number(), cid.Num, cid.Name, u.Channel().Name(),
					oneIf(up.Admin), oneIf(up.StartMuted && !up.Admin), oneIf(u.Muted()), "", talking, h, mi, s)
				continue
			}
			num, name := cid.Num, cid.Name
			if num == "" {
				num = "<unknown>"
			}
			if name == "" {
				name = "<no name>"
			}
			muted := ""
			if u.Muted() {
				muted = "(Muted)"
			}
			fmt.Fprintf(&b, "User #: %-2.2d %12.12s %-20.20s Channel: %s %s %s %s %s %s %02d:%02d:%02d\n",
				u.Number(), num, name, u.Channel().Name(), textIf(up.Admin, "(Admin)"), textIf(up.StartMuted && !up.Admin, "(Listen only)"),
				muted, "", isTalking(talking), h, mi, s)
		}
		if !concise {
			fmt.Fprintf(&b, "%d users in that conference.\n", len(users))
		}
	default:
		return "", fmt.Errorf("meetme list: too many arguments")
	}
	return b.String(), nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func oneIf(b bool) string { return textIf(b, "1") }

func textIf(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

// isTalking is app_meetme's istalking.
func isTalking(x int) string {
	switch {
	case x > 0:
		return "(talking)"
	case x < 0:
		return "(unmonitored)"
	}
	return "(not talking)"
}
