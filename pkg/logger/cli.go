package logger

import (
	"fmt"
	"io"

	"github.com/gostrisk/gostrisk/pkg/cli"
)

// RegisterCLI adds the logger's console commands. reload re-reads
// logger.conf and applies it (typically loading the file and calling
// l.Reload); nil re-applies the configuration in force, reopening files.
func RegisterCLI(reg *cli.Registry, l *Logger, reload func() error) error {
	if reload == nil {
		reload = func() error { return l.reapply() }
	}
	return reg.Register(
		&cli.Command{
			Words:   []string{"logger", "reload"},
			Summary: "Reopens the log files",
			Usage: "Usage: logger reload [<alt-conf>]\n" +
				"       Reloads the logger subsystem state.  Use after restarting syslogd(8) if you are using syslog logging.\n",
			Handler: func(a *cli.Args) error {
				if len(a.Argv) > 3 {
					return cli.ErrShowUsage
				}
				if err := reload(); err != nil {
					a.Printf("Failed to reload the logger\n")
					l.Error("%v", err)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"logger", "rotate"},
			Summary: "Rotates and reopens the log files",
			Usage: "Usage: logger rotate\n" +
				"       Rotates and Reopens the log files.\n",
			Handler: func(a *cli.Args) error {
				if err := l.Rotate(); err != nil {
					a.Printf("Failed to reload the logger and rotate log files\n")
					l.Error("%v", err)
				}
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"logger", "show", "channels"},
			Summary: "List configured log channels",
			Usage: "Usage: logger show channels\n" +
				"       List configured logger channels.\n",
			Handler: func(a *cli.Args) error {
				l.ShowChannels(a.Out)
				return nil
			},
		},
		&cli.Command{
			Words:   []string{"logger", "show", "levels"},
			Summary: "List configured log levels",
			Usage: "Usage: logger show levels\n" +
				"       List configured logger levels.\n",
			Handler: func(a *cli.Args) error {
				fmt.Fprintf(a.Out, "%5s %s\n", "Level", "Name")
				fmt.Fprintf(a.Out, "%5s %s\n", "-----", "----")
				for _, lv := range allLevels {
					fmt.Fprintf(a.Out, "%5d %s\n", int(lv), lv)
				}
				fmt.Fprintf(a.Out, "\n")
				return nil
			},
		},
	)
}

// ShowChannels writes the "logger show channels" table. Asterisk lists the
// channels newest first, i.e. in reverse logger.conf order, and names the
// console with an empty name.
func (l *Logger) ShowChannels(w io.Writer) {
	st := l.c.state.Load()
	const row = "%-35.35s %-8.8s %-10.10s %-9.9s "
	fmt.Fprintf(w, "Logger queue limit: %d\n\n", st.settings.QueueLimit)
	fmt.Fprintf(w, row, "Channel", "Type", "Formatter", "Status")
	fmt.Fprintf(w, "Configuration\n")
	fmt.Fprintf(w, row, "-------", "----", "---------", "------")
	fmt.Fprintf(w, "-------------\n")
	for i := len(st.sinks) - 1; i >= 0; i-- {
		s := st.sinks[i]
		status := "Enabled"
		if s.disabled.Load() {
			status = "Disabled"
		}
		name := s.spec.Path
		if s.spec.Kind == KindConsole {
			name = ""
		}
		fmt.Fprintf(w, row, name, s.spec.Kind, s.spec.Formatter, status)
		fmt.Fprintf(w, " - ")
		for _, lv := range allLevels {
			if s.spec.Has(lv) {
				fmt.Fprintf(w, "%s ", lv)
			}
		}
		fmt.Fprintf(w, "\n")
	}
	fmt.Fprintf(w, "\n")
}
