package call

import (
	"context"
	"errors"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// ErrNoDialog: no live dialog has the Call-ID asked for.
var ErrNoDialog = errors.New("no dialog with this Call-ID")

// NotifyInDialog sends a NOTIFY inside the live dialog with this
// Call-ID, with headers (after the dialog's own) and body, as chan_sip's
// manager_sipnotify does when it is given a Call-ID: the dialog's tags,
// route set and next CSeq. The answer is collected by a tracked
// goroutine; the caller does not wait for it.
func (m *Manager) NotifyInDialog(callID string, headers []sip.Header, body []byte) error {
	d := m.find(callID)
	if d == nil || d.isEnded() {
		return ErrNoDialog
	}
	req := d.newRequest(sip.NOTIFY)
	for _, h := range headers {
		req.AppendHeader(h)
	}
	req.SetBody(body)
	d.setLast("Tx: NOTIFY")
	return d.sendTracked(req)
}

// sendTracked starts a non-INVITE transaction for an in-dialog request
// built by newRequest and collects its final answer on a goroutine the
// manager tracks (Timer F bounds it).
func (d *dialog) sendTracked(req *sip.Request) error {
	m := d.m
	opt := sipgo.ClientRequestAddVia
	if req.Via() != nil {
		opt = sipgo.ClientRequestBuild
	}
	method := string(req.Method)
	if !m.goTracked(func() {
		ctx, cancel := context.WithTimeout(m.ctx, 64*m.d.T1+time.Second)
		defer cancel()
		tx, err := m.d.Client.TransactionRequest(ctx, req, opt)
		if err != nil {
			m.log.Warning("Unable to send %s on %s: %v\n", method, d.callID, err)
			return
		}
		defer tx.Terminate()
		_, _ = finalResponse(ctx, tx)
	}) {
		return errClosed
	}
	return nil
}
