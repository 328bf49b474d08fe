package local

import (
	"time"

	"github.com/gostrisk/gostrisk/pkg/cdr"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// emitCDR writes ;2's records once its dialplan ended: Asterisk 18's CDR
// engine gives the half that runs the dialplan a record of its own (its
// caller to whomever it dialed, in the Local channel's context), next to
// the dialer's record whose destination channel is ;1.
func (t *Tech) emitCDR(ch *pbx.Channel) {
	if t.opts.CDR == nil {
		return
	}
	x := ch.CDR()
	if x.Disabled {
		return // NoCDR
	}
	cid := ch.CallerID()
	dst := ""
	if v, ok := ch.Var("DIALEDPEERNAME"); ok {
		dst = v
	}
	src := x.Src
	if cid.Num != "" {
		src = cid.Num
	}
	clid := cid.Num
	switch {
	case cid.Name != "" && cid.Num != "":
		clid = `"` + cid.Name + `" <` + cid.Num + `>`
	case cid.Name != "":
		clid = `"` + cid.Name + `"`
	}
	// ForkCDR's earlier records first, as the chain is written in order.
	for _, r := range append(append([]pbx.CDR(nil), x.Forks...), x) {
		end := r.End
		if end.IsZero() {
			end = time.Now()
		}
		ama := r.AMAFlags
		if ama == "" {
			ama = "DOCUMENTATION"
		}
		d := dst
		if r.DstChannel != "" {
			d = r.DstChannel
		}
		t.opts.CDR(&cdr.Record{
			AccountCode: ch.AccountCode(), Src: src, Dst: r.Dst, DContext: r.DContext, CLID: clid,
			Channel: ch.Name(), DstChannel: d, LastApp: r.LastApp, LastData: r.LastData,
			Start: r.Start, Answer: r.Answer, End: end, Disposition: cdr.Disposition(r.Disposition),
			AMAFlags: ama, UniqueID: ch.UniqueID(), UserField: r.UserField,
		})
	}
}
