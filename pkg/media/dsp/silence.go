package dsp

import (
	"fmt"
	"time"
)

// DefaultSilenceThreshold is Asterisk's silence threshold (dsp.conf
// silencethreshold), an average absolute sample value.
const DefaultSilenceThreshold = 256

// SilenceDetector tells silence from talk the way ast_dsp_silence and
// ast_dsp_noise do: a block of samples is silent when the mean of its
// absolute values is below the threshold, and the detector counts how long
// the current run of silence or of talk has lasted.
type SilenceDetector struct {
	threshold int
	rate      int
	silent    time.Duration // length of the current silent run
	talking   time.Duration // length of the current talking run
}

// NewSilenceDetector judges 8 kHz audio against threshold (0 or less means
// DefaultSilenceThreshold).
func NewSilenceDetector(threshold int) *SilenceDetector {
	return NewSilenceDetectorRate(threshold, 8000)
}

// NewSilenceDetectorRate is NewSilenceDetector for audio at rate samples per
// second (the rate only scales the durations).
func NewSilenceDetectorRate(threshold, rate int) *SilenceDetector {
	if rate <= 0 {
		panic(fmt.Sprintf("dsp: silence detector sample rate %d", rate))
	}
	if threshold <= 0 {
		threshold = DefaultSilenceThreshold
	}
	return &SilenceDetector{threshold: threshold, rate: rate}
}

// Threshold is the level below which a frame is silent.
func (s *SilenceDetector) Threshold() int { return s.threshold }

// Process judges one frame of samples. It reports whether the frame is
// silent, and how long silence (talk) has lasted including this frame; the
// other count is zero. An empty frame changes nothing.
func (s *SilenceDetector) Process(samples []int16) (silent bool, silentFor, talkingFor time.Duration) {
	if len(samples) == 0 {
		return s.talking == 0, s.silent, s.talking
	}
	sum := 0
	for _, v := range samples {
		if v < 0 {
			sum -= int(v)
		} else {
			sum += int(v)
		}
	}
	return s.ProcessSum(sum, len(samples))
}

// ProcessSum is Process for a frame of n samples whose absolute values
// add up to sum, for callers that have the sum without the samples (the
// conference mixer reads it from G.711 bytes through a table and decodes
// only the frames of talkers).
func (s *SilenceDetector) ProcessSum(sum, n int) (silent bool, silentFor, talkingFor time.Duration) {
	if n <= 0 {
		return s.talking == 0, s.silent, s.talking
	}
	// Asterisk counts whole milliseconds per frame (len / (rate/1000));
	// counting samples keeps odd frame sizes exact.
	d := time.Duration(n) * time.Second / time.Duration(s.rate)
	if sum/n < s.threshold {
		s.silent += d
		s.talking = 0
		return true, s.silent, 0
	}
	s.talking += d
	s.silent = 0
	return false, 0, s.talking
}

// Reset forgets the current run, as when a recording starts.
func (s *SilenceDetector) Reset() { s.silent, s.talking = 0, 0 }
