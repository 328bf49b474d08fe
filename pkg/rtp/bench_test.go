package rtp

import (
	"net/netip"
	"testing"
)

// relayFixture wires two legs to phones without starting a Bridge, so the
// hot path (pump.forward) can be measured and counted for allocations.
func relayFixture(t testing.TB, secureIn, secureOut bool) (p *pump, pkt []byte, from netip.AddrPort) {
	alloc := testAllocator(t, 4)
	a, b, pa, _ := phonedLegs(t, alloc, LegOptions{Strict: StrictYes, Probation: 4})
	a.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 101}})
	b.SetPayloadTypes([]PayloadType{{"PCMU/8000", 0}, {"telephone-event/8000", 96}})
	pkt = rtpPacket(t, 0, 1, 160, 7, false, make([]byte, 160))
	if secureIn {
		params, keys := newSRTPPair(t, SuiteAES128SHA1_80, false)
		if err := a.SetSRTP(params); err != nil {
			t.Fatal(err)
		}
		ct, err := keys.enc.EncryptRTP(nil, pkt, nil)
		if err != nil {
			t.Fatal(err)
		}
		pkt = ct
	}
	if secureOut {
		params, _ := newSRTPPair(t, SuiteAES128SHA1_80, true)
		if err := b.SetSRTP(params); err != nil {
			t.Fatal(err)
		}
	}
	return newPump(nil, a, b), pkt, pa.addr()
}

// runOnce forwards one packet the way the relay does after a read: the
// packet is copied into the scratch input buffer first because SRTP
// decrypts in place.
func runOnce(p *pump, sc *scratch, pkt []byte, from netip.AddrPort, seq uint16) {
	n := copy(sc.in, pkt)
	if p.src.srtp.Load() == nil {
		sc.in[2], sc.in[3] = byte(seq>>8), byte(seq)
	}
	p.forward(sc.in[:n], from, 1, sc)
}

func TestRelayHotPathDoesNotAllocate(t *testing.T) {
	tests := []struct {
		name    string
		in, out bool
	}{
		{"rtp-rtp", false, false},
		{"srtp-rtp", true, false},
		{"rtp-srtp", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, pkt, from := relayFixture(t, tc.in, tc.out)
			sc := newScratch()
			var seq uint16
			runOnce(p, sc, pkt, from, seq) // first packet locks the source and builds tables
			allocs := testing.AllocsPerRun(200, func() {
				seq++
				runOnce(p, sc, pkt, from, seq)
			})
			if allocs != 0 {
				t.Errorf("%v allocations per packet", allocs)
			}
			if p.dst.Stats().PacketsOut < 200 {
				t.Errorf("packets not relayed: %+v", p.dst.Stats())
			}
		})
	}
}

func benchRelay(b *testing.B, in, out bool) {
	p, pkt, from := relayFixture(b, in, out)
	sc := newScratch()
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runOnce(p, sc, pkt, from, uint16(i))
	}
}

// BenchmarkRelayRTP is one plain packet through strict RTP, PT remap and
// the sendto system call.
func BenchmarkRelayRTP(b *testing.B) { benchRelay(b, false, false) }

// BenchmarkRelaySRTPToRTP adds SRTP authentication and decryption.
func BenchmarkRelaySRTPToRTP(b *testing.B) { benchRelay(b, true, false) }

// BenchmarkRelayRTPToSRTP adds SRTP encryption.
func BenchmarkRelayRTPToSRTP(b *testing.B) { benchRelay(b, false, true) }
