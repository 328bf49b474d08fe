package manager

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Config is manager.conf as the manager applies it.
type Config struct {
	Enabled         bool
	Port            int
	BindAddr        string
	DisplayConnects bool
	TimestampEvents bool
	AllowMultiLogin bool
	AuthTimeout     time.Duration
	AuthLimit       int
	HTTPTimeout     int
	WebEnabled      bool // accepted, gostrisk has no HTTP manager
	Debug           bool
	ChannelVars     []string
	Users           []*User
	Missing         bool // there was no manager.conf
}

// User is one [user] section.
type User struct {
	Name            string
	Secret          string
	Read, Write     Perm
	ACL             []ACLRule // deny/permit in order; empty: everyone
	DisplayConnects bool
	AllowMultiLogin bool
	WriteTimeout    time.Duration
	Filters         []*Filter
	SetVars         []string // setvar= lines, name=value
	File            string
	Line            int
}

// ACLRule is one permit= or deny= line.
type ACLRule struct {
	Permit bool
	Prefix netip.Prefix
}

// Allowed applies the rules as Asterisk's ast_apply_ha: the last matching
// rule wins, and the default is permit.
func (u *User) Allowed(addr netip.Addr) bool {
	ok := true
	addr = addr.Unmap()
	for _, r := range u.ACL {
		if r.Prefix.Contains(addr) {
			ok = r.Permit
		}
	}
	return ok
}

// Filter is one eventfilter= line: a regular expression an event's text
// must match (or, with a leading '!', must not).
type Filter struct {
	Text   string
	Negate bool
	Re     *regexp.Regexp
}

// defaultConfig is Asterisk's defaults for [general].
func defaultConfig() *Config {
	return &Config{Port: 5038, BindAddr: "0.0.0.0", DisplayConnects: true, AllowMultiLogin: true,
		AuthTimeout: 30 * time.Second, AuthLimit: 50, HTTPTimeout: 60}
}

// defaultWriteTimeout is a user's writetimeout when not set (ms 100).
const defaultWriteTimeout = 100 * time.Millisecond

// Load turns a parsed manager.conf into a Config; cfg nil (no file) gives
// a disabled manager. Nothing is an error: as Asterisk, bad values are
// skipped with a warning carrying file:line.
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := defaultConfig()
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			loadGeneral(c, cat, warn)
			continue
		}
		u := loadUser(c, cat, warn)
		if c.User(u.Name) != nil {
			warn(cat.File, cat.Line, "Manager user '%s' already defined; this one is ignored", u.Name)
			continue
		}
		c.Users = append(c.Users, u)
	}
	return c, diags
}

type warnFunc func(file string, line int, format string, args ...any)

func loadGeneral(c *Config, cat *confparse.Category, warn warnFunc) {
	for _, v := range cat.Vars {
		val := strings.TrimSpace(v.Value)
		switch strings.ToLower(v.Name) {
		case "enabled":
			c.Enabled = confparse.True(val)
		case "port":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 || n > 65535 {
				warn(v.File, v.Line, "Invalid port number '%s'", val)
				continue
			}
			c.Port = n
		case "bindaddr":
			if _, err := netip.ParseAddr(val); err != nil {
				warn(v.File, v.Line, "Invalid address '%s' specified, default '0.0.0.0' will be used", val)
				continue
			}
			c.BindAddr = val
		case "displayconnects":
			c.DisplayConnects = confparse.True(val)
		case "timestampevents":
			c.TimestampEvents = confparse.True(val)
		case "allowmultiplelogin":
			c.AllowMultiLogin = confparse.True(val)
		case "debug":
			c.Debug = confparse.True(val)
		case "authtimeout":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				warn(v.File, v.Line, "Invalid authtimeout value '%s', using default value", val)
				continue
			}
			c.AuthTimeout = time.Duration(n) * time.Second
		case "authlimit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				warn(v.File, v.Line, "Invalid authlimit value '%s', using default value", val)
				continue
			}
			c.AuthLimit = n
		case "httptimeout":
			if n, err := strconv.Atoi(val); err == nil && n > 0 {
				c.HTTPTimeout = n
			}
		case "channelvars":
			c.ChannelVars = nil
			for _, s := range strings.Split(val, ",") {
				if s = strings.TrimSpace(s); s != "" {
					c.ChannelVars = append(c.ChannelVars, s)
				}
			}
		case "webenabled":
			c.WebEnabled = confparse.True(val)
			if c.WebEnabled {
				warn(v.File, v.Line, "webenabled: gostrisk has no HTTP manager interface; ignored")
			}
		case "tlsenable", "tlsbindaddr", "tlscertfile", "tlsprivatekey", "tlscipher", "tlscafile", "tlscapath", "tlsverifyclient", "tlsdontverifyserver":
			if !strings.EqualFold(v.Name, "tlsenable") || confparse.True(val) {
				warn(v.File, v.Line, "%s: gostrisk's manager has no TLS listener; ignored", v.Name)
			}
		case "block-sockets", "manager_http_debug", "httpbindaddr", "httpbindport", "mwi_polling":
			// accepted without effect: settings of HTTP or of modules gostrisk has not
		default:
			warn(v.File, v.Line, "Invalid keyword <%s> = <%s> in manager.conf [general]", v.Name, val)
		}
	}
}

func loadUser(c *Config, cat *confparse.Category, warn warnFunc) *User {
	u := &User{Name: cat.Name, DisplayConnects: c.DisplayConnects, AllowMultiLogin: c.AllowMultiLogin,
		WriteTimeout: defaultWriteTimeout, File: cat.File, Line: cat.Line}
	perm := func(v *confparse.Variable) Perm {
		p, unknown := ParsePerm(v.Value)
		for _, n := range unknown {
			warn(v.File, v.Line, "Unknown manager class '%s' for user '%s'", n, u.Name)
		}
		return p
	}
	for _, v := range cat.Vars {
		val := strings.TrimSpace(v.Value)
		switch strings.ToLower(v.Name) {
		case "secret":
			u.Secret = val
		case "read":
			u.Read = perm(v)
		case "write":
			u.Write = perm(v)
		case "permit", "deny":
			p, err := parseACL(val)
			if err != nil {
				warn(v.File, v.Line, "Invalid ACL '%s' for manager user '%s': %v", val, u.Name, err)
				continue
			}
			u.ACL = append(u.ACL, ACLRule{Permit: strings.EqualFold(v.Name, "permit"), Prefix: p})
		case "acl":
			warn(v.File, v.Line, "acl=%s: gostrisk has no named ACLs (acl.conf); use permit/deny", val)
		case "displayconnects":
			u.DisplayConnects = confparse.True(val)
		case "allowmultiplelogin":
			u.AllowMultiLogin = confparse.True(val)
		case "writetimeout":
			n, err := strconv.Atoi(val)
			if err != nil || n < 100 {
				warn(v.File, v.Line, "Invalid writetimeout value '%s' at line %d", val, v.Line)
				continue
			}
			u.WriteTimeout = time.Duration(n) * time.Millisecond
		case "eventfilter":
			f, err := parseFilter(val)
			if err != nil {
				warn(v.File, v.Line, "Invalid eventfilter '%s': %v", val, err)
				continue
			}
			u.Filters = append(u.Filters, f)
		case "setvar":
			u.SetVars = append(u.SetVars, val)
		case "channelvars", "timestampevents":
			// per-user settings gostrisk takes from [general]
		default:
			warn(v.File, v.Line, "Invalid keyword <%s> = <%s> in manager.conf [%s]", v.Name, val, u.Name)
		}
	}
	return u
}

// parseACL reads Asterisk's address/mask forms: 10.0.0.0/8,
// 10.0.0.0/255.0.0.0 or a single address.
func parseACL(s string) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(strings.TrimSpace(addr))
	if err != nil {
		return netip.Prefix{}, err
	}
	if !hasMask {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	mask = strings.TrimSpace(mask)
	if n, err := strconv.Atoi(mask); err == nil {
		return a.Prefix(n)
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !m.Is4() {
		return netip.Prefix{}, fmt.Errorf("bad mask %q", mask)
	}
	b := m.As4()
	bits := 0
	for _, x := range b {
		for i := 7; i >= 0; i-- {
			if x&(1<<i) == 0 {
				return a.Prefix(bits)
			}
			bits++
		}
	}
	return a.Prefix(bits)
}

// parseFilter compiles an eventfilter value.
func parseFilter(s string) (*Filter, error) {
	f := &Filter{Text: s}
	if strings.HasPrefix(s, "!") {
		f.Negate = true
		s = s[1:]
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	f.Re = re
	return f, nil
}

// User returns the user called name (case-insensitive, as Asterisk
// looks them up), or nil.
func (c *Config) User(name string) *User {
	if c == nil {
		return nil
	}
	for _, u := range c.Users {
		if strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// passFilters applies a list of event filters the way manager.c does:
// without filters everything passes; with only whitelist filters an event
// must match one; a blacklist filter that matches drops it.
func passFilters(filters []*Filter, text string) bool {
	if len(filters) == 0 {
		return true
	}
	white, matchedWhite := false, false
	for _, f := range filters {
		m := f.Re.MatchString(text)
		if f.Negate {
			if m {
				return false
			}
			continue
		}
		white = true
		if m {
			matchedWhite = true
		}
	}
	return !white || matchedWhite
}
