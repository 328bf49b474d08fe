package call

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Transfer is chan_sip's sip_transfer for the Transfer application: a
// call still ringing is redirected with a 302 (Contact: the destination),
// an answered one is sent a REFER whose outcome arrives in NOTIFYs.
func (c *inCall) Transfer(ctx context.Context, dest string) (int, error) {
	exten, domain, _ := strings.Cut(dest, "@")
	if exten == "" {
		c.m.log.Warning("Missing mandatory argument: extension\n")
		return 0, nil
	}
	if domain == "" {
		domain = c.invite.Recipient.Host
		if p := c.invite.Recipient.Port; p != 0 {
			domain += ":" + strconv.Itoa(p)
		}
	}
	c.mu.Lock()
	final := c.finalRes != nil
	c.mu.Unlock()
	if !final && c.channel() != nil && c.channel().State() != pbx.StateUp {
		res := c.response(302, "Moved Temporarily", nil)
		res.AppendHeader(sip.NewHeader("Contact", fmt.Sprintf("Transfer <sip:%s@%s>", exten, domain)))
		c.sendFinal(res)
		c.markEnded()
		return 0, nil
	}
	return c.dialog.refer(ctx, exten, domain)
}

// Transfer sends the called party a REFER (an answered outbound leg).
func (o *outCall) Transfer(ctx context.Context, dest string) (int, error) {
	exten, domain, _ := strings.Cut(dest, "@")
	if exten == "" {
		return 0, nil
	}
	if domain == "" {
		domain = o.dialog.contactURI("").Host
	}
	return o.dialog.refer(ctx, exten, domain)
}

// referOut is a REFER we sent, waiting for its final NOTIFY.
type referOut struct {
	result chan int // the final sipfrag status
}

// refer sends a REFER in the dialog and waits for the transfer's end: the
// final NOTIFY (RFC 3515) says 2xx (0 returned) or a failure code.
func (d *dialog) refer(ctx context.Context, exten, domain string) (int, error) {
	req := d.newRequest(sip.REFER)
	local := d.contactURI(d.localUser())
	req.AppendHeader(sip.NewHeader("Refer-To", fmt.Sprintf("<sip:%s@%s>", exten, domain)))
	req.AppendHeader(sip.NewHeader("Referred-By", fmt.Sprintf("<%s>", local.String())))
	req.AppendHeader(&sip.ContactHeader{Address: local})
	ro := &referOut{result: make(chan int, 1)}
	d.mu.Lock()
	d.xferOut = ro
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		if d.xferOut == ro {
			d.xferOut = nil
		}
		d.mu.Unlock()
	}()
	d.setLast("Tx: REFER")
	m := d.m
	tctx, cancel := context.WithTimeout(ctx, 64*m.d.T1)
	defer cancel()
	tx, err := m.d.Client.TransactionRequest(tctx, req)
	if err != nil {
		return 0, fmt.Errorf("REFER on %s: %w", d.callID, err)
	}
	code := 0
wait:
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			code = res.StatusCode
			break wait
		case <-tx.Done():
			break wait
		case <-tctx.Done():
			break wait
		}
	}
	tx.Terminate()
	if code == 0 {
		return 408, fmt.Errorf("REFER on %s: no answer", d.callID)
	}
	if code >= 300 {
		return code, fmt.Errorf("REFER on %s: %d", d.callID, code)
	}
	// Accepted: the NOTIFYs follow; the far end's BYE may end the call
	// before the last one.
	t := time.NewTimer(32 * time.Second)
	defer t.Stop()
	var done <-chan struct{}
	if ch := d.channel(); ch != nil {
		done = ch.Done()
	}
	select {
	case st := <-ro.result:
		if st >= 200 && st < 300 {
			return 0, nil
		}
		return st, fmt.Errorf("transfer failed: %d", st)
	case <-done:
		return 0, nil
	case <-t.C:
		return 0, fmt.Errorf("REFER on %s: no final NOTIFY", d.callID)
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// handleNotify takes a NOTIFY in one of our dialogs: the progress of a
// REFER we sent (Event: refer, message/sipfrag). Other events are not
// ours to take (489 Bad Event, as chan_sip answers).
func (m *Manager) handleNotify(d *dialog, req *sip.Request, tx sip.ServerTransaction) {
	d.setLast("Rx: NOTIFY")
	ev := ""
	if h := req.GetHeader("Event"); h != nil {
		ev = strings.ToLower(strings.TrimSpace(h.Value()))
	} else if h := req.GetHeader("o"); h != nil {
		ev = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	if ev != "refer" && !strings.HasPrefix(ev, "refer;") {
		m.respond(req, tx, 489, "Bad event")
		return
	}
	m.respond(req, tx, 200, "OK")
	// "SIP/2.0 200 OK": the status of the transferee's new call.
	body := strings.TrimSpace(string(req.Body()))
	f := strings.Fields(body)
	if len(f) < 2 || !strings.HasPrefix(strings.ToUpper(f[0]), "SIP/") {
		return
	}
	st, err := strconv.Atoi(f[1])
	if err != nil || st < 200 {
		return
	}
	d.mu.Lock()
	ro := d.xferOut
	d.mu.Unlock()
	if ro != nil {
		select {
		case ro.result <- st:
		default:
		}
	}
}
