// Package cdrmanager is cdr_manager.so: with cdr_manager.conf's
// [general] enabled = yes, every CDR record is also a "Cdr" manager
// event (class cdr) with Asterisk's fields, published on the engine bus
// for the manager to deliver.
package cdrmanager
