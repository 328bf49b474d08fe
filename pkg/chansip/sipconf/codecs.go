package sipconf

import (
	"errors"
	"strconv"
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

// Apply returns the list after one allow= (allow true) or disallow= line,
// read as Asterisk's ast_format_cap_update_by_allow_disallow reads it: a
// list of format names or "all" separated by "," or "|"; a leading "!"
// inverts the line's sense for that word, so allow=!all,g722,ulaw first
// empties the list; a "name:ms" framing suffix is accepted and ignored
// (a value that is not a number is an error); a list in parentheses, as
// chan_sip prints one, replaces the list. Allowing a codec already present
// keeps its position, which is why a peer's allow=ulaw on top of
// [general]'s alaw,ulaw still gives (alaw|ulaw).
func (c Codecs) Apply(value string, allow bool) (Codecs, error) {
	out := c.clone()
	value = strings.TrimSpace(value)
	if len(value) >= 2 && value[0] == '(' && value[len(value)-1] == ')' {
		value = value[1 : len(value)-1]
		if allow {
			out = out[:0]
		} else {
			out = out.with(knownCodecs...)
		}
	}
	var unknown, badFraming []string
	for _, w := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == '|' }) {
		w = strings.ToLower(strings.TrimSpace(w))
		add := allow
		if strings.HasPrefix(w, "!") {
			w = strings.TrimSpace(w[1:])
			add = !allow
		}
		name, ms, framed := strings.Cut(w, ":")
		if name == "" {
			continue
		}
		if framed {
			if n, err := strconv.Atoi(strings.TrimSpace(ms)); err != nil || n < 0 {
				badFraming = append(badFraming, w)
				continue
			}
		}
		switch {
		case name == "all" && add:
			out = out.with(knownCodecs...)
		case name == "all":
			out = out[:0]
		case !isKnownCodec(name):
			unknown = append(unknown, name)
		case add:
			out = out.with(name)
		default:
			out = out.without(name)
		}
	}
	var errs []string
	if len(unknown) > 0 {
		errs = append(errs, "unknown format "+strings.Join(unknown, ", "))
	}
	if len(badFraming) > 0 {
		errs = append(errs, "bad packetization value in "+strings.Join(badFraming, ", "))
	}
	if len(errs) > 0 {
		return out, errors.New(strings.Join(errs, "; "))
	}
	return out, nil
}

// with appends the names not already in the list.
func (c Codecs) with(names ...string) Codecs {
	for _, n := range names {
		if !c.Has(n) {
			c = append(c, n)
		}
	}
	return c
}

// without drops name from the list.
func (c Codecs) without(name string) Codecs {
	kept := c[:0]
	for _, x := range c {
		if x != name {
			kept = append(kept, x)
		}
	}
	return kept
}

func isKnownCodec(name string) bool {
	for _, k := range knownCodecs {
		if k == name {
			return true
		}
	}
	return false
}
