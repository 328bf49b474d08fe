// Package amd is app_amd: amd.conf's [general] defaults and the AMD
// application, which listens to the start of an answered call and tells an
// answering machine from a human with Asterisk's algorithm (initial
// silence, greeting length, silence after the greeting, words counted by
// their length and the silence between them), setting AMDSTATUS and
// AMDCAUSE.
package amd
