package funcs

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_version.c's VERSION and func_module.c's IFMODULE.

func versionFuncs(deps Deps) []pbx.Function {
	return []pbx.Function{{
		Name: "VERSION", Synopsis: "Return the Version info for this Asterisk.", Syntax: "VERSION([info])",
		Description: "If there are no arguments, return the version of Asterisk in this format: 18.X.X. info may be ASTERISK_VERSION_NUM (180900), BUILD_USER, BUILD_HOSTNAME, BUILD_MACHINE, BUILD_KERNEL, BUILD_OS or BUILD_DATE.",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			switch strings.TrimSpace(s) {
			case "":
				return deps.Version, nil
			case "ASTERISK_VERSION_NUM":
				return versionNum(deps.Version), nil
			case "BUILD_MACHINE":
				if v, ok := deps.BuildInfo[s]; ok {
					return v, nil
				}
				return runtime.GOARCH, nil
			case "BUILD_OS":
				if v, ok := deps.BuildInfo[s]; ok {
					return v, nil
				}
				return runtime.GOOS, nil
			case "BUILD_USER", "BUILD_HOSTNAME", "BUILD_KERNEL", "BUILD_DATE":
				return deps.BuildInfo[s], nil
			}
			return "", nil // Asterisk returns nothing for an unknown item, silently
		},
	}}
}

// versionNum turns "18.9.0" into "180900" (ASTERISK_VERSION_NUM).
func versionNum(v string) string {
	parts := strings.SplitN(v, ".", 3)
	n := 0
	for i := 0; i < 3; i++ {
		x := 0
		if i < len(parts) {
			x, _ = strconv.Atoi(leadingInt(parts[i]))
		}
		n = n*100 + x
	}
	return strconv.Itoa(n)
}

func moduleFuncs(deps Deps) []pbx.Function {
	return []pbx.Function{{
		Name: "IFMODULE", Synopsis: "Checks if an Asterisk module is loaded in memory.", Syntax: "IFMODULE(modulename.so)",
		Description: "Checks if a module is loaded. Use the full module name as shown by the list in module list. Returns 1 if module exists in memory, otherwise 0",
		Read: func(_ *pbx.Channel, s string) (string, error) {
			if s == "" || deps.ModuleLoaded == nil {
				return "0", nil
			}
			return boolStr(deps.ModuleLoaded(strings.TrimSpace(s))), nil
		},
	}}
}

func dbFuncs(deps Deps) []pbx.Function {
	return []pbx.Function{{
		Name: "BLACKLIST", Synopsis: "Check if the callerid is on the blacklist.", Syntax: "BLACKLIST()",
		Description: "Uses astdb to check if the Caller*ID is in family blacklist. Returns 1 or 0.",
		Read: func(ch *pbx.Channel, _ string) (string, error) {
			if ch == nil {
				return "", errNoChannel("BLACKLIST")
			}
			if deps.DB == nil {
				return "0", nil // no astdb module: nobody is on the list
			}
			id := ch.CallerID()
			if id.Num != "" {
				if _, ok := deps.DB.Get("blacklist", id.Num); ok {
					return "1", nil
				}
			}
			if id.Name != "" {
				if _, ok := deps.DB.Get("blacklist", id.Name); ok {
					return "1", nil
				}
			}
			return "0", nil
		},
	}}
}

func sipFuncs(deps Deps) []pbx.Function {
	fs := []pbx.Function{{
		Name: "SIP_HEADER", Synopsis: "Gets the specified SIP header from an incoming INVITE message.", Syntax: "SIP_HEADER(name[,number])",
		Description: "Since there are several headers (such as Via) which can occur multiple times, SIP_HEADER takes an optional second argument to specify which header with that name to retrieve. Headers start at offset 1. This function does not access headers from the REFER message if the call was transferred.",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", errNoChannel("SIP_HEADER")
			}
			a := args(s)
			name := strings.TrimSpace(arg(a, 0))
			n := 1
			if v := strings.TrimSpace(arg(a, 1)); v != "" {
				if x, err := strconv.Atoi(v); err == nil && x > 0 {
					n = x
				}
			}
			r, ok := ch.Driver().(SIPHeaderReader)
			if !ok || ch.Driver() == nil {
				return "", fmt.Errorf("This function can only be used on SIP channels.")
			}
			v, _ := r.SIPHeader(name, n)
			return v, nil
		},
	}}
	sipOf := func() SIP {
		if deps.SIP == nil {
			return nil
		}
		return deps.SIP()
	}
	return append(fs,
		pbx.Function{Name: "SIPPEER", Synopsis: "Gets SIP peer information.", Syntax: "SIPPEER(peername[,item])",
			Description: "item may be ip (the default), port, status, mailbox, context, expire, dynamic, callerid_name, callerid_num, callgroup, pickupgroup, namedcallgroup, namedpickupgroup, codecs, useragent, regexten, limit, busylimit, curcalls, language, accountcode, chanvar[name], codec[x].",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				sip := sipOf()
				if sip == nil {
					return "", nil
				}
				peer, item, _ := strings.Cut(s, ",")
				if item == "" {
					item = "ip"
				}
				v, known, _ := sip.PeerItem(strings.TrimSpace(peer), strings.TrimSpace(item))
				if !known {
					return "", nil // chan_sip returns nothing for an unknown peer, without a warning
				}
				return v, nil
			}},
		pbx.Function{Name: "CHECKSIPDOMAIN", Synopsis: "Checks if domain is a local domain.", Syntax: "CHECKSIPDOMAIN(domain)",
			Description: "This function checks if the domain in the argument is configured as a local SIP domain that this Asterisk server is configured to handle. Returns the domain name if it is locally handled, otherwise an empty string. Check the domain= configuration in sip.conf.",
			Read: func(_ *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("CHECKSIPDOMAIN requires an argument - A domain name")
				}
				sip := sipOf()
				if sip == nil {
					return "", nil
				}
				if local, _ := sip.IsLocalDomain(s); local {
					return s, nil
				}
				return "", nil
			}})
}
