// Package digest implements SIP digest authentication (RFC 2617 / RFC 3261
// MD5) for both sides of chan_sip: the server side challenges REGISTER and
// INVITE with a nonce and verifies the answer; the client side answers the
// 401/407 challenges of a trunk.
//
// Issuing and checking nonces is the registrar's (pkg/chansip signs them, so
// no memory is kept per challenge); NonceState names what it finds. An
// expired nonce that was otherwise answered correctly counts as stale, which
// the registrar answers with a fresh challenge carrying stale=true, as
// chan_sip does.
package digest
