// Package media is the audio core of gostrisk: the one list of formats the
// program knows (Format), the unit that moves through channels and bridges
// (Frame: voice, DTMF or control), the Stream interface channels and files
// implement, the codecs that turn encoded audio into signed linear and back,
// and a Translator that finds the cheapest chain of codec steps between two
// formats, as Asterisk's translation matrix does.
//
// In the map of /work/shared/DESIGN.md ("Media, bridges and events") this is
// the bottom layer: pkg/rtp terminates RTP into Frames, pkg/pbx reads and
// writes Frames on channels, pkg/bridge translates between legs with a
// Translator, and the sound-file readers produce Frames. It imports nothing of
// ours so every one of those can use it.
//
// Formats carry Asterisk's names (those of sip.conf allow=, e.g. "ulaw",
// "slin16") and descriptions (as `core show codecs` prints them), and their
// RTP mapping (static payload type, rtpmap encoding and clock rate). Formats
// whose audio gostrisk cannot encode or decode yet are still listed: chan_sip
// accepts them in allow= and relays them untouched. RTP payloads that are
// not media formats in Asterisk either (telephone-event, CN comfort noise)
// are not in the list: the RTP layer handles them itself.
//
// The Translator starts with the steps gostrisk implements (ulaw, alaw, slin,
// slin16, gsm: G.711 and GSM 06.10 to and from slin, ulaw<->alaw directly,
// 8<->16 kHz resampling); later codecs (g722) register their own steps and
// paths through them are found without changing the callers.
//
// GSM 06.10 (gsm.go) follows the ETSI specification's bit-exact integer
// arithmetic and libgsm's 33-byte frame layout (Asterisk's .gsm files, RTP
// payload type 3); its tests compare with libgsm's toast and untoast.
//
// show.go renders `core show codecs`, `core show codec`, `core show
// translation [comp]` and `core show translation paths` in Asterisk 18's
// layout from the format list and a Translator's steps (pkg/core registers
// the commands); the matrix follows whatever steps are registered.
//
// Signed linear ("slin", "slin16") payloads are 16-bit little-endian samples,
// the byte order of Asterisk's .sln files and of the hosts it runs on.
package media
