package devstate

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/asthash"
	"github.com/gostrisk/gostrisk/pkg/cli"
	"github.com/gostrisk/gostrisk/pkg/funcs"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// hintBuckets is the size of pbx.c's hint table (HASH_EXTENHINT_SIZE);
// "core show hints" walks it bucket by bucket.
const hintBuckets = 563

const hintUsage = "       Hint details are shown in five columns. In order from left to right, they are:\n" +
	"       1. Hint extension URI.\n" +
	"       2. List of mapped device or presence state identifiers.\n" +
	"       3. Current extension state. The aggregate of mapped device states.\n" +
	"       4. Current presence state for the mapped presence state provider.\n" +
	"       5. Watchers - number of subscriptions and other entities watching this hint.\n"

// hintRow is what one line of "core show hints" prints.
type hintRow struct {
	context, exten, value string
	state                 pbx.ExtensionState
	presence              string
	watchers              int
}

// rows returns the hint table in pbx.c's hash-table order: by bucket of
// the extension name, then in the order the hints were added.
func (s *Service) rows() []hintRow {
	s.mu.Lock()
	out := make([]hintRow, 0, len(s.order))
	for _, h := range s.order {
		out = append(out, hintRow{context: h.context, exten: h.exten, value: h.value, state: h.state,
			presence: h.presence, watchers: len(h.watchers)})
	}
	s.mu.Unlock()
	for i := range out {
		if strings.HasPrefix(out[i].exten, "_") && strings.Contains(out[i].value, "${") {
			out[i].presence = "" // AST_PRESENCE_INVALID: not evaluated
			continue
		}
		out[i].presence = s.presenceText(out[i].presence)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return asthash.Bucket(out[i].exten, hintBuckets) < asthash.Bucket(out[j].exten, hintBuckets)
	})
	return out
}

// presenceText is the presence state of a hint's provider as
// ast_presence_state2str prints it: not_set without a provider or a
// stored state (CustomPresence: is the only provider).
func (s *Service) presenceText(provider string) string {
	name, ok := cutPrefixFold(provider, "CustomPresence:")
	if !ok || s.db == nil {
		return "not_set"
	}
	p, ok := funcs.CustomPresence(s.db, name)
	if !ok {
		return "" // AST_PRESENCE_INVALID
	}
	return p.State
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func writeHintRow(w io.Writer, r hintRow) {
	fmt.Fprintf(w, "%-30.30s: %-60.60s  State:%-15.15s Presence:%-15.15s Watchers %2d\n",
		r.exten+"@"+r.context, r.value, r.state.Text(), r.presence, r.watchers)
}

// ShowHints is "core show hints".
func (s *Service) ShowHints(w io.Writer) {
	rows := s.rows()
	if len(rows) == 0 {
		fmt.Fprintf(w, "There are no registered dialplan hints\n")
		return
	}
	fmt.Fprintf(w, "\n    -= Registered Asterisk Dial Plan Hints =-\n")
	for _, r := range rows {
		writeHintRow(w, r)
	}
	fmt.Fprintf(w, "----------------\n")
	fmt.Fprintf(w, "- %d hints registered\n", len(rows))
}

// ShowHint is "core show hint <exten>": the hints whose extension starts
// with exten, compared case-insensitively.
func (s *Service) ShowHint(w io.Writer, exten string) {
	rows := s.rows()
	if len(rows) == 0 {
		fmt.Fprintf(w, "There are no registered dialplan hints\n")
		return
	}
	n := 0
	for _, r := range rows {
		if len(r.exten) >= len(exten) && strings.EqualFold(r.exten[:len(exten)], exten) {
			writeHintRow(w, r)
			n++
		}
	}
	switch n {
	case 0:
		fmt.Fprintf(w, "No hints matching extension %s\n", exten)
	case 1:
		fmt.Fprintf(w, "%d hint matching extension %s\n", n, exten)
	default:
		fmt.Fprintf(w, "%d hints matching extension %s\n", n, exten)
	}
}

// ListCustom is "devstate list": the Custom: states stored in the astdb.
func (s *Service) ListCustom(w io.Writer) {
	listHeader(w, "Custom Device States")
	if s.db != nil {
		for _, en := range s.db.Entries(CustomFamily, "") {
			name := en.Key[strings.LastIndexByte(en.Key, '/')+1:]
			if name == "" {
				continue
			}
			fmt.Fprintf(w, "--- Name: 'Custom:%s'  State: '%s'\n---\n", name, en.Value)
		}
	}
	listFooter(w)
}

// SetCustom sets Custom:name to state, keeps it in the astdb (the value
// as given, as func_devstate.c stores it) and announces the change.
func (s *Service) SetCustom(name, state string) error {
	st, _ := pbx.ParseDeviceState(state)
	if s.db != nil {
		if err := s.db.Put(CustomFamily, name, state); err != nil {
			return fmt.Errorf("devstate: astdb: %w", err)
		}
	}
	s.eng.SetCustomDeviceState(name, st)
	return nil
}

// RegisterCLI adds pbx.c's "core show hints" and "core show hint".
func (s *Service) RegisterCLI(reg *cli.Registry) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"core", "show", "hints"},
			Summary: "Show dialplan hints",
			Usage:   "Usage: core show hints\n       List registered hints.\n" + hintUsage,
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 3 {
					return cli.ErrShowUsage
				}
				s.ShowHints(a.Out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"core", "show", "hint"},
			Summary: "Show dialplan hint",
			Usage:   "Usage: core show hint <exten>\n       List registered hint.\n" + hintUsage,
			Handler: func(a *cli.Args) error {
				if len(a.Argv) < 4 {
					return cli.ErrShowUsage
				}
				s.ShowHint(a.Out, a.Argv[3])
				return nil
			},
		},
	)
	if err != nil {
		return fmt.Errorf("hints CLI: %w", err)
	}
	return nil
}

// RegisterDevstateCLI adds func_devstate.c's "devstate list" and
// "devstate change".
func (s *Service) RegisterDevstateCLI(reg *cli.Registry) error {
	err := reg.Register(
		&cli.Command{
			Words:   []string{"devstate", "list"},
			Summary: "List currently known custom device states",
			Usage: "Usage: devstate list\n" +
				"       List all custom device states that have been set by using\n" +
				"       the DEVICE_STATE dialplan function.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 2 {
					return cli.ErrShowUsage
				}
				s.ListCustom(a.Out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"devstate", "change"},
			Summary: "Change a custom device state",
			Usage: "Usage: devstate change <device> <state>\n" +
				"       Change a custom device to a new state.\n" +
				"       The possible values for the state are:\n" +
				"UNKNOWN | NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING\n" +
				"RINGINUSE | ONHOLD\n" +
				"\n" +
				"Examples:\n" +
				"       devstate change Custom:mystate1 INUSE\n" +
				"       devstate change Custom:mystate1 NOT_INUSE\n" +
				"       \n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) != 4 {
					return cli.ErrShowUsage
				}
				name, ok := cutPrefixFold(a.Argv[2], "Custom:")
				if !ok {
					a.Printf("The devstate command can only be used to set 'Custom:' device state!\n")
					return nil // CLI_FAILURE prints nothing more
				}
				if name == "" {
					return cli.ErrShowUsage
				}
				if st, _ := pbx.ParseDeviceState(a.Argv[3]); st == pbx.DeviceUnknown {
					return cli.ErrShowUsage
				}
				a.Printf("Changing %s to %s\n", name, a.Argv[3])
				if err := s.SetCustom(name, a.Argv[3]); err != nil {
					a.Printf("%v\n", err)
				}
				return nil
			},
		},
	)
	if err != nil {
		return fmt.Errorf("func_devstate CLI: %w", err)
	}
	return nil
}

// rule is the 69-dash line of func_devstate.c's and func_presencestate.c's
// list banners.
const rule = "---------------------------------------------------------------------"

// listHeader opens "devstate list" and "presencestate list": the title
// inside a rule padded with dashes to the rule's width.
func listHeader(w io.Writer, title string) {
	line := "--- " + title + " "
	fmt.Fprintf(w, "\n%s\n%s%s\n%s\n---\n", rule, line, rule[min(len(line), len(rule)):], rule)
}

// listFooter closes the two lists.
func listFooter(w io.Writer) { fmt.Fprintf(w, "%s\n%s\n\n", rule, rule) }
