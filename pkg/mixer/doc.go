// Package mixer is the audio engine of a conference, the counterpart of
// Asterisk's softmix bridge technology: signed-linear mixing at one rate
// per conference (8 or 16 kHz, chosen from the participants unless fixed),
// where each participant hears everyone but themselves.
//
// The work is split so that one paced loop per conference does only what
// must be done once per conference:
//
//   - A participant's own goroutine (the one reading its channel) hands
//     each received frame to Participant.Write, which decodes it to
//     signed linear at the mixer's rate and judges its energy against the
//     talking threshold (dsp_talking_threshold; talking ends after
//     dsp_silence_threshold of silence). A frame of a participant who is
//     not talking is dropped there: silent participants cost no mixing.
//   - Mixer.Tick, run every mixing interval by Run (one ticker per
//     conference), adds up the talkers' frames once, with clipping, and
//     hands each participant its frame through Deliver: a talker gets the
//     sum minus its own voice, encoded for it alone; every listener of one
//     format shares one encoding of the whole sum (Asterisk's optimisation
//     for non-talkers: ten µ-law listeners cost one µ-law encode).
//
// A talker's queue is primed with two intervals after it ran dry, which
// absorbs packet jitter against the loop's clock, and a loop that ran
// late mixes the intervals it missed, so tones stay continuous on a busy
// machine.
//
// Deliver must not block: the conference queues the frame to the
// participant's writer, whose channel paces it out. Payloads handed to
// Deliver may be shared between participants and must not be changed.
//
// The package imports pkg/media (and its dsp) only.
package mixer
