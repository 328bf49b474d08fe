package strftime

import (
	"testing"
	"time"
)

func TestStrftime(t *testing.T) {
	tm := time.Date(2025, time.November, 2, 9, 4, 5, 123456789, time.UTC)
	tests := []struct{ format, want string }{
		{"%b %e %T", "Nov  2 09:04:05"},
		{"%F %T.%3q", "2025-11-02 09:04:05.123"},
		{"%d/%m/%y %H:%M:%S %p %j %%", "02/11/25 09:04:05 AM 306 %"},
		{"%a %A %B %s %6q", "Sun Sunday November 1762074245 123456"},
		{"%Q literal", "%Q literal"},
	}
	for _, tc := range tests {
		if got := Format(tc.format, tm); got != tc.want {
			t.Errorf("strftime(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}
