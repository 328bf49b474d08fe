package apps

import (
	"context"
	"time"

	"github.com/gostrisk/gostrisk/pkg/media/dsp"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// app_morsecode's Morsecode(string): each character as tones of
// MORSETONE Hz (800) with MORSEDITLEN ms dits (80), the gaps at
// MORSESPACETONE Hz (0, silence), in International code or, with
// MORSETYPE=AMERICAN, in American Morse (with its long dashes and
// intra-character spaces). Characters without a code are skipped.

var morsecodeApp = &pbx.App{
	Name:        "Morsecode",
	Synopsis:    "Plays morse code.",
	Syntax:      "Morsecode(string)",
	Description: "Plays the Morse code equivalent of the passed string.\n\nThis application does not automatically answer and should be preceeded by an application such as Answer() or Progress().\n\nThis application uses the following variables:\n    MORSEDITLEN: Use this value in (ms) for length of dit\n    MORSETONE: The pitch of the tone in (Hz), default is 800\n    MORSESPACETONE: The pitch of the spaces in (Hz), default is 0\n    MORSETYPE: The code type to use (AMERICAN for standard American Morse or INTERNATIONAL for international code. Default is INTERNATIONAL).",
	Arguments:   "string - String to playback as morse code to channel",
	SeeAlso:     "SayAlpha, SayPhonetic",
	Exec:        morsecodeExec,
}

// morseInternational maps a character to its code; '.' dit, '-' dah, ' '
// an extra gap.
var morseInternational = map[byte]string{
	' ': " ", '!': ".-.-.-", '"': ".-..-.", '\'': ".----.", '(': "-.--.-", ')': "-.--.-",
	',': "--..--", '-': "-....-", '.': ".-.-.-", '/': "-..-.",
	'0': "-----", '1': ".----", '2': "..---", '3': "...--", '4': "....-",
	'5': ".....", '6': "-....", '7': "--...", '8': "---..", '9': "----.",
	':': "---...", ';': "-.-.-.", '=': "-...-", '?': "..--..", '@': ".--.-.",
	'A': ".-", 'B': "-...", 'C': "-.-.", 'D': "-..", 'E': ".", 'F': "..-.", 'G': "--.",
	'H': "....", 'I': "..", 'J': ".---", 'K': "-.-", 'L': ".-..", 'M': "--",
	'N': "-.", 'O': "---", 'P': ".--.", 'Q': "--.-", 'R': ".-.", 'S': "...", 'T': "-",
	'U': "..-", 'V': "...-", 'W': ".--", 'X': "-..-", 'Y': "-.--", 'Z': "--..",
	'[': "-.--.-", '\\': "-..-.", ']': "-.--.-", '_': "..--.-", '`': ".----.",
	'{': "-.--.-", '}': "-.--.-", '~': "-..-.", 127: ". . .",
}

// morseAmerican is American Morse: 'L' a long dash, '0' an extra long
// one, ' ' the space inside a character.
var morseAmerican = map[byte]string{
	' ': "  ", '!': "---.", '"': "..-. -.", '$': "... .-..", '&': ". ...", '\'': "..-. .-..",
	'(': "..... -.", ')': "..... .. ..", ',': ".-.-", '-': ".... .-..", '.': "..--..", '/': "..- -",
	'0': "0", '1': ".--.", '2': "..-..", '3': "...-.", '4': "....-", '5': "---",
	'6': "......", '7': "--..", '8': "-....", '9': "-..-",
	':': "-.- . .", ';': "... ..", '=': "-...-", '?': "-..-.", '@': ".--.-.",
	'A': ".-", 'B': "-...", 'C': ".. .", 'D': "-..", 'E': ".", 'F': ".-.", 'G': "--.",
	'H': "....", 'I': "..", 'J': ".-.-", 'K': "-.-", 'L': "L", 'M': "--",
	'N': "-.", 'O': ". .", 'P': ".....", 'Q': "..-.", 'R': ". ..", 'S': "...", 'T': "-",
	'U': "..-", 'V': "...-", 'W': ".--", 'X': ".-..", 'Y': ".. ..", 'Z': "... .",
	'[': "..... -.", '\\': "..- -", ']': "..... .. ..", '_': "..--.-", '`': ".----.",
	'{': "..... -.", '}': "..... .. ..", '~': "..- -", 127: ". . .",
}

// intVar reads a channel variable as sscanf's %d would, def when unset
// or not a number.
func intVar(ch *pbx.Channel, name string, def int) int {
	v, _ := ch.Var(name)
	if n, ok := countArg(v); ok {
		return n
	}
	return def
}

// morseParts is the tone sequence of s.
func morseParts(s string, american bool, dit time.Duration, tone, space int) []dsp.TonePart {
	var parts []dsp.TonePart
	add := func(freq int, units time.Duration) {
		parts = append(parts, dsp.TonePart{Freq1: freq, Duration: units * dit, Once: true})
	}
	table, charGap := morseInternational, time.Duration(2)
	if american {
		table, charGap = morseAmerican, 3
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch > 127 {
			continue
		}
		if ch >= 'a' && ch <= 'z' {
			ch -= 'a' - 'A' // both codes read letters without case
		}
		for _, c := range []byte(table[ch]) {
			switch {
			case c == '-':
				add(tone, 3)
			case c == '.':
				add(tone, 1)
			case american && (c == 'L' || c == 'l'):
				add(tone, 6)
			case american && c == '0':
				add(tone, 9)
			case american && c == ' ':
				add(space, 3)
			default:
				add(space, 2)
			}
			add(space, 1) // between the elements of a character
		}
		add(space, charGap) // between characters
	}
	return parts
}

func morsecodeExec(ch *pbx.Channel, data string) (pbx.Result, error) {
	if data == "" {
		ch.Engine().Log().Warning("Syntax: Morsecode(<string>) - no argument found\n")
		return pbx.Continue, nil
	}
	dit := time.Duration(intVar(ch, "MORSEDITLEN", 80)) * time.Millisecond
	tone := intVar(ch, "MORSETONE", 800)
	space := intVar(ch, "MORSESPACETONE", 0)
	american := false
	if v, _ := ch.Var("MORSETYPE"); v == "AMERICAN" {
		american = true
	}
	parts := morseParts(data, american, dit, tone, space)
	if len(parts) == 0 || dit <= 0 {
		return pbx.Continue, nil
	}
	done := make(chan time.Time)
	ch.StartGenerator(pbx.GeneratorFunc(func(ctx context.Context, c *pbx.Channel) error {
		defer close(done)
		return toneGenerator(dsp.ToneList{Parts: parts, Repeat: -1}).Generate(ctx, c)
	}))
	ok := discardUntil(ch, done)
	ch.StopGenerator()
	if !ok {
		return pbx.HangupResult, nil
	}
	return pbx.Continue, nil
}
