package voicemail

import (
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Defaults of app_voicemail when voicemail.conf leaves an option out.
const (
	DefaultMaxMsg          = 100
	DefaultMaxLogins       = 3
	DefaultSkipMS          = 3000
	DefaultSilenceThresh   = 128
	DefaultPollFreq        = 30
	DefaultMailCmd         = "/usr/sbin/sendmail -t"
	DefaultCharset         = "ISO-8859-1"
	DefaultServerEmail     = "asterisk"
	DefaultEmailDateFormat = "%A, %B %d, %Y at %r"
	// MaxMsgLimit is the highest message number a folder can hold
	// (msg0000 .. msg9998), as in Asterisk.
	MaxMsgLimit = 9999
)

// Zone is one line of [zonemessages]: name => timezone|format.
type Zone struct {
	Name, Timezone, MsgFormat string
}

// MailboxOptions are the settings a mailbox inherits from [general] and may
// override in its own options field (key=value|key=value).
type MailboxOptions struct {
	Attach       bool
	AttachFmt    string
	ServerEmail  string
	FromString   string
	EmailSubject string
	EmailBody    string
	Zone         string // tz=
	Locale       string
	Language     string
	Delete       bool
	SayCID       bool
	SendVM       bool
	Review       bool
	Operator     bool
	Envelope     bool
	MoveHeard    bool
	SayDuration  bool
	SayDurationM int
	ForceName    bool
	ForceGreet   bool
	NextAfterCmd bool
	MessageWrap  bool
	MinSecs      int
	MaxSecs      int
	MaxMsg       int
	ExitContext  string
	Callback     string
	Dialout      string
	VolGain      float64
	HideFromDir  bool
	// LeaveUrgent: a caller may mark the message urgent after
	// recording (leaveurgent=, yes by default as app_voicemail).
	LeaveUrgent bool
}

// User is one mailbox: box => password,Full Name,email,pager,options.
type User struct {
	Context, Mailbox string
	Password         string
	FullName         string
	Email            string
	Pager            string
	MailboxOptions
	// File and Line locate the mailbox's line (password changes are
	// written back there).
	File string
	Line int
	// FromUsersConf: the box comes from users.conf's hasvoicemail.
	FromUsersConf bool
}

// ID is "box@context".
func (u *User) ID() string { return u.Mailbox + "@" + u.Context }

// General is voicemail.conf's [general] besides the mailbox defaults.
type General struct {
	Defaults         MailboxOptions
	Formats          []string // format=, deduplicated, in order; the first is the one played and attached
	MaxSilence       time.Duration
	SilenceThreshold int
	MaxLogins        int
	SkipMS           int
	MaxGreet         int
	MinPassword      int
	MailCmd          string
	Charset          string
	PBXSkip          bool
	EmailDateFormat  string
	PagerDateFormat  string
	PagerFromString  string
	PagerSubject     string
	PagerBody        string
	ExternNotify     string
	ExternPass       string // externpass=: the command that changes passwords instead
	ExternPassNotify string // externpassnotify=: told of changes gostrisk writes itself
	ExternPassCheck  string // externpasscheck=: validates a new password
	PollMailboxes    bool
	PollFreq         time.Duration
	SearchContexts   bool
	PasswordLocation string // "voicemail.conf" or "spooldir"
	// Prompts are the vm-login, vm-password ... overrides, by option name.
	Prompts map[string]string
	// CIDInternalContexts are the contexts whose callers are announced
	// by their mailbox (cidinternalcontexts=).
	CIDInternalContexts []string
	// UsersContext is the context of users.conf's mailboxes (default).
	UsersContext string
	// AliasesContext names the context whose lines are aliases,
	// "alias[@context] => box@context", not mailboxes (aliasescontext=).
	AliasesContext string
	// DirectoryIntro is app_directory's directoryintro= prompt.
	DirectoryIntro string
	// ListenKeys are the listen-control-*-key settings.
	ListenKeys map[string]string
}

// PasswordChange says how a new password is stored, as app_voicemail's
// pwdchange: internal (voicemail.conf, secret.conf or users.conf) unless
// externpass= hands the change to its command alone; cmd is the command
// run after (externpass or externpassnotify), "" for none.
func (g *General) PasswordChange() (internal bool, cmd string) {
	switch {
	case g.ExternPass != "":
		return false, g.ExternPass
	case g.ExternPassNotify != "":
		return true, g.ExternPassNotify
	}
	return true, ""
}

// Config is voicemail.conf as app_voicemail applies it.
type Config struct {
	General General
	Zones   []Zone
	// Users are the mailboxes in file order (Asterisk's list order).
	Users []*User
	byID  map[string]*User
	// aliases maps an alias as dialled ("box" or "box@context") to the
	// mailbox it stands for; aliasesOf is the reverse, for MWI.
	aliases    map[string]string
	aliasRaw   map[string]string // the target as written, for the CLI
	aliasOrder []string
	// EtcDir is astetcdir: the mailbox lines' file names are relative
	// to it (password changes are written there).
	EtcDir string
	// Missing: there was no voicemail.conf.
	Missing bool
}

// Lookup finds box in context ("" means default); nil when unknown. With
// searchcontexts=yes and no context, the first box of that number in any
// context, as Asterisk's find_user does.
func (c *Config) Lookup(context, box string) *User {
	if c == nil {
		return nil
	}
	given := context
	if context == "" {
		if c.General.SearchContexts {
			for _, u := range c.Users {
				if u.Mailbox == box {
					return u
				}
			}
			return c.alias(box, "")
		}
		context = "default"
	}
	if u := c.byID[box+"@"+context]; u != nil {
		return u
	}
	return c.alias(box, given)
}

// alias is find_user's last resort: the aliases context maps the box as
// entered ("box@context" when a context was given, else "box") to a
// mailbox.
func (c *Config) alias(box, context string) *User {
	key := box
	if context != "" {
		key += "@" + context
	}
	target, ok := c.aliases[key]
	if !ok {
		return nil
	}
	return c.byID[target]
}

// Aliases are the aliases context's mappings in file order, as
// [alias, mailbox as written] pairs.
func (c *Config) Aliases() [][2]string {
	var out [][2]string
	for _, a := range c.aliasOrder {
		out = append(out, [2]string{a, c.aliasRaw[a]})
	}
	return out
}

// AliasesOf are the aliases of u, as "box@context" (a bare alias is in
// context default), for the MWI of each.
func (c *Config) AliasesOf(u *User) []string {
	if c == nil {
		return nil
	}
	var ids []string
	for _, a := range c.aliasOrder {
		if c.aliases[a] != u.ID() {
			continue
		}
		if !strings.Contains(a, "@") {
			a += "@default"
		}
		ids = append(ids, a)
	}
	return ids
}

// LookupID finds "box[@context]".
func (c *Config) LookupID(id string) *User {
	box, ctx, _ := strings.Cut(id, "@")
	return c.Lookup(ctx, box)
}

// Zone finds a [zonemessages] entry by name.
func (c *Config) Zone(name string) (Zone, bool) {
	for _, z := range c.Zones {
		if z.Name == name {
			return z, true
		}
	}
	return Zone{}, false
}

// Location is the time zone of the mailbox's messages (its tz= zone's
// timezone), the local zone when it has none or it is unknown.
func (c *Config) Location(u *User) *time.Location {
	if z, ok := c.Zone(u.Zone); ok {
		if loc, err := time.LoadLocation(z.Timezone); err == nil {
			return loc
		}
	}
	return time.Local
}

func defaultGeneral() General {
	return General{
		Defaults: MailboxOptions{
			Attach: true, Envelope: true, MoveHeard: true, SayDurationM: 2,
			MaxMsg: DefaultMaxMsg, ServerEmail: DefaultServerEmail, LeaveUrgent: true,
		},
		Formats:          []string{"wav"},
		SilenceThreshold: DefaultSilenceThresh,
		MaxLogins:        DefaultMaxLogins,
		SkipMS:           DefaultSkipMS,
		MailCmd:          DefaultMailCmd,
		Charset:          DefaultCharset,
		EmailDateFormat:  DefaultEmailDateFormat,
		PagerDateFormat:  DefaultEmailDateFormat,
		PollFreq:         DefaultPollFreq * time.Second,
		PasswordLocation: "voicemail.conf",
		Prompts:          map[string]string{},
		ListenKeys:       map[string]string{},
	}
}

// promptOptions are the [general] options naming prompts to play instead
// of Asterisk's defaults.
var promptOptions = map[string]bool{
	"vm-login": true, "vm-newuser": true, "vm-password": true, "vm-newpassword": true,
	"vm-invalid-password": true, "vm-passchanged": true, "vm-reenterpassword": true,
	"vm-mismatch": true, "vm-pls-try-again": true, "vm-prepend-timeout": true,
}

// unsupportedStorage are the [general] options that select a storage
// back-end gostrisk does not have, and the back-end they select.
var unsupportedStorage = map[string]string{
	"imapserver": "IMAP storage", "odbcstorage": "ODBC storage",
}

// acceptedOptions are [general] options gostrisk reads without effect:
// storage back-ends it does not have (IMAP, ODBC), ADSI and SMDI
// hardware, and queue tuning of Asterisk's task processors.
var acceptedOptions = map[string]bool{
	"odbcstorage": true, "odbctable": true, "odbc_audio_on_disk": true,
	"imapserver": true, "imapport": true, "imapflags": true, "authuser": true, "authpassword": true,
	"expungeonhangup": true, "imapfolder": true, "imapparentfolder": true, "imapgreetings": true,
	"greetingfolder": true, "greetingsfolder": true, "imap_poll_logout": true, "imapreadtimeout": true,
	"imapwritetimeout": true, "imapopentimeout": true, "imapclosetimeout": true,
	"smdienable": true, "smdiport": true, "adsifdn": true, "adsisec": true, "adsiver": true,
	"tps_queue_high": true, "tps_queue_low": true, "backupdeleted": true, "tempgreetwarn": true,
	"forward_urgent_auto": true, "usedirectory": true, "volgain": true,
}

// Load turns a parsed voicemail.conf into a Config; cfg nil (no file)
// gives no mailboxes. Nothing is an error: as app_voicemail, bad values
// are warned about with file:line and the default is used.
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{General: defaultGeneral(), byID: map[string]*User{}, aliases: map[string]string{}, aliasRaw: map[string]string{}}
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	cats := cfg.Browse()
	for _, cat := range cats {
		if strings.EqualFold(cat.Name, "general") {
			for _, v := range cat.Vars {
				c.general(v, warn)
			}
		}
	}
	var aliasVars []*confparse.Variable
	for _, cat := range cats {
		if c.General.AliasesContext != "" && cat.Name == c.General.AliasesContext {
			aliasVars = append(aliasVars, cat.Vars...)
			continue
		}
		switch strings.ToLower(cat.Name) {
		case "general":
			continue
		case "zonemessages":
			for _, v := range cat.Vars {
				tz, format, ok := strings.Cut(v.Value, "|")
				if !ok || strings.TrimSpace(tz) == "" {
					warn(v.File, v.Line, "Invalid timezone definition at line %d", v.Line)
					continue
				}
				c.Zones = append(c.Zones, Zone{Name: v.Name, Timezone: strings.TrimSpace(tz), MsgFormat: format})
			}
			continue
		}
		for _, v := range cat.Vars {
			u := c.user(cat.Name, v, warn)
			if u == nil {
				continue
			}
			if old := c.byID[u.ID()]; old != nil {
				warn(v.File, v.Line, "mailbox %s is already defined at %s:%d; this line replaces it", u.ID(), old.File, old.Line)
				for i, x := range c.Users {
					if x == old {
						c.Users = append(c.Users[:i], c.Users[i+1:]...)
						break
					}
				}
			}
			c.byID[u.ID()] = u
			c.Users = append(c.Users, u)
		}
	}
	c.loadAliases(aliasVars, warn)
	return c, diags
}

// loadAliases reads the aliases context: "alias[@context] => box@context".
// As in app_voicemail, the target is looked up when the alias is used,
// so it may be a mailbox users.conf adds.
func (c *Config) loadAliases(vars []*confparse.Variable, warn warnFunc) {
	for _, v := range vars {
		alias := strings.TrimSpace(v.Name)
		box, ctx, _ := strings.Cut(strings.TrimSpace(v.Value), "@")
		if alias == "" || box == "" {
			warn(v.File, v.Line, "Invalid alias mapping '%s => %s' in [%s]", v.Name, v.Value, c.General.AliasesContext)
			continue
		}
		if ctx == "" {
			ctx = "default"
		}
		if _, dup := c.aliases[alias]; !dup {
			c.aliasOrder = append(c.aliasOrder, alias)
		}
		c.aliases[alias] = box + "@" + ctx
		c.aliasRaw[alias] = strings.TrimSpace(v.Value)
	}
}

type warnFunc func(file string, line int, format string, args ...any)

// user parses one mailbox line of a context.
func (c *Config) user(context string, v *confparse.Variable, warn warnFunc) *User {
	if strings.TrimSpace(v.Name) == "" {
		warn(v.File, v.Line, "mailbox without a number in [%s]", context)
		return nil
	}
	u := &User{Context: context, Mailbox: strings.TrimSpace(v.Name), MailboxOptions: c.General.Defaults, File: v.File, Line: v.Line}
	fields := strings.SplitN(v.Value, ",", 5)
	for len(fields) < 5 {
		fields = append(fields, "")
	}
	u.Password = strings.TrimSpace(fields[0])
	u.FullName = strings.TrimSpace(fields[1])
	u.Email = strings.TrimSpace(fields[2])
	u.Pager = strings.TrimSpace(fields[3])
	for _, opt := range strings.Split(fields[4], "|") {
		if strings.TrimSpace(opt) == "" {
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			warn(v.File, v.Line, "mailbox %s@%s: option '%s' has no value", u.Mailbox, context, strings.TrimSpace(opt))
			continue
		}
		if !applyOption(&u.MailboxOptions, strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val), func(f string, a ...any) {
			warn(v.File, v.Line, f, a...)
		}) {
			warn(v.File, v.Line, "Unknown option '%s' for mailbox %s@%s in voicemail.conf", strings.TrimSpace(key), u.Mailbox, context)
		}
	}
	return u
}

// applyOption sets a mailbox option (the keys of apply_option); false
// when key is not one.
func applyOption(o *MailboxOptions, key, val string, warn func(string, ...any)) bool {
	num := func(dst *int) {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			warn("Invalid value '%s' for %s, using %d", val, key, *dst)
			return
		}
		*dst = n
	}
	switch key {
	case "attach":
		o.Attach = confparse.True(val)
	case "attachfmt":
		o.AttachFmt = val
	case "serveremail":
		o.ServerEmail = val
	case "fromstring":
		o.FromString = val
	case "emailsubject":
		o.EmailSubject = substituteEscapes(val)
	case "emailbody":
		o.EmailBody = substituteEscapes(val)
	case "tz":
		o.Zone = val
	case "locale":
		o.Locale = val
	case "language":
		o.Language = val
	case "delete", "deletevoicemail":
		o.Delete = confparse.True(val)
	case "saycid":
		o.SayCID = confparse.True(val)
	case "sendvoicemail":
		o.SendVM = confparse.True(val)
	case "review":
		o.Review = confparse.True(val)
	case "operator":
		o.Operator = confparse.True(val)
	case "envelope":
		o.Envelope = confparse.True(val)
	case "moveheard":
		o.MoveHeard = confparse.True(val)
	case "sayduration":
		o.SayDuration = confparse.True(val)
	case "saydurationm":
		num(&o.SayDurationM)
	case "forcename":
		o.ForceName = confparse.True(val)
	case "forcegreetings":
		o.ForceGreet = confparse.True(val)
	case "nextaftercmd":
		o.NextAfterCmd = confparse.True(val)
	case "messagewrap":
		o.MessageWrap = confparse.True(val)
	case "minsecs":
		num(&o.MinSecs)
	case "maxsecs", "maxmessage":
		num(&o.MaxSecs)
	case "maxmsg":
		num(&o.MaxMsg)
		if o.MaxMsg > MaxMsgLimit {
			warn("Maximum number of messages per folder is %d. Cannot accept value maxmsg=%s", MaxMsgLimit, val)
			o.MaxMsg = MaxMsgLimit
		}
	case "exitcontext":
		o.ExitContext = val
	case "callback":
		o.Callback = val
	case "dialout":
		o.Dialout = val
	case "volgain":
		if f, err := strconv.ParseFloat(val, 64); err == nil {
			o.VolGain = f
		}
	case "hidefromdir":
		o.HideFromDir = confparse.True(val)
	case "imapserver":
		// A mailbox of its own on an IMAP server: its messages stay in the
		// spool like everyone's, which its owner should hear about.
		warn("imapserver= asks for IMAP storage, which gostrisk does not support: messages are stored in the spool directory")
	case "leaveurgent":
		o.LeaveUrgent = confparse.True(val)
	case "backupdeleted", "passwordlocation", "imapuser", "imapport", "imapflags",
		"imappassword", "imapsecret", "imapfolder", "imapvmshareid", "attachextrecs", "tempgreetwarn":
		// Storage and features gostrisk does not have; accepted.
	default:
		return false
	}
	return true
}

// general applies one [general] option.
func (c *Config) general(v *confparse.Variable, warn warnFunc) {
	g := &c.General
	key, val := strings.ToLower(v.Name), strings.TrimSpace(v.Value)
	num := func(dst *int, what string) {
		n, err := strconv.Atoi(val)
		if err != nil {
			warn(v.File, v.Line, "Invalid %s '%s'", what, val)
			return
		}
		*dst = n
	}
	switch {
	case promptOptions[key]:
		g.Prompts[key] = val
		return
	case strings.HasPrefix(key, "listen-control-") && strings.HasSuffix(key, "-key"):
		g.ListenKeys[key] = val
		return
	case unsupportedStorage[key] != "":
		// Messages are only ever kept in the spool directory: say so
		// rather than let a system that expects IMAP or ODBC storage
		// believe it has it.
		warn(v.File, v.Line, "%s= asks for %s, which gostrisk does not support: messages are stored in the spool directory", v.Name, unsupportedStorage[key])
		return
	case acceptedOptions[key]:
		return
	}
	switch key {
	case "format":
		g.Formats = nil
		seen := map[string]bool{}
		for _, f := range strings.Split(val, "|") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f == "" || seen[f] {
				continue
			}
			seen[f] = true
			g.Formats = append(g.Formats, f)
		}
		if len(g.Formats) == 0 {
			warn(v.File, v.Line, "Failed to reduce format list '%s', using wav", val)
			g.Formats = []string{"wav"}
		}
	case "maxsilence":
		n := 0
		num(&n, "maxsilence")
		g.MaxSilence = time.Duration(n) * time.Second
	case "silencethreshold":
		num(&g.SilenceThreshold, "silencethreshold")
	case "maxlogins":
		num(&g.MaxLogins, "max failed login attempts")
	case "skipms":
		num(&g.SkipMS, "skipms value")
	case "maxgreet":
		num(&g.MaxGreet, "max message greeting length")
	case "minpassword":
		num(&g.MinPassword, "minimum password length")
	case "mailcmd":
		g.MailCmd = val
	case "charset":
		g.Charset = val
	case "pbxskip":
		g.PBXSkip = confparse.True(val)
	case "emaildateformat":
		g.EmailDateFormat = val
	case "pagerdateformat":
		g.PagerDateFormat = val
	case "pagerfromstring":
		g.PagerFromString = val
	case "pagersubject":
		g.PagerSubject = substituteEscapes(val)
	case "pagerbody":
		g.PagerBody = substituteEscapes(val)
	case "userscontext":
		g.UsersContext = val
	case "cidinternalcontexts":
		g.CIDInternalContexts = nil
		for _, c := range strings.Split(val, ",") {
			if c = strings.TrimSpace(c); c != "" {
				g.CIDInternalContexts = append(g.CIDInternalContexts, c)
			}
		}
	case "aliasescontext":
		g.AliasesContext = val
	case "directoryintro":
		g.DirectoryIntro = val
	case "externnotify":
		g.ExternNotify = val
	case "externpass":
		g.ExternPass = val
	case "externpassnotify":
		g.ExternPassNotify = val
	case "externpasscheck":
		g.ExternPassCheck = val
	case "pollmailboxes":
		g.PollMailboxes = confparse.True(val)
	case "pollfreq":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			warn(v.File, v.Line, "'%s' is not a valid value for the pollfreq option!", val)
			return
		}
		g.PollFreq = time.Duration(n) * time.Second
	case "searchcontexts":
		g.SearchContexts = confparse.True(val)
	case "passwordlocation":
		if strings.EqualFold(val, "spooldir") {
			g.PasswordLocation = "spooldir"
		} else {
			g.PasswordLocation = "voicemail.conf"
		}
	case "maxmsg":
		num(&g.Defaults.MaxMsg, "number of messages per folder")
		if g.Defaults.MaxMsg < 0 {
			g.Defaults.MaxMsg = DefaultMaxMsg
		}
		if g.Defaults.MaxMsg > MaxMsgLimit {
			warn(v.File, v.Line, "Maximum number of messages per folder is %d. Cannot accept value maxmsg=%s", MaxMsgLimit, val)
			g.Defaults.MaxMsg = MaxMsgLimit
		}
	default:
		if !applyOption(&g.Defaults, key, val, func(f string, a ...any) { warn(v.File, v.Line, f, a...) }) {
			warn(v.File, v.Line, "Unknown option '%s' in [general] section of voicemail.conf", v.Name)
		}
	}
}

// substituteEscapes turns the \n, \r and \t written in emailbody and
// emailsubject into the characters, as app_voicemail does.
func substituteEscapes(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(s[i+1])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
