package funcs

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_callerid.c's CONNECTEDLINE and REDIRECTING (CALLERID
// is built into pkg/pbx). The connected line is pkg/pbx's; the
// redirecting party's from-number is the caller ID's RDNIS.

type redirectKey struct{}

type redirecting struct {
	fromName, toName, toNum string
	reason                  string
	count                   int
}

var redirectReasons = []string{"unknown", "cfb", "cfnr", "unavailable", "cfu", "time_of_day", "dnd", "deflection",
	"follow_me", "out_of_order", "away", "cf_dte", "send_to_vm"}

var reasonAliases = map[string]string{"user-busy": "cfb", "no-answer": "cfnr", "unconditional": "cfu", "time-of-day": "time_of_day",
	"do-not-disturb": "dnd", "deflection": "deflection", "follow-me": "follow_me", "out-of-service": "out_of_order", "away": "away",
	"unavailable": "unavailable", "send_to_vm": "send_to_vm"}

func calleridFuncs() []pbx.Function {
	return []pbx.Function{
		{Name: "CONNECTEDLINE", Synopsis: "Gets or sets Connected Line data on the channel.", Syntax: "CONNECTEDLINE(datatype[,i])",
			Description: "Gets or sets Connected Line data on the channel. The allowable datatypes are all, name and num (number).",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("CONNECTEDLINE")
				}
				id := ch.Connected()
				item := strings.ToLower(strings.TrimSpace(arg(args(s), 0)))
				switch item {
				case "all":
					return mergeID(id.Name, id.Num), nil
				case "name":
					return id.Name, nil
				case "num", "number":
					return id.Num, nil
				}
				return "", fmt.Errorf("Unknown connectedline data type '%s'.", item)
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("CONNECTEDLINE")
				}
				id := ch.Connected()
				item := strings.ToLower(strings.TrimSpace(arg(args(s), 0)))
				switch item {
				case "all":
					id.Name, id.Num = pbx.ParseCallerID(value)
				case "name":
					id.Name = value
				case "num", "number":
					id.Num = value
				default:
					return fmt.Errorf("Unknown connectedline data type '%s'.", item)
				}
				ch.SetConnected(id)
				return nil
			}},
		{Name: "REDIRECTING", Synopsis: "Gets or sets Redirecting data on the channel.", Syntax: "REDIRECTING(datatype[,i])",
			Description: "Gets or sets Redirecting data on the channel. The allowable datatypes are from-all, from-name, from-num, to-all, to-name, to-num, reason and count.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", errNoChannel("REDIRECTING")
				}
				r, _ := ch.Datastore(redirectKey{}).(redirecting)
				from := ch.CallerID().RDNIS
				item := strings.ToLower(strings.TrimSpace(arg(args(s), 0)))
				switch item {
				case "from-all":
					return mergeID(r.fromName, from), nil
				case "from-name":
					return r.fromName, nil
				case "from-num", "from-number":
					return from, nil
				case "to-all":
					return mergeID(r.toName, r.toNum), nil
				case "to-name":
					return r.toName, nil
				case "to-num", "to-number":
					return r.toNum, nil
				case "reason":
					if r.reason == "" {
						return "unknown", nil
					}
					return r.reason, nil
				case "count":
					return strconv.Itoa(r.count), nil
				}
				return "", fmt.Errorf("Unknown redirecting data type '%s'.", item)
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return errNoChannel("REDIRECTING")
				}
				item := strings.ToLower(strings.TrimSpace(arg(args(s), 0)))
				var err error
				var rdnis *string // set after the datastore update: that holds the channel lock
				ch.UpdateDatastore(redirectKey{}, func(old any) any {
					r, _ := old.(redirecting)
					switch item {
					case "from-all":
						var num string
						r.fromName, num = pbx.ParseCallerID(value)
						rdnis = &num
					case "from-name":
						r.fromName = value
					case "from-num", "from-number":
						rdnis = &value
					case "to-all":
						r.toName, r.toNum = pbx.ParseCallerID(value)
					case "to-name":
						r.toName = value
					case "to-num", "to-number":
						r.toNum = value
					case "reason":
						v := strings.ToLower(strings.TrimSpace(value))
						if a, ok := reasonAliases[v]; ok {
							v = a
						}
						r.reason = "unknown"
						for _, n := range redirectReasons {
							if n == v {
								r.reason = v
							}
						}
						if r.reason != v {
							err = fmt.Errorf("Unknown redirecting reason '%s', defaulting to unknown", value)
						}
					case "count":
						n, convErr := strconv.Atoi(strings.TrimSpace(value))
						if convErr != nil {
							err = fmt.Errorf("Unknown redirecting count '%s', value unchanged", value)
							break
						}
						r.count = n
					default:
						err = fmt.Errorf("Unknown redirecting data type '%s'.", item)
					}
					return r
				})
				if rdnis != nil {
					ch.UpdateCallerID(func(id *pbx.CallerID) { id.RDNIS = *rdnis })
				}
				return err
			}},
	}
}

func mergeID(name, num string) string {
	switch {
	case name != "" && num != "":
		return `"` + name + `" <` + num + `>`
	case name != "":
		return name
	}
	return num
}
