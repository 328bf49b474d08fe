package sound

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// ErrUnsupported is returned by Open and Create for a file format gostrisk
// lists (as Asterisk does) but cannot read or write: h263, h264, g723sf.
var ErrUnsupported = errors.New("file format not supported")

// ErrBadFile is wrapped by every error about a file's contents (a header
// that is not what its format says, a truncated header, a WAV at another
// rate), so callers can tell a corrupt file from an I/O error.
var ErrBadFile = errors.New("bad sound file")

// Reader reads a sound file as voice frames in the file's codec. Frames are
// 20 ms (iLBC 30 ms); the last one may be shorter. Positions are in samples
// at the codec's rate. A Reader is used by one goroutine at a time.
type Reader struct {
	path   string
	ff     *FileFormat
	src    io.ReaderAt
	closer io.Closer // nil once closed

	dataStart int64 // byte offset of the audio in the file
	total     int64 // samples of audio
	pos       int64 // next sample to read

	// ahead holds the bytes from aheadOff on, read in one system call for
	// several frames: a playback then costs a read every 16 frames or so
	// instead of one per 20 ms.
	ahead    []byte
	aheadOff int64

	// wav49: the 65-byte block last read and its two frames.
	block      int64 // index of the block in frames, -1 when none
	blockFrame [2]gsmParams
}

// atom is the smallest piece of a file's audio that can be cut out: a whole
// frame for frame codecs, else the fewest bytes holding a whole number of
// samples (1 byte = 2 samples for G.722, 5 bytes = 8 samples for G.726-40).
func (ff *FileFormat) atom() (bytes, samples int) {
	switch ff.container {
	case wavGSM:
		return msgsmBlockSize, 2 * gsmFrameSamples
	case unsupported:
		return 0, 0
	}
	switch ff.Codec.Name {
	case "gsm", "g729", "ilbc", "siren7", "siren14", "g719":
		return ff.frameBytes, ff.frameSamples
	}
	g := gcd(ff.frameBytes, ff.frameSamples)
	return ff.frameBytes / g, ff.frameSamples / g
}

// seekStep is the granularity of a Reader's positions in samples.
func (ff *FileFormat) seekStep() int64 {
	if ff.container == wavGSM {
		return gsmFrameSamples // a block's second frame can be read alone
	}
	_, s := ff.atom()
	return int64(s)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Open opens path as a file of format ff, checking its header.
func Open(path string, ff *FileFormat) (*Reader, error) {
	if !ff.Supported() {
		return nil, fmt.Errorf("sound: %s: %s: %w", path, ff.Name, ErrUnsupported)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sound: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sound: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("sound: %s: is a directory: %w", path, ErrBadFile)
	}
	r, err := newReader(f, st.Size(), path, ff)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// newReader reads a file's header from src (size bytes) and returns a
// Reader on it; Open passes the file, the fuzz tests a bytes.Reader.
func newReader(src io.ReaderAt, size int64, path string, ff *FileFormat) (*Reader, error) {
	r := &Reader{path: path, ff: ff, src: src, closer: nopCloser{}, block: -1}
	var (
		dataLen int64
		err     error
	)
	switch ff.container {
	case raw:
		dataLen = size
	case sunAU:
		r.dataStart, dataLen, err = readAUHeader(src, size)
	case wavPCM, wavGSM:
		r.dataStart, dataLen, err = readWAVHeader(src, size, ff)
	}
	if err != nil {
		return nil, fmt.Errorf("sound: %s: %w", path, err)
	}
	ab, as := ff.atom()
	r.total = dataLen / int64(ab) * int64(as)
	return r, nil
}

// Format is the codec of the frames ReadFrame returns.
func (r *Reader) Format() *media.Format { return r.ff.Codec }

// FileFormat is the format the file was opened as.
func (r *Reader) FileFormat() *FileFormat { return r.ff }

// Path is the file's name.
func (r *Reader) Path() string { return r.path }

// Length is the file's length in samples.
func (r *Reader) Length() int64 { return r.total }

// Tell is the position of the next frame, in samples from the start.
func (r *Reader) Tell() int64 { return r.pos }

// Seek moves the read position, in samples, relative to the start, the
// current position or the end (io.SeekStart, io.SeekCurrent, io.SeekEnd),
// as ControlPlayback's skips and Background's offsets need. As in Asterisk
// a position before the start or past the end is clamped rather than an
// error; it is rounded down to what the codec can start from (a GSM frame:
// 160 samples). It returns the new position.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	var p int64
	switch whence {
	case io.SeekStart:
		p = offset
	case io.SeekCurrent:
		p = r.pos + offset
	case io.SeekEnd:
		p = r.total + offset
	default:
		return r.pos, fmt.Errorf("sound: %s: seek: bad whence %d", r.path, whence)
	}
	p = min(max(p, 0), r.total)
	step := r.ff.seekStep()
	if p < r.total {
		p -= p % step
	}
	r.pos = p
	return p, nil
}

// ReadFrame returns the next frame, or io.EOF after the last one. An error
// other than io.EOF names the file.
func (r *Reader) ReadFrame() (media.Frame, error) {
	if r.closer == nil {
		return media.Frame{}, fmt.Errorf("sound: %s: read after close", r.path)
	}
	if r.pos >= r.total {
		return media.Frame{}, io.EOF
	}
	if r.ff.container == wavGSM {
		return r.readMSGSM()
	}
	ab, as := r.ff.atom()
	n := min(int64(r.ff.frameSamples), r.total-r.pos)
	n -= n % int64(as)
	size := n / int64(as) * int64(ab)
	buf := make([]byte, size)
	off := r.dataStart + r.pos/int64(as)*int64(ab)
	got, err := r.readAt(buf, off)
	if got < len(buf) {
		// The file shrank under us (it was being rewritten): what it still
		// holds up to a whole atom is good audio.
		got -= got % ab
		if got == 0 {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return media.Frame{}, fmt.Errorf("sound: %s: %w", r.path, err)
		}
		buf = buf[:got]
		n = int64(got / ab * as)
	}
	fr := media.Frame{Kind: media.Voice, Format: r.ff.Codec, Payload: buf, Samples: int(n), Timestamp: uint32(r.pos)}
	r.pos += n
	return fr, nil
}

// readAheadSize is how much a Reader reads at once: 25 frames of 8 kHz
// slin, so a channel playing a .wav makes a system call every half second
// rather than every quarter (measured with 2,000 Playback channels).
const readAheadSize = 8192

// readAt fills p from the file at off through the read-ahead buffer.
func (r *Reader) readAt(p []byte, off int64) (int, error) {
	if off < r.aheadOff || off+int64(len(p)) > r.aheadOff+int64(len(r.ahead)) {
		if cap(r.ahead) < max(len(p), readAheadSize) {
			r.ahead = make([]byte, max(len(p), readAheadSize))
		}
		n, err := r.src.ReadAt(r.ahead[:cap(r.ahead)], off)
		r.ahead, r.aheadOff = r.ahead[:n], off
		if n < len(p) {
			copy(p, r.ahead)
			r.ahead = r.ahead[:0] // read again next time: the file may grow back
			return n, err
		}
	}
	return copy(p, r.ahead[off-r.aheadOff:]), nil
}

// readMSGSM returns the GSM frame at r.pos out of its 65-byte block.
func (r *Reader) readMSGSM() (media.Frame, error) {
	idx := r.pos / (2 * gsmFrameSamples)
	if idx != r.block {
		var b [msgsmBlockSize]byte
		if _, err := r.readAt(b[:], r.dataStart+idx*msgsmBlockSize); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return media.Frame{}, fmt.Errorf("sound: %s: %w", r.path, err)
		}
		r.blockFrame[0], r.blockFrame[1] = msgsmUnpack(b[:])
		r.block = idx
	}
	half := r.pos / gsmFrameSamples % 2
	buf := make([]byte, gsmFrameSize)
	gsmPack(buf, &r.blockFrame[half])
	fr := media.Frame{Kind: media.Voice, Format: r.ff.Codec, Payload: buf, Samples: gsmFrameSamples, Timestamp: uint32(r.pos)}
	r.pos += gsmFrameSamples
	return fr, nil
}

// Close closes the file.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	if err != nil {
		return fmt.Errorf("sound: %s: %w", r.path, err)
	}
	return nil
}

// nopCloser stands for the file of a Reader on memory (the fuzz tests).
type nopCloser struct{}

func (nopCloser) Close() error { return nil }
