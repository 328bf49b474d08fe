// Command gostrisk is a drop-in replacement for Asterisk 18 with chan_sip:
// the same configuration files, the same CLI, the same behaviour on the wire.
//
// Modes follow Asterisk's flags: no flag starts the daemon in the
// background; -f keeps it in the foreground; -c adds a console; -r / -R
// attach a remote console; -rx "<command>" runs one command and prints its
// output. "gostrisk check" validates a configuration offline.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
