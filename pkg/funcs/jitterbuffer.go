package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gostrisk/gostrisk/pkg/pbx"
)

// jitterBufferFunc is func_jitterbuffer's JITTERBUFFER(type)=value: a
// jitter buffer on the channel's read side (pbx.Channel.SetJitterBuffer).
func jitterBufferFunc() pbx.Function {
	return pbx.Function{
		Name:     "JITTERBUFFER",
		Synopsis: "Add a Jitterbuffer to the Read side of the channel. This dejitters the audio stream before it reaches the Asterisk core. This is a write only function.",
		Syntax:   "JITTERBUFFER(jitterbuffer type)",
		Arguments: "jitterbuffer type - fixed: Set a fixed jitterbuffer on the channel. adaptive: Set an adaptive jitterbuffer on the channel. " +
			"disabled: Remove a previously set jitterbuffer from the channel.",
		Description: "The value is max_size[,resync_threshold[,target_extra[,sync_video]]] in milliseconds, or 'default': " +
			"max_size is the length of the buffer (200 ms by default), resync_threshold the timestamp difference over which the buffer resyncs " +
			"(1000 ms), target_extra the padding the adaptive buffer adds to the measured jitter (40 ms). " +
			"sync_video is accepted and ignored: gostrisk carries no video. gostrisk's adaptive buffer does not interpolate lost frames.",
		Write: func(ch *pbx.Channel, typ, value string) error {
			if ch == nil {
				return errNoChannel("JITTERBUFFER")
			}
			cfg, err := parseJitterBuffer(typ, value)
			if cfg == nil && err != nil {
				return err
			}
			if cfg == nil {
				ch.SetJitterBuffer(nil)
				return nil
			}
			ch.SetJitterBuffer(cfg)
			return err
		},
	}
}

// parseJitterBuffer reads JITTERBUFFER's type and value as jb_helper and
// ast_jb_read_conf do: nil with no error is "disabled"; a value a field
// cannot use keeps that field's default, as atoi would.
func parseJitterBuffer(typ, value string) (*pbx.JitterBufferConfig, error) {
	cfg := pbx.DefaultJitterBuffer()
	switch t := strings.ToLower(strings.TrimSpace(typ)); t {
	case "":
	case "fixed", "adaptive":
		cfg.Impl = t
	case "disabled":
		return nil, nil
	default:
		return nil, fmt.Errorf("Unknown Jitterbuffer type %s. Failed to create jitterbuffer.", typ)
	}
	value = strings.TrimSpace(value)
	if value == "" || strings.EqualFold(value, "default") {
		return &cfg, nil
	}
	a := args(value)
	ms := func(i int) (int, bool) {
		s := strings.TrimSpace(arg(a, i))
		if s == "" {
			return 0, false
		}
		n, _ := strconv.Atoi(leadingDigits(s))
		return n, true
	}
	if n, ok := ms(0); ok && n > 0 {
		cfg.MaxSize = time.Duration(n) * time.Millisecond
	}
	if n, ok := ms(1); ok && n > 0 {
		cfg.ResyncThreshold = time.Duration(n) * time.Millisecond
	}
	if s := strings.TrimSpace(arg(a, 2)); s != "" {
		if d := leadingDigits(s); d != "" && d != "-" {
			n, _ := strconv.Atoi(d)
			cfg.TargetExtra = time.Duration(n) * time.Millisecond
		}
	}
	return &cfg, nil
}

// leadingDigits is the part of s atoi reads (an optional sign, digits).
func leadingDigits(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
