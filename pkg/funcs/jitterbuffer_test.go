package funcs

import (
	"testing"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

func TestParseJitterBuffer(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	def := pbx.DefaultJitterBuffer()
	for _, tc := range []struct {
		typ, value string
		want       *pbx.JitterBufferConfig
		err        bool
	}{
		{"fixed", "default", &pbx.JitterBufferConfig{Impl: "fixed", MaxSize: ms(200), ResyncThreshold: ms(1000), TargetExtra: ms(40)}, false},
		{"", "", &def, false},
		{"fixed", "200", &pbx.JitterBufferConfig{Impl: "fixed", MaxSize: ms(200), ResyncThreshold: ms(1000), TargetExtra: ms(40)}, false},
		{"FIXED", "300,1500", &pbx.JitterBufferConfig{Impl: "fixed", MaxSize: ms(300), ResyncThreshold: ms(1500), TargetExtra: ms(40)}, false},
		{"adaptive", "200,,60", &pbx.JitterBufferConfig{Impl: "adaptive", MaxSize: ms(200), ResyncThreshold: ms(1000), TargetExtra: ms(60)}, false},
		{"adaptive", "200,,,yes", &pbx.JitterBufferConfig{Impl: "adaptive", MaxSize: ms(200), ResyncThreshold: ms(1000), TargetExtra: ms(40)}, false},
		// atoi: a value that is not positive keeps the default.
		{"fixed", "-5,abc,x", &pbx.JitterBufferConfig{Impl: "fixed", MaxSize: ms(200), ResyncThreshold: ms(1000), TargetExtra: ms(40)}, false},
		{"fixed", "120ms", &pbx.JitterBufferConfig{Impl: "fixed", MaxSize: ms(120), ResyncThreshold: ms(1000), TargetExtra: ms(40)}, false},
		{"disabled", "", nil, false},
		{"elastic", "default", nil, true},
	} {
		got, err := parseJitterBuffer(tc.typ, tc.value)
		if (err != nil) != tc.err {
			t.Errorf("%s=%s: error %v", tc.typ, tc.value, err)
		}
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s=%s: %+v, want %+v", tc.typ, tc.value, got, tc.want)
		}
	}
}
