package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is func_cdr.c's CDR(): the channel's call detail record as
// pkg/pbx keeps it and the SIP driver writes it to Master.csv.

// cdrReadOnly are the fields Set(CDR(x)=...) refuses (cdr.c's
// cdr_readonly_vars; userfield and accountcode are handled before).
var cdrReadOnly = []string{"clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata",
	"start", "answer", "end", "duration", "billsec", "disposition", "amaflags", "uniqueid", "linkedid",
	"tenantid", "sequence"}

func cdrFuncs(e *pbx.Engine) []pbx.Function {
	return []pbx.Function{{
		Name: "CDR", Synopsis: "Gets or sets a CDR variable.", Syntax: "CDR(name[,options])",
		Description: "All of the CDR field names are read-only, except for accountcode, userfield, and amaflags. You may, however, supply a name not on the above list, and create your own variable, whose value can be changed with this function, and this variable will be stored on the CDR. Options: f - returns billsec or duration fields as floating point values; u - retrieves the raw, unprocessed value (times as epoch seconds).",
		Read: func(ch *pbx.Channel, s string) (string, error) {
			if ch == nil {
				return "", errNoChannel("CDR")
			}
			if s == "" {
				return "", fmt.Errorf("CDR requires a variable (CDR(variable[,option]))")
			}
			a := args(s)
			return cdrRead(e, ch, strings.TrimSpace(a[0]), arg(a, 1)), nil
		},
		Write: func(ch *pbx.Channel, s, value string) error {
			if ch == nil {
				return errNoChannel("CDR")
			}
			a := args(s)
			name := strings.TrimSpace(arg(a, 0))
			if name == "" {
				return fmt.Errorf("CDR requires a variable (CDR(variable)=value)")
			}
			switch strings.ToLower(name) {
			case "accountcode":
				e.Log().Warning("Using the CDR function to set 'accountcode' is deprecated. Please use the CHANNEL function instead.\n")
				ch.SetAccountCode(value)
				return nil
			case "amaflags":
				e.Log().Warning("Using the CDR function to set 'amaflags' is deprecated. Please use the CHANNEL function instead.\n")
				if _, ok := amaFlag(value); !ok {
					return nil // ast_channel_string2amaflag: an unknown name changes nothing
				}
				ch.UpdateCDR(func(c *pbx.CDR) { c.AMAFlags = strings.ToUpper(strings.TrimSpace(value)) })
				return nil
			case "peeraccount":
				return fmt.Errorf("The 'peeraccount' setting is not supported. Please set the 'accountcode' on the appropriate channel using the CHANNEL function.")
			case "userfield":
				ch.UpdateCDR(func(c *pbx.CDR) { c.UserField = value })
				return nil
			}
			for _, ro := range cdrReadOnly {
				if strings.EqualFold(ro, name) {
					return errorf("Attempt to set the '%s' read-only variable!", name)
				}
			}
			setCDRVar(ch, name, value)
			return nil
		},
	}}
}

// setCDRVar replaces (or adds) a custom CDR variable, copying the list.
func setCDRVar(ch *pbx.Channel, name, value string) {
	ch.UpdateCDR(func(c *pbx.CDR) {
		vars := make([]pbx.CDRVar, 0, len(c.Vars)+1)
		for _, v := range c.Vars {
			if !strings.EqualFold(v.Name, name) {
				vars = append(vars, v)
			}
		}
		c.Vars = append(vars, pbx.CDRVar{Name: name, Value: value})
	})
}

// amaFlag maps an AMA flag name to its number (ast_channel_string2amaflag).
func amaFlag(s string) (int, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "OMIT":
		return 1, true
	case "BILLING":
		return 2, true
	case "DOCUMENTATION":
		return 3, true
	}
	return 0, false
}

func cdrRead(e *pbx.Engine, ch *pbx.Channel, name, opts string) string {
	c := ch.CDR()
	raw := strings.Contains(opts, "u")
	float := strings.Contains(opts, "f")
	stamp := func(t time.Time) string {
		if raw {
			if t.IsZero() {
				return "0.000000"
			}
			return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
		}
		if t.IsZero() {
			return ""
		}
		return pbx.Strftime(t, "%Y-%m-%d %H:%M:%S")
	}
	span := func(from time.Time) string {
		if from.IsZero() {
			if float {
				return "0.000000"
			}
			return "0"
		}
		end := c.End
		if end.IsZero() {
			end = time.Now()
		}
		d := end.Sub(from)
		if float {
			return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
		}
		return strconv.FormatInt(int64(d/time.Second), 10)
	}
	cid := ch.CallerID()
	switch strings.ToLower(name) {
	case "clid":
		switch {
		case cid.Name != "" && cid.Num != "":
			return `"` + cid.Name + `" <` + cid.Num + `>`
		case cid.Name != "":
			return `"` + cid.Name + `"`
		}
		return cid.Num
	case "src":
		if cid.Num != "" {
			return cid.Num
		}
		return c.Src
	case "dst":
		return c.Dst
	case "dcontext":
		return c.DContext
	case "channel":
		return ch.Name()
	case "dstchannel":
		if p := ch.Peer(); p != nil {
			return p.Name()
		}
		v, _ := ch.Var("DIALEDPEERNAME")
		return v
	case "lastapp":
		return c.LastApp
	case "lastdata":
		return c.LastData
	case "start":
		return stamp(c.Start)
	case "answer":
		return stamp(c.Answer)
	case "end":
		return stamp(c.End)
	case "duration":
		return span(c.Start)
	case "billsec":
		return span(c.Answer)
	case "disposition":
		d := c.Disposition
		if d == "" {
			if !c.Answer.IsZero() {
				d = "ANSWERED"
			} else {
				d = "NO ANSWER"
			}
		}
		if raw {
			return map[string]string{"NO ANSWER": "0", "FAILED": "1", "BUSY": "2", "ANSWERED": "4", "CONGESTION": "8"}[d]
		}
		return d
	case "amaflags":
		flag := c.AMAFlags
		if flag == "" {
			flag = "DOCUMENTATION"
		}
		if raw {
			n, _ := amaFlag(flag)
			return strconv.Itoa(n)
		}
		return flag
	case "accountcode":
		return ch.AccountCode()
	case "peeraccount":
		if p := ch.Peer(); p != nil {
			return p.AccountCode()
		}
		return ""
	case "uniqueid":
		return ch.UniqueID()
	case "linkedid":
		return ch.LinkedID()
	case "userfield":
		return c.UserField
	case "sequence":
		return ""
	}
	for _, v := range c.Vars {
		if strings.EqualFold(v.Name, name) {
			return v.Value
		}
	}
	return ""
}
