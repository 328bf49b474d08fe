// Package harness runs the real gostrisk binary for end-to-end tests: it
// builds the binary once, writes a private config set with free loopback
// ports, starts and stops the daemon, runs -rx commands and sipp scenarios.
// Nothing it starts talks to anything but 127.0.0.1.
package harness
