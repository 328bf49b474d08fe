package apps

import (
	"errors"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var playbackApp = &pbx.App{
	Name:     "Playback",
	Synopsis: "Play a file.",
	Syntax:   "Playback(filename[&filename2[&...]][,options])",
	Description: "Plays back given filenames (do not put extension of wav/alaw etc). The playback command answer the channel if no options are specified. If the file is non-existent it will fail.\n" +
		"This application sets the following channel variable upon completion:\n" +
		"PLAYBACKSTATUS - The status of the playback attempt as a text string.\n    SUCCESS\n    FAILED",
	Arguments: "filenames\n    filename\n    filename2\n" +
		"options - Comma separated list of options\n" +
		"    skip: Play back only if the channel is answered, skip if not.\n" +
		"    noanswer: Don't answer the channel before playing the files.\n" +
		"    say: Play using the say.conf file.\n" +
		"    mix: Play using a mix of filename and the say.conf file.",
	SeeAlso: "Background, ControlPlayback, WaitExten, BackgroundDetect",
	Exec:    playbackExec,
}

func playbackExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("Playback requires an argument (filename)\n")
		return pbx.HangupResult, nil
	}
	args := pbx.SplitArgs(data, ',')
	files, opts := args[0], ""
	if len(args) > 1 {
		opts = strings.ToLower(args[1])
	}
	// Asterisk looks the option words up anywhere in the string.
	skip, noanswer := strings.Contains(opts, "skip"), strings.Contains(opts, "noanswer")
	say, mix := strings.Contains(opts, "say"), strings.Contains(opts, "mix")
	failed := false
	defer func() {
		status := "SUCCESS"
		if failed {
			status = "FAILED"
		}
		ch.SetVar("PLAYBACKSTATUS", status)
	}()
	if ch.State() != pbx.StateUp {
		if skip {
			return pbx.Continue, nil
		}
		if !noanswer && !answerIfDown(ch) {
			return pbx.HangupResult, nil
		}
	}
	lang := ch.Language()
	// As in Asterisk, a file that fails does not stop the next ones.
	for _, f := range strings.Split(files, "&") {
		var err error
		switch {
		case say || mix && strings.Contains(f, ":") && !strings.Contains(f, "://"):
			// gostrisk reads no say.conf, which is what Asterisk says then.
			log.Warning("no say.conf, cannot spell '%s'\n", f)
			err = errors.New("no say.conf")
		default:
			_, err = streamAndWait(ch, f, lang, nil)
		}
		if err != nil {
			if !ch.HangupRequested() {
				log.Warning("Playback failed on %s for %s\n", ch.Name(), data)
			}
			failed = true
			if ch.HangupRequested() {
				break
			}
		}
	}
	return pbx.Continue, nil
}
