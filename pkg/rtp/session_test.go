package rtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/pion/rtp"
)

const testDTMFPT = 101

func ulawSession(t testing.TB, l *Leg) *Session {
	t.Helper()
	s, err := l.StartSession(SessionConfig{Format: media.ULaw, PT: 0, DTMFPT: testDTMFPT})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ulawFrame(fill byte) media.Frame {
	return media.VoiceFrame(media.ULaw, bytes.Repeat([]byte{fill}, 160), 0)
}

func mustParse(t testing.TB, pkt []byte) rtp.Packet {
	t.Helper()
	var p rtp.Packet
	if err := p.Unmarshal(pkt); err != nil {
		t.Fatalf("not RTP: %v (%x)", err, pkt)
	}
	return p
}

// nextFrame waits for the session's next received frame.
func nextFrame(t testing.TB, s *Session) media.Frame {
	t.Helper()
	select {
	case fr, ok := <-s.Frames():
		if !ok {
			t.Fatal("Frames closed")
		}
		return fr
	case <-time.After(2 * time.Second):
		t.Fatal("no frame received")
	}
	return media.Frame{}
}

func noFrame(t testing.TB, s *Session, d time.Duration) {
	t.Helper()
	select {
	case fr := <-s.Frames():
		t.Fatalf("unexpected frame %v", fr)
	case <-time.After(d):
	}
}

// TestSessionSendsPaced checks what a session puts on the wire: its own
// SSRC, consecutive sequence numbers, timestamps advancing by the frame's
// samples, the marker on the first packet only, the payload unchanged,
// and 20 ms between packets.
func TestSessionSendsPaced(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)

	const n = 10
	start := time.Now()
	go func() {
		for i := range n {
			if err := s.WriteFrame(ulawFrame(byte(i))); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var prev rtp.Packet
	for i := range n {
		pkt := ph.mustRecv()
		at := time.Now()
		p := mustParse(t, pkt)
		if p.SSRC != s.SSRC() || p.PayloadType != 0 {
			t.Fatalf("packet %d: ssrc %x pt %d, want %x 0", i, p.SSRC, p.PayloadType, s.SSRC())
		}
		// A later marker is allowed only where the pacer stalled for more
		// than two frames (a loaded test machine) and the timestamps
		// jumped with the clock.
		stalled := i > 0 && p.Marker && p.Timestamp-prev.Timestamp > 160
		if p.Marker != (i == 0) && !stalled {
			t.Fatalf("packet %d: marker %v", i, p.Marker)
		}
		if !bytes.Equal(p.Payload, bytes.Repeat([]byte{byte(i)}, 160)) {
			t.Fatalf("packet %d: payload %x", i, p.Payload[:4])
		}
		if i > 0 {
			if p.SequenceNumber != prev.SequenceNumber+1 || (p.Timestamp != prev.Timestamp+160 && !stalled) {
				t.Fatalf("packet %d: seq %d ts %d after %d %d", i, p.SequenceNumber, p.Timestamp, prev.SequenceNumber, prev.Timestamp)
			}
		}
		prev = p
		// A pacer woken late (the test machine is shared) sends late, but
		// it must never run ahead of the slots, the first of which is
		// not before the first WriteFrame.
		if ahead := time.Duration(i)*20*time.Millisecond - at.Sub(start); ahead > 2*time.Millisecond {
			t.Errorf("packet %d came %v ahead of its slot", i, ahead)
		}
	}
	st := s.Stats()
	if st.PacketsOut != n || st.BytesOut != n*172 {
		t.Errorf("stats out %d/%d, want %d/%d", st.PacketsOut, st.BytesOut, n, n*172)
	}
	// Not asserted tightly: the test machine is shared, and an
	// overloaded one wakes the pacer late. bench/rtpplay measures it.
	if st.MaxPacingError > 200*time.Millisecond {
		t.Errorf("max pacing error %v", st.MaxPacingError)
	}
	if ls := l.Stats(); ls.PacketsOut != n {
		t.Errorf("leg counted %d packets out", ls.PacketsOut)
	}
}

// TestSessionWriteBlocks: WriteFrame holds a writer with a full queue
// until it drains to the low-water mark, so ten frames take about five
// slots (100 ms, less the pacer's lead) to write.
func TestSessionWriteBlocks(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	start := time.Now()
	for i := range 10 {
		if err := s.WriteFrame(ulawFrame(byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Fatalf("10 frames written in %v: WriteFrame did not pace the writer", d)
	}
}

// TestSessionG722Timestamps: G.722 runs at 16 kHz but its RTP clock is
// 8000, so a 20 ms frame (320 samples) advances the timestamp by 160.
func TestSessionG722Timestamps(t *testing.T) {
	g722, _ := media.Lookup("g722")
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s, err := l.StartSession(SessionConfig{Format: g722, PT: 9, DTMFPT: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for range 3 {
		if err := s.WriteFrame(media.Frame{Kind: media.Voice, Format: g722, Payload: make([]byte, 160), Samples: 320}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := mustParse(t, ph.mustRecv()), mustParse(t, ph.mustRecv())
	if (b.Timestamp-a.Timestamp != 160 && !b.Marker) || a.PayloadType != 9 {
		t.Fatalf("ts step %d pt %d, want 160 9", b.Timestamp-a.Timestamp, a.PayloadType)
	}
	if err := s.WriteFrame(media.Frame{Kind: media.DTMFBegin, Digit: '1'}); !errors.Is(err, ErrNoDTMF) {
		t.Fatalf("DTMF without telephone-event: %v", err)
	}
	// Received G.722 timestamps are in samples at 16 kHz.
	ph.send(l.LocalAddr(), rtpPacket(t, 9, 1, 1000, 7, false, make([]byte, 160)))
	ph.send(l.LocalAddr(), rtpPacket(t, 9, 2, 1160, 7, false, make([]byte, 160)))
	f1, f2 := nextFrame(t, s), nextFrame(t, s)
	if f1.Timestamp != 0 || f2.Timestamp != 320 || f2.Samples != 320 {
		t.Fatalf("received g722 ts %d %d samples %d, want 0 320 320", f1.Timestamp, f2.Timestamp, f2.Samples)
	}
}

// TestSessionFlushAndTalkspurts: after Flush (or a pause) the next packet
// carries the marker and its timestamp jumps by the silence.
func TestSessionFlushAndTalkspurts(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	for i := range 3 {
		_ = s.WriteFrame(ulawFrame(byte(i)))
	}
	first := mustParse(t, ph.mustRecv())
	s.Flush()
	// The flushed frames never go out.
	ph.mustNotRecv()
	if st := s.Stats(); st.Flushed == 0 {
		t.Fatal("Flush counted nothing")
	}
	time.Sleep(100 * time.Millisecond)
	_ = s.WriteFrame(ulawFrame(9))
	p := mustParse(t, ph.mustRecv())
	if !p.Marker || p.Payload[0] != 9 {
		t.Fatalf("after flush: marker %v payload %d", p.Marker, p.Payload[0])
	}
	if p.SequenceNumber != first.SequenceNumber+1 {
		t.Fatalf("seq %d after %d", p.SequenceNumber, first.SequenceNumber)
	}
	// About 260 ms passed (first frame, 150 ms of silence, the new
	// slot): the timestamp follows the clock, not the frames sent.
	if d := p.Timestamp - first.Timestamp; d < 8*200 || d > 8*400 {
		t.Fatalf("timestamp advanced %d over a ~260 ms pause", d)
	}
}

// TestSessionReceiveReorders feeds a session out of order, with a
// duplicate, a late packet, a loss and a foreign payload type.
func TestSessionReceiveReorders(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	send := func(seq uint16) {
		ph.send(l.LocalAddr(), rtpPacket(t, 0, seq, uint32(seq)*160, 0x55, false, []byte{byte(seq)}))
	}
	for _, seq := range []uint16{10, 12, 11, 11, 13, 9, 15, 16, 17} {
		send(seq)
	}
	ph.send(l.LocalAddr(), rtpPacket(t, 13, 18, 0, 0x55, false, []byte{1})) // comfort noise: not negotiated
	var got []byte
	for range 7 {
		fr := nextFrame(t, s)
		if fr.Kind != media.Voice || fr.Format != media.ULaw {
			t.Fatalf("frame %v", fr)
		}
		got = append(got, fr.Payload[0])
	}
	// 14 never came: 15 waits until 17 shows the gap is a loss.
	if want := []byte{10, 11, 12, 13, 15, 16, 17}; !bytes.Equal(got, want) {
		t.Fatalf("frames %v, want %v", got, want)
	}
	time.Sleep(50 * time.Millisecond)
	st := s.Stats()
	if st.Duplicates != 0 && st.Late != 2 {
		// 11 again is behind the window once 11 went out: counted late.
		t.Errorf("late %d duplicates %d", st.Late, st.Duplicates)
	}
	if st.Late+st.Duplicates != 2 || st.Lost != 1 || st.OtherPT != 1 {
		t.Errorf("stats %+v", st)
	}
	if l.LastReceived().IsZero() {
		t.Error("LastReceived not updated")
	}
}

// TestSessionJitterTimeout: held packets go once the missing one is
// overdue, without another packet arriving.
func TestSessionJitterTimeout(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	ph.send(l.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte{1}))
	ph.send(l.LocalAddr(), rtpPacket(t, 0, 3, 320, 1, false, []byte{3}))
	if fr := nextFrame(t, s); fr.Payload[0] != 1 {
		t.Fatal(fr)
	}
	start := time.Now()
	if fr := nextFrame(t, s); fr.Payload[0] != 3 {
		t.Fatal(fr)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("held packet let go after %v", d)
	}
}

// sendEvent sends a telephone-event packet from the phone.
func sendEvent(t testing.TB, ph *phone, to netip.AddrPort, seq uint16, ts uint32, marker bool, ev TelephoneEvent) {
	t.Helper()
	ph.send(to, rtpPacket(t, testDTMFPT, seq, ts, 0x77, marker, AppendTelephoneEvent(nil, ev)))
}

// TestSessionReceivesDTMF: a digit sent as sipp and phones do (a marked
// first packet, repetitions, three end packets) gives one begin and one
// end; a digit whose begin was lost gives an end alone; a new digit that
// arrives before the previous one's end ends it.
func TestSessionReceivesDTMF(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	to := l.LocalAddr()
	seq := uint16(100)
	next := func() uint16 { seq++; return seq }
	sendEvent(t, ph, to, next(), 8000, true, TelephoneEvent{Event: 5, Volume: 10, Duration: 160})
	sendEvent(t, ph, to, next(), 8000, false, TelephoneEvent{Event: 5, Volume: 10, Duration: 320})
	sendEvent(t, ph, to, next(), 8000, false, TelephoneEvent{Event: 5, Volume: 10, Duration: 480})
	for range 3 {
		sendEvent(t, ph, to, next(), 8000, false, TelephoneEvent{Event: 5, End: true, Volume: 10, Duration: 800})
	}
	// '#' known only from its end packets.
	for range 3 {
		sendEvent(t, ph, to, next(), 9600, false, TelephoneEvent{Event: 11, End: true, Duration: 400})
	}
	// '7' begins, never ends; 'D' follows.
	sendEvent(t, ph, to, next(), 12000, true, TelephoneEvent{Event: 7, Duration: 160})
	sendEvent(t, ph, to, next(), 14000, true, TelephoneEvent{Event: 15, Duration: 160})
	// A malformed event and a flash (event 16) are not digits.
	ph.send(to, rtpPacket(t, testDTMFPT, next(), 15000, 0x77, false, []byte{1, 2}))
	sendEvent(t, ph, to, next(), 16000, true, TelephoneEvent{Event: 16, Duration: 160})

	want := []string{"DTMF_BEGIN 5", "DTMF_END 5 100ms", "DTMF_END # 50ms", "DTMF_BEGIN 7", "DTMF_END 7 20ms", "DTMF_BEGIN D"}
	for i, w := range want {
		if got := nextFrame(t, s).String(); got != w {
			t.Fatalf("frame %d: %q, want %q", i, got, w)
		}
	}
	noFrame(t, s, 100*time.Millisecond)
	if st := s.Stats(); st.Malformed != 1 || st.OtherPT != 1 {
		t.Errorf("malformed %d other %d", st.Malformed, st.OtherPT)
	}
}

// TestSessionSendsDTMF: a digit goes out as RFC 4733 says and Asterisk
// does: a marked first packet, repetitions every 50 ms with one
// timestamp, three end packets, and no voice meanwhile.
func TestSessionSendsDTMF(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	if err := s.WriteFrame(media.Frame{Kind: media.DTMFBegin, Digit: '#'}); err != nil {
		t.Fatal(err)
	}
	// Voice written while the digit is held is not sent.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 8 {
			_ = s.WriteFrame(ulawFrame(byte(i)))
		}
	}()
	time.Sleep(170 * time.Millisecond)
	if err := s.WriteFrame(media.Frame{Kind: media.DTMFEnd, Digit: '#', Duration: 170 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	<-done
	for i := range 3 {
		_ = s.WriteFrame(ulawFrame(byte(20 + i)))
	}
	var events []rtp.Packet
	var voice []rtp.Packet
	for {
		pkt, _, ok := ph.recv(300 * time.Millisecond)
		if !ok {
			break
		}
		p := mustParse(t, pkt)
		if p.PayloadType == testDTMFPT {
			events = append(events, p)
		} else {
			voice = append(voice, p)
		}
	}
	if len(events) < 1+3+3 {
		t.Fatalf("%d event packets, want a begin, 3 repetitions, 3 ends", len(events))
	}
	ends := 0
	for i, p := range events {
		ev, err := ParseTelephoneEvent(p.Payload)
		if err != nil || ev.Event != 11 {
			t.Fatalf("event %d: %v %+v", i, err, ev)
		}
		if p.Timestamp != events[0].Timestamp || p.Marker != (i == 0) || p.SSRC != s.SSRC() {
			t.Fatalf("event %d: ts %d marker %v", i, p.Timestamp, p.Marker)
		}
		if i > 0 && p.SequenceNumber != events[i-1].SequenceNumber+1 {
			t.Fatalf("event %d: seq %d after %d", i, p.SequenceNumber, events[i-1].SequenceNumber)
		}
		if ev.End {
			ends++
			if d := eventDuration(ev.Duration, 8000); d < 150*time.Millisecond || d > 260*time.Millisecond {
				t.Errorf("end duration %v", d)
			}
		} else if ends > 0 {
			t.Fatal("repetition after an end")
		}
	}
	if ends != 3 {
		t.Fatalf("%d end packets", ends)
	}
	if len(voice) == 0 {
		t.Fatal("voice did not resume after the digit")
	}
	if !voice[0].Marker || voice[0].Timestamp < events[0].Timestamp {
		t.Errorf("first voice after the digit: marker %v ts %d (event ts %d)", voice[0].Marker, voice[0].Timestamp, events[0].Timestamp)
	}
	if voice[0].SequenceNumber != events[len(events)-1].SequenceNumber+1 {
		t.Errorf("voice seq %d after event seq %d", voice[0].SequenceNumber, events[len(events)-1].SequenceNumber)
	}
	if s.Stats().Suppressed == 0 {
		t.Error("no voice frame suppressed during the digit")
	}
}

// TestSessionToSession: two sessions on two legs talk to each other:
// voice and DTMF both ways, frames in order.
func TestSessionToSession(t *testing.T) {
	alloc := testAllocator(t, 2)
	la := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	lb := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	la.SetRemote(lb.LocalAddr())
	lb.SetRemote(la.LocalAddr())
	sa, sb := ulawSession(t, la), ulawSession(t, lb)
	go func() {
		for i := range 5 {
			_ = sa.WriteFrame(ulawFrame(byte(i)))
		}
		_ = sa.WriteFrame(media.Frame{Kind: media.DTMFEnd, Digit: '9', Duration: 80 * time.Millisecond})
	}()
	go func() { _ = sb.WriteFrame(ulawFrame(0xaa)) }()
	var ts []uint32
	for i := range 5 {
		fr := nextFrame(t, sb)
		if fr.Kind != media.Voice || fr.Payload[0] != byte(i) {
			t.Fatalf("b frame %d: %v", i, fr)
		}
		ts = append(ts, fr.Timestamp)
	}
	// 640 after four frames, more only if the sender's pacer stalled.
	if ts[0] != 0 || ts[4] < 640 || ts[1] < 160 || ts[2] <= ts[1] || ts[3] <= ts[2] || ts[4] <= ts[3] {
		t.Fatalf("timestamps %v", ts)
	}
	if fr := nextFrame(t, sb); fr.Kind != media.DTMFBegin || fr.Digit != '9' {
		t.Fatalf("b got %v", fr)
	}
	if fr := nextFrame(t, sb); fr.Kind != media.DTMFEnd || fr.Digit != '9' || fr.Duration < 70*time.Millisecond {
		t.Fatalf("b got %v", fr)
	}
	if fr := nextFrame(t, sa); fr.Kind != media.Voice || fr.Payload[0] != 0xaa {
		t.Fatalf("a got %v", fr)
	}
}

// TestSessionExcludesBridge: a leg is either bridged or terminated, and is
// free again once the other lets go; Frames closes with the session.
func TestSessionExcludesBridge(t *testing.T) {
	alloc := testAllocator(t, 3)
	a, b, pa, pb := phonedLegs(t, alloc, LegOptions{})
	br, err := NewBridge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1}); !errors.Is(err, ErrLegBusy) {
		t.Fatalf("session on a bridged leg: %v", err)
	}
	br.Close()
	s, err := a.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewBridge(a, b); !errors.Is(err, ErrLegBusy) {
		t.Fatalf("bridge over a session: %v", err)
	}
	if _, err := a.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1}); !errors.Is(err, ErrLegBusy) {
		t.Fatalf("second session: %v", err)
	}
	pa.send(a.LocalAddr(), rtpPacket(t, 0, 1, 0, 1, false, []byte{1}))
	nextFrame(t, s)
	s.Close()
	if err := s.WriteFrame(ulawFrame(0)); !errors.Is(err, ErrSessionClosed) {
		t.Fatalf("write after close: %v", err)
	}
	select {
	case _, ok := <-s.Frames():
		if ok {
			t.Fatal("frame after close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Frames not closed")
	}
	newTestBridge(t, a, b)
	pkt := rtpPacket(t, 0, 2, 160, 1, false, []byte("relayed again"))
	pa.send(a.LocalAddr(), pkt)
	if got := pb.mustRecv(); !bytes.Equal(got, pkt) {
		t.Fatalf("relay after session: %x", got)
	}
}

// TestSessionLegClose: closing the leg ends its session and frees the port.
func TestSessionLegClose(t *testing.T) {
	alloc := testAllocator(t, 1)
	l, err := NewLeg(alloc, loopback, LegOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1})
	if err != nil {
		t.Fatal(err)
	}
	writerDone := make(chan error)
	go func() {
		for {
			if err := s.WriteFrame(ulawFrame(0)); err != nil {
				writerDone <- err
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-writerDone:
		if !errors.Is(err, ErrSessionClosed) {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("blocked writer not released by the leg's Close")
	}
	for range s.Frames() {
	}
	s.Close()
}

// TestSessionSRTP: a session on an SRTP leg talks to a pion/srtp phone.
func TestSessionSRTP(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	params, keys := newSRTPPair(t, SuiteAES128SHA1_80, true)
	if err := l.SetSRTP(params); err != nil {
		t.Fatal(err)
	}
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)

	clear := rtpPacket(t, 0, 500, 8000, 0xabcdef01, true, []byte("secret voice"))
	ct, err := keys.enc.EncryptRTP(nil, clear, nil)
	if err != nil {
		t.Fatal(err)
	}
	ph.send(l.LocalAddr(), ct)
	if fr := nextFrame(t, s); string(fr.Payload) != "secret voice" {
		t.Fatalf("decrypted %q", fr.Payload)
	}
	// Garbage with a valid header fails authentication: dropped.
	ph.send(l.LocalAddr(), rtpPacket(t, 0, 501, 8160, 0xabcdef01, false, make([]byte, 30)))
	noFrame(t, s, 100*time.Millisecond)
	if l.Stats().Dropped != 1 {
		t.Errorf("dropped %d", l.Stats().Dropped)
	}

	_ = s.WriteFrame(media.VoiceFrame(media.ULaw, []byte("session says hello"), 0))
	got := ph.mustRecv()
	if bytes.Contains(got, []byte("session says hello")) {
		t.Fatal("sent in clear on an SRTP leg")
	}
	plain, err := keys.dec.DecryptRTP(nil, got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := mustParse(t, plain); string(p.Payload) != "session says hello" || p.SSRC != s.SSRC() {
		t.Fatalf("decrypted %q ssrc %x", p.Payload, p.SSRC)
	}
}

// TestSessionManyPaced runs a few hundred sessions at once and checks the
// pacer kept every frame within 2 ms of its slot (by its own clock).
func TestSessionManyPaced(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	const n = 200
	alloc := testAllocator(t, n)
	sink := newPhone(t)
	sessions := make([]*Session, n)
	for i := range sessions {
		l := newTestLeg(t, alloc, LegOptions{})
		l.SetRemote(sink.addr())
		sessions[i] = ulawSession(t, l)
	}
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := sink.conn.ReadFromUDPAddrPort(buf); err != nil {
				return
			}
		}
	}()
	done := make(chan struct{})
	for _, s := range sessions {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 25 {
				if s.WriteFrame(ulawFrame(1)) != nil {
					return
				}
			}
		}()
	}
	for range n {
		<-done
	}
	// The last frames are still queued when the writers return.
	var worst time.Duration
	var sent uint64
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		worst, sent = 0, 0
		for _, s := range sessions {
			st := s.Stats()
			worst = max(worst, st.MaxPacingError)
			sent += st.PacketsOut
		}
		if sent == n*25 {
			break
		}
	}
	if sent != n*25 {
		t.Errorf("%d packets sent, want %d", sent, n*25)
	}
	// Generous: other test binaries share the CPUs, and -race slows
	// everything down.
	if worst > 500*time.Millisecond {
		t.Errorf("worst pacing error %v", worst)
	}
	t.Logf("%d sessions: worst pacing error %v", n, worst)
}

func TestParseRTPHeader(t *testing.T) {
	base := rtpPacket(t, 0, 1, 2, 3, true, []byte{9, 9})
	withCSRC := append([]byte{0x82}, base[1:12]...)
	withCSRC = append(withCSRC, make([]byte, 8)...)
	withCSRC = append(withCSRC, 7, 7)
	ext := append([]byte{0x90}, base[1:12]...)
	ext = append(ext, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 5)
	padded := append([]byte{0xa0}, base[1:12]...)
	padded = append(padded, 6, 0, 0, 3)
	tests := []struct {
		name    string
		pkt     []byte
		ok      bool
		payload []byte
	}{
		{"plain", base, true, []byte{9, 9}},
		{"csrc", withCSRC, true, []byte{7, 7}},
		{"extension", ext, true, []byte{5}},
		{"padding", padded, true, []byte{6}},
		{"short", base[:11], false, nil},
		{"version 1", append([]byte{0x40}, base[1:]...), false, nil},
		{"extension past end", ext[:15], false, nil},
		{"zero padding", append(append([]byte{0xa0}, base[1:12]...), 0), false, nil},
		{"padding past header", append(append([]byte{0xa0}, base[1:12]...), 9), false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, payload, ok := parseRTP(tc.pkt)
			if ok != tc.ok || !bytes.Equal(payload, tc.payload) {
				t.Fatalf("ok %v payload %v, want %v %v", ok, payload, tc.ok, tc.payload)
			}
			if ok && (h.seq != 1 || h.ts != 2 || h.ssrc != 3 || !h.marker) {
				t.Fatalf("header %+v", h)
			}
		})
	}
}

func TestTelephoneEventRoundTrip(t *testing.T) {
	tests := []struct {
		raw   []byte
		ev    TelephoneEvent
		digit rune
	}{
		{[]byte{1, 0x0a, 0x00, 0xa0}, TelephoneEvent{Event: 1, Volume: 10, Duration: 160}, '1'},
		{[]byte{10, 0x8a, 0x03, 0x20}, TelephoneEvent{Event: 10, End: true, Volume: 10, Duration: 800}, '*'},
		{[]byte{11, 0x3f, 0xff, 0xff}, TelephoneEvent{Event: 11, Volume: 63, Duration: 0xffff}, '#'},
		{[]byte{15, 0x80, 0, 0}, TelephoneEvent{Event: 15, End: true}, 'D'},
	}
	for _, tc := range tests {
		ev, err := ParseTelephoneEvent(tc.raw)
		if err != nil || ev != tc.ev {
			t.Fatalf("%x: %+v %v, want %+v", tc.raw, ev, err, tc.ev)
		}
		if got := AppendTelephoneEvent(nil, ev); !bytes.Equal(got, tc.raw) {
			t.Fatalf("%+v encodes to %x, want %x", ev, got, tc.raw)
		}
		if d, ok := EventDigit(ev.Event); !ok || d != tc.digit {
			t.Fatalf("event %d is %q", ev.Event, d)
		}
		if e, ok := DigitEvent(tc.digit); !ok || e != ev.Event {
			t.Fatalf("digit %q is %d", tc.digit, e)
		}
	}
	if _, err := ParseTelephoneEvent([]byte{1, 2, 3}); err == nil {
		t.Fatal("3-byte event accepted")
	}
	if _, ok := EventDigit(16); ok {
		t.Fatal("flash is a digit")
	}
	if e, ok := DigitEvent('a'); !ok || e != 12 {
		t.Fatal("lower-case a")
	}
}

func TestJitterBuffer(t *testing.T) {
	tests := []struct {
		name             string
		in               []uint16
		out              []uint16
		late, dups, lost uint64
	}{
		{"in order", []uint16{5, 6, 7}, []uint16{5, 6, 7}, 0, 0, 0},
		{"swap", []uint16{5, 7, 6, 8}, []uint16{5, 6, 7, 8}, 0, 0, 0},
		{"two overtake", []uint16{5, 7, 8, 6}, []uint16{5, 6, 7, 8}, 0, 0, 0},
		{"loss", []uint16{5, 7, 8, 9}, []uint16{5, 7, 8, 9}, 0, 0, 1},
		{"duplicate held", []uint16{5, 7, 7, 6}, []uint16{5, 6, 7}, 0, 1, 0},
		{"duplicate sent", []uint16{5, 6, 6}, []uint16{5, 6}, 1, 0, 0},
		{"late", []uint16{5, 7, 8, 9, 6}, []uint16{5, 7, 8, 9}, 1, 0, 1},
		{"wrap", []uint16{65534, 0, 65535, 1}, []uint16{65534, 65535, 0, 1}, 0, 0, 0},
		{"jump", []uint16{5, 1000, 1001}, []uint16{5, 1000, 1001}, 0, 0, 994},
		{"restart", []uint16{5000, 5001, 10}, []uint16{5000, 5001, 10}, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j jitterBuffer
			var out []uint16
			for _, seq := range tc.in {
				j.push(1, seq, media.Frame{Timestamp: uint32(seq)}, 0, func(fr media.Frame) { out = append(out, uint16(fr.Timestamp)) })
			}
			j.flushOld(1e9, 0, func(fr media.Frame) { out = append(out, uint16(fr.Timestamp)) })
			if len(out) != len(tc.out) {
				t.Fatalf("out %v, want %v", out, tc.out)
			}
			for i := range out {
				if out[i] != tc.out[i] {
					t.Fatalf("out %v, want %v", out, tc.out)
				}
			}
			if j.late.Load() != tc.late || j.dups.Load() != tc.dups || j.lost.Load() != tc.lost {
				t.Fatalf("late %d dups %d lost %d, want %d %d %d", j.late.Load(), j.dups.Load(), j.lost.Load(), tc.late, tc.dups, tc.lost)
			}
		})
	}
}

// fuzzSession is a session with no socket, for feeding its receive path.
func fuzzSession(strict StrictMode) *Session {
	return &Session{
		leg:     &Leg{opts: LegOptions{Strict: strict}},
		cfg:     SessionConfig{Format: media.ULaw, PT: 0, DTMFPT: testDTMFPT, Ptime: 20 * time.Millisecond},
		frames:  make(chan media.Frame, framesCap),
		tsMul:   1,
		maxHold: int64(40 * time.Millisecond),
	}
}

func FuzzTelephoneEvent(f *testing.F) {
	f.Add([]byte{1, 0x0a, 0x00, 0xa0})
	f.Add([]byte{11, 0x8a, 0x03, 0x20, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseTelephoneEvent(b)
		if err != nil {
			if len(b) >= 4 {
				t.Fatalf("%x refused: %v", b, err)
			}
			return
		}
		if got := AppendTelephoneEvent(nil, ev); !bytes.Equal(got, b[:4]) && ev.Volume == b[1]&0x3f {
			// The reserved bit is not kept; everything else is.
			if got[0] != b[0] || got[2] != b[2] || got[3] != b[3] || got[1]&0xbf != b[1]&0xbf {
				t.Fatalf("%x re-encodes to %x", b[:4], got)
			}
		}
	})
}

// FuzzSessionReceive feeds arbitrary datagrams, as a sequence, to a
// session's receive path: nothing may panic, and every frame that comes
// out is well formed.
func FuzzSessionReceive(f *testing.F) {
	var seed []byte
	for i, p := range [][]byte{
		rtpPacket(f, 0, 1, 0, 1, true, make([]byte, 160)),
		rtpPacket(f, 0, 3, 320, 1, false, make([]byte, 160)),
		rtpPacket(f, testDTMFPT, 4, 400, 1, true, []byte{5, 10, 0, 160}),
		rtpPacket(f, testDTMFPT, 5, 400, 1, false, []byte{5, 0x8a, 3, 0}),
	} {
		seed = binary.BigEndian.AppendUint16(seed, uint16(len(p)))
		seed = append(seed, p...)
		_ = i
	}
	f.Add(seed)
	f.Add([]byte{0, 12, 0x80, 101, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := fuzzSession(StrictOff)
		from := netip.AddrPortFrom(loopback, 4000)
		now := int64(1e9)
		for len(data) >= 2 {
			n := int(binary.BigEndian.Uint16(data))
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			pkt := append([]byte(nil), data[:n]...)
			data = data[n:]
			s.receive(pkt, from, now, &rtp.Header{})
			now += int64(5 * time.Millisecond)
			s.tick(now)
		}
		for {
			select {
			case fr := <-s.frames:
				switch fr.Kind {
				case media.Voice:
					if fr.Format != media.ULaw || fr.Samples != len(fr.Payload) {
						t.Fatalf("bad voice frame %v", fr)
					}
				case media.DTMFBegin, media.DTMFEnd:
					if !media.IsDTMFDigit(fr.Digit) || fr.Duration < 0 {
						t.Fatalf("bad DTMF frame %v", fr)
					}
				default:
					t.Fatalf("unexpected frame %v", fr)
				}
			default:
				return
			}
		}
	})
}

// TestSessionEnginesStop: the pacers and receive loops stop once no
// session has used them for sessLinger.
func TestSessionEnginesStop(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{})
	s, err := l.StartSession(SessionConfig{Format: media.ULaw, DTMFPT: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range s.Frames() {
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		sessPool.mu.Lock()
		n := len(sessPool.engines)
		sessPool.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d session engines still running", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSessionDeliverVoiceOff: with voice off the session still accepts
// and counts the peer's voice (rtptimeout sees it) but hands over only
// digits; turned on again, voice comes back.
func TestSessionDeliverVoiceOff(t *testing.T) {
	alloc := testAllocator(t, 2)
	l := newTestLeg(t, alloc, LegOptions{Strict: StrictYes})
	ph := newPhone(t)
	l.SetRemote(ph.addr())
	s := ulawSession(t, l)
	to := l.LocalAddr()
	s.DeliverVoice(false)
	voice := make([]byte, 160)
	for i := range 3 {
		ph.send(to, rtpPacket(t, 0, uint16(10+i), uint32(160*i), 0x1234, i == 0, voice))
	}
	sendEvent(t, ph, to, 13, 480, true, TelephoneEvent{Event: 1, Duration: 160})
	if got := nextFrame(t, s).String(); got != "DTMF_BEGIN 1" {
		t.Fatalf("first frame with voice off: %q, want the digit", got)
	}
	if st := s.Stats(); st.PacketsIn < 4 {
		t.Errorf("voice not counted while off: %d packets in", st.PacketsIn)
	}
	s.DeliverVoice(true)
	ph.send(to, rtpPacket(t, 0, 14, 640, 0x1234, false, voice))
	if fr := nextFrame(t, s); fr.Kind != media.Voice || len(fr.Payload) != len(voice) || fr.Timestamp != 640 {
		t.Fatalf("with voice on again: %v (%d bytes at %d), want the voice sent after", fr, len(fr.Payload), fr.Timestamp)
	}
}
