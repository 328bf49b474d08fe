package apps

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var echoApp = &pbx.App{
	Name:        "Echo",
	Synopsis:    "Echo media, DTMF back to the calling party",
	Syntax:      "Echo()",
	Description: "Echos back any media or DTMF frames read from the calling channel back to itself. This will not echo CONTROL, MODEM, or NULL frames. Note: If '#' detected application exits.\nThis application does not automatically answer and should be preceeded by an application such as Answer() or Progress().",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		for {
			fr, err := ch.Read()
			if err != nil {
				return pbx.HangupResult, nil
			}
			if fr.Kind == media.Control {
				continue
			}
			if err := ch.Write(fr); err != nil {
				return pbx.HangupResult, nil
			}
			if fr.Kind == media.DTMFEnd && fr.Digit == '#' {
				return pbx.Continue, nil
			}
		}
	},
}

var milliwattApp = &pbx.App{
	Name:        "Milliwatt",
	Synopsis:    "Generates a 0 dbm0 tone at 1004 Hz or an old style 1000 Hz tone.",
	Syntax:      "Milliwatt([options])",
	Description: "Previous versions of this application generated a constant tone at 1000 Hz. If for some reason you would prefer that behavior, supply the 'o' option to get the old behavior.",
	Arguments:   "options\n    m: Generate a 1004 Hz Milliwatt test tone with 1 second of silence every 10 seconds.\n    o: Generate the tone at 1000Hz like previous version.",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		mw := dsp.NewMilliwatt(data)
		if strings.ContainsRune(data, 'o') && !answerIfDown(ch) {
			return pbx.HangupResult, nil
		}
		if mw.Format() == media.ULaw {
			// The old milliwatt reads µ-law too, as app_milliwatt sets it.
			ch.SetReadFormat(media.ULaw)
			defer ch.SetReadFormat(nil)
		}
		ch.StartGenerator(pbx.GeneratorFunc(func(ctx context.Context, ch *pbx.Channel) error {
			for ctx.Err() == nil {
				if err := ch.Write(mw.NextFrame()); err != nil {
					return err
				}
			}
			return nil
		}))
		defer ch.StopGenerator()
		// It plays until the caller hangs up.
		discardUntil(ch, nil)
		return pbx.HangupResult, nil
	},
}

// discardUntil reads and drops what the channel sends until deadline
// fires (nil: never), the channel hangs up or is interrupted, as
// ast_safe_sleep does; false when the channel is gone.
func discardUntil(ch *pbx.Channel, deadline <-chan time.Time) bool {
	for {
		_, err := ch.ReadUntil(deadline)
		switch {
		case err == nil:
		case errors.Is(err, pbx.ErrTimeout):
			return true
		case errors.Is(err, pbx.ErrNoMedia):
			select {
			case <-deadline:
				return true
			case <-ch.Done():
				return false
			}
		default:
			return false
		}
	}
}

// sleepFor is ast_safe_sleep: d of reading and dropping frames.
func sleepFor(ch *pbx.Channel, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	return discardUntil(ch, t.C)
}

var playTonesApp = &pbx.App{
	Name:        "PlayTones",
	Synopsis:    "Play a tone list.",
	Syntax:      "PlayTones(arg)",
	Description: "Plays a tone list. Execution will continue with the next step in the dialplan immediately while the tones continue to play.\nSee the sample indications.conf for a description of the specification of a tonelist.",
	Arguments:   "arg - Arg is either the tone name defined in the indications.conf configuration file, or a directly specified list of frequencies and durations.",
	SeeAlso:     "StopPlayTones",
	Exec: func(ch *pbx.Channel, data string) (pbx.Result, error) {
		log := ch.Engine().Log()
		if strings.TrimSpace(data) == "" {
			log.Notice("Nothing to play\n")
			return pbx.HangupResult, nil
		}
		list, ok := toneByName(ch, data)
		if !ok {
			var err error
			list, err = dsp.ParseToneList(data)
			if err != nil {
				log.Warning("%v\n", err)
			}
			if len(list.Parts) == 0 {
				log.Notice("Unable to start playtones\n")
				return pbx.HangupResult, nil
			}
		}
		ch.StartGenerator(toneGenerator(list))
		return pbx.Continue, nil
	},
}

var stopPlayTonesApp = &pbx.App{
	Name:        "StopPlayTones",
	Synopsis:    "Stop playing a tone list.",
	Syntax:      "StopPlayTones()",
	Description: "Stop playing a tone list, initiated by PlayTones().",
	SeeAlso:     "PlayTones",
	Exec: func(ch *pbx.Channel, _ string) (pbx.Result, error) {
		ch.StopGenerator()
		return pbx.Continue, nil
	},
}

var sendDTMFApp = &pbx.App{
	Name:        "SendDTMF",
	Synopsis:    "Sends arbitrary DTMF digits",
	Syntax:      "SendDTMF(digits[,timeout_ms[,duration_ms[,channel]]])",
	Description: "It will send all digits or terminate if it encounters an error.",
	Arguments:   "digits - List of digits 0-9,*#,a-d,A-D to send also w for a half second pause, W for a one second pause, and f or F for a flash-hook if the channel supports flash-hook.\ntimeout_ms - Amount of time to wait in ms between tones. (defaults to .25s)\nduration_ms - Duration of each digit\nchannel - Channel where digits will be played",
	SeeAlso:     "Read",
	Exec:        sendDTMFExec,
}

// defaultDTMFDuration is how long a digit lasts when no duration is given
// (AST_DEFAULT_EMULATE_DTMF_DURATION).
const defaultDTMFDuration = 100 * time.Millisecond

func sendDTMFExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("SendDTMF requires an argument\n")
		return pbx.Continue, nil
	}
	args := append(pbx.SplitArgs(data, ','), "", "", "")
	digits := args[0]
	if digits == "" {
		log.Warning("The digits argument is required (0-9,*#,a-d,A-D,wfF)\n")
		return pbx.Continue, nil
	}
	between := time.Duration(atoiPrefix(args[1])) * time.Millisecond
	if between <= 0 {
		between = 250 * time.Millisecond
	}
	duration := time.Duration(atoiPrefix(args[2])) * time.Millisecond
	if duration <= 0 {
		duration = defaultDTMFDuration
	}
	dest := ch
	if name := strings.TrimSpace(args[3]); name != "" {
		c, ok := ch.Engine().FindChannel(name)
		if !ok {
			log.Warning("No such channel: %s\n", name)
			return pbx.Continue, nil
		}
		dest = c
	}
	if !sendDigits(dest, digits, between, duration) && dest == ch {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}

// sendDigits is ast_dtmf_stream: a 100 ms quiet time, then each digit
// and a pause after it; false when the channel went away.
func sendDigits(ch *pbx.Channel, digits string, between, duration time.Duration) bool {
	log := ch.Engine().Log()
	sleepFor := sleepFor
	if inband(ch) {
		// Tones in the audio need audio between them to be told apart:
		// the pauses are sent as silence, as Asterisk's transmit_silence
		// does.
		sleepFor = writeSilence
	}
	if !sleepFor(ch, 100*time.Millisecond) {
		return false
	}
	for _, d := range digits {
		switch {
		case d == 'w':
			if !sleepFor(ch, 500*time.Millisecond) {
				return false
			}
		case d == 'W':
			if !sleepFor(ch, time.Second) {
				return false
			}
		case strings.ContainsRune("0123456789*#abcdfABCDF", d):
			if d != 'f' && d != 'F' { // flash: chan_sip cannot send one
				if d >= 'a' && d <= 'd' {
					d -= 'a' - 'A'
				}
				if !sendDigit(ch, d, duration) {
					return false
				}
			}
			if !sleepFor(ch, between) {
				return false
			}
		default:
			log.Warning("Illegal DTMF character '%c' in string. (0-9*#aAbBcCdD allowed)\n", d)
		}
	}
	return true
}

// sendDigit sends one digit the way the channel carries them: as DTMF
// frames for its driver, or as tones in the audio when it uses inband.
func sendDigit(ch *pbx.Channel, d rune, duration time.Duration) bool {
	if inband(ch) {
		frames, err := dsp.NewDTMFGenerator(8000).Frames(d, max(duration, dsp.MinDTMFDuration))
		if err != nil {
			return true
		}
		for _, fr := range frames {
			if err := ch.Write(fr); err != nil {
				return false
			}
		}
		return true
	}
	if err := ch.Write(media.Frame{Kind: media.DTMFBegin, Digit: d}); err != nil {
		return !ch.HangupRequested()
	}
	if !sleepFor(ch, duration) {
		return false
	}
	if err := ch.Write(media.Frame{Kind: media.DTMFEnd, Digit: d, Duration: duration}); err != nil {
		return !ch.HangupRequested()
	}
	return true
}

// inband reports whether the channel carries DTMF as tones in its audio.
func inband(ch *pbx.Channel) bool {
	md, ok := ch.Driver().(pbx.MediaDriver)
	return ok && md.DTMFMode() == "inband"
}

// writeSilence sends d of silence (the stream paces it), dropping what
// the channel sends meanwhile; false when the channel is gone.
func writeSilence(ch *pbx.Channel, d time.Duration) bool {
	zero := make([]byte, 320)
	for n := media.SLin.Samples(d); n > 0; n -= 160 {
		k := min(n, 160)
		if err := ch.Write(media.VoiceFrame(media.SLin, zero[:2*k], 0)); err != nil {
			return false
		}
	}
	return !ch.HangupRequested()
}
