package followme

import (
	"sort"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Number is one number => line: its &-separated numbers are rung together
// when its step comes.
type Number struct {
	Number  string // "6001" or "6001&6002"
	Timeout int    // seconds, 25 by default
	Order   int    // the step; without one, its position in the profile
}

// Prompts are the sound files a profile plays.
type Prompts struct {
	CallFrom, NoRecording, Options, PlsHold, Status, Sorry, Connecting string
}

// Profile is one [id] of followme.conf with [general]'s defaults applied.
type Profile struct {
	Name               string
	MusicClass         string
	Context            string
	EnableCalleePrompt bool
	TakeCall           string
	DeclineCall        string
	Prompts            Prompts
	Numbers            []Number
	File               string
	Line               int
}

// Config is followme.conf.
type Config struct {
	// FeatureDigitTimeout is how long a callee has to press a key once the
	// prompts played (featuredigittimeout, ms, default 5000).
	FeatureDigitTimeout int
	Profiles            map[string]*Profile // by lower-case name
	// Missing: there was no followme.conf.
	Missing bool
}

// Lookup returns the profile named id (case-insensitively).
func (c *Config) Lookup(id string) *Profile {
	if c == nil {
		return nil
	}
	return c.Profiles[strings.ToLower(id)]
}

// Names returns the profile names, sorted.
func (c *Config) Names() []string {
	var out []string
	for _, p := range c.Profiles {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// defaults are app_followme's built-in values, which [general] changes.
func defaults() Profile {
	return Profile{
		MusicClass:         "default",
		EnableCalleePrompt: true,
		TakeCall:           "1",
		DeclineCall:        "2",
		Prompts: Prompts{
			CallFrom:    "followme/call-from",
			NoRecording: "followme/no-recording",
			Options:     "followme/options",
			PlsHold:     "followme/pls-hold-while-try",
			Status:      "followme/status",
			Sorry:       "followme/sorry",
		},
	}
}

// promptField maps a prompt option (both spellings app_followme reads in
// [general], the profile spellings too) to its field.
func promptField(p *Prompts, name string, profile bool) *string {
	name = strings.ToLower(name)
	alias := map[string]*string{
		"call_from_prompt":   &p.CallFrom,
		"norecording_prompt": &p.NoRecording,
		"options_prompt":     &p.Options,
		"pls_hold_prompt":    &p.PlsHold,
		"status_prompt":      &p.Status,
		"sorry_prompt":       &p.Sorry,
		"connecting_prompt":  &p.Connecting,
	}
	if f, ok := alias[name]; ok {
		return f
	}
	if name == "call-from-prompt" {
		return &p.CallFrom
	}
	dashed := strings.ReplaceAll(name, "-", "_")
	if profile {
		// Profiles spell them followme-options-prompt & co.
		dashed = strings.TrimPrefix(dashed, "followme_")
	}
	if f, ok := alias[dashed]; ok && (profile || strings.Contains(name, "-")) {
		return f
	}
	return nil
}

// Load reads followme.conf as reload_followme does. A missing file gives
// no profile (Asterisk: "No follow me config file").
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{FeatureDigitTimeout: 5000, Profiles: map[string]*Profile{}}
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	warn := diags.Warnf
	base := defaults()
	for _, cat := range cfg.Browse() {
		if !strings.EqualFold(cat.Name, "general") {
			continue
		}
		for _, v := range cat.Vars {
			if v.Value == "" {
				continue // app_followme ignores empty [general] values
			}
			switch name := strings.ToLower(v.Name); name {
			case "featuredigittimeout":
				n, err := strconv.Atoi(leadingInt(v.Value))
				if err != nil {
					warn(v.File, v.Line, "featuredigittimeout '%s' is not a number; 5000 is used", v.Value)
					n = 5000
				}
				c.FeatureDigitTimeout = n
			case "enable_callee_prompt":
				base.EnableCalleePrompt = confparse.True(v.Value)
			case "takecall":
				base.TakeCall = v.Value
			case "declinecall":
				base.DeclineCall = v.Value
			default:
				if f := promptField(&base.Prompts, name, false); f != nil {
					*f = v.Value
					continue
				}
				warn(v.File, v.Line, "Unknown option '%s' in [general] of followme.conf", v.Name)
			}
		}
	}
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			continue
		}
		p := base
		p.Numbers = nil
		p.Name, p.File, p.Line = cat.Name, cat.File, cat.Line
		for _, v := range cat.Vars {
			switch name := strings.ToLower(v.Name); name {
			case "number":
				p.Numbers = append(p.Numbers, parseNumber(v.Value, len(p.Numbers)))
			case "musicclass", "musiconhold", "music":
				p.MusicClass = v.Value
			case "context":
				p.Context = v.Value
			case "enable_callee_prompt":
				p.EnableCalleePrompt = confparse.True(v.Value)
			case "takecall":
				p.TakeCall = v.Value
			case "declinecall":
				p.DeclineCall = v.Value
			default:
				if f := promptField(&p.Prompts, name, true); f != nil {
					*f = v.Value
					continue
				}
				warn(v.File, v.Line, "Unknown keyword in profile '%s': %s", cat.Name, v.Name)
			}
		}
		// A later section of the same name replaces the earlier one, as
		// reload_followme re-initialises an existing profile.
		c.Profiles[strings.ToLower(cat.Name)] = &p
	}
	return c, diags
}

// parseNumber reads "number[,timeout[,order]]"; existing is how many
// numbers the profile has so far (the default order is the next one).
func parseNumber(s string, existing int) Number {
	parts := strings.SplitN(s, ",", 3)
	n := Number{Number: strings.TrimSpace(parts[0]), Timeout: 25}
	if len(parts) > 1 {
		n.Timeout, _ = strconv.Atoi(leadingInt(parts[1]))
		if n.Timeout < 0 {
			n.Timeout = 25
		}
		if len(parts) > 2 {
			n.Order, _ = strconv.Atoi(leadingInt(parts[2]))
			if n.Order < 0 {
				n.Order = 0
			}
		}
	}
	if n.Order == 0 {
		n.Order = existing + 1
	}
	return n
}

// leadingInt is the part of s atoi reads.
func leadingInt(s string) string {
	s = strings.TrimSpace(s)
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || (i == 1 && (s[0] == '-' || s[0] == '+')) {
		return "0"
	}
	return s[:i]
}
