package logger

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// compressedSuffixes are the archive names "rotate" recognises, so that
// files compressed after rotation keep their place in the sequence.
var compressedSuffixes = []string{"", ".gz", ".bz2", ".Z"}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// rotateFile moves path aside according to strategy. A missing file is
// not an error: there is nothing to rotate.
func rotateFile(path string, strategy RotateStrategy, now time.Time) error {
	if strategy == RotateNone || !exists(path) {
		return nil
	}
	var target string
	switch strategy {
	case RotateSequential:
		for n := 0; ; n++ {
			target = path + "." + strconv.Itoa(n)
			if !exists(target) {
				break
			}
		}
	case RotateTimestamp:
		target = path + "." + strconv.FormatInt(now.Unix(), 10)
	case RotateRotate:
		// Find the first free slot, then shift every archive up by one so
		// the newest is .0 and the oldest has the highest number.
		free := 0
		for ; ; free++ {
			taken := false
			for _, suf := range compressedSuffixes {
				if exists(path + "." + strconv.Itoa(free) + suf) {
					taken = true
					break
				}
			}
			if !taken {
				break
			}
		}
		var errs []error
		for n := free; n > 0; n-- {
			for _, suf := range compressedSuffixes {
				old := path + "." + strconv.Itoa(n-1) + suf
				if exists(old) {
					if err := os.Rename(old, path+"."+strconv.Itoa(n)+suf); err != nil {
						errs = append(errs, fmt.Errorf("logger: Unable to rename file '%s': %w", old, err))
					}
					break
				}
			}
		}
		target = path + ".0"
		if err := os.Rename(path, target); err != nil {
			errs = append(errs, fmt.Errorf("logger: Unable to rename file '%s' to '%s': %w", path, target, err))
		}
		return errors.Join(errs...)
	}
	if err := os.Rename(path, target); err != nil {
		return fmt.Errorf("logger: Unable to rename file '%s' to '%s': %w", path, target, err)
	}
	return nil
}
