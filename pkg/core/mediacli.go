package core

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/media"
)

// errCLIFailure makes the registry print Asterisk's "Command '...' failed."
// after a handler has printed why (CLI_FAILURE in Asterisk).
var errCLIFailure = errors.New("command failed")

// registerMediaCLI adds the codec and translation commands of Asterisk's
// main/codec.c and main/translate.c, in their registration order. tr is the
// translator whose steps the matrix shows.
func registerMediaCLI(reg *cli.Registry, tr *media.Translator) {
	reg.MustRegister(
		&cli.Command{Words: []string{"core", "show", "codecs", "[audio|video|image|text]"},
			Summary: "Displays a list of registered codecs",
			Usage:   "Usage: core show codecs [audio|video|image|text]\n       Displays codec mapping\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 3 || len(a.Argv) > 4 {
					return cli.ErrShowUsage
				}
				kind := ""
				if len(a.Argv) == 4 {
					kind = a.Argv[3]
				}
				// gostrisk accepts asterisk.conf's dontwarn without acting on
				// it, so the disclaimer is always printed (Asterisk's default).
				a.Printf("%s", media.ShowCodecs(kind, true))
				return nil
			}},
		&cli.Command{Words: []string{"core", "show", "codec"},
			Summary: "Shows a specific codec",
			Usage:   "Usage: core show codec <number>\n       Displays codec mapping\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				id, ok := scanInt(a.Argv[3])
				if !ok {
					return cli.ErrShowUsage
				}
				a.Printf("%s", media.ShowCodec(id))
				return nil
			}},
		&cli.Command{Words: []string{"core", "show", "translation"},
			Summary: "Display translation matrix",
			Usage: "Usage: 'core show translation' can be used in three ways.\n" +
				"       1. 'core show translation [recalc [<recalc seconds>]\n" +
				"          Displays known codec translators and the cost associated\n" +
				"          with each conversion.  If the argument 'recalc' is supplied along\n" +
				"          with optional number of seconds to test a new test will be performed\n" +
				"          as the chart is being displayed.\n" +
				"       2. 'core show translation paths [codec [sample_rate]]'\n" +
				"           This will display all the translation paths associated with a codec.\n" +
				"           If a codec has multiple sample rates, the sample rate must be\n" +
				"           provided as well.\n" +
				"       3. 'core show translation comp [<recalc seconds>]'\n" +
				"          Displays known codec translators and the cost associated\n" +
				"          with each conversion.  If the argument 'recalc' is supplied along\n" +
				"          with optional number of seconds to test a new test will be performed\n" +
				"          as the chart is being displayed. The resulting numbers in the table\n" +
				"          give the actual computational costs in microseconds.\n",
			Handler: func(a *cli.Args) error { return cliShowTranslation(a, tr) },
			Complete: func(a *cli.Args, pos int, word string) []string {
				switch {
				case pos == 3:
					return prefixWords(word, "recalc", "paths", "comp")
				case pos == 4 && strings.EqualFold(a.Argv[3], "paths"):
					return media.CodecNames(word)
				}
				return nil
			}},
	)
}

func cliShowTranslation(a *cli.Args, tr *media.Translator) error {
	argc := len(a.Argv)
	if argc > 6 {
		return cli.ErrShowUsage
	}
	opt := ""
	if argc > 3 {
		opt = strings.ToLower(a.Argv[3])
	}
	var comp map[*media.Step]int
	switch {
	case opt == "paths" && (argc == 5 || argc == 6):
		rate := 0
		if argc == 6 {
			r, ok := scanInt(a.Argv[5])
			if !ok {
				a.Printf("Invalid sample rate: %s.\n", a.Argv[5])
				return errCLIFailure
			}
			rate = r
		}
		out, err := tr.TranslationPaths(a.Argv[4], rate)
		a.Printf("%s", out)
		if err != nil {
			return errCLIFailure
		}
		return nil
	case opt == "recalc" || opt == "comp":
		arg := ""
		if argc > 4 {
			arg = a.Argv[4]
		}
		header, seconds := media.RecalcHeader(arg)
		a.Printf("%s", header)
		// Asterisk re-times its translators here; gostrisk has one step
		// per pair, so the figures only feed the comp table.
		costs := tr.MeasureCosts(seconds)
		if opt == "comp" {
			comp = costs
		}
	case argc > 3:
		return cli.ErrShowUsage
	}
	a.Printf("%s", tr.TranslationTable(comp))
	return nil
}

// scanInt reads a leading integer as sscanf("%30d") does: optional blanks
// and sign, then digits; trailing text is ignored.
func scanInt(s string) (int, bool) {
	s = strings.TrimLeft(s, " \t")
	if len(s) > 30 {
		s = s[:30]
	}
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	digits := end
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == digits {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:end], 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

func prefixWords(word string, words ...string) []string {
	var out []string
	for _, w := range words {
		if len(w) >= len(word) && strings.EqualFold(w[:len(word)], word) {
			out = append(out, w)
		}
	}
	return out
}
