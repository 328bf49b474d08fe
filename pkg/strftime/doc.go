// Package strftime formats times with C strftime conversions (C locale), as
// Asterisk's logger dateformat and the STRFTIME dialplan function write
// them, plus Asterisk's %<n>q for n digits of fractional seconds.
package strftime
