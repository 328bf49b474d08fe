// Package digest implements SIP digest authentication (RFC 2617 / RFC 3261
// MD5) for both sides of chan_sip: the server side challenges REGISTER and
// INVITE with a nonce and verifies the answer; the client side answers the
// 401/407 challenges of a trunk.
//
// Issuing and checking nonces is the registrar's (pkg/chansip/nonces.go:
// signed and bound to the dialog, so nothing is kept per challenge, and
// each good for one answer, as chan_sip's are). A used or expired nonce
// that was otherwise answered correctly counts as stale, which the
// registrar answers with a fresh challenge carrying stale=true, as
// chan_sip does.
package digest
