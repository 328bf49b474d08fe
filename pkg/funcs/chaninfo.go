package funcs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_channel.c's CHANNELS, CHANNEL_EXISTS and
// MASTER_CHANNEL, func_cdr.c's CDR_PROP and
// func_sysinfo.c's SYSINFO.

func chanInfoFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{
		{Name: "CHANNELS", Synopsis: "Gets the list of channels, optionally filtering by a regular expression.", Syntax: "CHANNELS([regular_expression])",
			Description: "Gets the list of channels, optionally filtering by a regular expression (which must match any part of the channel name, case-insensitively). The returned list is space-delimited.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				var re *regexp.Regexp
				if s != "" {
					var err error
					if re, err = regexp.Compile("(?i)" + s); err != nil {
						return "", fmt.Errorf("Error compiling regular expression for CHANNELS(%s): %v", s, err)
					}
				}
				var names []string
				for _, c := range e.Channels() {
					if re == nil || re.MatchString(c.Name()) {
						names = append(names, c.Name())
					}
				}
				return strings.Join(names, " "), nil
			}},
		{Name: "CHANNEL_EXISTS", Synopsis: "Checks if the specified channel exists.", Syntax: "CHANNEL_EXISTS(name_or_uid)",
			Description: "Checks if the specified channel exists (by its name or its unique ID). Returns 1 if it does, 0 otherwise.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("CHANNEL_EXISTS: Channel name or unique ID required")
				}
				_, ok := channelByName(e, s)
				return boolStr(ok), nil
			}},
		{Name: "MASTER_CHANNEL", Synopsis: "Gets or sets variables on the master channel", Syntax: "MASTER_CHANNEL(expr)",
			Description: "Allows access to the oldest channel associated with the current channel if it still exists. This channel is determined by the linkedid of the current channel, so this could be a nested reference.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("MASTER_CHANNEL")
				}
				return e.Substitute(masterOf(e, ch), "${"+s+"}"), nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("MASTER_CHANNEL")
				}
				m := masterOf(e, ch)
				if strings.HasSuffix(s, ")") {
					return e.Assign(m, s, value)
				}
				m.SetVar(s, value)
				return nil
			}},
		{Name: "CDR_PROP", Synopsis: "Set a property on a channel's CDR.", Syntax: "CDR_PROP(property)",
			Description: "This function sets a property on a channel's CDR. Properties: party_a (not supported by gostrisk: a warning says so), disable - disable CDRs for this channel (true/false).",
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("CDR_PROP")
				}
				if s == "" {
					return fmt.Errorf("CDR_PROP requires a variable (CDR_PROP(variable)=value)")
				}
				if value == "" {
					return fmt.Errorf("CDR_PROP requires a value (CDR_PROP(variable)=value)")
				}
				prop := arg(args(s), 0)
				switch {
				case strings.EqualFold(prop, "disable"):
					on := confparse.True(value)
					ch.UpdateCDR(func(r *pbx.CDR) { r.Disabled = on })
					return nil
				case strings.EqualFold(prop, "party_a"):
					return fmt.Errorf("CDR_PROP(party_a) is not supported: the caller stays party A of %s's records", ch.Name())
				}
				return fmt.Errorf("Unknown option %s used with CDR_PROP", prop)
			}},
		{Name: "SYSINFO", Synopsis: "Returns system information specified by parameter.", Syntax: "SYSINFO(parameter)",
			Description: "Returns information from a given parameter: loadavg, numcalls, uptime (hours), totalram, freeram, bufferram, totalswap, freeswap (KiB), numprocs.",
			Read:        func(_ *pbx.Channel, s string) (string, error) { return sysInfo(e, s) }},
	}
}

// masterOf is the channel whose unique id is ch's linked id (the oldest
// of the call), or ch itself when it is gone.
func masterOf(e *pbx.Engine, ch *pbx.Channel) *pbx.Channel {
	id := ch.LinkedID()
	if id == "" || id == ch.UniqueID() {
		return ch
	}
	if m, ok := channelByName(e, id); ok {
		return m
	}
	return ch
}

func sysInfo(e *pbx.Engine, s string) (string, error) {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return "", errorf("FAILED to retrieve system information")
	}
	kib := func(v uint64) string { return strconv.FormatUint(v*uint64(si.Unit)/1024, 10) }
	switch strings.ToLower(s) {
	case "":
		return "", fmt.Errorf("Syntax: ${SYSINFO(<parameter>)} - missing argument!)")
	case "loadavg":
		// the kernel's fixed point (SI_LOAD_SHIFT 16), what getloadavg reads
		return strconv.FormatFloat(float64(si.Loads[0])/65536, 'f', 6, 64), nil
	case "numcalls":
		return strconv.Itoa(e.ActiveCalls()), nil
	case "uptime":
		return strconv.FormatInt(int64(si.Uptime)/3600, 10), nil
	case "totalram":
		return kib(uint64(si.Totalram)), nil
	case "freeram":
		return kib(uint64(si.Freeram)), nil
	case "bufferram":
		return kib(uint64(si.Bufferram)), nil
	case "totalswap":
		return kib(uint64(si.Totalswap)), nil
	case "freeswap":
		return kib(uint64(si.Freeswap)), nil
	case "numprocs":
		return strconv.Itoa(int(si.Procs)), nil
	}
	return "", errorf("Unknown sysinfo parameter type '%s'.", s)
}
