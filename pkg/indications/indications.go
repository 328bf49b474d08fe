package indications

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/asthash"
	"github.com/gostrisk/gostrisk/pkg/confparse"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
)

// Asterisk keeps a country name and a description in fixed buffers; longer
// values are cut, and the cut name is the one looked up and shown.
const (
	maxCountry     = 15
	maxDescription = 39
)

// Tone is one named tone list of a country: "busy", "dial", or any other
// name a config gives.
type Tone struct {
	Name string
	// Data is the tone list as written (what `indication show` prints and
	// what Playtones plays).
	Data string
	// List is Data parsed; bad parts are left out, as Asterisk skips them
	// when it plays the list.
	List dsp.ToneList
}

// Zone is one country's tones (an indications.conf section other than
// [general]).
type Zone struct {
	Country     string
	Description string
	// RingCadence is the on/off pattern of a phone's bell, in ms.
	RingCadence []int
	// Tones in the order Asterisk lists them: config order, except that a
	// name given again moves to the end with its new value.
	Tones []Tone
}

// Tone finds a tone by name, case-insensitively as Asterisk does.
func (z *Zone) Tone(name string) (Tone, bool) {
	for _, t := range z.Tones {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Tone{}, false
}

// set adds or replaces a tone; a replaced name goes to the end, as
// ast_register_indication removes the old entry and appends.
func (z *Zone) set(t Tone) {
	for i, old := range z.Tones {
		if strings.EqualFold(old.Name, t.Name) {
			z.Tones = append(z.Tones[:i], z.Tones[i+1:]...)
			break
		}
	}
	z.Tones = append(z.Tones, t)
}

// Zones is the registry of countries: what res_indications holds after
// loading indications.conf. It is not changed after Load, so a snapshot can
// share it between goroutines.
type Zones struct {
	zones []*Zone // in the order `indication show` lists them
	// Default is the country of [general] country=, "" when unset or
	// unknown.
	Default string
}

// Zone finds a country, case-insensitively; "" is the default country.
func (zs *Zones) Zone(country string) (*Zone, bool) {
	if zs == nil {
		return nil, false
	}
	if country == "" {
		country = zs.Default
		if country == "" {
			return nil, false
		}
	}
	country = truncate(country, maxCountry)
	for _, z := range zs.zones {
		if strings.EqualFold(z.Country, country) {
			return z, true
		}
	}
	return nil, false
}

// Get returns a country's tone list by name ("" for the default country),
// as ast_get_indication_tone finds it.
func (zs *Zones) Get(country, name string) (dsp.ToneList, bool) {
	z, ok := zs.Zone(country)
	if !ok {
		return dsp.ToneList{}, false
	}
	t, ok := z.Tone(name)
	return t.List, ok
}

// Countries returns the zones in the order Asterisk's container holds them.
func (zs *Zones) Countries() []*Zone {
	if zs == nil {
		return nil
	}
	return append([]*Zone(nil), zs.zones...)
}

// Load builds the registry from indications.conf. Like Asterisk it never
// fails: every problem is a warning at the line it comes from, and whatever
// is valid is kept. Unlike Asterisk (which only reads a tone list when it
// plays it) it also checks each tone list's syntax, for `gostrisk check`.
func Load(cfg *confparse.Config) (*Zones, confparse.Diagnostics) {
	var (
		diags confparse.Diagnostics
		zones []*Zone
		where = map[string]*confparse.Category{} // lowercased country -> first section
	)
	warn := diags.Warnf
	if cfg == nil {
		return &Zones{}, nil
	}
	for _, cat := range cfg.Browse() {
		if strings.EqualFold(cat.Name, "general") {
			// res_indications reads only country= there.
			for _, v := range cat.Vars {
				if !strings.EqualFold(v.Name, "country") {
					warn(v.File, v.Line, "Unknown option '%s' in [general] of indications.conf, ignored", v.Name)
				}
			}
			continue
		}
		country := truncate(cat.Name, maxCountry)
		var z *Zone
		for _, old := range zones {
			if strings.EqualFold(old.Country, country) {
				z = old
			}
		}
		if z != nil {
			// Asterisk merges a section given twice into the zone it
			// already has; only the bell cadence starts again.
			warn(cat.File, cat.Line, "Indication country '%s' is given again; merged into the section at %s", country, where[strings.ToLower(country)].Pos())
			z.RingCadence = nil
		} else {
			where[strings.ToLower(country)] = cat
			z = &Zone{Country: country}
		}
		for _, v := range cat.Vars {
			switch {
			case strings.EqualFold(v.Name, "description"):
				z.Description = truncate(v.Value, maxDescription)
			case strings.EqualFold(v.Name, "ringcadence"):
				for _, ring := range strings.Split(v.Value, ",") {
					ring = strings.TrimSpace(ring)
					n, ok := leadingInt(ring)
					if !ok {
						warn(v.File, v.Line, "Invalid ringcadence given '%s'.", ring)
						continue
					}
					z.RingCadence = append(z.RingCadence, n)
				}
			case v.Name == "" || v.Value == "":
				// ast_register_indication ignores an empty name or list.
			default:
				list, err := dsp.ParseToneList(v.Value)
				if err != nil {
					warn(v.File, v.Line, "Indication '%s' of country '%s': %v", v.Name, country, strings.ReplaceAll(err.Error(), "\n", "; "))
				}
				z.set(Tone{Name: v.Name, Data: v.Value, List: list})
			}
		}
		if contains(zones, z) {
			continue
		}
		if z.Description == "" || len(z.Tones) == 0 {
			warn(cat.File, cat.Line, "Indication country '%s' is invalid", country)
			continue
		}
		zones = append(zones, z)
	}
	zs := &Zones{zones: hashOrder(zones)}

	country, v := "", (*confparse.Variable)(nil)
	if g := cfg.Category("general"); g != nil {
		if v = g.Var("country"); v != nil {
			country = v.Value
		}
	}
	switch {
	case country == "":
		file, line := cfg.File, 0
		if g := cfg.Category("general"); g != nil {
			file, line = g.File, g.Line
		}
		warn(file, line, "Missing default country (for indication tones)")
	default:
		if z, ok := zs.Zone(country); ok {
			zs.Default = z.Country
		} else {
			warn(v.File, v.Line, "Failed to get indication zone: %s", country)
		}
	}
	return zs, diags
}

func contains(zones []*Zone, z *Zone) bool {
	for _, x := range zones {
		if x == z {
			return true
		}
	}
	return false
}

// leadingInt reads a ring cadence value as Asterisk does: it must start
// with a digit, and the digits up to the first other character count.
func leadingInt(s string) (int, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31-1 {
			return 0, false
		}
	}
	return n, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// numBuckets is the size of Asterisk's hash table of zones; `indication
// show` walks it bucket by bucket, which is the order users see.
const numBuckets = 53

// hashOrder sorts zones as Asterisk's container iterates them: by bucket
// (the case-insensitive djb2 hash of the country, modulo 53), and within a
// bucket in the order they were added.
func hashOrder(zones []*Zone) []*Zone {
	buckets := make([][]*Zone, numBuckets)
	for _, z := range zones {
		b := caseHash(z.Country) % numBuckets
		buckets[b] = append(buckets[b], z)
	}
	out := make([]*Zone, 0, len(zones))
	for _, b := range buckets {
		out = append(out, b...)
	}
	return out
}

// caseHash is ast_str_case_hash.
func caseHash(s string) uint32 { return asthash.CaseHash(s) }

// Playtones resolves the argument of Playtones as app_playtones does: the
// name of a tone of the channel's zone (country, its sip.conf tonezone; ""
// or an unknown country falls back to the default zone), or else a tone
// list written out. The error is ParseToneList's for a written-out list:
// the list still holds the parts Asterisk would play, and only a list
// without parts ("Unable to start playtones") is a failure.
func (zs *Zones) Playtones(country, arg string) (dsp.ToneList, error) {
	z, ok := zs.Zone(country)
	if !ok {
		z, ok = zs.Zone("")
	}
	if ok {
		if t, found := z.Tone(arg); found {
			return t.List, nil
		}
	}
	return dsp.ParseToneList(arg)
}
