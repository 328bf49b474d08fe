package indications

import (
	"fmt"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// defaultConf is the "us" zone of Asterisk's sample indications.conf, the
// tones used when no indications.conf exists (see the package doc).
const defaultConf = `[general]
country=us

[us]
description = United States / North America
ringcadence = 2000,4000
dial = 350+440
busy = 480+620/500,0/500
ring = 440+480/2000,0/4000
congestion = 480+620/250,0/250
callwaiting = 440/300,0/10000
dialrecall = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
record = 1400/500,0/15000
info = !950/330,!1400/330,!1800/330,0
stutter = !350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440
`

// DefaultTones is the registry used without indications.conf: the single
// "us" zone, which is also the default country.
func DefaultTones() *Zones {
	cfg, diags := confparse.Parse("indications.conf (built in)", []byte(defaultConf), confparse.Options{})
	zs, more := Load(cfg)
	if diags = append(diags, more...); len(diags) > 0 {
		panic(fmt.Sprintf("indications: built-in tones do not load: %v", diags))
	}
	return zs
}
