package sound

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gostrisk/gostrisk/pkg/media"
)

// fileMode is the mode of a finished recording: Asterisk's AST_FILE_MODE
// (0666) under the usual 022 umask, readable by the web and mail tools that
// pick recordings and voicemail up.
const fileMode = 0o644

// maxRIFFData is the most audio a RIFF header can count.
const maxRIFFData = 1<<32 - 1 - 60

// Writer writes voice frames to a new sound file. The file is written
// under a temporary name in the target's directory and renamed over the
// target by Close, so nobody sees a half-written file and an aborted
// recording leaves nothing. A Writer is used by one goroutine at a time.
type Writer struct {
	path string
	ff   *FileFormat
	tmp  *os.File
	w    *bufio.Writer

	bytes   int64 // audio bytes written (whole blocks for wav49)
	samples int64

	// wav49: a GSM frame waiting for its partner to make a 65-byte block.
	pending    gsmParams
	hasPending bool
	block      [msgsmBlockSize]byte
}

// Create starts a new file of format ff at path. Nothing appears at path
// until Close; an existing file there is replaced then.
func Create(path string, ff *FileFormat) (*Writer, error) {
	if !ff.Supported() {
		return nil, fmt.Errorf("sound: %s: %s: %w", path, ff.Name, ErrUnsupported)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("sound: create %s: %w", path, err)
	}
	w := &Writer{path: path, ff: ff, tmp: tmp, w: bufio.NewWriterSize(tmp, 8192)}
	// The header goes first with zero sizes; Close writes the real ones.
	var hdr []byte
	switch ff.container {
	case wavPCM:
		hdr = wavPCMHeader(ff.Codec.SampleRate, 0)
	case wavGSM:
		hdr = wavGSMHeader(0, 0)
	case sunAU:
		hdr = auHeader(auSizeUnknown)
	}
	if _, err := w.w.Write(hdr); err != nil {
		w.Abort()
		return nil, fmt.Errorf("sound: write %s: %w", path, err)
	}
	return w, nil
}

// Path is the name the file will have once closed.
func (w *Writer) Path() string { return w.path }

// Format is the codec WriteFrame takes.
func (w *Writer) Format() *media.Format { return w.ff.Codec }

// Tell is the number of samples written so far.
func (w *Writer) Tell() int64 { return w.samples }

// WriteFrame appends a voice frame, which must be in the file's codec (the
// caller translates) and hold whole samples or whole codec frames. Other
// kinds of frame (DTMF, control) are not audio and are ignored.
func (w *Writer) WriteFrame(fr media.Frame) error {
	if w.tmp == nil {
		return fmt.Errorf("sound: %s: write after close", w.path)
	}
	if fr.Kind != media.Voice {
		return nil
	}
	if fr.Format == nil || fr.Format.Name != w.ff.Codec.Name {
		return fmt.Errorf("sound: %s: frame in %v, file takes %s", w.path, fr.Format, w.ff.Codec.Name)
	}
	if w.ff.container == wavGSM {
		return w.writeMSGSM(fr.Payload)
	}
	ab, as := w.ff.atom()
	if len(fr.Payload)%ab != 0 {
		return fmt.Errorf("sound: %s: %d-byte %s frame is not whole %d-byte units", w.path, len(fr.Payload), w.ff.Codec.Name, ab)
	}
	if w.ff.container != raw && w.bytes+int64(len(fr.Payload)) > maxRIFFData {
		return fmt.Errorf("sound: %s: over 4 GB, the most a %s header can count", w.path, w.ff.Name)
	}
	if _, err := w.w.Write(fr.Payload); err != nil {
		return fmt.Errorf("sound: write %s: %w", w.path, err)
	}
	w.bytes += int64(len(fr.Payload))
	w.samples += int64(len(fr.Payload) / ab * as)
	return nil
}

// writeMSGSM takes 33-byte GSM frames and writes them two by two as
// Microsoft GSM blocks.
func (w *Writer) writeMSGSM(p []byte) error {
	if len(p)%gsmFrameSize != 0 {
		return fmt.Errorf("sound: %s: %d bytes of gsm is not whole 33-byte frames", w.path, len(p))
	}
	for ; len(p) > 0; p = p[gsmFrameSize:] {
		par := gsmUnpack(p[:gsmFrameSize])
		if !w.hasPending {
			w.pending, w.hasPending = par, true
			continue
		}
		if err := w.putBlock(&w.pending, &par); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) putBlock(a, b *gsmParams) error {
	if w.bytes+msgsmBlockSize > maxRIFFData {
		return fmt.Errorf("sound: %s: over 4 GB, the most a %s header can count", w.path, w.ff.Name)
	}
	msgsmPack(w.block[:], a, b)
	w.hasPending = false
	if _, err := w.w.Write(w.block[:]); err != nil {
		return fmt.Errorf("sound: write %s: %w", w.path, err)
	}
	w.bytes += msgsmBlockSize
	w.samples += 2 * gsmFrameSamples
	return nil
}

// Close completes the file: a lone last GSM frame of a wav49 file is paired
// with silence, header sizes are written, and the file takes its name. On
// error nothing is left behind.
func (w *Writer) Close() error {
	if w.tmp == nil {
		return nil
	}
	err := w.finish()
	if err == nil {
		err = w.tmp.Close()
	}
	if err == nil {
		err = os.Chmod(w.tmp.Name(), fileMode)
	}
	if err == nil {
		err = os.Rename(w.tmp.Name(), w.path)
	}
	if err != nil {
		w.Abort()
		return fmt.Errorf("sound: close %s: %w", w.path, err)
	}
	w.tmp = nil
	return nil
}

func (w *Writer) finish() error {
	if w.hasPending {
		silence := gsmUnpack(gsmSilence[:])
		if err := w.putBlock(&w.pending, &silence); err != nil {
			return err
		}
	}
	if err := w.w.Flush(); err != nil {
		return err
	}
	var hdr []byte
	switch w.ff.container {
	case wavPCM:
		hdr = wavPCMHeader(w.ff.Codec.SampleRate, uint32(w.bytes))
	case wavGSM:
		hdr = wavGSMHeader(uint32(w.bytes), uint32(w.samples))
	case sunAU:
		hdr = auHeader(uint32(w.bytes))
	}
	if hdr != nil {
		if _, err := w.tmp.WriteAt(hdr, 0); err != nil {
			return err
		}
	}
	return nil
}

// Abort gives the file up: the temporary file is removed and nothing is
// written at the target. It does nothing after Close.
func (w *Writer) Abort() error {
	if w.tmp == nil {
		return nil
	}
	name := w.tmp.Name()
	w.tmp.Close()
	w.tmp = nil
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sound: abort %s: %w", w.path, err)
	}
	return nil
}
