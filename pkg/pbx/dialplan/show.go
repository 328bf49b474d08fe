package dialplan

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// ErrNotFound is returned (wrapped) by Show when the context or extension
// asked for does not exist; the message Asterisk prints is already written.
var ErrNotFound = errors.New("dialplan: not found")

type showCounters struct {
	contexts, extens, prios int
	contextSeen, extenSeen  bool
}

// pad left-justifies s in width bytes, as C's "%-Ns" does (Go's fmt
// counts runes, which would misalign accented text).
func pad(s string, width int) string {
	if len(s) >= width {
		return s
	}
	return s + strings.Repeat(" ", width-len(s))
}

func priorityText(p *Priority) string {
	if p.Number == PriorityHint {
		return "hint: " + p.App
	}
	return fmt.Sprintf("%d. %s(%s)", p.Number, p.App, p.Data)
}

func writeExtLine(w io.Writer, left string, p *Priority) {
	if p.File != "" {
		fmt.Fprintf(w, "  %s %s [%s:%d]\n", pad(left, 17), pad(priorityText(p), 45), p.File, p.Line)
		return
	}
	fmt.Fprintf(w, "  %s %s [%s]\n", pad(left, 17), pad(priorityText(p), 45), Registrar)
}

// Show writes what "dialplan show [arg]" prints, arg being "", "context",
// "exten@context" or "exten@". Contexts come newest first; with an
// extension, included contexts that hold it are shown too.
func (d *Dialplan) Show(w io.Writer, arg string) error {
	context, exten := arg, ""
	if i := strings.IndexByte(arg, '@'); i >= 0 {
		exten, context = arg[:i], arg[i+1:]
	}
	var n showCounters
	d.show(w, context, exten, &n, false, nil)
	if context != "" && !n.contextSeen {
		fmt.Fprintf(w, "There is no existence of '%s' context\n", context)
		return fmt.Errorf("context %q: %w", context, ErrNotFound)
	}
	if exten != "" && !n.extenSeen {
		if context != "" {
			fmt.Fprintf(w, "There is no existence of %s@%s extension\n", exten, context)
		} else {
			fmt.Fprintf(w, "There is no existence of '%s' extension in all contexts\n", exten)
		}
		return fmt.Errorf("extension %q: %w", arg, ErrNotFound)
	}
	fmt.Fprintf(w, "-= %d %s (%d %s) in %d %s. =-\n",
		n.extens, plural(n.extens, "extension", "extensions"),
		n.prios, plural(n.prios, "priority", "priorities"),
		n.contexts, plural(n.contexts, "context", "contexts"))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *Dialplan) show(w io.Writer, context, exten string, n *showCounters, included bool, path []string) {
	for _, c := range d.contexts {
		if context != "" && c.name != context {
			continue
		}
		n.contextSeen = true
		printed := false
		header := func() {
			n.contexts++
			printed = true
			if included {
				fmt.Fprintf(w, "[ Included context '%s' created by '%s' ]\n", c.name, c.registrar)
				return
			}
			fmt.Fprintf(w, "[ Context '%s' created by '%s' ]\n", c.name, c.registrar)
			if c.autohints {
				fmt.Fprintf(w, "Autohints support enabled\n")
			}
		}
		if exten == "" {
			// The whole context is listed, even when empty; "included"
			// only happens with an extension.
			header()
		}
		for _, e := range c.exts {
			if exten != "" && !Match(e.name, exten) {
				continue
			}
			n.extenSeen = true
			if !printed {
				header()
			}
			left := fmt.Sprintf("'%s' =>", e.name)
			if e.matchCID {
				left = fmt.Sprintf("'%s' (CID match '%s') => ", e.name, e.cid)
			}
			n.prios++
			n.extens++
			writeExtLine(w, left, e.prios[0])
			for _, p := range e.prios[1:] {
				n.prios++
				left = ""
				if p.Label != "" {
					left = fmt.Sprintf("   [%s]", p.Label)
				}
				writeExtLine(w, left, p)
			}
		}
		for _, inc := range c.includes {
			if exten == "" {
				fmt.Fprintf(w, "  Include =>        %s [%s]\n", pad("'"+inc.Name+"'", 45), Registrar)
				continue
			}
			if len(path) >= maxStack {
				continue // Asterisk only logs "Maximum include depth exceeded!"
			}
			dupe := false
			for _, p := range path {
				if strings.EqualFold(p, inc.Name) {
					dupe = true
					break
				}
			}
			if !dupe {
				d.show(w, inc.Name, exten, n, true, append(path[:len(path):len(path)], inc.Name))
			}
		}
		for _, ip := range c.ignorepats {
			if exten == "" || Match("_"+ip+".", exten) {
				fmt.Fprintf(w, "  Ignore pattern => %s [%s]\n", pad("'"+ip+"'", 45), Registrar)
			}
		}
		if !included {
			for _, sw := range c.switches {
				fmt.Fprintf(w, "  Alt. Switch =>    %s [%s]\n", pad("'"+sw.Name+"/"+sw.Data+"'", 45), Registrar)
			}
		}
		if printed {
			fmt.Fprintf(w, "\n")
		}
	}
}

const showUsage = "Usage: dialplan show [[exten@]context]\n       Show dialplan\n"

// RegisterCLI registers "dialplan show [[exten@]context]". current returns
// the dialplan in force (it changes on reload); it may return nil before
// the first load, and the command then shows an empty dialplan. A clash
// with an already registered "dialplan show" is a programming error and
// panics.
func RegisterCLI(reg *cli.Registry, current func() *Dialplan) {
	get := func() *Dialplan {
		if d := current(); d != nil {
			return d
		}
		empty, _ := Build(nil, nil)
		return empty
	}
	reg.MustRegister(&cli.Command{
		Words:   []string{"dialplan", "show"},
		Summary: "Show dialplan",
		Usage:   showUsage,
		Handler: func(a *cli.Args) error {
			if len(a.Argv) != 2 && len(a.Argv) != 3 {
				return cli.ErrShowUsage
			}
			arg := ""
			if len(a.Argv) == 3 {
				arg = a.Argv[2]
			}
			return get().Show(a.Out, arg)
		},
		Complete: func(a *cli.Args, pos int, word string) []string {
			if pos != 2 {
				return nil
			}
			var out []string
			for _, name := range get().Contexts() {
				if len(name) >= len(word) && strings.EqualFold(name[:len(word)], word) {
					out = append(out, name)
				}
			}
			return out
		},
	})
}
