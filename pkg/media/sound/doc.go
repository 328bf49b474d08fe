// Package sound reads, writes and finds Asterisk's sound files.
//
// FileFormats is Asterisk 18's list of file formats (its formats/ modules:
// name, extensions, codec) in the order `core show file formats` prints
// them. Open gives a Reader that yields 20 ms voice frames in the file's
// codec (slin for .wav, gsm for .gsm and .WAV, ulaw for .ulaw ...) and can
// seek by samples, for ControlPlayback's skips and Background's offsets.
// Create gives a Writer that writes to a temporary name in the target
// directory and renames it into place on Close, so a reader never sees a
// half-written recording; RIFF sizes are fixed up at Close.
//
// A Finder looks a sound up the way Asterisk's file.c does: the channel's
// language, that language without its dialect suffixes, no language, then
// the default language "en", each under <datadir>/sounds/; an absolute name
// is used as it is. Among the formats the first matching language has, the
// caller's cost function (translation cost to the channel's format) picks
// one, ties going to the order of FileFormats, which is Asterisk's.
//
// It imports pkg/media only. It does not transcode: the caller translates
// frames to the channel's format with a media.Translator.
package sound
