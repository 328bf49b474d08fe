package core

import (
	"fmt"
	"syscall"
)

type syscallRlimit = syscall.Rlimit

func getRlimitNoFile(rl *syscall.Rlimit) error { return syscall.Getrlimit(syscall.RLIMIT_NOFILE, rl) }

// setMaxFiles applies asterisk.conf's maxfiles as Asterisk does: soft and
// hard open-file limits both set to n. Every call holds a descriptor per
// media leg and every TCP/TLS phone one more, so on a busy server this is
// the first limit reached. Raising the hard limit needs privileges; the
// error says what was asked and what the process keeps. A value below
// the current limits lowers both for good, as in Asterisk (the daemon
// then refuses work it has no descriptor for, and its TCP/TLS listeners
// wait for descriptors to come back rather than stop).
//
// Without maxfiles nothing needs doing: since Go 1.19 every Go program on
// Linux raises its soft RLIMIT_NOFILE to (one below) the hard limit as it
// starts (package syscall's init), which is all an unprivileged process
// may take. TestGoRaisesSoftNoFileLimit checks that this still holds.
func setMaxFiles(n int) error {
	want := syscall.Rlimit{Cur: uint64(n), Max: uint64(n)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		var have syscall.Rlimit
		_ = getRlimitNoFile(&have)
		return fmt.Errorf("cannot set the open-file limit to %d (maxfiles): %w; it stays at %d (hard limit %d)", n, err, have.Cur, have.Max)
	}
	return nil
}
