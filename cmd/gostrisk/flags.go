package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// flags are Asterisk's command-line options.
type flags struct {
	foreground bool   // -f
	console    bool   // -c
	remote     bool   // -r
	reconnect  bool   // -R
	exec       string // -x
	verbose    int    // -v (repeatable)
	debug      int    // -d (repeatable)
	quiet      bool   // -q
	noColor    bool   // -n
	timestamps bool   // -T
	config     string // -C
	user       string // -U
	group      string // -G
	dumpCore   bool   // -g (accepted)
	highPrio   bool   // -p
	version    bool   // -V
	pprof      string // --pprof addr (off by default)
	daemonized bool   // internal: set on the re-executed background child
}

const defaultConfig = "/etc/asterisk/asterisk.conf"

func newRootCommand(stdout, stderr io.Writer, code *int) *cobra.Command {
	var f flags
	root := &cobra.Command{
		Use:           "gostrisk",
		Short:         "Asterisk 18 chan_sip drop-in replacement",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = runMain(&f, stdout, stderr)
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	fl := root.Flags()
	fl.SortFlags = false
	fl.BoolVarP(&f.foreground, "foreground", "f", false, "do not fork: run in the foreground")
	fl.BoolVarP(&f.console, "console", "c", false, "run in the foreground with a console (implies -f)")
	fl.BoolVarP(&f.remote, "remote", "r", false, "connect to the running daemon with a remote console")
	fl.BoolVarP(&f.reconnect, "reconnect", "R", false, "like -r, reconnecting when the daemon restarts")
	fl.StringVarP(&f.exec, "exec", "x", "", "run one CLI command on the running daemon and exit (implies -r)")
	fl.CountVarP(&f.verbose, "verbose", "v", "increase verbosity (repeatable)")
	fl.CountVarP(&f.debug, "debug", "d", "increase debug level (repeatable)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "quiet mode: no verbose output")
	fl.BoolVarP(&f.noColor, "no-color", "n", false, "no colour on the console")
	fl.BoolVarP(&f.timestamps, "timestamps", "T", false, "timestamps on verbose lines")
	fl.StringVarP(&f.config, "config", "C", defaultConfig, "path of asterisk.conf")
	fl.StringVarP(&f.user, "user", "U", "", "run as this user after binding sockets")
	fl.StringVarP(&f.group, "group", "G", "", "run as this group after binding sockets")
	fl.BoolVarP(&f.dumpCore, "dump-core", "g", false, "accepted for compatibility")
	fl.BoolVarP(&f.highPrio, "high-priority", "p", false, "run with real-time priority (SCHED_RR), as asterisk.conf's highpriority")
	fl.BoolVarP(&f.version, "version", "V", false, "print the version and exit")
	fl.StringVar(&f.pprof, "pprof", "", "serve Go profiles on this address (e.g. 127.0.0.1:6060); off by default")
	fl.BoolVar(&f.daemonized, "daemonized", false, "internal: set on the background process")
	fl.MarkHidden("daemonized")

	var checkConfig string
	check := &cobra.Command{
		Use:   "check",
		Short: "load the whole configuration offline and report every problem with file:line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			*code = runCheck(checkConfig, stdout, stderr)
			return nil
		},
	}
	check.Flags().StringVarP(&checkConfig, "config", "C", defaultConfig, "path of asterisk.conf")
	root.AddCommand(check)
	return root
}

func run(args []string, stdout, stderr io.Writer) int {
	code := 0
	root := newRootCommand(stdout, stderr, &code)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		fmt.Fprintf(stderr, "gostrisk: %v\n", err)
		return 2
	}
	return code
}
