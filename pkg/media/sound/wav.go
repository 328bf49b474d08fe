package sound

import (
	"encoding/binary"
	"fmt"
	"io"
)

// RIFF/WAVE format tags this package reads.
const (
	wavTagPCM        = 0x0001
	wavTagGSM610     = 0x0031
	wavTagExtensible = 0xFFFE
)

// wavFmt is the part of a "fmt " chunk that decides whether a file can be
// played: encoding, channels, rate, sample size.
type wavFmt struct {
	tag        uint16
	channels   uint16
	rate       uint32
	blockAlign uint16
	bits       uint16
}

// readWAVHeader walks the RIFF chunks of a WAVE file (fmt, fact, LIST, data
// in any order, each padded to an even size) and returns where the audio
// starts and how many bytes of it the file holds. The fmt chunk must match
// ff: 16-bit mono PCM at the codec's rate for wav/wav16, mono 8 kHz
// Microsoft GSM for wav49.
func readWAVHeader(r io.ReaderAt, size int64, ff *FileFormat) (dataStart, dataLen int64, err error) {
	var hdr [12]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return 0, 0, fmt.Errorf("RIFF header truncated: %w", ErrBadFile)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return 0, 0, fmt.Errorf("not a RIFF/WAVE file: %w", ErrBadFile)
	}
	var (
		wf                wavFmt
		haveFmt, haveData bool
	)
	off := int64(12)
	for off+8 <= size && !(haveFmt && haveData) {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], off); err != nil {
			return 0, 0, fmt.Errorf("chunk header at %d truncated: %w", off, ErrBadFile)
		}
		id := string(ch[0:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := off + 8
		switch id {
		case "fmt ":
			if haveFmt {
				return 0, 0, fmt.Errorf("two fmt chunks: %w", ErrBadFile)
			}
			if n < 16 || body+16 > size {
				return 0, 0, fmt.Errorf("fmt chunk truncated (%d bytes): %w", n, ErrBadFile)
			}
			b := make([]byte, min(n, 40, size-body))
			if _, err := r.ReadAt(b, body); err != nil {
				return 0, 0, fmt.Errorf("fmt chunk truncated: %w", ErrBadFile)
			}
			wf = wavFmt{
				tag:        binary.LittleEndian.Uint16(b[0:]),
				channels:   binary.LittleEndian.Uint16(b[2:]),
				rate:       binary.LittleEndian.Uint32(b[4:]),
				blockAlign: binary.LittleEndian.Uint16(b[12:]),
				bits:       binary.LittleEndian.Uint16(b[14:]),
			}
			// WAVE_FORMAT_EXTENSIBLE carries the real tag in the first two
			// bytes of its sub-format GUID.
			if wf.tag == wavTagExtensible && len(b) >= 26 {
				wf.tag = binary.LittleEndian.Uint16(b[24:])
			}
			haveFmt = true
		case "data":
			if haveData {
				return 0, 0, fmt.Errorf("two data chunks: %w", ErrBadFile)
			}
			dataStart = body
			// A size of 0 or one past the end is what streaming writers
			// leave when they never came back to fix the header: the audio
			// runs to the end of the file, as Asterisk plays it.
			if n == 0 || body+n > size {
				n = size - body
			}
			dataLen = n
			haveData = true
		}
		off = body + n + n&1
	}
	if !haveFmt {
		return 0, 0, fmt.Errorf("no fmt chunk: %w", ErrBadFile)
	}
	if !haveData {
		return 0, 0, fmt.Errorf("no data chunk: %w", ErrBadFile)
	}
	switch ff.container {
	case wavPCM:
		if wf.tag != wavTagPCM || wf.channels != 1 || wf.bits != 16 || int(wf.rate) != ff.Codec.SampleRate {
			return 0, 0, fmt.Errorf("%s, %d Hz, %d channel(s), %d bits: %s files must be 16-bit mono PCM at %d Hz: %w",
				wavTagName(wf.tag), wf.rate, wf.channels, wf.bits, ff.Name, ff.Codec.SampleRate, ErrBadFile)
		}
	case wavGSM:
		if wf.tag != wavTagGSM610 || wf.channels != 1 || wf.rate != 8000 || (wf.blockAlign != 0 && wf.blockAlign != msgsmBlockSize) {
			return 0, 0, fmt.Errorf("%s, %d Hz, %d channel(s), block %d: %s files must be mono 8000 Hz Microsoft GSM 6.10: %w",
				wavTagName(wf.tag), wf.rate, wf.channels, wf.blockAlign, ff.Name, ErrBadFile)
		}
	}
	return dataStart, dataLen, nil
}

func wavTagName(tag uint16) string {
	switch tag {
	case wavTagPCM:
		return "PCM"
	case wavTagGSM610:
		return "GSM 6.10"
	case 0x0003:
		return "IEEE float"
	case 0x0006:
		return "A-law"
	case 0x0007:
		return "mu-law"
	}
	return fmt.Sprintf("format 0x%04x", tag)
}

// wavPCMHeader is the 44-byte header of a 16-bit mono PCM WAVE file with
// dataLen bytes of audio, as Asterisk's format_wav writes it.
func wavPCMHeader(rate int, dataLen uint32) []byte {
	b := make([]byte, 0, 44)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 36+dataLen)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, wavTagPCM)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(rate))
	b = binary.LittleEndian.AppendUint32(b, uint32(rate*2))
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 16)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, dataLen)
	return b
}

// wavGSMHeader is the 60-byte header of a Microsoft GSM WAVE file: a
// 20-byte fmt chunk (block align 65, 320 samples a block) and the fact
// chunk holding the sample count, the layout Asterisk and sox write.
func wavGSMHeader(dataLen, samples uint32) []byte {
	b := make([]byte, 0, 60)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 52+dataLen)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 20)
	b = binary.LittleEndian.AppendUint16(b, wavTagGSM610)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint32(b, 1625) // 65 bytes every 40 ms
	b = binary.LittleEndian.AppendUint16(b, msgsmBlockSize)
	b = binary.LittleEndian.AppendUint16(b, 0) // bits a sample: none whole
	b = binary.LittleEndian.AppendUint16(b, 2) // extra bytes that follow
	b = binary.LittleEndian.AppendUint16(b, 2*gsmFrameSamples)
	b = append(b, "fact"...)
	b = binary.LittleEndian.AppendUint32(b, 4)
	b = binary.LittleEndian.AppendUint32(b, samples)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, dataLen)
	return b
}

// Sun .au: big-endian magic, header size, data size, encoding, rate,
// channels; encoding 1 is 8-bit µ-law.
const (
	auMagic       = 0x2e736e64 // ".snd"
	auHeaderSize  = 24
	auULaw        = 1
	auSizeUnknown = 0xFFFFFFFF
)

func readAUHeader(r io.ReaderAt, size int64) (dataStart, dataLen int64, err error) {
	var h [auHeaderSize]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return 0, 0, fmt.Errorf("au header truncated: %w", ErrBadFile)
	}
	be := binary.BigEndian
	if be.Uint32(h[0:]) != auMagic {
		return 0, 0, fmt.Errorf("not a Sun .au file: %w", ErrBadFile)
	}
	start := int64(be.Uint32(h[4:]))
	if start < auHeaderSize || start > size {
		return 0, 0, fmt.Errorf("au header size %d out of range: %w", start, ErrBadFile)
	}
	if enc, rate, ch := be.Uint32(h[12:]), be.Uint32(h[16:]), be.Uint32(h[20:]); enc != auULaw || rate != 8000 || ch != 1 {
		return 0, 0, fmt.Errorf("au encoding %d, %d Hz, %d channel(s): must be mono 8000 Hz mu-law: %w", enc, rate, ch, ErrBadFile)
	}
	n := int64(be.Uint32(h[8:]))
	if n == auSizeUnknown || start+n > size {
		n = size - start
	}
	return start, n, nil
}

func auHeader(dataLen uint32) []byte {
	b := make([]byte, 0, auHeaderSize)
	for _, v := range []uint32{auMagic, auHeaderSize, dataLen, auULaw, 8000, 1} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}
