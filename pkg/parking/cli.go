package parking

import (
	"fmt"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds `parking show [name]`.
func (m *Module) RegisterCLI(reg *cli.Registry) error {
	return reg.Register(&cli.Command{
		Words:   []string{"parking", "show"},
		Summary: "Show a parking lot or a list of all parking lots.",
		Usage: "Usage: parking show [name]\n" +
			"\tShows a list of parking lots or details of a specific parking lot.",
		Handler: func(a *cli.Args) error {
			switch len(a.Argv) {
			case 2:
				a.Printf("%s", m.ShowLots())
			case 3:
				a.Printf("%s", m.ShowLot(a.Argv[2]))
			default:
				return cli.ErrShowUsage
			}
			return nil
		},
		Complete: func(a *cli.Args, pos int, word string) []string {
			if pos != 2 {
				return nil
			}
			var out []string
			for _, l := range m.allLots() {
				if strings.HasPrefix(l.Name, word) {
					out = append(out, l.Name)
				}
			}
			return out
		},
	})
}

// ShowLots is `parking show`: the general options, then every lot.
func (m *Module) ShowLots() string {
	cfg := m.Config()
	var b strings.Builder
	b.WriteString("\n")
	b.WriteString("Parking General Options\n-----------------------\n")
	fmt.Fprintf(&b, "Dynamic Parking     :  %s\n\n", yesNo(cfg.Dynamic))
	for _, l := range m.allLots() {
		writeLot(&b, l)
	}
	b.WriteString("\n")
	return b.String()
}

// ShowLot is `parking show <name>`: one lot and its parked calls.
func (m *Module) ShowLot(name string) string {
	var b strings.Builder
	b.WriteString("\n")
	l := m.lookup(name)
	if l == nil {
		fmt.Fprintf(&b, "Could not find parking lot '%s'\n\n", name)
		return b.String()
	}
	writeLot(&b, l)
	b.WriteString("Parked Calls\n------------\n")
	parked := m.Parked(l.Name)
	if len(parked) == 0 {
		b.WriteString("  (none)\n\n\n")
		return b.String()
	}
	for _, p := range parked {
		fmt.Fprintf(&b, "  Space               :  %d\n", p.Space)
		fmt.Fprintf(&b, "  Channel             :  %s\n", p.Channel)
		fmt.Fprintf(&b, "  Parker Dial String  :  %s\n\n", p.Parker)
	}
	b.WriteString("\n")
	return b.String()
}

// writeLot prints one lot's settings in res_parking's layout.
func writeLot(b *strings.Builder, l *Lot) {
	fmt.Fprintf(b, "Parking Lot: %s\n--------------------------------------------------------------------------\n", l.Name)
	fmt.Fprintf(b, "Parking Extension   :  %s\n", l.ParkExt)
	fmt.Fprintf(b, "Parking Context     :  %s\n", l.Context)
	fmt.Fprintf(b, "Parking Spaces      :  %d-%d\n", l.Start, l.Stop)
	fmt.Fprintf(b, "Parking Time        :  %d sec\n", int(l.ParkingTime.Seconds()))
	fmt.Fprintf(b, "Comeback to Origin  :  %s\n", yesNo(l.ComebackToOrigin))
	note := ""
	if l.ComebackToOrigin {
		note = " (comebacktoorigin=yes, not used)"
	}
	fmt.Fprintf(b, "Comeback Context    :  %s%s\n", l.ComebackContext, note)
	fmt.Fprintf(b, "Comeback Dial Time  :  %d sec\n", int(l.ComebackDialTime.Seconds()))
	fmt.Fprintf(b, "MusicOnHold Class   :  %s\n", l.MusicClass)
	b.WriteString("Enabled             :  yes\n")
	fmt.Fprintf(b, "Dynamic             :  %s\n\n", yesNo(l.Dynamic))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
