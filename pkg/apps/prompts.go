package apps

import (
	"errors"

	"github.com/gostrisk/gostrisk/pkg/media/sound"
	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// The prompt helpers modules use (queues' announcements, ...), so that a
// module plays files exactly as the applications do instead of a copy of
// ast_streamfile of its own.

// PromptExists reports whether a prompt can be found for ch in its
// language (ast_fileexists), without the warnings of a missing file.
func PromptExists(ch *pbx.Channel, name string) bool {
	if name == "" {
		return false
	}
	return configOf(ch.Engine()).finder.Exists(name, ch.Language())
}

// StreamFile plays one prompt in ch's language and waits for it, as
// ast_streamfile + ast_waitstream do; a digit in breakKeys ("" for none,
// AnyDigit for all) stops it and is returned. A missing file is an error
// after Asterisk's warnings.
func StreamFile(ch *pbx.Channel, name, breakKeys string) (rune, error) {
	var brk func(rune) bool
	switch breakKeys {
	case "":
	case AnyDigit:
		brk = anyDigit
	default:
		brk = digitsIn(breakKeys)
	}
	return streamAndWait(ch, name, ch.Language(), brk)
}

// AnyDigit as StreamFile's breakKeys lets every key stop the prompt.
const AnyDigit = "0123456789*#ABCD"

// SayNumber says n in ch's language (SayNumber's files, "n" gender
// options as ast_say_number takes them), stopping on a key of breakKeys.
func SayNumber(ch *pbx.Channel, n int, breakKeys string) (rune, error) {
	var brk func(rune) bool
	if breakKeys != "" {
		brk = digitsIn(breakKeys)
	}
	return saySeq(ch, sayNumberFiles(n, ch.Language(), ""), ch.Language(), brk)
}

// IsMissingPrompt reports whether err is StreamFile's "no such file".
func IsMissingPrompt(err error) bool { return errors.Is(err, sound.ErrNotFound) }
