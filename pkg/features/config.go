package features

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// General is features.conf's [general] (the transfer and pickup part;
// its old parking options belong to pkg/parking).
type General struct {
	FeatureDigitTimeout   time.Duration // 1000 ms
	TransferDigitTimeout  time.Duration // 3 s
	AtxferNoAnswerTimeout time.Duration // 15 s
	AtxferDropCall        bool
	AtxferLoopDelay       time.Duration // 10 s
	AtxferCallbackRetries int           // 2
	AtxferAbort           string        // *1
	AtxferComplete        string        // *2
	AtxferThreeway        string        // *3
	AtxferSwap            string        // *4
	XferSound             string        // beep
	XferFailSound         string        // beeperr
	CourtesyTone          string
	RecordingFailSound    string
	PickupExten           string // *8
	PickupSound           string
	PickupFailSound       string
	TransferDialAttempts  int
	TransferRetrySound    string
	TransferInvalidSound  string
	TransferAnnounceSound string
}

// FeatureMap is [featuremap]: the DTMF code of each built-in feature, ""
// when it has none.
type FeatureMap struct {
	BlindXfer, AtXfer, Disconnect, ParkCall, AutoMon, AutoMixMon string
}

// AppItem is one [applicationmap] line: name => dtmf,activate_on,App(data)[,moh].
type AppItem struct {
	Name, DTMF string
	OnSelf     bool // activate_on self/caller, else peer/callee
	App, Data  string
	MOHClass   string
}

// Config is features.conf.
type Config struct {
	General    General
	FeatureMap FeatureMap
	AppMap     []AppItem
	// Groups are [featuregroups] items by group, in file order.
	Groups []Group
}

// Group is one feature group of [featuregroups].
type Group struct {
	Name  string
	Items []GroupItem
}

// GroupItem is a group's applicationmap item, with its own code if given.
type GroupItem struct{ Name, DTMF string }

// Defaults are Asterisk 18's.
func Defaults() *Config {
	return &Config{
		General: General{
			FeatureDigitTimeout: time.Second, TransferDigitTimeout: 3 * time.Second,
			AtxferNoAnswerTimeout: 15 * time.Second, AtxferLoopDelay: 10 * time.Second, AtxferCallbackRetries: 2,
			AtxferAbort: "*1", AtxferComplete: "*2", AtxferThreeway: "*3", AtxferSwap: "*4",
			XferSound: "beep", XferFailSound: "beeperr", PickupExten: "*8",
			TransferDialAttempts: 3, TransferRetrySound: "pbx-invalid",
			TransferInvalidSound: "privacy-incorrect", TransferAnnounceSound: "pbx-transfer",
		},
		FeatureMap: FeatureMap{BlindXfer: "#", Disconnect: "*"},
	}
}

// Built-in defaults `features show` prints in its Default column.
var defaultMap = Defaults().FeatureMap

// parkingOptions are [general] options pkg/parking reads.
var parkingOptions = map[string]bool{
	"context": true, "parkext": true, "parkext_exclusive": true, "parkinghints": true, "parkedmusicclass": true,
	"parkingtime": true, "parkpos": true, "findslot": true, "parkedcalltransfers": true, "parkedcallreparking": true,
	"parkedcallhangup": true, "parkedcallrecording": true, "comebacktoorigin": true, "comebackcontext": true,
	"comebackdialtime": true, "parkedplay": true, "parkingcontext": true, "courtesytone": false,
}

// Load reads features.conf (nil: the defaults). Unknown options warn
// with file:line, as do bad values (the default stays).
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := Defaults()
	var diags confparse.Diagnostics
	if cfg == nil {
		return c, nil
	}
	warn := func(v *confparse.Variable, format string, args ...any) {
		diags = append(diags, confparse.Diagnostic{File: v.File, Line: v.Line, Severity: confparse.Warning, Message: fmt.Sprintf(format, args...)})
	}
	for _, cat := range cfg.Browse() {
		switch strings.ToLower(cat.Name) {
		case "general":
			for _, v := range cat.Vars {
				if !c.General.set(v) && !parkingOptions[strings.ToLower(v.Name)] {
					warn(v, "unknown option '%s' in [general] of features.conf", v.Name)
				}
			}
		case "featuremap":
			for _, v := range cat.Vars {
				val := strings.TrimSpace(v.Value)
				switch strings.ToLower(v.Name) {
				case "blindxfer":
					c.FeatureMap.BlindXfer = val
				case "atxfer":
					c.FeatureMap.AtXfer = val
				case "disconnect":
					c.FeatureMap.Disconnect = val
				case "parkcall":
					c.FeatureMap.ParkCall = val
				case "automon":
					c.FeatureMap.AutoMon = val
				case "automixmon":
					c.FeatureMap.AutoMixMon = val
				default:
					warn(v, "unknown feature '%s' in [featuremap]", v.Name)
				}
			}
		case "applicationmap":
			for _, v := range cat.Vars {
				item, err := parseAppItem(v.Name, v.Value)
				if err != nil {
					warn(v, "%v", err)
					continue
				}
				c.AppMap = append(c.AppMap, item)
			}
		default:
			// Any other section is a feature group.
			g := Group{Name: cat.Name}
			for _, v := range cat.Vars {
				g.Items = append(g.Items, GroupItem{Name: v.Name, DTMF: strings.TrimSpace(v.Value)})
			}
			c.Groups = append(c.Groups, g)
		}
	}
	return c, diags
}

// set applies one [general] option; false when it is not one.
func (g *General) set(v *confparse.Variable) bool {
	val := strings.TrimSpace(v.Value)
	ms := func(d *time.Duration, unit time.Duration) {
		if n, err := strconv.Atoi(val); err == nil && n >= 0 {
			*d = time.Duration(n) * unit
		}
	}
	switch strings.ToLower(v.Name) {
	case "featuredigittimeout":
		ms(&g.FeatureDigitTimeout, time.Millisecond)
	case "transferdigittimeout":
		ms(&g.TransferDigitTimeout, time.Second)
	case "atxfernoanswertimeout":
		ms(&g.AtxferNoAnswerTimeout, time.Second)
	case "atxferdropcall":
		g.AtxferDropCall = confparse.True(val)
	case "atxferabort":
		g.AtxferAbort = val
	case "atxfercomplete":
		g.AtxferComplete = val
	case "atxferthreeway":
		g.AtxferThreeway = val
	case "atxferswap":
		g.AtxferSwap = val
	case "xfersound":
		g.XferSound = val
	case "xferfailsound":
		g.XferFailSound = val
	case "courtesytone":
		g.CourtesyTone = val
	case "pickupexten":
		g.PickupExten = val
	case "pickupsound":
		g.PickupSound = val
	case "pickupfailsound":
		g.PickupFailSound = val
	case "transferdialattempts":
		if n, err := strconv.Atoi(val); err == nil && n > 0 {
			g.TransferDialAttempts = n
		}
	case "transferretrysound":
		g.TransferRetrySound = val
	case "transferinvalidsound":
		g.TransferInvalidSound = val
	case "transferannouncesound":
		g.TransferAnnounceSound = val
	case "recordingfailsound":
		g.RecordingFailSound = val
	case "atxferloopdelay":
		ms(&g.AtxferLoopDelay, time.Second)
	case "atxfercallbackretries":
		if n, err := strconv.Atoi(val); err == nil && n >= 0 {
			g.AtxferCallbackRetries = n
		}
	default:
		return false
	}
	return true
}

// parseAppItem reads "dtmf,activate_on,App(data)[,moh]" or the old
// "dtmf,activate_on,App,data[,moh]".
func parseAppItem(name, value string) (AppItem, error) {
	parts := strings.Split(value, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return AppItem{}, fmt.Errorf("Invalid applicationmap syntax for '%s'. Missing required argument", name)
	}
	item := AppItem{Name: name, DTMF: parts[0]}
	on := parts[1]
	if i := strings.IndexByte(on, '/'); i >= 0 {
		on = on[:i]
	}
	switch strings.ToLower(on) {
	case "self", "caller":
		item.OnSelf = true
	case "peer", "callee":
	default:
		return AppItem{}, fmt.Errorf("Invalid 'activate_on' value %s for applicationmap item %s", parts[1], name)
	}
	rest := strings.Join(parts[2:], ",")
	if i := strings.IndexByte(rest, '('); i >= 0 {
		j := strings.LastIndexByte(rest, ')')
		if j < i {
			j = len(rest)
		}
		item.App, item.Data = rest[:i], rest[i+1:j]
		if j+1 < len(rest) {
			item.MOHClass = strings.TrimSpace(strings.TrimPrefix(rest[j+1:], ","))
		}
	} else {
		item.App = parts[2]
		if len(parts) > 3 {
			item.Data = strings.Trim(parts[3], "\"")
		}
		if len(parts) > 4 {
			item.MOHClass = parts[4]
		}
	}
	if item.App == "" {
		return AppItem{}, fmt.Errorf("Applicationmap item '%s' does not contain an application name.", name)
	}
	return item, nil
}

// Show is `features show`.
func Show(c *Config) string {
	var b strings.Builder
	row := func(a, d, cur string) { fmt.Fprintf(&b, "%-25s %-7s %-7s\n", a, d, cur) }
	row("Builtin Feature", "Default", "Current")
	row("---------------", "-------", "-------")
	row("Pickup", "*8", c.General.PickupExten)
	row("Blind Transfer", defaultMap.BlindXfer, c.FeatureMap.BlindXfer)
	row("Attended Transfer", defaultMap.AtXfer, c.FeatureMap.AtXfer)
	row("One Touch Monitor", defaultMap.AutoMon, c.FeatureMap.AutoMon)
	row("Disconnect Call", defaultMap.Disconnect, c.FeatureMap.Disconnect)
	row("Park Call", defaultMap.ParkCall, c.FeatureMap.ParkCall)
	row("One Touch MixMonitor", defaultMap.AutoMixMon, c.FeatureMap.AutoMixMon)
	b.WriteString("\n")
	row("Dynamic Feature", "Default", "Current")
	row("---------------", "-------", "-------")
	if len(c.AppMap) == 0 {
		b.WriteString("(none)\n")
	}
	for _, it := range c.AppMap {
		row(it.Name, "no def", it.DTMF)
	}
	b.WriteString("\nFeature Groups:\n---------------\n")
	if len(c.Groups) == 0 {
		b.WriteString("(none)\n")
	}
	for _, g := range c.Groups {
		fmt.Fprintf(&b, "===> Group: %s\n", g.Name)
		for _, it := range g.Items {
			dtmf := it.DTMF
			if dtmf == "" {
				for _, a := range c.AppMap {
					if a.Name == it.Name {
						dtmf = a.DTMF
					}
				}
			}
			fmt.Fprintf(&b, "===> --> %s (%s)\n", it.Name, dtmf)
		}
	}
	return b.String()
}
