package chansip

import (
	"context"

	"github.com/emiago/sipgo/sip"
)

// finalResponse waits on a client transaction for its final (>= 200)
// response; nil when the transaction ends (timeout, transport error) or
// ctx is done first. Provisional responses are skipped. The MWI, SIP
// NOTIFY, subscription NOTIFY and outbound REGISTER senders share it.
func finalResponse(ctx context.Context, tx sip.ClientTransaction) *sip.Response {
	for {
		select {
		case res := <-tx.Responses():
			if res.StatusCode >= 200 {
				return res
			}
		case <-tx.Done():
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
