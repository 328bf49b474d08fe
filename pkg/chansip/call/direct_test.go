package call

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/gostrisk/gostrisk/pkg/chansip/sipconf"
	"github.com/gostrisk/gostrisk/pkg/sdp"
)

func TestDirectVerdict(t *testing.T) {
	phone := func(name, addr string) directLeg {
		return directLeg{
			name: name, allowed: true, dtmf: "rfc2833", codec: "PCMU/0", event: "101",
			remote: netip.MustParseAddrPort(addr),
		}
	}
	deny := sipconf.ACL{Rules: []sipconf.ACLRule{{Permit: false, Prefix: netip.MustParsePrefix("10.0.0.0/8")}}}
	denyOther := sipconf.ACL{Rules: []sipconf.ACLRule{{Permit: false, Prefix: netip.MustParsePrefix("172.16.0.0/12")}}}
	tests := []struct {
		name string
		edit func(a, b *directLeg)
		want bool
	}{
		{"both allow", func(a, b *directLeg) {}, true},
		{"directmedia=no on one", func(a, b *directLeg) { b.allowed = false }, false},
		{"comedia", func(a, b *directLeg) { a.symmetric = true }, false},
		{"nonat behind NAT", func(a, b *directLeg) { a.mode.NoNAT, a.natSeen = true, true }, false},
		{"nonat without NAT", func(a, b *directLeg) { a.mode.NoNAT = true }, true},
		{"update mode", func(a, b *directLeg) { a.mode.Update = true }, true},
		{"SRTP", func(a, b *directLeg) { b.secure = true }, false},
		{"info DTMF", func(a, b *directLeg) { b.dtmf = "info" }, false},
		{"inband DTMF", func(a, b *directLeg) { a.dtmf = "inband" }, false},
		{"codecs differ", func(a, b *directLeg) { b.codec = "PCMA/8" }, false},
		{"event PT differs", func(a, b *directLeg) { b.event = "96" }, false},
		{"no event on one", func(a, b *directLeg) { b.event = "" }, false},
		{"no RTP address", func(a, b *directLeg) { b.remote = netip.AddrPort{} }, false},
		{"hold address", func(a, b *directLeg) { b.remote = netip.MustParseAddrPort("0.0.0.0:4000") }, false},
		{"ACL denies other", func(a, b *directLeg) { a.acl = deny }, false},
		{"ACL denies another network", func(a, b *directLeg) { b.acl = denyOther }, true},
		{"no codec yet", func(a, b *directLeg) { a.codec, b.codec = "", "" }, false},
		{"IPv4 and IPv6 phones", func(a, b *directLeg) { b.remote = netip.MustParseAddrPort("[2001:db8::5]:5000") }, false},
		{"IPv6 phones", func(a, b *directLeg) {
			a.remote, b.remote = netip.MustParseAddrPort("[2001:db8::4]:4000"), netip.MustParseAddrPort("[2001:db8::5]:5000")
		}, true},
		{"IPv4-mapped and IPv4", func(a, b *directLeg) { b.remote = netip.MustParseAddrPort("[::ffff:10.1.2.3]:5000") }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := phone("a", "192.168.1.5:4000"), phone("b", "10.1.2.3:5000")
			tc.edit(&a, &b)
			if got, why := directVerdict(a, b); got != tc.want {
				t.Fatalf("directVerdict = %v (%s), want %v", got, why, tc.want)
			}
			if got, _ := directVerdict(b, a); got != tc.want {
				t.Fatalf("directVerdict (swapped) = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseDirectMediaModes(t *testing.T) {
	tests := []struct {
		in     string
		on     bool
		mode   sipconf.DirectMediaMode
		hasErr bool
	}{
		{"yes", true, sipconf.DirectMediaMode{}, false},
		{"no", false, sipconf.DirectMediaMode{}, false},
		{"nonat", true, sipconf.DirectMediaMode{NoNAT: true}, false},
		{"update,nonat", true, sipconf.DirectMediaMode{NoNAT: true, Update: true}, false},
		{"outgoing", true, sipconf.DirectMediaMode{Outgoing: true}, false},
		{"sideways", true, sipconf.DirectMediaMode{}, true},
	}
	for _, tc := range tests {
		mode, on, err := sipconf.ParseDirectMedia(tc.in)
		if (err != nil) != tc.hasErr || (err == nil && (on != tc.on || mode != tc.mode)) {
			t.Errorf("ParseDirectMedia(%q) = %+v, %v, %v", tc.in, mode, on, err)
		}
	}
}

// sdpTarget is the c= address and m= port of an SDP body, and its o=
// version.
func sdpTarget(t *testing.T, body []byte) (netip.AddrPort, uint64) {
	t.Helper()
	d, err := sdp.Parse(body)
	if err != nil || d.Audio == nil {
		t.Fatalf("bad SDP %v:\n%s", err, body)
	}
	r, _ := d.Audio.Remote()
	return r, d.SessionVersion
}

// TestDirectMediaReInvites: with directmedia=yes on both peers, once the
// call is bridged each phone is re-INVITEd with the other phone's RTP
// address and a newer o= version; BYE still goes through gostrisk.
func TestDirectMediaReInvites(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=yes", "", ""))
	caller, callee, out := answeredCall(t, l)
	waitFor(t, "both phones re-INVITEd", 5*time.Second, func() bool {
		return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
	})
	toCallee, v := sdpTarget(t, callee.reinviteList()[0].Body())
	if want := netip.AddrPortFrom(caller.addr.Addr(), uint16(caller.mediaPort())); toCallee != want {
		t.Errorf("callee told to send to %s, want the caller's %s", toCallee, want)
	}
	if _, v0 := sdpTarget(t, callee.lastInvite().Body()); v <= v0 {
		t.Errorf("re-INVITE o= version %d, first INVITE %d: want it higher", v, v0)
	}
	toCaller, _ := sdpTarget(t, caller.reinviteList()[0].Body())
	if want := netip.AddrPortFrom(callee.addr.Addr(), uint16(callee.mediaPort())); toCaller != want {
		t.Errorf("caller told to send to %s, want the callee's %s", toCaller, want)
	}
	// `sip show channel` names the other phone's address, "Outside bridge".
	var b strings.Builder
	WriteChannel(&b, l.m.allChannels(), "")
	if !strings.Contains(b.String(), "  Audio IP:               "+caller.addr.Addr().String()+" (Outside bridge)\n") {
		t.Errorf("sip show channel during direct media:\n%s", b.String())
	}
	out.bye()
	waitFor(t, "BYE passed to the callee", 5*time.Second, func() bool { return callee.byeCount() == 1 })
}

// TestDirectMediaUpdate: directmedia=update moves the media with UPDATE
// rather than re-INVITE.
func TestDirectMediaUpdate(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=update", "", ""))
	caller, callee, out := answeredCall(t, l)
	waitFor(t, "both phones sent UPDATE", 5*time.Second, func() bool {
		return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
	})
	for _, p := range []*phone{caller, callee} {
		if m := p.reinviteList()[0].Method; m != sip.UPDATE {
			t.Errorf("%s got %s, want UPDATE", p.name, m)
		}
	}
	out.bye()
}

// TestDirectMediaGlare: a 491 to our re-INVITE is retried after RFC 3261's
// wait (2.1 to 4 s towards the callee, whose dialog we started).
func TestDirectMediaGlare(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=yes", "", ""))
	callee := newPhone(t, "6000", "answer")
	callee.glare = 1
	l.register("6000", callee.addr)
	caller := newPhone(t, "6001", "")
	out := caller.invite(l, "6000", 0)
	if res := out.waitFinal(5 * time.Second); res.StatusCode != 200 {
		t.Fatalf("final response %d", res.StatusCode)
	}
	out.ack()
	waitFor(t, "the retried re-INVITE", 8*time.Second, func() bool { return len(callee.reinviteList()) >= 2 })
	first, second := callee.reinviteList()[0], callee.reinviteList()[1]
	if first.CSeq().SeqNo >= second.CSeq().SeqNo {
		t.Errorf("retry CSeq %d not above %d", second.CSeq().SeqNo, first.CSeq().SeqNo)
	}
	out.bye()
}

// TestDirectMediaFarEndReInvite: while direct, a re-INVITE from a phone
// that changes nothing is answered with the other phone's address (the
// media stays direct); a hold re-INVITE is answered with ours, and the
// call is no longer direct on that leg.
func TestDirectMediaFarEndReInvite(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=yes", "", ""))
	caller, callee, out := answeredCall(t, l)
	waitFor(t, "both phones re-INVITEd", 5*time.Second, func() bool {
		return len(caller.reinviteList()) > 0 && len(callee.reinviteList()) > 0
	})
	calleeRTP := netip.AddrPortFrom(callee.addr.Addr(), uint16(callee.mediaPort()))
	for i, tc := range []struct {
		dir    string
		direct bool // answered with the callee's address
	}{
		{"sendrecv", true},
		{"sendonly", false},
	} {
		re := out.inDialog(sip.INVITE, out.req.CSeq().SeqNo+uint32(10+i))
		re.AppendHeader(&sip.ContactHeader{Address: out.req.Contact().Address})
		re.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		re.SetBody([]byte(strings.TrimSuffix(string(caller.sdpBody(0)), "\r\n") + "\r\na=" + tc.dir + "\r\n"))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		res, err := caller.client.Do(ctx, re)
		cancel()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s re-INVITE: %v %v", tc.dir, res, err)
		}
		_ = caller.client.WriteRequest(out.inDialog(sip.ACK, re.CSeq().SeqNo))
		if got, _ := sdpTarget(t, res.Body()); (got == calleeRTP) != tc.direct {
			t.Errorf("%s answered with media at %s (callee at %s), want direct %v", tc.dir, got, calleeRTP, tc.direct)
		}
	}
	out.bye()
}

// TestDirectMediaOutgoing: directmedia=outgoing re-INVITEs the leg we
// placed (the callee) and leaves the incoming one alone.
func TestDirectMediaOutgoing(t *testing.T) {
	l := newLabConf(t, mediaConf("directmedia=outgoing", "", ""))
	caller, callee, out := answeredCall(t, l)
	waitFor(t, "the callee re-INVITEd", 5*time.Second, func() bool { return len(callee.reinviteList()) > 0 })
	time.Sleep(300 * time.Millisecond)
	if n := len(caller.reinviteList()); n != 0 {
		t.Errorf("the incoming leg got %d re-INVITEs, want none", n)
	}
	out.bye()
}

// TestDirectMediaStaysLocal: comedia and directmedia=no keep the media
// on gostrisk: nobody is re-INVITEd.
func TestDirectMediaStaysLocal(t *testing.T) {
	for _, general := range []string{"directmedia=yes\nnat=force_rport,comedia", "directmedia=no"} {
		t.Run(strings.ReplaceAll(general, "\n", ","), func(t *testing.T) {
			l := newLabConf(t, mediaConf(general, "", ""))
			caller, callee, out := answeredCall(t, l)
			time.Sleep(500 * time.Millisecond)
			if n, m := len(caller.reinviteList()), len(callee.reinviteList()); n+m != 0 {
				t.Errorf("re-INVITEs: caller %d, callee %d; want none", n, m)
			}
			out.bye()
		})
	}
}
