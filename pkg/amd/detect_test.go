package amd

import (
	"strings"
	"testing"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// seg is a stretch of audio: voice or silence, in ms.
type seg struct {
	voice bool
	ms    int
}

// run feeds 20 ms frames of segs, silence counted as ast_dsp_silence does
// (the silence so far), and returns the decision.
func run(p Params, segs ...seg) (Result, bool) {
	d := NewDetector(p, nil)
	silence := 0
	for _, s := range segs {
		for t := 0; t < s.ms; t += 20 {
			if s.voice {
				silence = 0
			} else {
				silence += 20
			}
			if r, ok := d.Frame(20, silence); ok {
				return r, true
			}
		}
	}
	return Result{}, false
}

func TestDetector(t *testing.T) {
	def := Defaults()
	tests := []struct {
		name string
		p    Params
		segs []seg
		want Result
	}{
		{"initial silence", def, []seg{{false, 3000}}, Result{"MACHINE", "INITIALSILENCE-2500-2500"}},
		{"hello then silence", def, []seg{{false, 300}, {true, 500}, {false, 1000}}, Result{"HUMAN", "HUMAN-800-800"}},
		{"long greeting", def, []seg{{false, 200}, {true, 2000}}, Result{"MACHINE", "LONGGREETING-1500-1500"}},
		{"many words", def, []seg{{true, 200}, {false, 100}, {true, 200}, {false, 100}, {true, 200}, {false, 100}, {true, 200}},
			Result{"MACHINE", "MAXWORDS-3-2"}},
		{"maximum word length", Params{InitialSilence: 2500, Greeting: 9000, AfterGreetingSilence: 800, TotalAnalysisTime: 9000,
			MinimumWordLength: 100, BetweenWordsSilence: 50, MaximumNumberOfWords: 2, MaximumWordLength: 1000},
			[]seg{{true, 2000}}, Result{"MACHINE", "MAXWORDLENGTH-1000"}},
		{"too long", Params{InitialSilence: 9000, Greeting: 9000, AfterGreetingSilence: 9000, TotalAnalysisTime: 1000,
			MinimumWordLength: 100, BetweenWordsSilence: 50, MaximumNumberOfWords: 9, MaximumWordLength: 9000},
			[]seg{{false, 2000}}, Result{"NOTSURE", "TOOLONG-1000"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := run(tc.p, tc.segs...)
			if !ok || got != tc.want {
				t.Errorf("got %+v (decided %v), want %+v", got, ok, tc.want)
			}
		})
	}
}

func TestParams(t *testing.T) {
	p := params(Defaults(), "1000,,600,,,,3,300,,beep")
	if p.InitialSilence != 1000 || p.Greeting != 1500 || p.AfterGreetingSilence != 600 || p.MaximumNumberOfWords != 3 ||
		p.SilenceThreshold != 300 || p.AudioFile != "beep" {
		t.Errorf("params: %+v", p)
	}
}

func TestLoad(t *testing.T) {
	cfg, d := confparse.Parse("amd.conf", []byte("[general]\ninitial_silence = 2000\ngreeting=1200 ; ms\nbogus=1\n"), confparse.Options{})
	if d.HasErrors() {
		t.Fatal(d)
	}
	c, diags := Load(cfg)
	if c.InitialSilence != 2000 || c.Greeting != 1200 || c.AfterGreetingSilence != 800 {
		t.Errorf("config: %+v", c.Params)
	}
	if len(diags) != 1 || !strings.HasPrefix(diags[0].String(), "amd.conf:4: warning:") {
		t.Errorf("diagnostics: %v", diags)
	}
}
