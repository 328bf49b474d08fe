// Package call is the call half of gostrisk's SIP channel driver: the
// back-to-back user agent that turns an authenticated INVITE into a
// pbx.Channel running the dialplan, places the outbound legs Dial asks
// for, relays their media through pkg/rtp and prints `sip show channels`.
//
// The driver (pkg/chansip) owns the sockets, the registrar and peer
// matching; it builds one Manager with its dependencies injected (Deps)
// and routes requests to it:
//
//   - a new INVITE (no To tag), once the peer is matched and authenticated
//     or accepted as a guest: Manager.HandleInvite. The call blocks until
//     the INVITE transaction is over (final response sent and, for a 2xx,
//     the ACK received or Timer H expired), because sipgo terminates a
//     server transaction when its handler returns;
//   - an INVITE that repeats the one of a running call after its
//     transaction ended: Manager.RetransmittedInvite, asked before the
//     driver authenticates (the call's nonce is used up by then);
//   - every in-dialog request (ACK, BYE, CANCEL that matched no
//     transaction, re-INVITE, INFO, UPDATE): Manager.HandleInDialog, which
//     answers 481 itself when the dialog is unknown and reports whether it
//     did so; a request older than the last one the far end sent gets 500,
//     and an ended dialog takes nothing but a BYE (cseq.go);
//   - the Technology (type "SIP") is registered with the pbx engine so
//     that Dial(SIP/...) reaches Manager's Request.
//
// Dialogs are tracked here, keyed by Call-ID (each leg of a call has its
// own Call-ID, as with chan_sip), rather than with sipgo's dialog caches:
// a B2BUA needs the CANCEL/487 race, 2xx retransmission until ACK
// (RFC 3261 13.3.1.4, which sipgo's server transaction leaves to the user
// agent), digest answers with the peer's credentials and chan_sip's
// "Last Message" bookkeeping, and the caches do none of these.
//
// Inbound call, in chan_sip's order: 100 Trying; call-limit check (480
// "Temporarily Unavailable (Call limit) "); SDP offer negotiated against
// the peer's allow list (488 "Not acceptable here" when nothing is in
// common); dialplan lookup of the Request-URI user (or "s") in the peer's
// context (404 and chan_sip's NOTICE when absent); then a channel named
// SIP/<peer>-<seq> in state Ring whose dialplan runs through Engine.Go.
// The channel's Driver maps pbx requests to SIP: Indicate(Ringing) 180,
// Indicate(Progress) 183 with SDP, Answer 200 with SDP (retransmitted
// until ACK), Indicate(Busy) 486, Indicate(Congestion) 503, Hangup(cause)
// the mapped final response or BYE once answered.
//
// Outbound call: Request resolves "peer", "peer/number" and
// "number@host" (a peer whose host or fromdomain is host, else a direct
// call), allocates the RTP leg and a Down channel; Driver.Call sends the
// INVITE from a goroutine the Manager owns, offering only codecs the
// calling leg negotiated, because media is relayed without transcoding.
// 401/407 are answered once with the peer's credentials; 180/183/200 and
// failures become channel reports (Ringing, Progress, Answered, Busy,
// Congestion, HungUp with the cause from pbx.CauseFromSIP). Hangup before
// the answer sends CANCEL, after it BYE.
//
// When a far end hangs up (BYE, CANCEL), the channel gets SoftHangup
// rather than HungUp so that its owner still calls Driver.Hangup: that
// call is where the call detail record is written (once per call, by the
// inbound leg, with the CDR fields pbx stamped) and where the RTP ports
// and the call-limit slot are released. A finished dialog stays listed
// in `sip show channels` for Deps.Linger (chan_sip's 32 s) unless we ended
// it with a BYE that was answered, as chan_sip destroys such dialogs at
// once.
//
// Media. Each leg has its own RTP socket (symmetric RTP: we send from the
// port we receive on); a nat=comedia peer (or auto_comedia when its Via
// shows NAT) is sent its media wherever its RTP comes from. Legs bind
// MediaIP, the SIP bind address, wildcard included. The address in our
// c=/o= lines, in the Contact of our INVITE and 2xx and in the From and
// Call-ID of our INVITE is [general]'s externaddr/externhost when the far
// end's signalling address is outside every localnet (none configured:
// never), else MediaIP and Local when they name one address, else (a
// wildcard bind, bindaddr=0.0.0.0) the address Deps.Route says the system
// sends from towards that far end, looked up once per dialog. `sip show
// channel` prints the address the dialog's SDP carries. SRTP is SDES (RFC 4568) per leg: an encryption=yes peer is
// offered RTP/SAVP (RTP/SAVPF with avpf=yes, the AVP names with
// force_avp=yes) with a fresh crypto/rand key (_80, or _32 with
// encryption_taglen=32) and a plain offer from it is refused with 488, as
// chan_sip does; an SRTP offer from any peer is answered with our own key
// under its tag. The relay decrypts on one leg and encrypts on the other,
// so SRTP and RTP phones talk to each other; keys sent over UDP/TCP draw
// one WARNING per call. icesupport=yes adds ICE host candidates.
//
// A 183 with SDP from a callee links its leg to the SIP caller's at once
// (early media); Dial's bridge takes that link over on answer. A
// re-INVITE that changes direction (hold with sendonly/inactive, unhold
// with sendrecv) is answered, then passed to the linked leg by a
// re-INVITE with the same direction. While two legs are linked, a watcher
// hangs up an answered leg silent for rtptimeout (rtpholdtimeout while
// either side's SDP leaves out sending), with chan_sip's NOTICE.
//
// Direct media (direct.go), chan_sip's directmedia=yes default: when the
// bridge relays two SIP legs natively, each phone is re-INVITEd (UPDATE
// with directmedia=update) with the other phone's RTP address, unless a
// leg forbids it (directmedia=no, nat=comedia, nonat with NAT seen, SRTP,
// non-RFC 2833 DTMF, the directmedia ACL, different codecs or payload
// types); directmedia=outgoing leaves the incoming leg alone. The relay
// stays up, idle, as the fallback. Before the core or another relay uses a
// leg's media (hold music, a tap, DTMF features, a transfer, the dialplan
// after the bridge) the phone is re-INVITEd back to our address. Our own
// pending re-INVITE answers the far end's with 491; a 491 to ours is
// retried after RFC 3261's wait. A phone of a direct call that moves (a
// re-INVITE or UPDATE with a new address or codec) gets the other phone
// re-INVITEd to it, or both back to the relay when the rule no longer
// holds (offer.go). With [general] directrtpsetup=yes a SIP-to-SIP call
// starts direct: the INVITE offers the caller's RTP address and codec and
// the caller's 200 the callee's, so the bridge re-INVITEs no one
// (directsetup.go).
//
// In-dialog offers (offer.go, update.go): a re-INVITE and, once the call
// is answered, an UPDATE with SDP (RFC 3311) change the leg's media the
// same way (relay target, hold and resume for the core, direct-media
// moves); an UPDATE without a body refreshes the session timer. Before
// the answer every UPDATE gets chan_sip's 501 Method Not Implemented
// (chan_sip answers 501 to every UPDATE but its connected-line one).
//
// Route sets (route.go): the Record-Route of an incoming INVITE (in
// order) or of the response that sets up our INVITE's dialog (reversed)
// becomes the dialog's route set; every in-dialog request we send carries
// it as Route headers and goes to its first hop (RFC 3261 12.2.1.1).
// A registration's Path (supportpath=yes, RFC 3327; Deps.Path) is the
// route set of an INVITE or MESSAGE to that contact, and its first hop
// the dialog's address, as chan_sip copies peer->path to the dialog.
//
// Every goroutine (INVITE client transactions, 2xx retransmission, BYE
// transactions) belongs to the Manager; Close cancels them, hangs up the
// calls and waits for them.
package call
