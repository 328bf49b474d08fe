package call

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/pion/srtp/v3"

	"github.com/gostrisk/gostrisk/pkg/pbx"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

// mediaSIPConf has one peer per media feature under test; the dialplan is
// testExtensions' [work] (Dial(SIP/${EXTEN},20)).
const mediaSIPConf = `[general]
context=default
directmedia=no
allowguest=no
disallow=all
allow=ulaw
%s

[6000]
type=friend
host=dynamic
secret=test
context=work
%s

[6001]
type=friend
host=dynamic
secret=test
context=work
%s

[6002]
type=friend
host=dynamic
secret=test
context=work
`

func mediaConf(general, callee, caller string) string {
	return fmt.Sprintf(mediaSIPConf, general, callee, caller)
}

// srtpBody is an SDP offer or answer keyed with c.
func srtpBody(p *phone, proto string, c sdp.Crypto) []byte {
	ip := p.addr.Addr().String()
	return []byte("v=0\r\no=user1 53655765 2353687637 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\n" +
		fmt.Sprintf("m=audio %d %s 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=crypto:%s\r\n", p.mediaPort(), proto, c))
}

func newCrypto(t *testing.T, tag int, suite string) sdp.Crypto {
	t.Helper()
	c, err := sdp.NewCrypto(tag, suite)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// srtpContext is a phone's pion/srtp context for one key.
func srtpContext(t *testing.T, c sdp.Crypto) *srtp.Context {
	t.Helper()
	prof := srtp.ProtectionProfileAes128CmHmacSha1_80
	if c.Suite == sdp.SuiteAES128SHA1_32 {
		prof = srtp.ProtectionProfileAes128CmHmacSha1_32
	}
	ctx, err := srtp.CreateContext(c.Key[:16], c.Key[16:], prof)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// cryptoOf returns the first a=crypto of a body.
func cryptoOf(t *testing.T, body []byte) (string, sdp.Crypto) {
	t.Helper()
	d, err := sdp.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Audio.Crypto) == 0 {
		t.Fatalf("no a=crypto in\n%s", body)
	}
	c, err := sdp.ParseCrypto(d.Audio.Crypto[0])
	if err != nil {
		t.Fatal(err)
	}
	return d.Audio.Proto, c
}

// voice is the plaintext RTP packet with a given sequence number: its
// payload is derived from seq so a receiver can rebuild what was sent.
func voice(seq uint16, ssrc uint32) []byte {
	b := rtpPacket(seq, ssrc)
	for i := 12; i < len(b); i++ {
		b[i] = byte(int(seq) + i)
	}
	return b
}

// exchange sends voice packets from one phone (encrypted when enc is set)
// to a gostrisk port until one reaches the other phone; it checks the
// packet decrypts (when dec is set) to what was sent and returns the bytes
// seen on the wire.
func exchange(t *testing.T, l *lab, from *phone, enc *srtp.Context, to netip.AddrPort, at *phone, dec *srtp.Context, ssrc uint32) []byte {
	t.Helper()
	buf := make([]byte, 1500)
	for seq := uint16(1); seq <= 30; seq++ {
		pkt := voice(seq, ssrc)
		if enc != nil {
			var err error
			if pkt, err = enc.EncryptRTP(nil, pkt, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := from.media.WriteToUDPAddrPort(pkt, to); err != nil {
			t.Fatal(err)
		}
		_ = at.media.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, _, err := at.media.ReadFromUDPAddrPort(buf)
		if err != nil {
			continue // strict RTP may still be learning
		}
		wire := append([]byte(nil), buf[:n]...)
		plain := wire
		if dec != nil {
			if plain, err = dec.DecryptRTP(nil, wire, nil); err != nil {
				t.Fatalf("%s cannot decrypt what gostrisk sent: %v", at.name, err)
			}
		}
		if len(plain) < 12 || binary.BigEndian.Uint32(plain[8:]) != ssrc {
			t.Fatalf("%s got an unexpected packet %x", at.name, plain)
		}
		want := voice(binary.BigEndian.Uint16(plain[2:]), ssrc)
		if !bytes.Equal(plain, want) {
			t.Fatalf("%s got %x, want %x", at.name, plain, want)
		}
		return wire
	}
	t.Fatalf("no RTP from %s reached %s through %s\nlog:\n%s", from.name, at.name, to, l.log)
	return nil
}

func countLines(l *lab, prefix string) int {
	n := 0
	for _, s := range strings.Split(l.log.String(), "\n") {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestSRTPCallerPlainCallee: an SRTP phone calls a plain RTP phone; media
// is decrypted on one leg and encrypted on the other. A peer without
// encryption=yes that offers SRTP is answered with a key too.
func TestSRTPCallerPlainCallee(t *testing.T) {
	for _, tc := range []struct{ name, callerOpts string }{
		{"encryption=yes", "encryption=yes"},
		{"offer from a plain peer", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf("", "", tc.callerOpts))
			callee := newPhone(t, "6000", "answer")
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			ours := newCrypto(t, 7, sdp.SuiteAES128SHA1_80)
			out := caller.inviteBody(l, "6000", srtpBody(caller, "RTP/SAVP", ours))
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != 200 {
				t.Fatalf("final %d; log:\n%s", res.StatusCode, l.log)
			}
			out.ack()
			proto, theirs := cryptoOf(t, res.Body())
			if proto != "RTP/SAVP" || theirs.Tag != 7 || theirs.Suite != sdp.SuiteAES128SHA1_80 {
				t.Errorf("answer has %s with %s, want RTP/SAVP and tag 7 _80", proto, theirs)
			}
			if bytes.Equal(theirs.Key, ours.Key) {
				t.Error("gostrisk answered with the caller's own key")
			}
			inv := callee.lastInvite().Body()
			if !bytes.Contains(inv, []byte("RTP/AVP ")) || bytes.Contains(inv, []byte("a=crypto")) {
				t.Errorf("plain callee was offered\n%s", inv)
			}
			toCaller, toCallee := mediaTarget(t, res.Body()), mediaTarget(t, inv)
			exchange(t, l, caller, srtpContext(t, ours), toCaller, callee, nil, 0x1111)
			wire := exchange(t, l, callee, nil, toCallee, caller, srtpContext(t, theirs), 0x2222)
			if len(wire) != 12+160+10 {
				t.Errorf("SRTP packet to the caller is %d bytes, want payload plus an 80-bit tag", len(wire))
			}
			if bytes.Contains(wire, voice(binary.BigEndian.Uint16(wire[2:]), 0x2222)[12:]) {
				t.Error("the caller's leg carries the payload in clear")
			}
			if n := countLines(l, "WARNING: SRTP keys for"); n != 1 {
				t.Errorf("%d warnings about keys over UDP, want 1\n%s", n, l.log)
			}
			if res := out.bye(); res.StatusCode != 200 {
				t.Errorf("BYE answered %d", res.StatusCode)
			}
		})
	}
}

// TestSRTPOfferToEncryptedPeer: a call to an encryption=yes peer offers
// RTP/SAVP with an _80 key; RTP/SAVPF with avpf=yes, an _32 key with
// encryption_taglen=32, ICE host candidates with icesupport=yes, and the
// RTP/AVP name with force_avp=yes. The callee's key decrypts what it sends.
func TestSRTPOfferToEncryptedPeer(t *testing.T) {
	for _, tc := range []struct {
		name, opts, proto, suite string
		tagLen                   int
		ice                      bool
	}{
		{"default", "encryption=yes", "RTP/SAVP", sdp.SuiteAES128SHA1_80, 10, false},
		{"avpf taglen32 ice", "encryption=yes\nencryption_taglen=32\navpf=yes\nicesupport=yes", "RTP/SAVPF", sdp.SuiteAES128SHA1_32, 4, true},
		{"force_avp", "encryption=yes\nforce_avp=yes", "RTP/AVP", sdp.SuiteAES128SHA1_80, 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf("", tc.opts, ""))
			callee := newPhone(t, "6000", "answer")
			calleeKey := newCrypto(t, 1, tc.suite)
			callee.mu.Lock()
			callee.answerBody = func(inv *sip.Request) []byte {
				return srtpBody(callee, tc.proto, calleeKey)
			}
			callee.mu.Unlock()
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			out := caller.invite(l, "6000", 0)
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != 200 {
				t.Fatalf("final %d; log:\n%s", res.StatusCode, l.log)
			}
			out.ack()
			if bytes.Contains(res.Body(), []byte("crypto")) {
				t.Errorf("plain caller got a key:\n%s", res.Body())
			}
			inv := callee.lastInvite().Body()
			proto, offered := cryptoOf(t, inv)
			if proto != tc.proto || offered.Suite != tc.suite || offered.Tag != 1 {
				t.Errorf("offer is %s with %s, want %s and 1 %s:\n%s", proto, offered, tc.proto, tc.suite, inv)
			}
			for _, re := range []string{`a=ice-ufrag:\S{8}\r\n`, `a=ice-pwd:\S{24}\r\n`,
				`a=candidate:\S+ 1 UDP \d+ 127\.0\.0\.1 \d+ typ host\r\n`, `a=candidate:\S+ 2 UDP \d+ 127\.0\.0\.1 \d+ typ host\r\n`} {
				if regexp.MustCompile(re).Match(inv) != tc.ice {
					t.Errorf("offer has %s: %v, want %v:\n%s", re, !tc.ice, tc.ice, inv)
				}
			}
			toCaller, toCallee := mediaTarget(t, res.Body()), mediaTarget(t, inv)
			wire := exchange(t, l, caller, nil, toCaller, callee, srtpContext(t, offered), 0x3333)
			if len(wire) != 12+160+tc.tagLen {
				t.Errorf("SRTP packet to the callee is %d bytes, want payload plus a %d-byte tag", len(wire), tc.tagLen)
			}
			exchange(t, l, callee, srtpContext(t, calleeKey), toCallee, caller, nil, 0x4444)
			if res := out.bye(); res.StatusCode != 200 {
				t.Errorf("BYE answered %d", res.StatusCode)
			}
		})
	}
}

// TestSRTPRefusals: chan_sip answers 488 to an encryption=yes peer that
// offers plain RTP, and to an SRTP offer whose key it cannot use.
func TestSRTPRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, callerOpts string
		body             func(p *phone) []byte
		log              string
	}{
		{"plain offer", "encryption=yes", func(p *phone) []byte { return p.sdpBody(0) },
			"WARNING: Matched device setup to use SRTP, but request was not!"},
		{"session parameter", "", func(p *phone) []byte {
			b := srtpBody(p, "RTP/SAVP", newCrypto(t, 1, sdp.SuiteAES128SHA1_80))
			return append(bytes.TrimSuffix(b, []byte("\r\n")), " UNENCRYPTED_SRTP\r\n"...)
		}, "WARNING: Can't provide secure audio requested in SDP offer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf("", "", tc.callerOpts))
			callee := newPhone(t, "6000", "answer")
			l.register("6000", callee.addr)
			caller := newPhone(t, "6001", "")
			freeBefore := l.alloc.Free()
			out := caller.inviteBody(l, "6000", tc.body(caller))
			res := out.waitFinal(5 * time.Second)
			if res.StatusCode != 488 || res.Reason != "Not acceptable here" {
				t.Fatalf("final %d %s, want 488 Not acceptable here", res.StatusCode, res.Reason)
			}
			if !l.log.has(tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, l.log)
			}
			if callee.lastInvite() != nil {
				t.Error("the callee was called")
			}
			if got := l.alloc.Free(); got != freeBefore {
				t.Errorf("%d RTP ports free after the refusal, want %d", got, freeBefore)
			}
		})
	}
}

// TestNATAddresses: with externip and localnet, a far end outside the
// local network sees the external address in c=, o= and Contact, one
// inside sees the local one; media still flows to the bound port.
func TestNATAddresses(t *testing.T) {
	l := newLabConf(t, mediaConf("externip=127.0.0.5\nlocalnet=127.0.0.1/255.255.255.255", "", ""))
	callee := newPhone(t, "6000", "answer") // 127.0.0.1: inside
	l.register("6000", callee.addr)
	caller := newPhoneAt(t, "6001", "", "127.0.0.2") // outside
	out := caller.invite(l, "6000", 0)
	res := out.answered()
	inv := callee.lastInvite()
	for _, tc := range []struct {
		who, ip string
		body    []byte
		contact sip.Uri
	}{
		{"caller outside localnet", "127.0.0.5", res.Body(), res.Contact().Address},
		{"callee inside localnet", "127.0.0.1", inv.Body(), inv.Contact().Address},
	} {
		d, err := sdp.Parse(tc.body)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(tc.body, []byte("c=IN IP4 "+tc.ip+"\r\n")) || !regexp.MustCompile(`o=root \d+ \d+ IN IP4 `+regexp.QuoteMeta(tc.ip)+"\r\n").Match(tc.body) {
			t.Errorf("%s: SDP does not show %s:\n%s", tc.who, tc.ip, tc.body)
		}
		if start, end := l.alloc.Range(); d.Audio.Port < start || d.Audio.Port > end {
			t.Errorf("%s: media port %d outside the RTP range", tc.who, d.Audio.Port)
		}
		if tc.contact.Host != tc.ip || tc.contact.Port != int(l.addr.Port()) {
			t.Errorf("%s: Contact %s, want %s:%d", tc.who, tc.contact.String(), tc.ip, l.addr.Port())
		}
	}
	// The NAT forwards the external address to the bound port.
	toCaller := netip.AddrPortFrom(l.addr.Addr(), mediaTarget(t, res.Body()).Port())
	relay(t, caller, toCaller, callee, 0x5555)
	relay(t, callee, mediaTarget(t, inv.Body()), caller, 0x6666)
	out.bye()
}

// TestComedia: a nat=comedia caller whose SDP names a port nobody reads
// gets its media where its RTP comes from.
func TestComedia(t *testing.T) {
	l := newLabConf(t, mediaConf("", "", "nat=comedia"))
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	wrong := freePort(t)
	body := bytes.Replace(caller.sdpBody(0), []byte(fmt.Sprintf("m=audio %d ", caller.mediaPort())),
		[]byte(fmt.Sprintf("m=audio %d ", wrong)), 1)
	out := caller.inviteBody(l, "6000", body)
	res := out.answered()
	relay(t, caller, mediaTarget(t, res.Body()), callee, 0x7777)
	relay(t, callee, mediaTarget(t, callee.lastInvite().Body()), caller, 0x8888)
	out.bye()
}

// TestEarlyMedia: the callee's 183 with SDP reaches the caller as a 183
// with SDP and its media is relayed before the answer, then after it.
func TestEarlyMedia(t *testing.T) {
	l := newLabConf(t, mediaConf("", "", ""))
	callee := newPhone(t, "6000", "early")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	var early *sip.Response
	timeout := time.After(5 * time.Second)
	for early == nil {
		select {
		case res := <-out.tx.Responses():
			if res.StatusCode == 183 {
				early = res
			} else if !res.IsProvisional() {
				t.Fatalf("final %d before early media", res.StatusCode)
			}
		case <-timeout:
			t.Fatalf("no 183; log:\n%s", l.log)
		}
	}
	if len(early.Body()) == 0 {
		t.Fatal("183 without SDP")
	}
	toCaller := mediaTarget(t, early.Body())
	toCallee := mediaTarget(t, callee.lastInvite().Body())
	relay(t, callee, toCallee, caller, 0x9999)
	relay(t, caller, toCaller, callee, 0xaaaa)

	close(callee.answerNow)
	res := out.answered()
	if got := mediaTarget(t, res.Body()); got != toCaller {
		t.Errorf("200 moved the media from %s to %s", toCaller, got)
	}
	relay(t, callee, toCallee, caller, 0xbbbb)
	relay(t, caller, toCaller, callee, 0xcccc)
	out.bye()
}

// TestHoldReported: the caller's hold and unhold re-INVITEs are answered
// with the matching direction and reported on its channel (with its
// mohsuggest class), for the bridge to play music on hold; the callee is
// not re-INVITEd, as chan_sip does not pass hold on.
func TestHoldReported(t *testing.T) {
	l := newLabConf(t, mediaConf("", "", "mohsuggest=jazz"))
	_, callee, out := answeredCall(t, l)
	var callerCh *pbx.Channel
	for _, ch := range l.e.Channels() {
		if !ch.Outbound() {
			callerCh = ch
		}
	}
	if callerCh == nil {
		t.Fatal("no caller channel")
	}
	// The bridge consumes the channel's own events; the bus shows them too.
	sub := l.e.Bus().Subscribe()
	defer sub.Close()
	for i, tc := range []struct {
		dir, answer string
		want        pbx.BusEventType
	}{
		{"sendonly", "recvonly", pbx.BusHold},
		{"sendrecv", "sendrecv", pbx.BusUnhold},
		{"inactive", "inactive", pbx.BusHold},
	} {
		re := out.inDialog(sip.INVITE, out.req.CSeq().SeqNo+uint32(10+i))
		re.AppendHeader(&sip.ContactHeader{Address: out.req.Contact().Address})
		re.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		re.SetBody([]byte(strings.TrimSuffix(string(out.p.sdpBody(0)), "\r\n") + "\r\na=" + tc.dir + "\r\n"))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		res, err := out.p.client.Do(ctx, re)
		cancel()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s re-INVITE: %v %v\nlog:\n%s", tc.dir, res, err, l.log)
		}
		ack := out.inDialog(sip.ACK, re.CSeq().SeqNo)
		_ = out.p.client.WriteRequest(ack)
		if !bytes.Contains(res.Body(), []byte("a="+tc.answer+"\r\n")) {
			t.Errorf("%s answered with\n%s", tc.dir, res.Body())
		}
		var got []pbx.BusEvent
		waitFor(t, tc.dir+" reported", 3*time.Second, func() bool {
			for _, ev := range sub.Take() {
				if (ev.Type == pbx.BusHold || ev.Type == pbx.BusUnhold) && ev.Channel == callerCh {
					got = append(got, ev)
				}
			}
			return len(got) > 0
		})
		if got[0].Type != tc.want || (tc.want == pbx.BusHold && got[0].MusicClass != "jazz") {
			t.Errorf("%s: reported %v class %q, want %v class jazz", tc.dir, got[0].Type, got[0].MusicClass, tc.want)
		}
	}
	if n := len(callee.reinviteList()); n != 0 {
		t.Errorf("the callee got %d re-INVITEs, want none", n)
	}
	out.bye()
}

// TestReInviteWithoutConnectionLine: a re-INVITE whose SDP has no c= line
// gets 488 and chan_sip's warning, and the call stays up.
func TestReInviteWithoutConnectionLine(t *testing.T) {
	l := newLab(t)
	caller, callee, out := answeredCall(t, l)
	re := out.inDialog(sip.INVITE, out.req.CSeq().SeqNo+10)
	re.AppendHeader(&sip.ContactHeader{Address: out.req.Contact().Address})
	re.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	re.SetBody(withoutConnLine(out.p.sdpBody(0)))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	res, err := out.p.client.Do(ctx, re)
	cancel()
	if err != nil || res.StatusCode != 488 {
		t.Fatalf("re-INVITE without c=: %v %v, want 488\nlog:\n%s", res, err, l.log)
	}
	_ = out.p.client.WriteRequest(out.inDialog(sip.ACK, re.CSeq().SeqNo))
	if !l.log.has("WARNING: Insufficient information in SDP (c=)...") {
		t.Errorf("log lacks chan_sip's c= warning:\n%s", l.log)
	}
	relay(t, caller, mediaTarget(t, out.final.Body()), callee, 0x6011)
	out.bye()
}

// TestRTPTimeout: a bridged call without media is hung up after rtptimeout
// with chan_sip's NOTICE, and both phones get a BYE.
func TestRTPTimeout(t *testing.T) {
	l := newLabConf(t, mediaConf("rtptimeout=1", "", ""))
	callee := newPhone(t, "6000", "answer")
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	if res := out.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("final %d; log:\n%s", res.StatusCode, l.log)
	}
	answered := time.Now()
	out.ack()
	notice := regexp.MustCompile(`^NOTICE: Disconnecting call 'SIP/600[01]-[0-9a-f]{8}' for lack of RTP activity in 1 seconds$`)
	waitFor(t, "rtptimeout", 4*time.Second, func() bool {
		for _, s := range strings.Split(l.log.String(), "\n") {
			if notice.MatchString(s) {
				return true
			}
		}
		return false
	})
	if d := time.Since(answered); d < time.Second {
		t.Errorf("hung up after %v, before rtptimeout", d)
	}
	waitFor(t, "BYE to the caller", 3*time.Second, func() bool { return caller.byeCount() == 1 })
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
}

// TestRTPTimeoutInApplication: rtptimeout also watches a caller whose media
// an application terminates (no bridge, no relay): a silent caller listening
// to Milliwatt is hung up after it, as chan_sip's monitor does.
func TestRTPTimeoutInApplication(t *testing.T) {
	l := newLabConf(t, mediaConf("rtptimeout=1", "", ""))
	l.setContext("tone")
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "700", 0)
	if res := out.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("final %d; log:\n%s", res.StatusCode, l.log)
	}
	answered := time.Now()
	out.ack()
	notice := regexp.MustCompile(`^NOTICE: Disconnecting call 'SIP/6001-[0-9a-f]{8}' for lack of RTP activity in 1 seconds$`)
	waitFor(t, "rtptimeout", 4*time.Second, func() bool {
		for _, s := range strings.Split(l.log.String(), "\n") {
			if notice.MatchString(s) {
				return true
			}
		}
		return false
	})
	if d := time.Since(answered); d < time.Second {
		t.Errorf("hung up after %v, before rtptimeout", d)
	}
	waitFor(t, "BYE to the caller", 3*time.Second, func() bool { return caller.byeCount() == 1 })
}

// TestRTPHoldTimeout: while the caller holds, rtpholdtimeout replaces
// rtptimeout on its leg: with one set the held call is hung up after it,
// without one the silent held call survives rtptimeout.
func TestRTPHoldTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, general string
		hangup        bool
	}{
		{"rtpholdtimeout", "rtptimeout=30\nrtpholdtimeout=1", true},
		{"rtptimeout only", "rtptimeout=1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabConf(t, mediaConf(tc.general, "", ""))
			caller, callee, out := answeredCall(t, l)
			re := out.inDialog(sip.INVITE, out.req.CSeq().SeqNo+10)
			re.AppendHeader(&sip.ContactHeader{Address: out.req.Contact().Address})
			re.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			re.SetBody([]byte(strings.TrimSuffix(string(caller.sdpBody(0)), "\r\n") + "\r\na=sendonly\r\n"))
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			res, err := caller.client.Do(ctx, re)
			cancel()
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("hold re-INVITE: %v %v", res, err)
			}
			_ = caller.client.WriteRequest(out.inDialog(sip.ACK, re.CSeq().SeqNo))
			held := time.Now()
			// The holder's leg (6001) is the one held: the callee, hearing
			// music, is expected to go on sending.
			notice := regexp.MustCompile(`^NOTICE: Disconnecting call 'SIP/6001-[0-9a-f]{8}' for lack of RTP activity in 1 seconds$`)
			noticed := func() bool {
				for _, s := range strings.Split(l.log.String(), "\n") {
					if notice.MatchString(s) {
						return true
					}
				}
				return false
			}
			if !tc.hangup {
				time.Sleep(1700 * time.Millisecond)
				if noticed() {
					t.Fatalf("held call hung up by rtptimeout:\n%s", l.log)
				}
				out.bye()
				return
			}
			waitFor(t, "rtpholdtimeout", 4*time.Second, noticed)
			if d := time.Since(held); d < time.Second {
				t.Errorf("hung up %v after the hold, before rtpholdtimeout", d)
			}
			waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
		})
	}
}

// TestSRTPAnsweredInClear: an encryption=yes callee that answers our SRTP
// offer with plain RTP is hung up rather than talked to in clear.
func TestSRTPAnsweredInClear(t *testing.T) {
	l := newLabConf(t, mediaConf("", "encryption=yes", ""))
	callee := newPhone(t, "6000", "answer") // answers sdpBody(0): RTP/AVP
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	res := out.waitFinal(5 * time.Second)
	if res.IsSuccess() {
		t.Fatalf("caller answered %d although the callee refused SRTP", res.StatusCode)
	}
	if !l.log.has("WARNING: We are requesting SRTP for audio, but they responded without it!") {
		t.Errorf("no SRTP warning:\n%s", l.log)
	}
	waitFor(t, "BYE to the callee", 3*time.Second, func() bool { return callee.byeCount() == 1 })
}
