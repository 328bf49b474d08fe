package core

import "syscall"

type syscallRlimit = syscall.Rlimit

func getRlimitNoFile(rl *syscall.Rlimit) error { return syscall.Getrlimit(syscall.RLIMIT_NOFILE, rl) }
