// Package cdr writes call detail records the way Asterisk's cdr_csv does:
// one line per call appended to astlogdir/cdr-csv/Master.csv (and to
// <accountcode>.csv when accountlogs is on), with Asterisk's column order
// and quoting, so billing scripts written for Asterisk keep working.
//
// Settings come from cdr.conf ([general] enable, unanswered) and
// cdr_csv.conf ([csv] usegmtime, loguniqueid, loguserfield, accountlogs).
package cdr
