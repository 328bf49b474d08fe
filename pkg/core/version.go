package core

import (
	"os"
	"runtime"
	"runtime/debug"
	"time"
)

// AsteriskVersion is the Asterisk release whose behaviour gostrisk
// reproduces; Version is what "core show version" prints in Asterisk's
// version column, so scripts that look for "Asterisk 18" keep working.
const (
	AsteriskVersion = "18.26.4"
	GostriskVersion = "0.1.0"
	Version         = AsteriskVersion + "-gostrisk" + GostriskVersion
)

// buildTime is the VCS commit time when known, else the binary's mtime.
func buildTime() time.Time {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					return t
				}
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			return st.ModTime()
		}
	}
	return time.Time{}
}

func osName() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "Darwin"
	case "freebsd":
		return "FreeBSD"
	}
	return runtime.GOOS
}

func archName() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	}
	return runtime.GOARCH
}
