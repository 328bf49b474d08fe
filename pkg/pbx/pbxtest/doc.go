// Package pbxtest gives tests of applications, bridges and modules a
// channel whose far end is a program: a driver that terminates media in
// memory, paced like a real leg, so a test can speak into the channel
// (Say), press keys (Press) and hear what the core played (Heard).
package pbxtest
