package features

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// This file is main/features_config.c's FEATURE and FEATUREMAP: a
// channel's own copy of features.conf's [general] and [featuremap],
// made by its first write, which the bridge's codes and the transfers
// it starts then use instead of the file's. With FEATURE(inherit)=yes the
// channels it dials get a copy (pbx.InheritedDatastore, through Dial).

type overrideKey struct{}

// override is a channel's copy of the settings; inherit (FEATURE(inherit))
// gives channels it dials a copy too, and theirs (inherit forever).
type override struct {
	cfg     Config
	inherit bool
}

// Inherit is pbx.InheritedDatastore: the copy Dial gives a dialed channel.
func (o *override) Inherit() any {
	if !o.inherit {
		return nil
	}
	c := &override{cfg: o.cfg, inherit: true}
	c.cfg.AppMap = append([]AppItem(nil), o.cfg.AppMap...)
	c.cfg.Groups = append([]Group(nil), o.cfg.Groups...)
	return c
}

// ConfigFor is the configuration ch works with: its FEATURE/FEATUREMAP
// copy when it has one, else global.
func ConfigFor(ch *pbx.Channel, global *Config) *Config {
	if ch != nil {
		if o, ok := ch.Datastore(overrideKey{}).(*override); ok {
			return &o.cfg
		}
	}
	return global
}

// configFor is ConfigFor with the module's global configuration.
func (m *Module) configFor(ch *pbx.Channel) *Config { return ConfigFor(ch, m.config()) }

// editOverride changes ch's copy (made from global on first use) under
// the channel's datastore lock.
func editOverride(ch *pbx.Channel, global *Config, f func(c *Config) error) error {
	var err error
	ch.UpdateDatastore(overrideKey{}, func(old any) any {
		o, ok := old.(*override)
		if !ok {
			o = &override{cfg: *global}
			o.cfg.AppMap = append([]AppItem(nil), global.AppMap...)
			o.cfg.Groups = append([]Group(nil), global.Groups...)
		}
		if err = f(&o.cfg); err != nil && !ok {
			return nil // a failed first write leaves no copy behind
		}
		return o
	})
	return err
}

// editOverrideFlag sets the copy's inherit flag, making the copy first.
func editOverrideFlag(ch *pbx.Channel, global *Config, on bool) error {
	ch.UpdateDatastore(overrideKey{}, func(old any) any {
		o, ok := old.(*override)
		if !ok {
			o = &override{cfg: *global}
			o.cfg.AppMap = append([]AppItem(nil), global.AppMap...)
			o.cfg.Groups = append([]Group(nil), global.Groups...)
		}
		o.inherit = on
		return o
	})
	return nil
}

// Functions are FEATURE and FEATUREMAP; global returns features.conf's
// settings in use.
func Functions(global func() *Config) []pbx.Function {
	cfg := func() *Config {
		if c := global(); c != nil {
			return c
		}
		return Defaults()
	}
	return []pbx.Function{
		{Name: "FEATURE", Synopsis: "Get or set a feature option on a channel.", Syntax: "FEATURE(option_name)",
			Description: "When this function is used as a read, it will get the current value of the specified feature option for this channel. It will be the value of this option configured in features.conf if a channel specific value has not been set. This function can also be used to set a channel specific value for the supported feature options. inherit: yes makes the channels this one dials inherit its settings.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", fmt.Errorf("No channel was provided to FEATURE function.")
				}
				if strings.EqualFold(s, "inherit") {
					if o, ok := ch.Datastore(overrideKey{}).(*override); ok && o.inherit {
						return "yes", nil
					}
					return "no", nil
				}
				v, ok := generalGet(&ConfigFor(ch, cfg()).General, s)
				if !ok {
					return "", fmt.Errorf("Invalid argument '%s' to FEATURE()", s)
				}
				return v, nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return fmt.Errorf("No channel was provided to FEATURE function.")
				}
				if strings.EqualFold(s, "inherit") {
					// Like any write, it makes the channel's copy.
					on := confparse.True(value)
					return editOverrideFlag(ch, cfg(), on)
				}
				return editOverride(ch, cfg(), func(c *Config) error {
					if !generalSet(&c.General, s, value) {
						return fmt.Errorf("Invalid argument '%s' to FEATURE()", s)
					}
					return nil
				})
			}},
		{Name: "FEATUREMAP", Synopsis: "Get or set a feature map to a given value on a specific channel.", Syntax: "FEATUREMAP(feature_name)",
			Description: "When this function is used as a read, it will get the current digit sequence mapped to the specified feature for this channel. This value will be the one configured in features.conf if a channel specific value has not been set. This function can also be used to set a channel specific value for a feature mapping. feature_name: atxfer, blindxfer, automon, automixmon, disconnect, parkcall.",
			Read: func(ch *pbx.Channel, s string) (string, error) {
				if ch == nil {
					return "", fmt.Errorf("No channel was provided to FEATUREMAP function.")
				}
				p := featureMapField(&ConfigFor(ch, cfg()).FeatureMap, s)
				if p == nil {
					return "", fmt.Errorf("Invalid argument '%s' to FEATUREMAP()", s)
				}
				return *p, nil
			},
			Write: func(ch *pbx.Channel, s, value string) error {
				if ch == nil {
					return fmt.Errorf("No channel was provided to FEATUREMAP function.")
				}
				return editOverride(ch, cfg(), func(c *Config) error {
					p := featureMapField(&c.FeatureMap, s)
					if p == nil {
						return fmt.Errorf("Invalid argument '%s' to FEATUREMAP()", s)
					}
					*p = value
					return nil
				})
			}},
	}
}

func featureMapField(m *FeatureMap, name string) *string {
	switch strings.ToLower(name) {
	case "blindxfer":
		return &m.BlindXfer
	case "atxfer":
		return &m.AtXfer
	case "disconnect":
		return &m.Disconnect
	case "parkcall":
		return &m.ParkCall
	case "automon":
		return &m.AutoMon
	case "automixmon":
		return &m.AutoMixMon
	}
	return nil
}

// generalStrings are the text options, by features_config.c's names.
func generalStrings(g *General) map[string]*string {
	return map[string]*string{
		"courtesytone": &g.CourtesyTone, "recordingfailsound": &g.RecordingFailSound,
		"xfersound": &g.XferSound, "xferfailsound": &g.XferFailSound,
		"atxferabort": &g.AtxferAbort, "atxfercomplete": &g.AtxferComplete,
		"atxferthreeway": &g.AtxferThreeway, "atxferswap": &g.AtxferSwap,
		"transferretrysound": &g.TransferRetrySound, "transferinvalidsound": &g.TransferInvalidSound,
		"transferannouncesound": &g.TransferAnnounceSound,
		"pickupexten":           &g.PickupExten, "pickupsound": &g.PickupSound, "pickupfailsound": &g.PickupFailSound,
	}
}

// generalGet reads an option as features_config.c prints it: timeouts in
// the unit features.conf uses (featuredigittimeout ms, the others s).
func generalGet(g *General, name string) (string, bool) {
	switch n := strings.ToLower(name); n {
	case "featuredigittimeout":
		return strconv.FormatInt(g.FeatureDigitTimeout.Milliseconds(), 10), true
	case "transferdigittimeout":
		return strconv.FormatInt(int64(g.TransferDigitTimeout/time.Second), 10), true
	case "atxfernoanswertimeout":
		return strconv.FormatInt(int64(g.AtxferNoAnswerTimeout/time.Second), 10), true
	case "atxferdropcall":
		if g.AtxferDropCall {
			return "1", true
		}
		return "0", true
	case "transferdialattempts":
		return strconv.Itoa(g.TransferDialAttempts), true
	case "transferannouncesound":
		return "", false // features_config.c's xfer_get has no case for it
	default:
		if p, ok := generalStrings(g)[n]; ok {
			return *p, true
		}
	}
	return "", false
}

// generalSet writes an option; false for an unknown name or a bad number.
func generalSet(g *General, name, value string) bool {
	num := func(unit time.Duration, dst *time.Duration) bool {
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32)
		if err != nil {
			return false
		}
		*dst = time.Duration(n) * unit
		return true
	}
	switch n := strings.ToLower(name); n {
	case "featuredigittimeout":
		return num(time.Millisecond, &g.FeatureDigitTimeout)
	case "transferdigittimeout":
		return num(time.Second, &g.TransferDigitTimeout)
	case "atxfernoanswertimeout":
		return num(time.Second, &g.AtxferNoAnswerTimeout)
	case "atxferdropcall":
		g.AtxferDropCall = confparse.True(value)
		return true
	case "transferdialattempts":
		v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 32)
		if err != nil {
			return false
		}
		g.TransferDialAttempts = int(v)
		return true
	default:
		if p, ok := generalStrings(g)[n]; ok {
			*p = value
			return true
		}
	}
	return false
}
