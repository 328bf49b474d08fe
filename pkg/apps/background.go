package apps

import (
	"strings"

	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var backgroundApp = &pbx.App{
	Name:     "Background",
	Synopsis: "Play an audio file while waiting for digits of an extension to go to.",
	Syntax:   "Background(filename1[&filename2[&...]][,options[,langoverride[,context]]])",
	Description: "This application will play the given list of files (do not put extension) while waiting for an extension to be dialed by the calling channel. To continue waiting for digits after this application has finished playing files, the WaitExten application should be used.\n" +
		"If one of the requested sound files does not exist, call processing will be terminated.\n" +
		"This application sets the following channel variable upon completion:\n" +
		"BACKGROUNDSTATUS - The status of the background attempt as a text string.\n    SUCCESS\n    FAILED",
	Arguments: "filenames\n    filename1\n    filename2\n" +
		"options\n" +
		"    s: Causes the playback of the message to be skipped if the channel is not in the 'up' state (i.e. it hasn't been answered yet). If this happens, the application will return immediately.\n" +
		"    n: Don't answer the channel before playing the files.\n" +
		"    m: Only break if a digit hit matches a one digit extension in the destination context.\n" +
		"    p: Do not allow playback to be interrupted with digits.\n" +
		"langoverride - Explicitly specifies which language to attempt to use for the requested sound files.\n" +
		"context - This is the dialplan context that this application will use when exiting to a dialed extension.",
	SeeAlso: "ControlPlayback, WaitExten, BackgroundDetect, TIMEOUT",
	Exec:    backgroundExec,
}

func backgroundExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	if strings.TrimSpace(data) == "" {
		log.Warning("Background requires an argument (filename)\n")
		return pbx.HangupResult, nil
	}
	args := append(pbx.SplitArgs(data, ','), "", "", "")
	files, opts, lang, dpc := strings.TrimSpace(args[0]), args[1], args[2], args[3]
	if lang == "" {
		lang = ch.Language()
	}
	if dpc == "" {
		if mc, ok := ch.Var("MACRO_CONTEXT"); ok {
			dpc = mc
		} else {
			dpc, _, _ = ch.Location()
		}
	}
	switch strings.ToLower(opts) {
	case "skip":
		opts = "s"
	case "noanswer":
		opts = "n"
	}
	failed := false
	defer func() {
		status := "SUCCESS"
		if failed {
			status = "FAILED"
		}
		ch.SetVar("BACKGROUNDSTATUS", status)
	}()
	if ch.State() != pbx.StateUp {
		if hasOption(opts, 's') {
			return pbx.Continue, nil
		}
		if !hasOption(opts, 'n') && !answerIfDown(ch) {
			return pbx.HangupResult, nil
		}
	}
	brk := anyDigit
	switch {
	case hasOption(opts, 'p'):
		brk = nil
	case hasOption(opts, 'm'):
		brk = func(d rune) bool { return exists(ch, dpc, string(d), 1) }
	}
	var digit rune
	for _, f := range strings.Split(files, "&") {
		r, err := openSound(ch, f, lang)
		if err != nil {
			log.Warning("ast_streamfile failed on %s for %s\n", ch.Name(), data)
			failed = true
			break
		}
		d, err := waitStream(ch, play(ch, r), brk)
		if err != nil || ch.HangupRequested() {
			return pbx.HangupResult, nil
		}
		if d != 0 {
			digit = d
			break
		}
	}
	if digit == 0 {
		return pbx.Continue, nil
	}
	// A key that is a whole one-digit extension of the target context
	// goes there at once; any other starts the digit collection of the
	// dialplan, in the channel's own context.
	if d := string(digit); canMatch(ch, dpc, d) && !matchMore(ch, dpc, d) {
		return pbx.GotoResult(dpc, d, 1), nil
	}
	return collectExten(ch, digit), nil
}

var waitExtenApp = &pbx.App{
	Name:     "WaitExten",
	Synopsis: "Waits for an extension to be entered.",
	Syntax:   "WaitExten([seconds[,options]])",
	Description: "This application waits for the user to enter a new extension for a specified number of seconds.\n" +
		"Warning: Use of the application WaitExten within a macro will not function as expected. Please use the Read application in order to read DTMF from a channel currently executing a macro.",
	Arguments: "seconds - Can be passed with fractions of a second. For example, 1.5 will ask the application to wait for 1.5 seconds.\n" +
		"options\n" +
		"    m: Provide music on hold to the caller while waiting for an extension.\n" +
		"        x - Specify the class for music on hold. CHANNEL(musicclass) will be used instead if set\n" +
		"    d: Play a dialtone to the caller while waiting for an extension.",
	SeeAlso: "Background, TIMEOUT",
	Exec:    waitExtenExec,
}

func waitExtenExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	log := ch.Engine().Log()
	args := append(pbx.SplitArgs(data, ','), "")
	opts := pbx.ParseAppOptions(args[1])
	class, music := opts['m']
	switch {
	case music && class == "":
		log.Warning("The 'm' option has been specified for WaitExten without a class.\n")
	case music:
		// chan_sip answers the HOLD indication WaitExten sends by starting
		// music on hold on the channel, as Dial's m does.
		startHoldMusic(ch, class)
	case hasKey(opts, 'd'):
		list, ok := toneByName(ch, "dial")
		if !ok {
			list, _ = dsp.ParseToneList("350+440")
		}
		ch.StartGenerator(toneGenerator(list))
	}
	wait := pbx.ParseDuration(args[0], 0)
	if wait <= 0 {
		wait = responseTimeout(ch)
	}
	d, err := waitDigit(ch, wait)
	ch.StopGenerator()
	if err != nil {
		return pbx.HangupResult, nil
	}
	if d != 0 {
		return collectExten(ch, d), nil
	}
	if ch.HangupRequested() {
		return pbx.HangupResult, nil
	}
	dpc, exten, prio := ch.Location()
	switch {
	case exists(ch, dpc, exten, prio+1):
		log.Verbose(3, "Timeout on %s, continuing...\n", ch.Name())
		return pbx.Continue, nil
	case exists(ch, dpc, "t", 1):
		log.Verbose(3, "Timeout on %s, going to 't'\n", ch.Name())
		return pbx.GotoResult(dpc, "t", 1), nil
	}
	log.Warning("Timeout but no rule 't' or 'e' in context '%s'\n", dpc)
	return pbx.HangupResult, nil
}

func hasKey(m map[byte]string, c byte) bool { _, ok := m[c]; return ok }
