package funcs

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_enum.c's ENUMLOOKUP, ENUMQUERY and ENUMRESULT on
// enum.c's rules: the NAPTRs of the number's domain whose flags are "u"
// and whose service names the method (E2U+sip, or ALL), the regexp of
// each applied to the number, ordered by order then preference. Options
// c (count), u (keep the URI scheme) and d (the number as the domain,
// not reversed) are supported; s (ISN) and i (infrastructure ENUM) are
// not and say so.

// enumRR is one usable NAPTR: its URI and the method it serves.
type enumRR struct {
	order, pref uint16
	uri, tech   string
}

type enumKey struct{ id string }

// enumResolve looks number up and returns the records serving tech (all
// with "ALL"), sorted.
func enumResolve(e *pbx.Engine, r NAPTRResolver, ch *pbx.Channel, number, tech, zone string, direct bool) []enumRR {
	input := number
	digits := strings.TrimPrefix(number, "+")
	domain := enumDomain(digits, zone)
	if direct {
		domain = digits + "." + strings.TrimPrefix(zone, ".")
	}
	ctx, cancel := dnsContext(ch)
	defer cancel()
	recs, err := r.LookupNAPTR(ctx, domain)
	if err != nil {
		return nil
	}
	var out []enumRR
	for _, rec := range recs {
		uri, rtech, err := naptrURI(rec, input)
		if err != nil {
			e.Log().Warning("%v\n", err)
			continue
		}
		if uri == "" || !strings.EqualFold(tech, "ALL") && !strings.EqualFold(rtech, tech) {
			continue
		}
		out = append(out, enumRR{rec.Order, rec.Preference, uri, rtech})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].order != out[j].order {
			return out[i].order < out[j].order
		}
		return out[i].pref < out[j].pref
	})
	return out
}

// naptrURI applies a NAPTR to the number as enum.c's parse_naptr does:
// the method from "E2U+method" (or the old "method+E2U"), the regexp's
// pattern matched (POSIX extended, i flag) and its \0-\9 substituted.
func naptrURI(r NAPTR, input string) (uri, tech string, err error) {
	if !strings.HasPrefix(strings.ToLower(r.Flags), "u") {
		return "", "", fmt.Errorf("NAPTR Flag must be 'U' or 'u'.")
	}
	svc := r.Services
	if i := strings.Index(strings.ToLower(svc), "e2u+"); i >= 0 {
		tech = svc[i+4:]
		if j := strings.IndexByte(tech, ':'); j >= 0 {
			tech = tech[j+1:]
		}
	} else if i := strings.Index(strings.ToLower(svc), "+e2u"); i >= 0 {
		tech = svc[:i]
		if j := strings.IndexByte(tech, ':'); j >= 0 {
			tech = tech[:j]
		}
	}
	re := r.Regexp
	if len(re) < 7 {
		return "", "", fmt.Errorf("Regex too short to be meaningful.")
	}
	delim := re[0]
	body := re[1:]
	icase := false
	switch {
	case strings.HasSuffix(body, string(delim)+"i"):
		icase, body = true, body[:len(body)-2]
	case strings.HasSuffix(body, string(delim)):
		body = body[:len(body)-1]
	default:
		return "", "", fmt.Errorf("Regex delimiter error (on \"%s\").", re)
	}
	pattern, subst, ok := strings.Cut(body, string(delim))
	if !ok {
		return "", "", fmt.Errorf("Regex delimiter error (on \"%s\").", re)
	}
	if icase {
		pattern = "(?i)" + pattern
	}
	rx, cerr := regexp.Compile(pattern)
	if cerr != nil {
		return "", "", fmt.Errorf("NAPTR Regex compilation error (regex = \"%s\").", re)
	}
	m := rx.FindStringSubmatchIndex(input)
	if m == nil {
		return "", "", fmt.Errorf("NAPTR Regex match failed. Reason: No match")
	}
	var b strings.Builder
	for i := 0; i < len(subst); i++ {
		c := subst[i]
		if c == '\\' && i+1 < len(subst) && subst[i+1] >= '0' && subst[i+1] <= '9' {
			k := int(subst[i+1] - '0')
			if 2*k+1 < len(m) && m[2*k] >= 0 {
				b.WriteString(input[m[2*k]:m[2*k+1]])
			}
			i++
			continue
		}
		if c < 0x20 || c > 0x7e {
			return "", "", fmt.Errorf("Error during regex substitution.")
		}
		b.WriteByte(c)
	}
	return b.String(), tech, nil
}

// stripScheme drops "sip:" unless the method is ALL or u was asked for.
func stripScheme(uri, tech string, keep bool) string {
	if i := strings.IndexByte(uri, ':'); i >= 0 && !keep && !strings.EqualFold(tech, "ALL") {
		return uri[i+1:]
	}
	return uri
}

func enumFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	var resolver NAPTRResolver = systemNAPTR{resolvConf: "/etc/resolv.conf"}
	if deps.NAPTR != nil {
		resolver = deps.NAPTR
	}
	var nextID atomic.Uint32
	const synopsis = "Syntax: ENUMLOOKUP(number[,Method-type[,options[,record#[,zone-suffix]]]])"
	return []pbx.Function{
		{Name: "ENUMLOOKUP", Synopsis: "General or specific querying of NAPTR records for ENUM or ENUM-like DNS pointers.",
			Syntax:      "ENUMLOOKUP(number[,method-type[,options[,record#[,zone-suffix]]]])",
			Description: "method-type: sip (the default), iax2, h323, tel, ALL. options: c - the count of NAPTRs of that type (all with ALL); u - the full URI, scheme kept; d - a direct DNS lookup without any flipping of digits (s and i are not supported by gostrisk). record#: which one, from 1. zone-suffix: e164.arpa by default.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("%s", synopsis)
				}
				a := args(s)
				number := strings.ReplaceAll(arg(a, 0), "-", "")
				tech := arg(a, 1)
				if tech == "" {
					tech = "sip"
				}
				opts := arg(a, 2)
				record := 1
				if n, err := strconv.Atoi(leadingInt(arg(a, 3))); err == nil && n != 0 {
					record = n
				}
				zone := "e164.arpa"
				if len(a) > 4 {
					zone = a[4]
				}
				if strings.ContainsAny(opts, "si") {
					e.Log().Warning("ENUMLOOKUP options s (ISN) and i (infrastructure ENUM) are not supported\n")
				}
				rrs := enumResolve(e, resolver, ch, number, tech, zone, strings.Contains(opts, "d"))
				if strings.Contains(opts, "c") {
					return strconv.Itoa(len(rrs)), nil
				}
				if record < 1 || record > len(rrs) {
					return "", nil
				}
				return stripScheme(rrs[record-1].uri, tech, strings.Contains(opts, "u")), nil
			}},
		{Name: "ENUMQUERY", Synopsis: "Initiate an ENUM query.", Syntax: "ENUMQUERY(number[,method-type[,zone-suffix]])",
			Description: "This will do a ENUM lookup of the given phone number. The result is an identifier for ENUMRESULT.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("ENUMQUERY requires at least a number as an argument...")
				}
				if ch == nil {
					return "", errorf("ENUMQUERY cannot be used without a channel!")
				}
				a := args(s)
				tech := arg(a, 1)
				if tech == "" {
					tech = "sip"
				}
				zone := "e164.arpa"
				if len(a) > 2 {
					zone = a[2]
				}
				id := strconv.FormatUint(uint64(nextID.Add(1)-1), 10)
				ch.SetDatastore(enumKey{id}, enumResolve(e, resolver, ch, arg(a, 0), tech, zone, false))
				return id, nil
			}},
		{Name: "ENUMRESULT", Synopsis: "Retrieve results from a ENUMQUERY.", Syntax: "ENUMRESULT(id,resultnum)",
			Description: "This function will retrieve results from a previous use of the ENUMQUERY function. resultnum: the number of the result, or getnum for the count.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("ENUMRESULT requires two arguments (id and resultnum)")
				}
				if ch == nil {
					return "", errorf("ENUMRESULT can not be used without a channel!")
				}
				a := args(s)
				id, num := arg(a, 0), arg(a, 1)
				if id == "" {
					return "", errorf("A result ID must be provided to ENUMRESULT")
				}
				if num == "" {
					return "", errorf("A result number must be given to ENUMRESULT!")
				}
				rrs, ok := ch.Datastore(enumKey{id}).([]enumRR)
				if !ok {
					return "", fmt.Errorf("No ENUM results found for query id!")
				}
				if strings.EqualFold(num, "getnum") {
					return strconv.Itoa(len(rrs)), nil
				}
				n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 32)
				if err != nil {
					return "", errorf("Invalid value '%s' for resultnum to ENUMRESULT!", num)
				}
				if n == 0 || int(n) > len(rrs) {
					return "", fmt.Errorf("Result number %d is not valid for ENUM query results for ID %s!", n, id)
				}
				rr := rrs[n-1]
				return stripScheme(rr.uri, rr.tech, false), nil
			}},
	}
}
