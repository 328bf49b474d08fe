package parking

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Lot is one parking lot's configuration.
type Lot struct {
	Name             string
	ParkExt          string // "" when the lot has no parking extension
	Context          string // parkedcalls
	Start, Stop      int    // parkpos 701-750
	ParkingTime      time.Duration
	ComebackToOrigin bool
	ComebackContext  string
	ComebackDialTime time.Duration
	MusicClass       string // parkedmusicclass ("" uses the channel's)
	FindNext         bool   // findslot=next (else first)
	ParkExtExclusive bool
	ParkingHints     bool
	CourtesyTone     string
	File             string
	Line             int

	// The DTMF features the retriever (Caller) and the parked call
	// (Callee) get in the bridge of ParkedCall: parkedcalltransfers,
	// parkedcallreparking, parkedcallhangup, parkedcallrecording.
	Transfers, Reparking, Hangup, Recording Parties
	// ParkedPlay is who hears courtesytone when a call is retrieved
	// (parkedplay, default caller: the retriever).
	ParkedPlay Parties

	// Dynamic marks a lot parkeddynamic created for a Park() (dynamic.go).
	Dynamic bool
}

// Config is res_parking's configuration: its lots in file order, the
// default lot first when the file gave none.
type Config struct {
	Dynamic bool // [general] parkeddynamic
	Lots    []*Lot
}

// Lookup returns a lot by name (case-sensitive, as res_parking's
// container is), nil when none.
func (c *Config) Lookup(name string) *Lot {
	if c == nil {
		return nil
	}
	for _, l := range c.Lots {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// DefaultLot is the lot Park uses without a name.
const DefaultLot = "default"

// defaultLot is a lot with res_parking's defaults.
func defaultLot(name string) *Lot {
	return &Lot{
		Name: name, Context: "parkedcalls", Start: 701, Stop: 750,
		ParkedPlay: ByCaller, ParkingTime: 45 * time.Second, ComebackToOrigin: true,
		ComebackContext: "parkedcallstimeout", ComebackDialTime: 30 * time.Second,
	}
}

// known are the lot options res_parking has that gostrisk reads but does
// not act on (no warning for them).
var known = map[string]bool{}

// Parties says which parties of a retrieved call a parked-call feature
// option enables: no, caller (the retriever), callee (the parked call)
// or both.
type Parties uint8

// The parties of a parked-call feature option.
const (
	ByCaller Parties = 1 << iota // the channel running ParkedCall
	ByCallee                     // the parked channel
)

// parseParties reads no/caller/callee/both (ast_false values are no).
func parseParties(val string) (Parties, bool) {
	switch v := strings.ToLower(val); {
	case confparse.False(val):
		return 0, true
	case v == "both":
		return ByCaller | ByCallee, true
	case v == "caller":
		return ByCaller, true
	case v == "callee":
		return ByCallee, true
	}
	return 0, false
}

// Load reads res_parking.conf (nil when missing) and, for the lot named
// default when res_parking.conf does not define it, the parking options
// of features.conf's [general] (the form of Asterisk before 12). Unknown
// options warn with file:line; a bad parkpos is an error.
func Load(resParking, features *confparse.Config) (*Config, confparse.Diagnostics) {
	cfg := &Config{}
	var diags confparse.Diagnostics
	if resParking != nil {
		for _, cat := range resParking.Browse() {
			if cat.Name == "general" {
				for _, v := range cat.Vars {
					if strings.EqualFold(v.Name, "parkeddynamic") {
						cfg.Dynamic = confparse.True(v.Value)
						continue
					}
					diags = append(diags, warn(v, "unknown option '%s' in [general]", v.Name))
				}
				continue
			}
			if cfg.Lookup(cat.Name) != nil {
				diags = append(diags, warn(&confparse.Variable{File: cat.File, Line: cat.Line},
					"parking lot '%s' defined twice: the first one is used", cat.Name))
				continue
			}
			lot := defaultLot(cat.Name)
			lot.File, lot.Line = cat.File, cat.Line
			for _, v := range cat.Vars {
				diags = append(diags, lot.set(v, true)...)
			}
			cfg.Lots = append(cfg.Lots, lot)
		}
	}
	if cfg.Lookup(DefaultLot) == nil {
		lot := defaultLot(DefaultLot)
		lot.ParkExt = "700"
		if features != nil {
			if g := features.Category("general"); g != nil {
				for _, v := range g.Vars {
					diags = append(diags, lot.set(v, false)...)
				}
			}
		}
		cfg.Lots = append([]*Lot{lot}, cfg.Lots...)
	}
	return cfg, diags
}

func warn(v *confparse.Variable, format string, args ...any) confparse.Diagnostic {
	return confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Warning, Message: fmt.Sprintf(format, args...)}
}

// set applies one option; strict (res_parking.conf) warns about options
// that are not parking's, features.conf's [general] has other options of
// its own.
func (l *Lot) set(v *confparse.Variable, strict bool) confparse.Diagnostics {
	val := strings.TrimSpace(v.Value)
	seconds := func() (time.Duration, bool) {
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	bad := func() confparse.Diagnostics {
		return confparse.Diagnostics{warn(v, "invalid value '%s' for '%s' in parking lot '%s'", val, v.Name, l.Name)}
	}
	switch strings.ToLower(v.Name) {
	case "parkext":
		l.ParkExt = val
	case "context", "parkingcontext":
		l.Context = val
	case "parkpos":
		lo, hi, ok := parseRange(val)
		if !ok {
			d := warn(v, "invalid parkpos '%s' in parking lot '%s': want start-stop", val, l.Name)
			d.Severity = confparse.Error
			return confparse.Diagnostics{d}
		}
		l.Start, l.Stop = lo, hi
	case "parkingtime", "parkingtimeout":
		d, ok := seconds()
		if !ok {
			return bad()
		}
		l.ParkingTime = d
	case "comebacktoorigin":
		l.ComebackToOrigin = confparse.True(val)
	case "comebackcontext":
		l.ComebackContext = val
	case "comebackdialtime":
		d, ok := seconds()
		if !ok {
			return bad()
		}
		l.ComebackDialTime = d
	case "parkedmusicclass":
		l.MusicClass = val
	case "findslot":
		switch strings.ToLower(val) {
		case "first":
			l.FindNext = false
		case "next":
			l.FindNext = true
		default:
			return bad()
		}
	case "parkext_exclusive":
		l.ParkExtExclusive = confparse.True(val)
	case "parkinghints", "parkaddhints":
		l.ParkingHints = confparse.True(val)
	case "courtesytone":
		l.CourtesyTone = val
	case "parkedplay":
		p, ok := parseParties(val)
		if !ok {
			return bad()
		}
		l.ParkedPlay = p
	case "parkedcalltransfers", "parkedcallreparking", "parkedcallhangup", "parkedcallrecording":
		p, ok := parseParties(val)
		if !ok {
			return bad()
		}
		switch strings.ToLower(v.Name) {
		case "parkedcalltransfers":
			l.Transfers = p
		case "parkedcallreparking":
			l.Reparking = p
		case "parkedcallhangup":
			l.Hangup = p
		default:
			l.Recording = p
		}
	default:
		if known[strings.ToLower(v.Name)] || !strict {
			return nil
		}
		return confparse.Diagnostics{warn(v, "unknown option '%s' in parking lot '%s'", v.Name, l.Name)}
	}
	return nil
}

// parseRange reads "701-720".
func parseRange(s string) (lo, hi int, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || lo < 0 || hi < lo {
		return 0, 0, false
	}
	return lo, hi, true
}

// Dialplan returns the extensions res_parking adds when it loads: in
// each lot's context its parkext, running Park(lot). The spaces'
// extensions exist only while a call is parked there (Module.Overlay), as
// res_parking adds and removes them. It is a config in extensions.conf's
// grammar for the dialplan builder; nil when no lot has a parkext.
func (c *Config) Dialplan() *confparse.Config {
	var b strings.Builder
	byCtx := map[string][]*Lot{}
	var order []string
	for _, l := range c.Lots {
		if l.ParkExt == "" && !l.ParkingHints {
			continue
		}
		if _, ok := byCtx[l.Context]; !ok {
			order = append(order, l.Context)
		}
		byCtx[l.Context] = append(byCtx[l.Context], l)
	}
	for _, ctx := range order {
		fmt.Fprintf(&b, "[%s]\n", ctx)
		for _, l := range byCtx[ctx] {
			if l.ParkExt != "" {
				fmt.Fprintf(&b, "exten => %s,1,Park(%s)\n", l.ParkExt, l.Name)
			}
			if l.ParkingHints {
				// parkinghints: a hint per space on its device, for BLF.
				for s := l.Start; s <= l.Stop; s++ {
					fmt.Fprintf(&b, "exten => %d,hint,%s\n", s, spaceDevice(s, l.Context))
				}
			}
		}
	}
	if b.Len() == 0 {
		return nil
	}
	cfg, _ := confparse.Parse("res_parking", []byte(b.String()), confparse.Options{})
	return cfg
}
