// Package dsp is gostrisk's signal processing on signed linear audio, the
// counterpart of Asterisk's main/dsp.c, main/indications.c tone generator and
// app_milliwatt:
//
//   - DTMFDetector finds DTMF digits in audio (Goertzel filters on 102-sample
//     blocks at 8 kHz, with dsp.c's level, twist, relative-peak and
//     total-energy tests and its hits-to-begin / misses-to-end debouncing),
//     and reports them as media.DTMFBegin / media.DTMFEnd frames. It is what
//     dtmfmode=inband (and auto, without RFC 2833) listens with.
//   - DTMFGenerator makes the audio of a digit at the level Asterisk sends
//     inband digits with (the tone player's default volume).
//   - ParseToneList / TonePlayer read and play Asterisk's tone-list syntax
//     (indications.conf, Playtones): "350+440", "!480+620/500,!0/500",
//     "425*25/1000", "M60/200".
//   - Milliwatt produces the Milliwatt application's test signals.
//   - SilenceDetector is ast_dsp_silence / ast_dsp_noise: a frame is silent
//     when its average absolute amplitude is under a threshold, and the
//     detector counts how long silence or talk has lasted (Record's silence
//     option, talk detection).
//
// Everything works on []int16 samples and keeps its state between calls, so a
// stream cut into 20 ms frames is processed as one signal. Nothing here starts
// goroutines or is safe for concurrent use: each channel owns its own
// detectors and players.
package dsp
