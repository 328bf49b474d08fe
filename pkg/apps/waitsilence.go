package apps

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_waitforsilence: WaitForSilence and WaitForNoise listen to the
// caller until a long enough stretch of silence (or of noise) came, as
// often as asked, with an overall timeout; WAITSTATUS says which ended it.

var waitForSilenceApp = &pbx.App{
	Name:        "WaitForSilence",
	Synopsis:    "Waits for a specified amount of silence.",
	Syntax:      "WaitForSilence(silencerequired[,iterations[,timeout]])",
	Description: "Waits for up to silencerequired milliseconds of silence, iterations times. An optional timeout specified the number of seconds to return after, even if we do not receive the specified amount of silence. Use timeout with caution, as it may defeat the purpose of this application, which is to wait indefinitely until silence is detected on the line. This is particularly useful for reverse-911-type call broadcast applications where you need to wait for an answering machine to complete its spiel before playing a message.\nThis application sets the following channel variable upon completion:\n    WAITSTATUS - Determines the status of whether silence was detected or not.\n        SILENCE\n        TIMEOUT",
	Arguments:   "silencerequired\niterations - If not specified, defaults to 1.\ntimeout - Is specified only to avoid an infinite loop in cases where silence is never achieved.",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return waitFor(ch, data, true) },
}

var waitForNoiseApp = &pbx.App{
	Name:        "WaitForNoise",
	Synopsis:    "Waits for a specified amount of noise.",
	Syntax:      "WaitForNoise(noiserequired[,iterations[,timeout]])",
	Description: "Waits for up to noiserequired milliseconds of noise, iterations times. An optional timeout specified the number of seconds to return after, even if we do not receive the specified amount of noise. Use timeout with caution, as it may defeat the purpose of this application, which is to wait indefinitely until noise is detected on the line.",
	Arguments:   "noiserequired\niterations - If not specified, defaults to 1.\ntimeout - Is specified only to avoid an infinite loop in cases where noise is never achieved.",
	Exec:        func(ch *pbx.Channel, data string) (pbx.Result, error) { return waitFor(ch, data, false) },
}

func waitFor(ch *pbx.Channel, data string, silence bool) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := append(pbx.SplitArgs(data, ','), "", "", "")
	what, status := "silence", "SILENCE"
	if !silence {
		what, status = "noise", "NOISE"
	}
	required, err := strconv.Atoi(strings.TrimSpace(args[0]))
	if err != nil || required < 0 {
		log.Warning("Using default value of 1000ms, 1 iteration, no timeout\n")
		required = 1000
	}
	iterations := 1
	if n, err := strconv.Atoi(strings.TrimSpace(args[1])); err == nil && n > 0 {
		iterations = n
	}
	var timeout time.Duration
	if secs, err := strconv.ParseFloat(strings.TrimSpace(args[2]), 64); err == nil && secs > 0 {
		timeout = time.Duration(secs * float64(time.Second))
	}
	log.Verbose(3, "Waiting %d time(s) for %d ms %s with %d timeout\n", iterations, required, what, int(timeout/time.Second))
	if !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	ch.SetReadFormat(media.SLin)
	defer ch.SetReadFormat(nil)

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	det := dsp.NewSilenceDetector(0)
	need := time.Duration(required) * time.Millisecond
	var pcm []int16
	for i := 0; i < iterations; i++ {
		det.Reset()
		for {
			fr, err := ch.ReadUntil(deadline)
			switch {
			case errors.Is(err, pbx.ErrTimeout):
				log.Verbose(3, "WAITSTATUS=TIMEOUT\n")
				ch.SetVar("WAITSTATUS", "TIMEOUT")
				return pbx.Continue, nil
			case errors.Is(err, pbx.ErrNoMedia):
				if !discardUntil(ch, deadline) {
					return pbx.HangupResult, nil
				}
				ch.SetVar("WAITSTATUS", "TIMEOUT")
				return pbx.Continue, nil
			case err != nil:
				return pbx.HangupResult, nil
			}
			if fr.Kind != media.Voice || fr.Format != media.SLin {
				continue
			}
			pcm = media.DecodeSLin(pcm[:0], fr.Payload)
			_, silentFor, talkingFor := det.Process(pcm)
			run := silentFor
			if !silence {
				run = talkingFor
			}
			if run >= need {
				log.Verbose(3, "Exiting with %dms %s >= %dms required\n", run.Milliseconds(), what, required)
				break
			}
		}
	}
	ch.SetVar("WAITSTATUS", status)
	return pbx.Continue, nil
}
