package sipconf

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// knownCodecs lists the format names Asterisk 18 accepts in allow= and
// disallow=, in the order its codec registry holds them (that order is what
// allow=all appends): pkg/media's list.
var knownCodecs = formatNames()

func formatNames() []string {
	fs := media.Formats()
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}

// DefaultCodecs is chan_sip's list when [general] has no allow/disallow.
var DefaultCodecs = Codecs{"ulaw", "alaw", "gsm", "h263"}

// Codecs is an ordered codec preference list of Asterisk format names.
type Codecs []string

// String renders the list as chan_sip prints it: "(alaw|ulaw)", or
// "(nothing)" when empty.
func (c Codecs) String() string {
	if len(c) == 0 {
		return "(nothing)"
	}
	return "(" + strings.Join(c, "|") + ")"
}

// Has reports whether the list holds the codec.
func (c Codecs) Has(name string) bool {
	for _, x := range c {
		if x == name {
			return true
		}
	}
	return false
}

func (c Codecs) clone() Codecs { return append(Codecs(nil), c...) }

// Apply returns the list after one allow= (allow true) or disallow= line.
// The value is a comma list of format names or "all"; a "name:ms" framing
// suffix is accepted and ignored. Allowing a codec already present keeps
// its position, which is why a peer's allow=ulaw on top of [general]'s
// alaw,ulaw still gives (alaw|ulaw).
func (c Codecs) Apply(value string, allow bool) (Codecs, error) {
	out := c.clone()
	var unknown []string
	for _, w := range strings.Split(value, ",") {
		name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(w)), ":")
		if name == "" {
			continue
		}
		if name == "all" {
			if allow {
				for _, k := range knownCodecs {
					if !out.Has(k) {
						out = append(out, k)
					}
				}
			} else {
				out = out[:0]
			}
			continue
		}
		if !isKnownCodec(name) {
			unknown = append(unknown, name)
			continue
		}
		if allow {
			if !out.Has(name) {
				out = append(out, name)
			}
			continue
		}
		kept := out[:0]
		for _, x := range out {
			if x != name {
				kept = append(kept, x)
			}
		}
		out = kept
	}
	if len(unknown) > 0 {
		return out, fmt.Errorf("unknown format %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

func isKnownCodec(name string) bool {
	for _, k := range knownCodecs {
		if k == name {
			return true
		}
	}
	return false
}
