//go:build !linux

package realtime

import "errors"

func setAllThreads() error {
	return errors.New("unable to set high priority: not supported on this system")
}

func setNormal(int) error { return nil }

func policyOf(int) (uint32, uint32, error) { return 0, 0, errors.New("not supported") }
