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

var waitForToneApp = &pbx.App{
	Name:     "WaitForTone",
	Synopsis: "Wait for tone",
	Syntax:   "WaitForTone(freq[,duration_ms[,timeout[,times[,options]]]])",
	Description: "Waits for a single-frequency tone to be detected before dialplan execution continues.\n\n" +
		"WAITFORTONESTATUS - This indicates the result of the wait: SUCCESS, ERROR, TIMEOUT, HANGUP\n\n" +
		"In gostrisk the s option (squelch) is accepted; the tone is not removed from the audio.",
	Arguments: "freq - Frequency of the tone to wait for.\n" +
		"duration_ms - Minimum duration of tone, in ms. Default is 500ms. Using a minimum duration under 50ms is unlikely to produce accurate results.\n" +
		"timeout - Maximum amount of time, in seconds, to wait for specified tone. Default is forever.\n" +
		"times - Number of times the tone should be detected (subject to the provided timeout) before returning. Default is 1.\n" +
		"options - d: Custom decibel threshold to use. Default is 16. s: Squelch tone.",
	SeeAlso: "PlayTones",
	Exec:    waitForTone,
}

func waitForTone(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := pbx.SplitArgs(data, ',')
	for len(args) < 5 {
		args = append(args, "")
	}
	fail := func() (pbx.Result, error) {
		ch.SetVar("WAITFORTONESTATUS", "ERROR")
		return pbx.HangupResult, nil
	}
	freqs := strings.TrimSpace(args[0])
	if freqs == "" {
		logError(ch, "No frequency specified\n")
		return fail()
	}
	parts := strings.Split(freqs, "+")
	if len(parts) > 2 {
		log.Warning("Only up to 2 frequencies may be specified: %s\n", freqs)
		return fail()
	}
	freq, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil {
		log.Warning("Frequency must be an integer: %s\n", parts[0])
		return fail()
	}
	if freq < 0 {
		log.Warning("Sorry, no negative frequencies: %d\n", freq)
		return fail()
	}
	if len(parts) == 2 && parts[1] != "" {
		log.Warning("Sorry, currently only 1 frequency is supported\n")
		return fail()
	}
	var timeout time.Duration
	if s := strings.TrimSpace(args[2]); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			log.Warning("Invalid timeout: %s\n", args[2])
			return fail()
		}
		timeout = time.Duration(f * float64(time.Second))
	}
	duration, times, db := 500, 1, 16
	for _, a := range []struct {
		s    string
		v    *int
		what string
	}{{args[1], &duration, "duration"}, {args[3], &times, "number of times"}} {
		if s := strings.TrimSpace(a.s); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				log.Warning("Invalid %s: %s\n", a.what, a.s)
				return fail()
			}
			*a.v = n
		}
	}
	opts := pbx.ParseAppOptions(args[4])
	if v, ok := opts['d']; ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			log.Warning("Invalid decibel level: %s\n", v)
			return fail()
		}
		db = n
	}
	ch.SetReadFormat(media.SLin)
	defer ch.SetReadFormat(nil)
	det := dsp.NewFreqDetector(freq, duration, db, 8000)
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	hits := 0
	var pcm []int16
	for {
		fr, err := ch.ReadUntil(deadline)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			ch.SetVar("WAITFORTONESTATUS", "TIMEOUT")
			return pbx.Continue, nil
		case errors.Is(err, pbx.ErrNoMedia):
			if !discardUntil(ch, deadline) {
				ch.SetVar("WAITFORTONESTATUS", "HANGUP")
				return pbx.HangupResult, nil
			}
			ch.SetVar("WAITFORTONESTATUS", "TIMEOUT")
			return pbx.Continue, nil
		case err != nil:
			ch.SetVar("WAITFORTONESTATUS", "HANGUP")
			return pbx.HangupResult, nil
		}
		if fr.Kind != media.Voice || fr.Format != media.SLin {
			continue
		}
		pcm = media.DecodeSLin(pcm[:0], fr.Payload)
		if hits += det.Process(pcm); hits >= times {
			ch.SetVar("WAITFORTONESTATUS", "SUCCESS")
			return pbx.Continue, nil
		}
	}
}
