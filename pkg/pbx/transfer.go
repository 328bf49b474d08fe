package pbx

import "context"

// TransferDriver is implemented by drivers that can send their far end
// elsewhere, Asterisk's ast_transfer (chan_sip: a 302 while the call
// rings, a REFER once it is answered).
type TransferDriver interface {
	// Transfer asks the far end to go to dest ("exten" or
	// "exten@domain") and waits for the outcome: code 0 when it went,
	// else the protocol's failure code (a SIP status) with a non-nil err.
	Transfer(ctx context.Context, dest string) (code int, err error)
}
