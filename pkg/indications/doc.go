// Package indications is res_indications: the country tone zones of
// indications.conf (dial, busy, ring, congestion... tone lists and the bell
// cadence per country), the default country of [general] country=, and the
// `indication show` CLI command in Asterisk 18's layout.
//
// Load turns a parsed indications.conf into a Zones registry with
// diagnostics at file:line; Get finds a country's tone list by name, as
// Playtones and the channel drivers' in-band progress tones need it. Tone
// lists are parsed by pkg/media/dsp, which also plays them.
//
// Without indications.conf Asterisk has no zone at all (it logs "Can't find
// indications config file" and Playtones(busy) then fails to parse "busy" as
// a tone list). gostrisk instead falls back to DefaultTones, the "us" zone of
// Asterisk's sample configuration, so that busy, ringing and congestion
// tones still sound; `indication show` then lists that one zone.
package indications
