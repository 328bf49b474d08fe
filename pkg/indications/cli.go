package indications

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// Show writes `indication show [country ...]` as Asterisk 18 prints it:
// without countries, a summary of every zone and the default; with
// countries, each one's bell cadence and tone lists (unknown names are
// skipped silently, as Asterisk does).
func Show(w io.Writer, zs *Zones, countries []string) {
	if len(countries) == 0 {
		fmt.Fprintf(w, "Country   Description\n")
		fmt.Fprintf(w, "===========================\n")
		for _, z := range zs.Countries() {
			fmt.Fprintf(w, "%-7.7s  %s\n", z.Country, z.Description)
		}
		if zs != nil && zs.Default != "" {
			fmt.Fprintf(w, "===========================\n")
			fmt.Fprintf(w, "Default tone zone: %s\n", zs.Default)
		}
		return
	}
	found := false
	for _, c := range countries {
		z, ok := zs.Zone(c)
		if !ok || c == "" {
			continue
		}
		if !found {
			found = true
			fmt.Fprintf(w, "Country Indication      PlayList\n")
			fmt.Fprintf(w, "=====================================\n")
		}
		cad := make([]string, len(z.RingCadence))
		for i, n := range z.RingCadence {
			cad[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(w, "%-7.7s %-15.15s %s\n", z.Country, "<ringcadence>", strings.Join(cad, ","))
		for _, t := range z.Tones {
			fmt.Fprintf(w, "%-7.7s %-15.15s %s\n", z.Country, t.Name, t.Data)
		}
	}
	if !found {
		fmt.Fprintf(w, "No countries matched your criteria.\n")
	}
}

// Command is `indication show`; zones returns the registry in use (it
// changes on reload).
func Command(zones func() *Zones) *cli.Command {
	return &cli.Command{
		Words:   []string{"indication", "show"},
		Summary: "Display a list of all countries/indications",
		Usage: "Usage: indication show [<country> ...]\n" +
			"       Display either a condensed summary of all countries and indications, or a\n" +
			"       more verbose list of indications for the specified countries.\n",
		Handler: func(a *cli.Args) error {
			Show(a.Out, zones(), a.Argv[2:])
			return nil
		},
		Complete: func(a *cli.Args, pos int, word string) []string {
			if pos < 2 {
				return nil
			}
			var out []string
			for _, z := range zones().Countries() {
				if len(word) <= len(z.Country) && strings.EqualFold(z.Country[:len(word)], word) {
					out = append(out, z.Country)
				}
			}
			return out
		},
	}
}
