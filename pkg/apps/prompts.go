package apps

import (
	"errors"

	"github.com/gostrisk/gostrisk/pkg/media/sound"
)

// The prompt helpers modules use (queues' announcements, ...), so that a
// module plays files exactly as the applications do instead of a copy of
// ast_streamfile of its own.

// AnyDigit as StreamAndWait's breakKeys lets every key stop the prompt.
const AnyDigit = "0123456789*#ABCD"

// IsMissingPrompt reports whether err is StreamAndWait's "no such file".
func IsMissingPrompt(err error) bool { return errors.Is(err, sound.ErrNotFound) }
