package sdp

import (
	"reflect"
	"testing"
)

// The tables derived from pkg/media must stay what pkg/sdp held before it
// took them from there: payload types, rtpmap lines and their order are what
// peers see in offers and answers.
func TestCodecTableGolden(t *testing.T) {
	want := []Codec{
		{"ulaw", Format{PT: 0, Encoding: "PCMU", ClockRate: 8000}},
		{"alaw", Format{PT: 8, Encoding: "PCMA", ClockRate: 8000}},
		{"gsm", Format{PT: 3, Encoding: "GSM", ClockRate: 8000}},
		{"g722", Format{PT: 9, Encoding: "G722", ClockRate: 8000}},
		{"g729", Format{PT: 18, Encoding: "G729", ClockRate: 8000, Fmtp: "annexb=no"}},
	}
	if !reflect.DeepEqual(codecs, want) {
		t.Errorf("codecs =\n%+v\nwant\n%+v", codecs, want)
	}
}

func TestStaticRTPMapGolden(t *testing.T) {
	want := map[uint8]Format{
		0:  {PT: 0, Encoding: "PCMU", ClockRate: 8000},
		3:  {PT: 3, Encoding: "GSM", ClockRate: 8000},
		4:  {PT: 4, Encoding: "G723", ClockRate: 8000},
		8:  {PT: 8, Encoding: "PCMA", ClockRate: 8000},
		9:  {PT: 9, Encoding: "G722", ClockRate: 8000},
		13: {PT: 13, Encoding: "CN", ClockRate: 8000},
		18: {PT: 18, Encoding: "G729", ClockRate: 8000},
	}
	if !reflect.DeepEqual(staticRTPMap, want) {
		t.Errorf("staticRTPMap =\n%+v\nwant\n%+v", staticRTPMap, want)
	}
}

func TestOfferFormatsFromMedia(t *testing.T) {
	tests := []struct {
		names   []string
		want    []string
		wantErr bool
	}{
		{[]string{"alaw", "ulaw"}, []string{"8 PCMA/8000", "0 PCMU/8000"}, false},
		{[]string{"G729", "g722", "gsm", "ulaw"}, []string{"18 G729/8000", "9 G722/8000", "3 GSM/8000", "0 PCMU/8000"}, false},
		// Known to Asterisk (and pkg/media) but not relayed by gostrisk.
		{[]string{"ulaw", "opus", "h263"}, []string{"0 PCMU/8000"}, true},
	}
	for _, tt := range tests {
		fs, err := OfferFormats(tt.names)
		if (err != nil) != tt.wantErr {
			t.Errorf("OfferFormats(%v) err = %v, want error %v", tt.names, err, tt.wantErr)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.rtpmap())
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("OfferFormats(%v) = %v, want %v", tt.names, got, tt.want)
		}
	}
}
