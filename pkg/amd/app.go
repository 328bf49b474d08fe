package amd

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// Module is app_amd at run time: the amd.conf in use.
type Module struct {
	cfg atomic.Pointer[Config]
}

// New returns the module with its first configuration.
func New(cfg *Config) *Module {
	m := &Module{}
	if cfg == nil {
		cfg, _ = Load(nil)
	}
	m.cfg.Store(cfg)
	return m
}

// SetConfig swaps in a reloaded amd.conf.
func (m *Module) SetConfig(cfg *Config) {
	if cfg != nil {
		m.cfg.Store(cfg)
	}
}

// Register adds AMD to the engine.
func (m *Module) Register(eng *pbx.Engine) error {
	if err := eng.RegisterApp(&pbx.App{
		Name:     "AMD",
		Synopsis: "Attempt to detect answering machines.",
		Syntax:   "AMD([initialSilence[,greeting[,afterGreetingSilence[,totalAnalysis Time[,miniumWordLength[,betweenWordsSilence[,maximumNumberOfWords[,silenceThreshold[,maximumWordLength[,audioFile]]]]]]]]]])",
		Description: "This application attempts to detect answering machines at the beginning of outbound calls. Simply call this application after the call has been answered (outbound only, of course).\n\n" +
			"When loaded, AMD reads amd.conf and uses the parameters specified as default values. Those default values get overwritten when the calling AMD with parameters.\n\n" +
			"This application sets the following channel variables:\n" +
			"AMDSTATUS - This is the status of the answering machine detection: MACHINE, HUMAN, NOTSURE, HANGUP\n" +
			"AMDCAUSE - Indicates the cause that led to the conclusion: TOOLONG-<Total Time>, INITIALSILENCE-<Silence Duration>-<Initial Silence>, HUMAN-<Silence Duration>-<afterGreetingSilence>, " +
			"MAXWORDS-<Word Count>-<maximum number of words>, LONGGREETING-<Voice Duration>-<Greeting>, MAXWORDLENGTH-<Consecutive Voice Duration>",
		Arguments: "initialSilence - Is maximum initial silence duration before greeting. If this is exceeded, the result is detection as a MACHINE\n" +
			"greeting - is the maximum length of a greeting. If this is exceeded, the result is detection as a MACHINE\n" +
			"afterGreetingSilence - Is the silence after detecting a greeting. If this is exceeded, the result is detection as a HUMAN\n" +
			"totalAnalysis Time - Is the maximum time allowed for the algorithm to decide on whether the audio represents a HUMAN, or a MACHINE\n" +
			"miniumWordLength - Is the minimum duration of Voice considered to be a word\n" +
			"betweenWordsSilence - Is the minimum duration of silence after a word to consider the audio that follows to be a new word\n" +
			"maximumNumberOfWords - Is the maximum number of words in a greeting. If this is exceeded, then the result is detection as a MACHINE\n" +
			"silenceThreshold - How long do we consider silence\n" +
			"maximumWordLength - Is the maximum duration of a word to accept. If exceeded, then the result is detection as a MACHINE\n" +
			"audioFile - Is an audio file to play to the caller while AMD is in progress. By default, no audio file is played. If an audio file is configured in amd.conf, then that file will be used if one is not specified here. (gostrisk does not play it yet: a warning says so.)",
		SeeAlso: "WaitForSilence, WaitForNoise",
		Exec:    m.exec,
	}); err != nil {
		return fmt.Errorf("amd: %w", err)
	}
	return nil
}

// params applies AMD's arguments over the configured defaults.
func params(def Params, data string) Params {
	p := def
	if strings.TrimSpace(data) == "" {
		return p
	}
	args := pbx.SplitArgs(data, ',')
	fields := []*int{&p.InitialSilence, &p.Greeting, &p.AfterGreetingSilence, &p.TotalAnalysisTime,
		&p.MinimumWordLength, &p.BetweenWordsSilence, &p.MaximumNumberOfWords, &p.SilenceThreshold, &p.MaximumWordLength}
	for i, a := range args {
		if a == "" {
			continue
		}
		if i < len(fields) {
			*fields[i] = atoi(a)
		} else if i == len(fields) {
			p.AudioFile = a
		}
	}
	return p
}

func (m *Module) exec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	p := params(m.cfg.Load().Params, data)
	ani := ch.CallerID().ANI
	if ani == "" {
		ani = "(N/A)"
	}
	log.Verbose(3, "AMD: %s %s %s (Fmt: %s)\n", ch.Name(), ani, "(N/A)", "slin")
	maxWait := 50
	for _, v := range []int{p.InitialSilence, p.Greeting, p.AfterGreetingSilence, p.TotalAnalysisTime, p.MinimumWordLength, p.BetweenWordsSilence} {
		if v < maxWait {
			maxWait = v
		}
	}
	log.Verbose(3, "AMD: initialSilence [%d] greeting [%d] afterGreetingSilence [%d] totalAnalysisTime [%d] minimumWordLength [%d] betweenWordsSilence [%d] maximumNumberOfWords [%d] silenceThreshold [%d] maximumWordLength [%d] \n",
		p.InitialSilence, p.Greeting, p.AfterGreetingSilence, p.TotalAnalysisTime, p.MinimumWordLength, p.BetweenWordsSilence, p.MaximumNumberOfWords, p.SilenceThreshold, p.MaximumWordLength)
	ch.SetReadFormat(media.SLin)
	defer ch.SetReadFormat(nil)
	if p.AudioFile != "" {
		log.Warning("AMD: the audio file '%s' is not played by gostrisk\n", p.AudioFile)
	}
	res, hungUp := detect(ch, p, maxWait)
	ch.SetVar("AMDSTATUS", res.Status)
	ch.SetVar("AMDCAUSE", res.Cause)
	if hungUp {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// detect reads the channel until the detector decides, the real-time
// analysis limit passes or the channel hangs up.
func detect(ch *pbx.Channel, p Params, maxWait int) (Result, bool) {
	log := ch.Engine().Log()
	d := NewDetector(p, func(format string, args ...any) {
		log.Verbose(3, "AMD: Channel [%s]. "+format, append([]any{ch.Name()}, args...)...)
	})
	sil := dsp.NewSilenceDetector(p.SilenceThreshold)
	start := time.Now()
	wait := time.Duration(2*maxWait) * time.Millisecond
	if wait <= 0 {
		wait = 100 * time.Millisecond
	}
	var pcm []int16
	for {
		timer := time.NewTimer(wait)
		fr, err := ch.ReadUntil(timer.C)
		timer.Stop()
		switch {
		case errors.Is(err, pbx.ErrTimeout), errors.Is(err, pbx.ErrNoMedia):
			if errors.Is(err, pbx.ErrNoMedia) && !pbx.SleepOrHangup(ch, wait) {
				log.Verbose(3, "AMD: Channel [%s]. HANGUP\n", ch.Name())
				return Result{Status: "HANGUP"}, true
			}
			if r, ok := d.Waited(int(wait / time.Millisecond)); ok {
				log.Verbose(3, "AMD: Channel [%s]. Too long...\n", ch.Name())
				return r, false
			}
			continue
		case err != nil:
			log.Verbose(3, "AMD: Channel [%s]. HANGUP\n", ch.Name())
			return Result{Status: "HANGUP"}, true
		}
		if time.Since(start) > time.Duration(p.TotalAnalysisTime)*time.Millisecond {
			r := d.Timeout()
			if strings.HasPrefix(r.Cause, "NOAUDIODATA") {
				log.Verbose(3, "AMD: Channel [%s]. No audio data received in [%d] seconds.\n", ch.Name(), p.TotalAnalysisTime)
			} else {
				log.Verbose(3, "AMD: Channel [%s]. Timeout...\n", ch.Name())
			}
			return r, false
		}
		if fr.Kind != media.Voice || fr.Format != media.SLin {
			continue
		}
		pcm = media.DecodeSLin(pcm[:0], fr.Payload)
		frameMS := len(pcm) / 8
		silent, silentFor, _ := sil.Process(pcm)
		silenceMS := 0
		if silent {
			silenceMS = int(silentFor / time.Millisecond)
		}
		if r, ok := d.Frame(frameMS, silenceMS); ok {
			return r, false
		}
	}
}
