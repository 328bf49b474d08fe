package media

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The vectors in testdata/gsm were made with libgsm's toast and untoast, an
// independent implementation (see testdata/gsm/README).
var gsmVectors = []string{"speech", "tone", "loud", "extreme"}

func readPCM(t testing.TB, name string) []int16 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "gsm", name))
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

func readGSM(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "gsm", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGSMEncodeMatchesToast(t *testing.T) {
	for _, name := range gsmVectors {
		t.Run(name, func(t *testing.T) {
			pcm := readPCM(t, name+".raw")
			want := readGSM(t, name+".gsm")
			got := NewGSMEncoder().Encode(nil, pcm)
			if len(got) != len(want) {
				t.Fatalf("encoded %d bytes, toast %d", len(got), len(want))
			}
			for i := 0; i < len(want); i += GSMFrameBytes {
				if !bytes.Equal(got[i:i+GSMFrameBytes], want[i:i+GSMFrameBytes]) {
					t.Fatalf("frame %d differs:\n got %x\nwant %x", i/GSMFrameBytes,
						got[i:i+GSMFrameBytes], want[i:i+GSMFrameBytes])
				}
			}
		})
	}
}

func TestGSMDecodeMatchesUntoast(t *testing.T) {
	// "random" is random parameters behind a valid signature, which no
	// encoder produces: lags outside 40-120, any gain and block maximum.
	for _, name := range append(gsmVectors, "random") {
		t.Run(name, func(t *testing.T) {
			frames := readGSM(t, name+".gsm")
			want := readPCM(t, name+".dec.raw")
			d := NewGSMDecoder()
			got := d.Decode(nil, frames)
			if len(got) != len(want) {
				t.Fatalf("decoded %d samples, untoast %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("sample %d (frame %d) = %d, untoast %d", i, i/GSMFrameSamples, got[i], want[i])
				}
			}
			if d.BadFrames() != 0 {
				t.Errorf("BadFrames = %d", d.BadFrames())
			}
		})
	}
}

// Feeding the codec in pieces gives the same result as in one call: all
// state lives in the encoder and decoder.
func TestGSMStreaming(t *testing.T) {
	pcm := readPCM(t, "tone.raw")
	whole := NewGSMEncoder().Encode(nil, pcm)
	enc := NewGSMEncoder()
	var parts []byte
	for i := 0; i < len(pcm); i += 2 * GSMFrameSamples {
		parts = enc.Encode(parts, pcm[i:min(i+2*GSMFrameSamples, len(pcm))])
	}
	if !bytes.Equal(whole, parts) {
		t.Fatal("encoding in pieces differs from encoding at once")
	}
	dec := NewGSMDecoder()
	var out []int16
	for i := 0; i < len(whole); i += GSMFrameBytes {
		out = dec.Decode(out, whole[i:i+GSMFrameBytes])
	}
	if all := NewGSMDecoder().Decode(nil, whole); !equalInt16(all, out) {
		t.Fatal("decoding frame by frame differs from decoding at once")
	}
}

func TestGSMDecodeBadInput(t *testing.T) {
	good := readGSM(t, "speech.gsm")[:2*GSMFrameBytes]
	bad := append([]byte(nil), good[:GSMFrameBytes]...)
	bad[0] = 0x20 | bad[0]&0x0F // wrong signature nibble
	tests := []struct {
		name    string
		in      []byte
		samples int
		bad     int
	}{
		{"empty", nil, 0, 0},
		{"short", good[:GSMFrameBytes-1], 0, 0},
		{"one and a bit", good[:GSMFrameBytes+5], GSMFrameSamples, 0},
		{"bad signature", bad, GSMFrameSamples, 1},
		{"bad then good", append(append([]byte(nil), bad...), good[GSMFrameBytes:]...), 2 * GSMFrameSamples, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := NewGSMDecoder()
			out := d.Decode(nil, tc.in)
			if len(out) != tc.samples || d.BadFrames() != tc.bad {
				t.Fatalf("got %d samples, %d bad; want %d, %d", len(out), d.BadFrames(), tc.samples, tc.bad)
			}
			if tc.bad > 0 {
				for _, s := range out[:GSMFrameSamples] {
					if s != 0 {
						t.Fatal("a rejected frame must decode as silence")
					}
				}
			}
		})
	}
}

// The arithmetic primitives at the edges the specification defines.
func TestGSMOperators(t *testing.T) {
	tests := []struct {
		name      string
		got, want int
	}{
		{"add saturates up", int(add16(32000, 1000)), 32767},
		{"add saturates down", int(add16(-32000, -1000)), -32768},
		{"sub saturates", int(sub16(-32768, 1)), -32768},
		{"mult -1*-1", int(mult16(-32768, -32768)), 32767},
		{"mult half", int(mult16(16384, 16384)), 8192},
		{"mult_r rounds", int(multR16(1, 16384)), 1},
		{"mult_r -1*-1", int(multR16(-32768, -32768)), 32767},
		{"abs min", int(abs16(-32768)), 32767},
		{"norm 1", norm(1), 30},
		{"norm max", norm(2147483647), 0},
		{"norm -2^30", norm(-1073741824), 0},
		{"norm -1", norm(-1), 31},
		{"div equal", int(div16(100, 100)), 32767},
		{"div half", int(div16(1, 2)), 16384},
		{"div zero", int(div16(0, 5)), 0},
		{"asl negative count", int(asl16(1, -1)), 0},
		{"asr negative count", int(asr16(1, -3)), 8},
		{"addL saturates", int(addL(2147483647, 1)), 2147483647},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

// Packing and unpacking are inverse, and the signature nibble leads.
func TestGSMPacking(t *testing.T) {
	var p gsmParams
	for i := range p.LARc {
		p.LARc[i] = int16(1<<gsmLARBits[i] - 1 - i)
	}
	for s := range 4 {
		p.Nc[s], p.bc[s], p.Mc[s], p.xmaxc[s] = int16(40+s*27), int16(s), int16(3-s), int16(63-s*7)
		for i := range p.xMc[s] {
			p.xMc[s][i] = int16((i + s) % 8)
		}
	}
	b := p.pack(nil)
	if len(b) != GSMFrameBytes || b[0]>>4 != gsmMagic {
		t.Fatalf("packed % x", b)
	}
	var q gsmParams
	if !q.unpack(b) || q != p {
		t.Fatalf("unpack(pack(p)) = %+v, want %+v", q, p)
	}
}

func equalInt16(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func BenchmarkGSMEncode(b *testing.B) {
	pcm := readPCM(b, "speech.raw")
	pcm = pcm[:len(pcm)/GSMFrameSamples*GSMFrameSamples]
	frames := len(pcm) / GSMFrameSamples
	enc := NewGSMEncoder()
	buf := make([]byte, 0, frames*GSMFrameBytes)
	b.ResetTimer()
	for b.Loop() {
		buf = enc.Encode(buf[:0], pcm)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
}

func BenchmarkGSMDecode(b *testing.B) {
	frames := readGSM(b, "speech.gsm")
	n := len(frames) / GSMFrameBytes
	dec := NewGSMDecoder()
	buf := make([]int16, 0, n*GSMFrameSamples)
	b.ResetTimer()
	for b.Loop() {
		buf = dec.Decode(buf[:0], frames)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/frame")
}

func FuzzGSMDecode(f *testing.F) {
	f.Add(readGSM(f, "speech.gsm")[:3*GSMFrameBytes])
	f.Add(bytes.Repeat([]byte{0xDF}, GSMFrameBytes))
	f.Add(bytes.Repeat([]byte{0xD0}, GSMFrameBytes))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewGSMDecoder()
		out := d.Decode(nil, in)
		if len(out) != len(in)/GSMFrameBytes*GSMFrameSamples {
			t.Fatalf("%d bytes decoded to %d samples", len(in), len(out))
		}
		for _, s := range out {
			if s&7 != 0 {
				t.Fatalf("sample %d keeps bits below the codec's 13-bit resolution", s)
			}
		}
	})
}

// Through the translator, slin arriving in 10 ms frames becomes the same GSM
// stream as encoding it at once (the step buffers to whole frames), and GSM
// frames come back as slin with their sample counts.
func TestGSMTranslatorSteps(t *testing.T) {
	pcm := readPCM(t, "tone.raw")
	want := NewGSMEncoder().Encode(nil, pcm)
	tr := NewTranslator()
	toGSM, err := tr.Path(SLin, GSM)
	if err != nil {
		t.Fatal(err)
	}
	enc := toGSM.NewChain()
	var got []byte
	for i := 0; i < len(pcm); i += 80 {
		out, err := enc.Translate(VoiceFrame(SLin, EncodeSLin(nil, pcm[i:i+80]), uint32(i)))
		if err != nil {
			t.Fatal(err)
		}
		if out.Format != GSM || out.Samples != len(out.Payload)/GSMFrameBytes*GSMFrameSamples {
			t.Fatalf("frame %s with %d bytes", out, len(out.Payload))
		}
		got = append(got, out.Payload...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("translated %d bytes differ from Encode's %d", len(got), len(want))
	}

	fromGSM, err := tr.Path(GSM, SLin)
	if err != nil {
		t.Fatal(err)
	}
	dec := fromGSM.NewChain()
	wantPCM := readPCM(t, "tone.dec.raw")
	var gotPCM []int16
	for i := 0; i < len(want); i += GSMFrameBytes {
		fr := VoiceFrame(GSM, want[i:i+GSMFrameBytes], uint32(i/GSMFrameBytes*GSMFrameSamples))
		if fr.Samples != GSMFrameSamples || fr.Length() != 20*time.Millisecond {
			t.Fatalf("GSM frame counts %d samples, %v", fr.Samples, fr.Length())
		}
		out, err := dec.Translate(fr)
		if err != nil {
			t.Fatal(err)
		}
		if out.Samples != GSMFrameSamples || out.Timestamp != fr.Timestamp {
			t.Fatalf("decoded frame %s", out)
		}
		gotPCM = DecodeSLin(gotPCM, out.Payload)
	}
	if !equalInt16(gotPCM, wantPCM) {
		t.Fatal("translated decode differs from untoast")
	}
}
