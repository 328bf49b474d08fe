// Package digest implements SIP digest authentication (RFC 2617 / RFC 3261
// MD5) for both sides of chan_sip: the server side challenges REGISTER and
// INVITE with a nonce and verifies the answer; the client side answers the
// 401/407 challenges of a trunk.
//
// Nonces are random, bound to a time of issue, and kept in a sharded store so
// thousands of registrations per second do not serialise on one lock. An
// expired nonce that was otherwise answered correctly is reported as stale,
// which the registrar answers with a fresh challenge carrying stale=true, as
// chan_sip does.
package digest
