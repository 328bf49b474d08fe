package tests

import (
	"bytes"
	"encoding/binary"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/tests/harness"
)

// TestChanSIPReinviteCodecChange: sipp 6001 calls 6000 with PCMU and
// plays a 440 Hz tone, then re-INVITEs offering PCMA only (both codecs are
// allowed for it): gostrisk answers 200 with PCMA, as chan_sip does (the
// scenario checks the m= line), and plays on a 1000 Hz tone in PCMA.
// 6000 is a sipp UAS whose SDP points at a socket of this test, which
// decodes what it gets: PCMU with the 440 Hz tone before the re-INVITE
// (relayed natively), PCMU with the 1000 Hz tone after it (the bridge now
// translates the caller's PCMA), and never a PCMA packet.
func TestChanSIPReinviteCodecChange(t *testing.T) {
	harness.RequireSipp(t)
	in := harness.Start(t, harness.Options{Template: harness.ReferenceConf(), Args: []string{"-vvv"},
		Edit: func(f map[string]string) {
			noDirectMedia(f)
			// 6000 is this test's socket, which speaks first to nobody:
			// no comedia, gostrisk sends to the SDP's address.
			f["sip.conf"] = strings.Replace(f["sip.conf"], "nat=force_rport,comedia", "nat=force_rport", 1)
			f["sip.conf"] = strings.Replace(f["sip.conf"], "allow=ulaw\nfullname = Choucheh", "allow=ulaw\nallow=alaw\nfullname = Choucheh", 1)
		}})
	in.DumpOnFailure()
	dir := t.TempDir()
	pcmu, pcma := filepath.Join(dir, "pcmu-440.pcap"), filepath.Join(dir, "pcma-1000.pcap")
	writeG711Pcap(t, pcmu, 0, 440, 50)
	writeG711Pcap(t, pcma, 8, 1000, 100)

	rtpBase := harness.FreeRTPRange(t, 8)
	sock, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: rtpBase + 6})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	var mu sync.Mutex
	var got []heardPacket
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, err := sock.Read(buf)
			if err != nil {
				return
			}
			if n != 12+160 || buf[0]>>6 != 2 {
				continue
			}
			mu.Lock()
			got = append(got, heardPacket{pt: buf[1] & 0x7f, crossings: zeroCrossings(buf[1]&0x7f, buf[12:n])})
			mu.Unlock()
		}
	}()

	uasPort := harness.FreePort(t)
	runSipp(t, in, regScenario(t), uasPort, 1)
	uas := scenarioCopy(t, "dm-uas-6000-local.xml", "m=audio [media_port] RTP/AVP 0", "m=audio "+strconv.Itoa(rtpBase+6)+" RTP/AVP 0")
	waitUAS := (&harness.Sipp{Scenario: uas, LocalPort: uasPort, Timeout: 25 * time.Second}).Start(t)
	time.Sleep(200 * time.Millisecond)
	uac := harness.Sipp{Scenario: scenarioFrom(t, "chansip-codec-uac-6001.xml.tmpl", map[string]string{"PCMU": pcmu, "PCMA": pcma}),
		Target: "127.0.0.1:" + strconv.Itoa(in.SIPPort), Timeout: 25 * time.Second,
		Extra: []string{"-mp", strconv.Itoa(rtpBase)}}
	requireSippOK(t, "uac 6001 (re-INVITE to PCMA answered with PCMA)", uac.Run(t))
	requireSippOK(t, "uas 6000", waitUAS())
	sock.Close()
	<-done

	// 160 samples of a tone cross zero about 2*f/50 times: 17.6 at 440 Hz,
	// 40 at 1000 Hz.
	var low, high, pcmaSeen int
	for _, p := range got {
		switch {
		case p.pt == 8:
			pcmaSeen++
		case p.pt != 0:
		case p.crossings >= 15 && p.crossings <= 20:
			low++
		case p.crossings >= 37 && p.crossings <= 43:
			high++
		}
	}
	hist := map[[2]int]int{}
	for _, p := range got {
		hist[[2]int{int(p.pt), p.crossings}]++
	}
	t.Logf("(pt, crossings) -> packets: %v", hist)
	t.Logf("6000 got %d packets: %d PCMU at 440 Hz, %d PCMU at 1000 Hz, %d PCMA", len(got), low, high, pcmaSeen)
	if low < 25 {
		t.Errorf("6000 heard the 440 Hz PCMU of before the re-INVITE in %d packets, want >= 25 of 50", low)
	}
	if high < 30 {
		t.Errorf("6000 heard the caller's 1000 Hz PCMA translated to PCMU in %d packets, want >= 30 of 100 (a loaded machine drops some)", high)
	}
	if pcmaSeen > 0 {
		t.Errorf("6000 (PCMU only) got %d PCMA packets", pcmaSeen)
	}
}

// heardPacket is what the test's phone got: payload type, and the zero
// crossings of the decoded samples (the tone's frequency).
type heardPacket struct {
	pt        byte
	crossings int
}

// zeroCrossings decodes a G.711 payload and counts its sign changes.
func zeroCrossings(pt byte, payload []byte) int {
	n := 0
	prev := 0.0
	for _, b := range payload {
		var s int16
		if pt == 8 {
			s = media.ALawToLinear(b)
		} else {
			s = media.ULawToLinear(b)
		}
		v := float64(s)
		if (v > 0 && prev < 0) || (v < 0 && prev > 0) {
			n++
		}
		if v != 0 {
			prev = v
		}
	}
	return n
}

// writeG711Pcap writes a libpcap file of n RTP packets of a tone of freq Hz
// in PCMU (pt 0) or PCMA (pt 8), 20 ms each, as sipp's play_pcap_audio
// reads them (see writePCMUPcap).
func writeG711Pcap(t *testing.T, path string, pt byte, freq float64, n int) {
	t.Helper()
	const samples = 160
	var buf bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1)
	buf.Write(hdr)
	for i := 0; i < n; i++ {
		rtp := make([]byte, 12+samples)
		rtp[0], rtp[1] = 0x80, pt
		binary.BigEndian.PutUint16(rtp[2:], uint16(i+1))
		binary.BigEndian.PutUint32(rtp[4:], uint32(i*samples))
		binary.BigEndian.PutUint32(rtp[8:], 0x5ca1ab1e+uint32(pt))
		for s := 0; s < samples; s++ {
			v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i*samples+s)/8000))
			if pt == 8 {
				rtp[12+s] = media.LinearToALaw(v)
			} else {
				rtp[12+s] = media.LinearToULaw(v)
			}
		}
		udp := make([]byte, 8, 8+len(rtp))
		binary.BigEndian.PutUint16(udp[0:], 6000)
		binary.BigEndian.PutUint16(udp[2:], 6002)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(rtp)))
		udp = append(udp, rtp...)
		ip := make([]byte, 20, 20+len(udp))
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+len(udp)))
		binary.BigEndian.PutUint16(ip[4:], uint16(i))
		ip[8], ip[9] = 64, 17
		copy(ip[12:], []byte{127, 0, 0, 1})
		copy(ip[16:], []byte{127, 0, 0, 1})
		binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip))
		ip = append(ip, udp...)
		eth := make([]byte, 14, 14+len(ip))
		binary.BigEndian.PutUint16(eth[12:], 0x0800)
		frame := append(eth, ip...)
		rec := make([]byte, 16)
		us := i * 20000
		le.PutUint32(rec[0:], uint32(1700000000+us/1e6))
		le.PutUint32(rec[4:], uint32(us%1e6))
		le.PutUint32(rec[8:], uint32(len(frame)))
		le.PutUint32(rec[12:], uint32(len(frame)))
		buf.Write(rec)
		buf.Write(frame)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
