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

var backgroundDetectApp = &pbx.App{
	Name:     "BackgroundDetect",
	Synopsis: "Background a file with talk detect.",
	Syntax:   "BackgroundDetect(filename[,sil[,min[,max[,analysistime]]]])",
	Description: "Plays back filename, waiting for interruption from a given digit (the digit must start the beginning of a valid extension, or it will be ignored). " +
		"During the playback of the file, audio is monitored in the receive direction, and if a period of non-silence which is greater than min ms yet less than max ms " +
		"is followed by silence for at least sil ms, which occurs during the first analysistime ms, then the audio playback is aborted and processing jumps to the talk extension, if available.",
	Arguments: "filename - \nsil - If not specified, defaults to 1000.\nmin - If not specified, defaults to 100.\nmax - If not specified, defaults to infinity.\nanalysistime - If not specified, defaults to infinity.",
	Exec:      backgroundDetect,
}

// positiveMS is an optional positive number of ms (sscanf > 0), else def.
func positiveMS(s string, def int) int {
	if n, err := strconv.Atoi(leadingDigits(s)); err == nil && n > 0 {
		return n
	}
	return def
}

func backgroundDetect(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("BackgroundDetect requires an argument (filename)\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	for len(args) < 5 {
		args = append(args, "")
	}
	sil := positiveMS(args[1], 1000)
	minMS := positiveMS(args[2], 100)
	maxMS := positiveMS(args[3], -1)
	analysis := positiveMS(args[4], -1)
	if !answerIfDown(ch) {
		return pbx.HangupResult, nil
	}
	ch.SetReadFormat(media.SLin)
	defer ch.SetReadFormat(nil)
	r, err := openSound(ch, args[0], ch.Language())
	if err != nil {
		log.Warning("ast_streamfile failed on %s for %s\n", ch.Name(), data)
		return pbx.Continue, nil
	}
	p := play(ch, r)
	det := dsp.NewSilenceDetector(0)
	detectionStart := time.Now()
	analysing := true
	// Times are counted in audio received, so that a loaded machine does
	// not stretch a token.
	var now, start time.Duration
	notSilent := false
	var pcm []int16
	for {
		fr, err := ch.ReadUntil(p.end)
		switch {
		case errors.Is(err, pbx.ErrTimeout):
			return pbx.Continue, p.stop(false) // played out
		case errors.Is(err, pbx.ErrNoMedia):
			<-p.end
			return pbx.Continue, p.stop(false)
		case err != nil:
			p.stop(true)
			return pbx.HangupResult, nil
		}
		if analysing && analysis >= 0 && time.Since(detectionStart) >= time.Duration(analysis)*time.Millisecond {
			analysing = false
			log.Verbose(3, "BackgroundDetect: Talk analysis time complete on %s.\n", ch.Name())
		}
		switch {
		case fr.Kind == media.DTMFEnd:
			dpc, _, _ := ch.Location()
			if canMatch(ch, dpc, string(fr.Digit)) {
				p.stop(true)
				return collectExten(ch, fr.Digit), nil
			}
		case fr.Kind == media.Voice && fr.Format == media.SLin && analysing:
			pcm = media.DecodeSLin(pcm[:0], fr.Payload)
			now += time.Duration(len(pcm)) * time.Second / 8000
			silent, silentFor, _ := det.Process(pcm)
			if silent && silentFor > time.Duration(sil)*time.Millisecond {
				if !notSilent {
					continue
				}
				ms := int((now - start - time.Duration(sil)*time.Millisecond) / time.Millisecond)
				if ms < 0 {
					ms = 0
				}
				if ms > minMS && (maxMS < 0 || ms < maxMS) {
					p.stop(true)
					ch.SetVar("TALK_DETECTED", strconv.Itoa(ms))
					dpc, _, _ := ch.Location()
					if exists(ch, dpc, "talk", 1) {
						return pbx.GotoResult(dpc, "talk", 1), nil
					}
					return pbx.Continue, nil
				}
				notSilent = false
			} else if !notSilent {
				start = now
				notSilent = true
			}
		}
	}
}
