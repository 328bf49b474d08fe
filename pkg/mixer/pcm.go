package mixer

// AdjustVolume applies a volume level to signed-linear samples in place:
// positive levels multiply by level+1, negative ones divide by 1-level
// (ast_frame_adjust_volume's shape). Conference talk/listen volumes and
// MixMonitor's v/V/W options use it.
func AdjustVolume(s []int16, level int) {
	switch {
	case level > 0:
		f := int32(level + 1)
		for i, v := range s {
			s[i] = Clip(int32(v) * f)
		}
	case level < 0:
		d := int32(1 - level)
		for i, v := range s {
			s[i] = int16(int32(v) / d)
		}
	}
}

// Clip saturates a sum of samples to the signed 16-bit range.
func Clip(v int32) int16 {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}
