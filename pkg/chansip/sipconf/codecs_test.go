package sipconf

import (
	"reflect"
	"testing"
)

// knownCodecs comes from pkg/media; it must stay the list chan_sip accepted
// before, in the same order, since allow=all appends in it and `sip show
// peer` prints the result.
func TestKnownCodecsGolden(t *testing.T) {
	want := []string{
		"codec2", "g723", "ulaw", "alaw", "gsm", "g726", "g726aal2", "adpcm",
		"slin", "slin12", "slin16", "slin24", "slin32", "slin44", "slin48", "slin96", "slin192",
		"lpc10", "g729", "speex", "speex16", "speex32", "ilbc", "g722", "siren7", "siren14",
		"testlaw", "g719", "opus", "jpeg", "png", "h261", "h263", "h263p", "h264", "h265",
		"mpeg4", "vp8", "vp9", "red", "t140", "t38",
	}
	if !reflect.DeepEqual(knownCodecs, want) {
		t.Errorf("knownCodecs =\n%q\nwant\n%q", knownCodecs, want)
	}
}

// The cases diag_test.go's TestCodecsApply leaves out: names the list
// decides (allow=all, unknown names, case).
func TestCodecsApplyKnownList(t *testing.T) {
	tests := []struct {
		name    string
		start   Codecs
		value   string
		allow   bool
		want    string
		wantErr bool
	}{
		{"case and spaces", nil, "g729:20, ULAW ,Slin16", true, "(g729|ulaw|slin16)", false},
		{"unknown reported, rest applied", nil, "ulaw,nosuch", true, "(ulaw)", true},
		{"video and text names are known", nil, "h264,t140,t38", true, "(h264|t140|t38)", false},
		{"codec name is not a format name", nil, "speex16,L16", true, "(speex16)", true},
		{"allow all appends in registry order", Codecs{"gsm"}, "all", true,
			"(gsm|codec2|g723|ulaw|alaw|g726|g726aal2|adpcm|slin|slin12|slin16|slin24|slin32|slin44|slin48|slin96|slin192|" +
				"lpc10|g729|speex|speex16|speex32|ilbc|g722|siren7|siren14|testlaw|g719|opus|jpeg|png|h261|h263|h263p|h264|h265|" +
				"mpeg4|vp8|vp9|red|t140|t38)", false},
		// ast_format_cap_update_by_allow_disallow: "!" inverts one word,
		// "|" separates like ",", a parenthesised list replaces.
		{"allow !all then a list", Codecs{"alaw", "gsm"}, "!all,g722,ulaw,alaw", true, "(g722|ulaw|alaw)", false},
		{"allow !one drops it", Codecs{"alaw", "ulaw"}, "!alaw,gsm", true, "(ulaw|gsm)", false},
		{"disallow !one adds it", Codecs{"alaw"}, "all,!ulaw", false, "(ulaw)", false},
		{"disallow all", Codecs{"alaw", "ulaw"}, "all", false, "(nothing)", false},
		{"pipe separator", nil, "ulaw|alaw", true, "(ulaw|alaw)", false},
		{"parenthesised list replaces", Codecs{"gsm"}, "(alaw|ulaw)", true, "(alaw|ulaw)", false},
		{"framing", nil, "ulaw:30,alaw:20", true, "(ulaw|alaw)", false},
		{"bad framing skipped", nil, "ulaw:x,alaw", true, "(alaw)", true},
		{"bang and spaces", Codecs{"gsm"}, " ! all , ulaw", true, "(ulaw)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.start.Apply(tt.value, tt.allow)
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error %v", err, tt.wantErr)
			}
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
