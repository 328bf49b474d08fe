package funcs

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_srv.c's SRVQUERY and SRVRESULT and func_enum.c's
// TXTCIDNAME, on a net.Resolver (Deps.Resolver; the system's by
// default). Records come in RFC 2782 order (priority, then a weighted
// random pick), as ast_srv_lookup sorts them; host names lose their final
// dot. A lookup waits at most dnsTimeout, and ends if the channel hangs up.

// Resolver is the part of *net.Resolver the DNS functions use.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

const dnsTimeout = 10 * time.Second

type srvKey struct{ service string }

// dnsContext bounds a lookup by dnsTimeout and the channel's life.
func dnsContext(ch *pbx.Channel) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), dnsTimeout)
	if ch != nil {
		go func() {
			select {
			case <-ch.Done():
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

func dnsFuncs(e *pbx.Engine, deps Deps) []pbx.Function {
	resolver := deps.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	// lookup runs the query and keeps its records on the channel under
	// the service name, replacing an earlier query's.
	lookup := func(ch *pbx.Channel, service string) ([]*net.SRV, bool) {
		ctx, cancel := dnsContext(ch)
		defer cancel()
		_, recs, err := resolver.LookupSRV(ctx, "", "", service)
		if err != nil && len(recs) == 0 {
			e.Log().Notice("Error performing lookup of service '%s'\n", service)
			return nil, false
		}
		ch.SetDatastore(srvKey{service}, recs)
		return recs, true
	}
	return []pbx.Function{
		{Name: "SRVQUERY", Synopsis: "Initiate an SRV query.", Syntax: "SRVQUERY(service)",
			Description: "This will do an SRV lookup of the given service (such as _sip._udp.example.com). The result is an identifier for SRVRESULT.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", fmt.Errorf("SRVQUERY cannot be used without a channel")
				}
				if s == "" {
					return "", fmt.Errorf("SRVQUERY requires a service as an argument")
				}
				if _, ok := lookup(ch, s); !ok {
					return "", nil
				}
				return s, nil
			}},
		{Name: "SRVRESULT", Synopsis: "Retrieve results from an SRVQUERY.", Syntax: "SRVRESULT(id,resultnum[,field])",
			Description: "This function will retrieve results from a previous use of the SRVQUERY function. resultnum: the number of the result (from 1), or getnum for how many there are. field: host, port, priority or weight.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", fmt.Errorf("SRVRESULT cannot be used without a channel")
				}
				if s == "" {
					return "", fmt.Errorf("SRVRESULT requires two arguments (id and resultnum)")
				}
				a := args(s)
				id := arg(a, 0)
				recs, ok := ch.Datastore(srvKey{id}).([]*net.SRV)
				if !ok {
					// SRVRESULT before SRVQUERY: the lookup is done now.
					if recs, ok = lookup(ch, id); !ok {
						return "", nil
					}
				}
				if strings.EqualFold(arg(a, 1), "getnum") {
					return strconv.Itoa(len(recs)), nil
				}
				field := arg(a, 2)
				if field == "" {
					return "", errorf("A field must be provided when requesting SRV data")
				}
				n, err := strconv.ParseUint(strings.TrimSpace(arg(a, 1)), 10, 32)
				if err != nil {
					return "", errorf("Invalid value '%s' for resultnum to SRVRESULT", arg(a, 1))
				}
				if n < 1 || int(n) > len(recs) {
					return "", errorf("Failed to get record number %d for SRVRESULT", n)
				}
				r := recs[n-1]
				switch strings.ToLower(field) {
				case "host":
					return strings.TrimSuffix(r.Target, "."), nil
				case "port":
					return strconv.Itoa(int(r.Port)), nil
				case "priority":
					return strconv.Itoa(int(r.Priority)), nil
				case "weight":
					return strconv.Itoa(int(r.Weight)), nil
				}
				return "", fmt.Errorf("Unrecognized SRV field '%s'", field)
			}},
		{Name: "TXTCIDNAME", Synopsis: "TXTCIDNAME looks up a caller name via DNS.", Syntax: "TXTCIDNAME(number[,zone-suffix])",
			Description: "This function looks up the given phone number in DNS to retrieve the caller id name. The result will either be blank or be the value found in the TXT record in DNS. zone-suffix: e164.arpa by default.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if s == "" {
					return "", fmt.Errorf("Syntax: TXTCIDNAME(number[,zone-suffix])")
				}
				a := args(s)
				zone := "e164.arpa"
				if len(a) > 1 {
					zone = a[1]
				}
				ctx, cancel := dnsContext(ch)
				defer cancel()
				txts, err := resolver.LookupTXT(ctx, enumDomain(arg(a, 0), zone))
				if err != nil || len(txts) == 0 {
					return "", nil
				}
				return txts[0], nil
			}},
	}
}

// enumDomain is enum.c's format_numeric_domain: the number's digits
// reversed and dotted, then the zone ("1.2.3.e164.arpa").
func enumDomain(number, zone string) string {
	var b strings.Builder
	for i := len(number) - 1; i >= 0; i-- {
		if c := number[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
			b.WriteByte('.')
		}
	}
	b.WriteString(strings.TrimPrefix(zone, "."))
	return b.String()
}
