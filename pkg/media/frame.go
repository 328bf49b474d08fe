package media

import (
	"fmt"
	"time"
)

// FrameKind tells which of Frame's fields are meaningful.
type FrameKind uint8

// The kinds of frame a Stream carries.
const (
	// Voice is audio: Format, Payload, Samples and Timestamp are set.
	Voice FrameKind = iota + 1
	// DTMFBegin starts a digit (a key went down): Digit is set.
	DTMFBegin
	// DTMFEnd ends a digit: Digit and Duration (how long it was held) are set.
	// A digit known only from its end (SIP INFO) comes as a DTMFEnd alone.
	DTMFEnd
	// Control is a call-progress or state indication: Control is set.
	Control
)

func (k FrameKind) String() string {
	switch k {
	case Voice:
		return "VOICE"
	case DTMFBegin:
		return "DTMF_BEGIN"
	case DTMFEnd:
		return "DTMF_END"
	case Control:
		return "CONTROL"
	}
	return fmt.Sprintf("FrameKind(%d)", uint8(k))
}

// ControlType is an indication a channel passes to its peer, Asterisk's
// AST_CONTROL_* set reduced to what chan_sip produces or reacts to.
type ControlType uint8

// The control indications.
const (
	Hangup ControlType = iota + 1
	Ringing
	Answer
	Busy
	Congestion
	Progress   // early media follows (183 Session Progress)
	Proceeding // the call is being routed (100 Trying with a route)
	Hold       // the sender put the call on hold: play music to the other side
	Unhold
	SrcUpdate // the media source changed (re-INVITE, transfer): timestamps jump
	SrcChange
)

var controlNames = [...]string{
	Hangup: "HANGUP", Ringing: "RINGING", Answer: "ANSWER", Busy: "BUSY",
	Congestion: "CONGESTION", Progress: "PROGRESS", Proceeding: "PROCEEDING",
	Hold: "HOLD", Unhold: "UNHOLD", SrcUpdate: "SRCUPDATE", SrcChange: "SRCCHANGE",
}

func (c ControlType) String() string {
	if int(c) < len(controlNames) && controlNames[c] != "" {
		return controlNames[c]
	}
	return fmt.Sprintf("ControlType(%d)", uint8(c))
}

// Frame is one unit of media or signalling moving through a channel. It is a
// small tagged value: Kind says which fields are set. Frames are passed by
// value; Payload is owned by the receiver once the frame has been handed over.
type Frame struct {
	Kind FrameKind

	// Voice.
	Format  *Format
	Payload []byte // encoded audio; slin is 16-bit little-endian
	Samples int    // samples in Payload at Format.SampleRate
	// Timestamp is the position of the first sample, in samples at
	// Format.SampleRate since the stream began; it lets a jitter buffer or a
	// recorder notice gaps without looking at wall time.
	Timestamp uint32

	// DTMF.
	Digit    rune          // '0'-'9', '*', '#', 'A'-'D'
	Duration time.Duration // DTMFEnd: how long the key was held

	// Control.
	Control ControlType
}

// VoiceFrame builds a voice frame, counting the samples from the payload for
// formats whose size is fixed per sample (G.711, G.722, slin) or per frame (GSM).
func VoiceFrame(f *Format, payload []byte, timestamp uint32) Frame {
	return Frame{Kind: Voice, Format: f, Payload: payload, Samples: samplesIn(f, len(payload)), Timestamp: timestamp}
}

// samplesIn counts samples in n bytes for the formats with a fixed sample
// or frame size, and returns 0 for the others (the codec knows their framing).
func samplesIn(f *Format, n int) int {
	switch {
	case f == ULaw || f == ALaw:
		return n
	case f == GSM:
		return n / GSMFrameBytes * GSMFrameSamples
	case f == G722: // one byte per two 16 kHz samples
		return 2 * n
	case f.RTPEncoding == "L16":
		return n / 2
	}
	return 0
}

// Length is how long a voice frame lasts (0 for other kinds).
func (fr Frame) Length() time.Duration {
	if fr.Kind != Voice || fr.Format == nil {
		return 0
	}
	return fr.Format.Duration(fr.Samples)
}

// IsDTMFDigit reports whether r is a digit DTMF can carry.
func IsDTMFDigit(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r == '*', r == '#', r >= 'A' && r <= 'D':
		return true
	}
	return false
}

func (fr Frame) String() string {
	switch fr.Kind {
	case Voice:
		name := "?"
		if fr.Format != nil {
			name = fr.Format.Name
		}
		return fmt.Sprintf("VOICE %s %d samples ts=%d", name, fr.Samples, fr.Timestamp)
	case DTMFBegin:
		return fmt.Sprintf("DTMF_BEGIN %c", fr.Digit)
	case DTMFEnd:
		return fmt.Sprintf("DTMF_END %c %dms", fr.Digit, fr.Duration.Milliseconds())
	case Control:
		return "CONTROL " + fr.Control.String()
	}
	return fr.Kind.String()
}

// Stream is a two-way flow of frames: a channel's media side, an RTP
// session, a sound file being played or recorded.
//
// ReadFrame blocks until a frame arrives and returns io.EOF once the stream
// has ended (a file played out, a call hung up); WriteFrame sends one frame
// and may return an error when the stream cannot take the frame's format.
// Close ends the stream and makes a blocked ReadFrame return. One goroutine
// may read while another writes.
type Stream interface {
	ReadFrame() (Frame, error)
	WriteFrame(Frame) error
	Close() error
}
