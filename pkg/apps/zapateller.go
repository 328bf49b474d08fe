package apps

import (
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media"
	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

var zapatellerApp = &pbx.App{
	Name:     "Zapateller",
	Synopsis: "Block telemarketers with SIT.",
	Syntax:   "Zapateller(options)",
	Description: "Generates special information tone to block telemarketers from calling you.\n\n" +
		"This application will set the following channel variable upon completion:\n" +
		"ZAPATELLERSTATUS - This will contain the last action accomplished by the Zapateller application. Possible values include: NOTHING, ANSWERED, ZAPPED",
	Arguments: "options - Comma delimited list of options.\n" +
		"    answer - Causes the line to be answered before playing the tone.\n" +
		"    nocallerid - Causes Zapateller to only play the tone if there is no callerid information available.",
	Exec: zapateller,
}

// sitTones are app_zapateller's special information tone: three rising
// 330 ms tones, then a second of silence, played once.
const sitTones = "!950/330,!1400/330,!1800/330,!0/1000"

func zapateller(ch *pbx.Channel, data string) (pbx.Result, error) {
	var answer, noCallerID bool
	for _, o := range pbx.SplitArgs(data, ',') {
		switch strings.ToLower(strings.TrimSpace(o)) {
		case "answer":
			answer = true
		case "nocallerid":
			noCallerID = true
		}
	}
	ch.SetVar("ZAPATELLERSTATUS", "NOTHING")
	if ch.State() != pbx.StateUp {
		if answer {
			if err := ch.Answer(); err != nil {
				return pbx.HangupResult, nil
			}
			ch.SetVar("ZAPATELLERSTATUS", "ANSWERED")
		}
		if !pbx.SleepOrHangup(ch, 500*time.Millisecond) {
			return pbx.HangupResult, nil
		}
	}
	if noCallerID && ch.CallerID().Num != "" {
		return pbx.Continue, nil // a caller with caller ID is let through
	}
	list, err := dsp.ParseToneList(sitTones)
	if err != nil {
		return pbx.Continue, err
	}
	player := dsp.NewTonePlayer(list, 8000)
	buf := make([]int16, 160)
	var ts uint32
	for !player.Done() {
		s := player.Read(buf)
		if len(s) == 0 {
			break
		}
		if err := ch.Write(media.VoiceFrame(media.SLin, media.EncodeSLin(nil, s), ts)); err != nil {
			if ch.HangupRequested() {
				return pbx.HangupResult, nil
			}
			// No media (not answered): the tones go nowhere, as in Asterisk,
			// but take their time.
			if !pbx.SleepOrHangup(ch, 20*time.Millisecond) {
				return pbx.HangupResult, nil
			}
		}
		ts += uint32(len(s))
	}
	ch.SetVar("ZAPATELLERSTATUS", "ZAPPED")
	return pbx.Continue, nil
}
