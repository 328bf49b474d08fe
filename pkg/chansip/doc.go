// Package chansip is gostrisk's SIP channel driver, shaped after Asterisk
// 18's chan_sip and built on github.com/emiago/sipgo: the UDP, TCP
// (tcpenable=yes) and TLS (tlsenable=yes) transports, peers from
// sip.conf/users.conf (sipconf), the registrar with MD5 digest
// authentication, INVITE peer matching and authentication in front of the
// call machinery (package call), outbound registrations (register =>),
// qualify (OPTIONS pings), externip/localnet addresses (package extern),
// registrations persisted in astdb, chan_sip's security log lines, and the
// "sip ..." CLI commands.
//
// # Wiring
//
// The daemon builds one Driver from the loaded configuration:
//
//	drv, err := chansip.New(chansip.Options{
//		Config:   snap.SIP,          // *sipconf.Config
//		Log:      log,               // *logger.Logger satisfies Logger
//		Store:    db,                // *astdb.DB satisfies Store
//		Registry: reg,               // the "sip" commands are added here
//		Version:  core.AsteriskVersion,
//		Reload:   func() error { return d.Reload("chan_sip.so") },
//		Engine:   eng,               // *pbx.Engine: calls; nil = registrar only
//		RTP:      snap.RTP,          // rtp.conf
//		CDR:      writeCDR,          // one record per call
//	})
//	err = drv.Start(ctx)           // binds now: "address in use" is returned here
//	...
//	err = drv.Reload(newSnap.SIP)  // module reload chan_sip.so / sip reload
//	drv.Stop()                     // closes sockets, waits for every goroutine
//
// New restores registrations from the store (/SIP/Registry/<peer>, in
// Asterisk's "addr:port:expiry:username:contact" form, so an astdb written
// by Asterisk is read as is). Reload swaps the configuration atomically;
// peers that remain keep their registration, removed ones lose it.
// Listening addresses are bound once, at Start.
//
// # Registrar
//
// A REGISTER names the peer in its To user. Peers are looked up as chan_sip
// 18 does (case-insensitively). The checks run in chan_sip's order (peer
// exists, ACL, host=dynamic, transport, digest) and every failure is
// logged as
//
//	Registration from '<To header>' failed for '<ip:port>' - <reason>
//
// with chan_sip's reasons, which fail2ban's stock asterisk filter matches.
// With alwaysauthreject=yes an unknown peer, a digest username that is not
// the peer name, a static peer and an ACL refusal are answered exactly as
// a wrong password is (401 challenge, then 403 to an answer with our
// nonce), so extensions cannot be enumerated from the wire.
//
// REGISTER is answered without keeping a transaction, and nonces are
// signed rather than stored (nonces.go), so a retransmission gets the same
// answer and a flood of challenges leaves nothing behind. A nonce is bound
// to the Call-ID it was issued in and good for one answer, as chan_sip's
// per-dialog nonce is: the nonces answers have used are remembered until
// they expire, with the request that used them, whose retransmissions get
// the same answer. An answer computed with the right password on a used
// or expired nonce gets a new challenge with stale=true; the digest uri
// must name the Request-URI.
//
// A peer with supportpath=yes keeps the Path headers of its REGISTER
// (RFC 3327) as its registration's route set, under /SIP/RegistryPath as
// chan_sip stores it; the 200 echoes them with "path" in Supported, and
// calls, MESSAGE, qualify and MWI reach the contact through them.
//
// # Calls and connections
//
// A new INVITE is matched to a peer by its From user, else by source
// address (insecure=port: address only), challenged unless
// insecure=invite, and handed to call.Manager on the handler's goroutine.
// Requests to a phone that registered over TCP or TLS go back over its
// connection (tls_route.go): the phone is usually behind NAT.
//
// # Concurrency
//
// The configuration is an atomic pointer; registrations sit in an
// RWMutex-guarded map; the qualify schedule is one loop goroutine. Start
// owns every goroutine (transport readers, housekeeping, qualify, outbound
// registrations) and Stop waits for them, after the calls are hung up.
package chansip
