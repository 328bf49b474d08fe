// Package managertest runs a manager on a free loopback port with one
// all-powerful user, and a raw client for it, so that the modules that
// register manager actions (queues, conferences, parking) can test them
// on the wire, as a client reads them.
package managertest
