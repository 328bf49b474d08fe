package amd

import (
	"strconv"
	"strings"

	"github.com/gostrisk/gostrisk/pkg/confparse"
)

// Params are the algorithm's settings, in ms except the word count and
// the silence threshold (an average sample level, 0 to 32767).
type Params struct {
	InitialSilence       int
	Greeting             int
	AfterGreetingSilence int
	TotalAnalysisTime    int
	MinimumWordLength    int
	BetweenWordsSilence  int
	MaximumNumberOfWords int
	SilenceThreshold     int
	MaximumWordLength    int
	// AudioFile is played to the far end while AMD listens ("": none).
	AudioFile string
}

// Defaults are app_amd's values without amd.conf.
func Defaults() Params {
	return Params{
		InitialSilence: 2500, Greeting: 1500, AfterGreetingSilence: 800, TotalAnalysisTime: 5000,
		MinimumWordLength: 100, BetweenWordsSilence: 50, MaximumNumberOfWords: 2,
		SilenceThreshold: 256, MaximumWordLength: 5000,
	}
}

// Config is amd.conf.
type Config struct {
	Params
	Missing bool // no amd.conf: the defaults (Asterisk logs an ERROR)
}

// Load reads amd.conf's [general] as app_amd's load_config: values are
// atoi'd, unknown keywords warn with file:line.
func Load(cfg *confparse.Config) (*Config, confparse.Diagnostics) {
	c := &Config{Params: Defaults()}
	if cfg == nil {
		c.Missing = true
		return c, nil
	}
	var diags confparse.Diagnostics
	for _, cat := range cfg.Browse() {
		if !strings.EqualFold(cat.Name, "general") {
			continue
		}
		for _, v := range cat.Vars {
			n := atoi(v.Value)
			switch strings.ToLower(v.Name) {
			case "initial_silence":
				c.InitialSilence = n
			case "greeting":
				c.Greeting = n
			case "after_greeting_silence":
				c.AfterGreetingSilence = n
			case "silence_threshold":
				c.SilenceThreshold = n
			case "total_analysis_time":
				c.TotalAnalysisTime = n
			case "min_word_length":
				c.MinimumWordLength = n
			case "between_words_silence":
				c.BetweenWordsSilence = n
			case "maximum_number_of_words":
				c.MaximumNumberOfWords = n
			case "maximum_word_length":
				c.MaximumWordLength = n
			case "playback_file":
				c.AudioFile = v.Value
			default:
				diags.Warnf(v.File, v.Line, "Cat:%s. Unknown keyword %s at line %d of amd.conf", cat.Name, v.Name, v.Line)
			}
		}
	}
	return c, diags
}

// atoi is C's atoi: the leading number, 0 without one.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}
