package call

import (
	"testing"
)

func TestParseReferTo(t *testing.T) {
	for _, tc := range []struct {
		in         string
		exten, dom string
		replaces   *replacesParam
		err        error
	}{
		{in: "<sip:700@pbx.example>", exten: "700", dom: "pbx.example"},
		{in: `"Park" <sip:700@10.0.0.1:5060;transport=udp>`, exten: "700", dom: "10.0.0.1"},
		{in: "sip:6002@pbx;user=phone", exten: "6002", dom: "pbx"},
		{in: "<sips:%2A8@pbx>", exten: "*8", dom: "pbx"},
		{in: "<sip:6002@pbx?Replaces=abc%40host%3Bto-tag%3D11%3Bfrom-tag%3D22>", exten: "6002", dom: "pbx",
			replaces: &replacesParam{callID: "abc@host", toTag: "11", fromTag: "22"}},
		{in: "<sip:6002@pbx?Replaces=abc%3Bto-tag%3D11%3Bfrom-tag%3D22%3Bearly-only>", exten: "6002", dom: "pbx",
			replaces: &replacesParam{callID: "abc", toTag: "11", fromTag: "22", earlyOnly: true}},
		{in: "<tel:+33123456789>", err: errReferToNotSIP},
		{in: "", err: errReferToMissing},
		{in: "<sip:700@pbx", err: errReferToMissing},
		{in: "<sip:pbx>", err: errReferToMissing},
		{in: "<sip:6002@pbx?Replaces=%3Bto-tag%3D1>", err: errReferToMissing},
	} {
		got, err := parseReferTo(tc.in)
		if err != tc.err {
			t.Errorf("%q: error %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if got.exten != tc.exten || got.domain != tc.dom {
			t.Errorf("%q: %q@%q, want %q@%q", tc.in, got.exten, got.domain, tc.exten, tc.dom)
		}
		if (got.replaces == nil) != (tc.replaces == nil) || got.replaces != nil && *got.replaces != *tc.replaces {
			t.Errorf("%q: replaces %+v, want %+v", tc.in, got.replaces, tc.replaces)
		}
	}
}
