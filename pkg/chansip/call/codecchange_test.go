package call

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/media"
)

func TestMidCallCodecs(t *testing.T) {
	tests := []struct {
		name             string
		current, allowed []string
		want             []string
	}{
		{"nothing negotiated", nil, []string{"ulaw", "alaw"}, []string{"ulaw", "alaw"}},
		{"current first", []string{"alaw"}, []string{"ulaw", "alaw", "gsm"}, []string{"alaw", "ulaw", "gsm"}},
		{"all current", []string{"ulaw", "alaw"}, []string{"alaw", "ulaw"}, []string{"ulaw", "alaw"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := midCallCodecs(tc.current, tc.allowed); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("midCallCodecs(%v, %v) = %v, want %v", tc.current, tc.allowed, got, tc.want)
			}
		})
	}
}

// codecPacket is an RTP packet of 160 samples all coded as b, with pt.
func codecPacket(pt uint8, b byte, seq uint16, ssrc uint32) []byte {
	p := make([]byte, 12+160)
	p[0], p[1] = 0x80, pt
	binary.BigEndian.PutUint16(p[2:], seq)
	binary.BigEndian.PutUint32(p[4:], uint32(seq)*160)
	binary.BigEndian.PutUint32(p[8:], ssrc)
	for i := 12; i < len(p); i++ {
		p[i] = b
	}
	return p
}

// translated sends packets of (pt, b) from one phone to a gostrisk port
// and waits for the other phone to get packets of wantPT whose payload is
// wantB: the bridge translated the codec.
func translated(t *testing.T, from *phone, to netip.AddrPort, pt, b byte, at *phone, wantPT, wantB byte) {
	t.Helper()
	buf := make([]byte, 1500)
	deadline := time.Now().Add(5 * time.Second)
	for seq := uint16(1); time.Now().Before(deadline); seq++ {
		if _, err := from.media.WriteToUDPAddrPort(codecPacket(pt, b, seq, 0xC0DEC), to); err != nil {
			t.Fatal(err)
		}
		_ = at.media.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		for {
			n, _, err := at.media.ReadFromUDPAddrPort(buf)
			if err != nil {
				break
			}
			if n == 12+160 && buf[1]&0x7f == wantPT && bytes.Count(buf[12:n], []byte{wantB}) == 160 {
				return
			}
		}
	}
	t.Fatalf("%s never got PT %d payload %#x after %s sent PT %d payload %#x", at.name, wantPT, wantB, from.name, pt, b)
}

// TestReInviteChangesCodec: a bridged PCMU call whose caller re-INVITEs
// offering PCMA only (allowed for the peer) is answered 200 with PCMA, as
// chan_sip does, and the call goes on translated: the caller's PCMA
// reaches the callee as PCMU and the callee's PCMU the caller as PCMA.
// An UPDATE back to PCMU brings the legs to one codec again.
func TestReInviteChangesCodec(t *testing.T) {
	for _, method := range []sip.RequestMethod{sip.INVITE, sip.UPDATE} {
		t.Run(string(method), func(t *testing.T) {
			l := newLabConf(t, mediaConf("allow=ulaw,alaw\ndirectmedia=no", "", ""))
			caller, callee, out := answeredCall(t, l)
			toCallee := mediaTarget(t, callee.lastInvite().Body())
			toCaller := mediaTarget(t, out.final.Body())

			cseq := out.req.CSeq().SeqNo + 10
			res := offerMidCall(t, out, method, cseq, caller.sdpBody(8))
			if res.StatusCode != 200 {
				t.Fatalf("%s offering PCMA: %d %s\nlog:\n%s", method, res.StatusCode, res.Reason, l.log)
			}
			if !bytes.Contains(res.Body(), []byte("m=audio ")) || !bytes.Contains(res.Body(), []byte(" RTP/AVP 8")) ||
				!bytes.Contains(res.Body(), []byte("a=rtpmap:8 PCMA/8000")) {
				t.Fatalf("answer does not carry PCMA:\n%s", res.Body())
			}
			// A-law 0xD5 and mu-law 0xFF are both silence (linear 8 and 0);
			// a louder sample checks the translation itself.
			alaw := media.LinearToALaw(4000)
			translated(t, caller, toCaller, 8, alaw, callee, 0, media.LinearToULaw(media.ALawToLinear(alaw)))
			ulaw := media.LinearToULaw(-3000)
			translated(t, callee, toCallee, 0, ulaw, caller, 8, media.LinearToALaw(media.ULawToLinear(ulaw)))

			res = offerMidCall(t, out, method, cseq+1, caller.sdpBody(0))
			if res.StatusCode != 200 || !bytes.Contains(res.Body(), []byte(" RTP/AVP 0")) {
				t.Fatalf("%s back to PCMU: %d\n%s", method, res.StatusCode, res.Body())
			}
			relay(t, caller, toCaller, callee, 0x6001)
			out.bye()
		})
	}
}

// offerMidCall sends an in-dialog offer (re-INVITE, ACKed, or UPDATE).
func offerMidCall(t *testing.T, out *outgoing, method sip.RequestMethod, cseq uint32, body []byte) *sip.Response {
	t.Helper()
	re := out.inDialog(method, cseq)
	re.AppendHeader(&sip.ContactHeader{Address: out.req.Contact().Address})
	re.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	re.SetBody(body)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	res, err := out.p.client.Do(ctx, re)
	cancel()
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	if method == sip.INVITE {
		_ = out.p.client.WriteRequest(out.inDialog(sip.ACK, cseq))
	}
	return res
}

// TestDirectMediaCodecChange: while the phones talk directly, the caller
// re-INVITEs to PCMA, which the callee (PCMU) does not speak: the answer
// carries PCMA and our address, the callee is re-INVITEd back to us, and
// the bridge translates between the two.
func TestDirectMediaCodecChange(t *testing.T) {
	l := newLabConf(t, mediaConf("allow=ulaw,alaw\ndirectmedia=yes", "", ""))
	caller, callee, out := answeredCall(t, l)
	waitFor(t, "both phones re-INVITEd", 5*time.Second, func() bool {
		return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
	})
	toCallee := mediaTarget(t, callee.lastInvite().Body())
	toCaller := mediaTarget(t, out.final.Body())
	res := offerMidCall(t, out, sip.INVITE, out.req.CSeq().SeqNo+10, caller.sdpBody(8))
	if res.StatusCode != 200 || !bytes.Contains(res.Body(), []byte(" RTP/AVP 8")) {
		t.Fatalf("re-INVITE to PCMA while direct: %d\n%s\nlog:\n%s", res.StatusCode, res.Body(), l.log)
	}
	if got := mediaTarget(t, res.Body()); got != toCaller {
		t.Errorf("answered with media at %s, want ours %s (the phones no longer share a codec)", got, toCaller)
	}
	waitFor(t, "the callee brought back to us", 5*time.Second, func() bool {
		rs := callee.reinviteList()
		return len(rs) >= 2 && mediaTarget(t, rs[len(rs)-1].Body()) == toCallee
	})
	alaw := media.LinearToALaw(5000)
	translated(t, caller, toCaller, 8, alaw, callee, 0, media.LinearToULaw(media.ALawToLinear(alaw)))
	out.bye()
}
