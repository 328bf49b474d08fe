package confbridge

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/mixer"
)

// The profiles ConfBridge uses when the dialplan names none; they exist
// with Asterisk's defaults when confbridge.conf does not define them.
const (
	DefaultBridgeProfile = "default_bridge"
	DefaultUserProfile   = "default_user"
	DefaultMenu          = "default_menu"
)

// BridgeProfile is a type=bridge section.
type BridgeProfile struct {
	Name       string
	MaxMembers int
	// Record: record_conference; RecordFile, RecordOptions,
	// RecordCommand as MixMonitor takes them; RecordAppend and
	// RecordTimestamp are record_file_append and record_file_timestamp.
	Record                                 bool
	RecordFile, RecordOptions, RecordCmd   string
	RecordAppend, RecordTimestamp          bool
	SampleRate                             int           // internal_sample_rate, 0: auto
	MixingInterval                         time.Duration // 10, 20, 40 or 80 ms
	Language                               string
	Sounds                                 map[string]string // sound_* overrides, by Asterisk's option name
	EnableEvents                           bool
	regcontext, videoMode, maximumRateText string
	// accepted holds options an audio mixer does nothing with, as written
	// (video_update_discard, remb_*), for "confbridge show profile bridge".
	accepted map[string]string
}

// UserProfile is a type=user section.
type UserProfile struct {
	Name                                                  string
	Admin, Marked, StartMuted, MusicOnHoldWhenEmpty       bool
	Quiet, AnnounceUserCount, AnnounceJoinLeave           bool
	AnnounceOnlyUser, WaitMarked, EndMarked, EndMarkedAny bool
	AnnounceUserCountAll                                  int // 0: off; n: when the count reaches n
	DropSilence, TalkDetection, Denoise, JitterBuffer     bool
	DTMFPassthrough, HearOwnJoinSound, AnswerChannel      bool
	SendEvents, EchoEvents, TextMessaging, JoinReview     bool
	PIN, MusicClass, Announcement                         string
	TalkingThreshold                                      int
	SilenceThreshold                                      time.Duration
	Timeout                                               time.Duration
}

// MenuAction is one action of a menu entry.
type MenuAction struct {
	Name string // Asterisk's action name: toggle_mute, playback, ...
	Arg  string // playback's files, dialplan_exec's context,exten,priority
}

// MenuEntry is one DTMF sequence of a menu with its actions in order.
type MenuEntry struct {
	DTMF    string
	Actions []MenuAction
}

// Menu is a type=menu section.
type Menu struct {
	Name    string
	Entries []MenuEntry
}

// Config is confbridge.conf as app_confbridge applies it.
type Config struct {
	Bridges map[string]*BridgeProfile // by lower-case name
	Users   map[string]*UserProfile
	Menus   map[string]*Menu
	// Added names the default profiles the file lacked, for Asterisk's
	// "Adding ... to app_confbridge" notices.
	Added []string
}

func defaultBridge(name string) *BridgeProfile {
	return &BridgeProfile{Name: name, RecordAppend: true, RecordTimestamp: true,
		MixingInterval: mixer.DefaultInterval, Language: "en", Sounds: map[string]string{}, accepted: map[string]string{}}
}

func defaultUser(name string) *UserProfile {
	return &UserProfile{Name: name, AnnounceOnlyUser: true, HearOwnJoinSound: true, AnswerChannel: true, TextMessaging: true,
		TalkingThreshold: mixer.DefaultTalkingThreshold, SilenceThreshold: mixer.DefaultSilenceThreshold}
}

// soundOptions are the sound_* options Asterisk knows, with their
// default files.
var soundOptions = map[string]string{
	"sound_has_joined": "conf-hasjoin", "sound_has_left": "conf-hasleft", "sound_kicked": "conf-kicked",
	"sound_muted": "conf-muted", "sound_unmuted": "conf-unmuted",
	"sound_binaural_on": "confbridge-binaural-on", "sound_binaural_off": "confbridge-binaural-off",
	"sound_only_one": "conf-onlyone", "sound_there_are": "conf-thereare", "sound_other_in_party": "conf-otherinparty",
	"sound_place_into_conference": "conf-placeintoconf", "sound_wait_for_leader": "conf-waitforleader",
	"sound_leader_has_left": "conf-leaderhasleft", "sound_get_pin": "conf-getpin",
	"sound_invalid_pin": "conf-invalidpin", "sound_only_person": "conf-onlyperson",
	"sound_locked": "conf-locked", "sound_locked_now": "conf-lockednow", "sound_unlocked_now": "conf-unlockednow",
	"sound_error_menu": "conf-errormenu", "sound_join": "confbridge-join", "sound_leave": "confbridge-leave",
	"sound_participants_muted": "conf-now-muted", "sound_participants_unmuted": "conf-now-unmuted",
	"sound_begin": "confbridge-conf-begin",
}

// Sound is the file a bridge profile plays for one of Asterisk's sound
// options (sound_only_person ...): its override or Asterisk's default.
func (b *BridgeProfile) Sound(option string) string {
	if s := b.Sounds[option]; s != "" {
		return s
	}
	return soundOptions[option]
}

// menuActions are the actions a menu entry may name; those with an
// argument are written name(arg).
var menuActions = map[string]bool{
	"toggle_mute": false, "toggle_binaural": false, "no_op": false,
	"increase_listening_volume": false, "decrease_listening_volume": false,
	"increase_talking_volume": false, "decrease_talking_volume": false,
	"reset_listening_volume": false, "reset_talking_volume": false,
	"admin_toggle_conference_lock": false, "admin_toggle_mute_participants": false,
	"participant_count": false, "admin_kick_last": false, "leave_conference": false,
	"set_as_single_video_src": false, "release_as_single_video_src": false,
	"dialplan_exec": true, "playback": true, "playback_and_continue": true,
}

// Load builds the configuration from confbridge.conf (nil: the file is
// missing, only the default profiles exist). Unknown options and values
// that cannot be parsed are warnings with file:line, as Asterisk skips
// them.
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{Bridges: map[string]*BridgeProfile{}, Users: map[string]*UserProfile{}, Menus: map[string]*Menu{}}
	var diags confparse.Diagnostics
	warn := func(v *confparse.Variable, format string, args ...any) {
		diags.Warnf(v.File, v.Line, format, args...)
	}
	if cfg != nil {
		for _, cat := range cfg.Browse() {
			name := cat.Name
			if strings.EqualFold(name, "general") {
				continue
			}
			typ, _ := cat.Get("type")
			switch strings.ToLower(strings.TrimSpace(typ)) {
			case "bridge":
				b := defaultBridge(name)
				if t := templateOf(cat, c.Bridges, "bridge profile", warn); t != nil {
					cp := *t
					cp.Name, cp.Sounds, cp.accepted = name, copyMap(t.Sounds), copyMap(t.accepted)
					b = &cp
				}
				for _, v := range cat.Vars {
					setBridge(b, v, warn)
				}
				c.Bridges[strings.ToLower(name)] = b
			case "user":
				u := defaultUser(name)
				if t := templateOf(cat, c.Users, "user profile", warn); t != nil {
					cp := *t
					cp.Name = name
					u = &cp
				}
				for _, v := range cat.Vars {
					setUser(u, v, warn)
				}
				c.Users[strings.ToLower(name)] = u
			case "menu":
				m := &Menu{Name: name}
				for _, v := range cat.Vars {
					switch {
					case strings.EqualFold(v.Name, "type"):
					case strings.EqualFold(v.Name, "template"):
						if t := c.Menus[strings.ToLower(v.Value)]; t != nil {
							m.Entries = append([]MenuEntry(nil), t.Entries...)
						} else {
							warn(v, "menu template '%s' does not exist", v.Value)
						}
					default:
						e, err := ParseMenuEntry(v.Name, v.Value)
						if err != nil {
							warn(v, "%v", err)
							continue
						}
						m.set(e)
					}
				}
				c.Menus[strings.ToLower(name)] = m
			case "":
				diags.Warnf(cat.File, cat.Line, "confbridge.conf section '%s' has no type (bridge, user or menu): ignored", name)
			default:
				v := cat.Var("type")
				warn(v, "unknown type '%s' for section '%s': ignored", typ, name)
			}
		}
	}
	if c.Bridges[DefaultBridgeProfile] == nil {
		c.Bridges[DefaultBridgeProfile] = defaultBridge(DefaultBridgeProfile)
		c.Added = append(c.Added, "Adding default_bridge profile to app_confbridge")
	}
	if c.Users[DefaultUserProfile] == nil {
		c.Users[DefaultUserProfile] = defaultUser(DefaultUserProfile)
		c.Added = append(c.Added, "Adding default_user profile to app_confbridge")
	}
	if c.Menus[DefaultMenu] == nil {
		c.Menus[DefaultMenu] = &Menu{Name: DefaultMenu}
		c.Added = append(c.Added, "Adding default_menu menu to app_confbridge")
	}
	return c, diags
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// set adds an entry, replacing one with the same sequence as Asterisk does.
func (m *Menu) set(e MenuEntry) {
	for i := range m.Entries {
		if strings.EqualFold(m.Entries[i].DTMF, e.DTMF) {
			m.Entries = append(m.Entries[:i], m.Entries[i+1:]...)
			break
		}
	}
	m.Entries = append(m.Entries, e)
}

// ParseMenuEntry parses "dtmf=action,action(arg),..." as a menu section
// (or CONFBRIDGE(menu,dtmf)) writes it.
func ParseMenuEntry(dtmf, value string) (MenuEntry, error) {
	e := MenuEntry{DTMF: dtmf}
	for _, c := range dtmf {
		if !strings.ContainsRune("0123456789ABCD*#", c) {
			return e, fmt.Errorf("'%s' is not a DTMF sequence for a menu entry", dtmf)
		}
	}
	for _, a := range pbxSplit(value) {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		name, arg := a, ""
		if i := strings.IndexByte(a, '('); i >= 0 {
			name, arg = a[:i], strings.TrimSuffix(a[i+1:], ")")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		takesArg, ok := menuActions[name]
		if !ok {
			return e, fmt.Errorf("unknown menu action '%s' for DTMF %s", name, dtmf)
		}
		if takesArg && arg == "" {
			return e, fmt.Errorf("menu action %s for DTMF %s needs an argument", name, dtmf)
		}
		e.Actions = append(e.Actions, MenuAction{Name: name, Arg: arg})
	}
	if len(e.Actions) == 0 {
		return e, fmt.Errorf("menu entry %s has no action", dtmf)
	}
	return e, nil
}

// templateOf is the profile a section's template= names (the last one
// that exists, as each such line starts the profile again from it), or
// nil; names that do not exist are warned about, in what's words.
func templateOf[T any](cat *confparse.Category, known map[string]*T, what string, warn warnFunc) *T {
	var t *T
	for _, v := range cat.Vars {
		if !strings.EqualFold(v.Name, "template") {
			continue
		}
		if p := known[strings.ToLower(v.Value)]; p != nil {
			t = p
		} else {
			warn(v, "%s template '%s' does not exist", what, v.Value)
		}
	}
	return t
}

// pbxSplit splits actions on commas outside parentheses.
func pbxSplit(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

type warnFunc func(v *confparse.Variable, format string, args ...any)

// SetBridgeOption applies one option to a bridge profile (confbridge.conf
// or CONFBRIDGE(bridge,option)); it reports false for an unknown option.
func SetBridgeOption(b *BridgeProfile, name, value string) error {
	var err error
	setBridge(b, &confparse.Variable{Name: name, Value: value}, func(_ *confparse.Variable, f string, a ...any) {
		err = fmt.Errorf(f, a...)
	})
	return err
}

func setBridge(b *BridgeProfile, v *confparse.Variable, warn warnFunc) {
	name, val := strings.ToLower(strings.TrimSpace(v.Name)), strings.TrimSpace(v.Value)
	switch {
	case name == "type" || name == "template":
	case name == "max_members":
		b.MaxMembers = uintOpt(v, warn)
	case name == "record_conference":
		b.Record = confparse.True(val)
	case name == "record_file":
		b.RecordFile = val
	case name == "record_options":
		b.RecordOptions = val
	case name == "record_command":
		b.RecordCmd = val
	case name == "record_file_append":
		b.RecordAppend = confparse.True(val)
	case name == "record_file_timestamp":
		b.RecordTimestamp = confparse.True(val)
	case name == "internal_sample_rate":
		switch strings.ToLower(val) {
		case "auto", "":
			b.SampleRate = 0
		default:
			n, err := strconv.Atoi(val)
			if err != nil || (n != 8000 && n != 16000) {
				warn(v, "internal_sample_rate '%s' is not auto, 8000 or 16000 (the rates gostrisk mixes at): auto used", val)
				b.SampleRate = 0
				return
			}
			b.SampleRate = n
		}
	case name == "maximum_sample_rate":
		b.maximumRateText = val
	case name == "mixing_interval":
		n, err := strconv.Atoi(val)
		if err != nil || (n != 10 && n != 20 && n != 40 && n != 80) {
			warn(v, "mixing_interval '%s' is not 10, 20, 40 or 80: 20 used", val)
			n = 20
		}
		b.MixingInterval = time.Duration(n) * time.Millisecond
	case name == "video_mode":
		b.videoMode = val
		if val != "" && !strings.EqualFold(val, "none") {
			warn(v, "video_mode=%s ignored: gostrisk conferences carry audio only", val)
		}
	case name == "language":
		b.Language = val
	case name == "regcontext":
		b.regcontext = val
	case name == "enable_events":
		b.EnableEvents = confparse.True(val)
	case name == "jitterbuffer", name == "binaural_active", name == "video_update_discard",
		name == "remb_send_interval", name == "remb_behavior", name == "remb_estimated_bitrate":
		// Accepted: they change nothing an audio-only mixer does.
		if b.accepted == nil {
			b.accepted = map[string]string{}
		}
		b.accepted[name] = val
	case strings.HasPrefix(name, "sound_"):
		if _, ok := soundOptions[name]; !ok {
			warn(v, "unknown sound option %s", v.Name)
			return
		}
		b.Sounds[name] = val
	default:
		warn(v, "unknown option '%s' in bridge profile '%s'", v.Name, b.Name)
	}
}

// SetUserOption is SetBridgeOption for a user profile.
func SetUserOption(u *UserProfile, name, value string) error {
	var err error
	setUser(u, &confparse.Variable{Name: name, Value: value}, func(_ *confparse.Variable, f string, a ...any) {
		err = fmt.Errorf(f, a...)
	})
	return err
}

func setUser(u *UserProfile, v *confparse.Variable, warn warnFunc) {
	name, val := strings.ToLower(strings.TrimSpace(v.Name)), strings.TrimSpace(v.Value)
	t := confparse.True(val)
	switch name {
	case "type", "template":
	case "admin":
		u.Admin = t
	case "marked":
		u.Marked = t
	case "startmuted":
		u.StartMuted = t
	case "music_on_hold_when_empty":
		u.MusicOnHoldWhenEmpty = t
	case "music_on_hold_class":
		u.MusicClass = val
	case "quiet":
		u.Quiet = t
	case "announce_user_count":
		u.AnnounceUserCount = t
	case "announce_user_count_all":
		switch {
		case t:
			u.AnnounceUserCountAll = 1
		case confparse.False(val):
			u.AnnounceUserCountAll = 0
		default:
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				warn(v, "announce_user_count_all '%s' is not yes, no or a number", val)
				return
			}
			u.AnnounceUserCountAll = n
		}
	case "announce_only_user":
		u.AnnounceOnlyUser = t
	case "announce_join_leave":
		u.AnnounceJoinLeave = t
	case "announce_join_leave_review":
		// One option for two flags in app_confbridge: it sets (or clears)
		// announce_join_leave too.
		u.JoinReview, u.AnnounceJoinLeave = t, t
	case "wait_marked":
		u.WaitMarked = t
	case "end_marked":
		u.EndMarked = t
	case "end_marked_any":
		u.EndMarkedAny = t
	case "dsp_drop_silence":
		u.DropSilence = t
	case "talk_detection_events":
		u.TalkDetection = t
	case "denoise":
		u.Denoise = t
	case "jitterbuffer":
		u.JitterBuffer = t
	case "dtmf_passthrough":
		u.DTMFPassthrough = t
	case "hear_own_join_sound":
		u.HearOwnJoinSound = t
	case "answer_channel":
		u.AnswerChannel = t
	case "pin":
		u.PIN = val
	case "announcement":
		u.Announcement = val
	case "dsp_talking_threshold":
		u.TalkingThreshold = uintOpt(v, warn)
	case "dsp_silence_threshold":
		u.SilenceThreshold = time.Duration(uintOpt(v, warn)) * time.Millisecond
	case "timeout":
		u.Timeout = time.Duration(uintOpt(v, warn)) * time.Second
	case "send_events": // accepted: gostrisk relays no events to the channel
		u.SendEvents = t
	case "echo_events":
		u.EchoEvents = t
	case "text_messaging":
		u.TextMessaging = t
	default:
		warn(v, "unknown option '%s' in user profile '%s'", v.Name, u.Name)
	}
}

func uintOpt(v *confparse.Variable, warn warnFunc) int {
	n, err := strconv.Atoi(strings.TrimSpace(v.Value))
	if err != nil || n < 0 {
		warn(v, "%s '%s' is not a number: ignored", v.Name, v.Value)
		return 0
	}
	return n
}
