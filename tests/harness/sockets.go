package harness

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// UDPPorts lists the local UDP ports in [lo, hi] on sockets the daemon
// process itself holds (its /proc/<pid>/fd sockets matched against
// /proc/net/udp and udp6), so sockets of other programs running at the same
// time cannot be mistaken for the daemon's.
func (in *Instance) UDPPorts(lo, hi int) ([]int, error) {
	pid := 0
	if in.cmd != nil && in.cmd.Process != nil {
		pid = in.cmd.Process.Pid
	}
	if pid == 0 {
		pid = in.Pid()
	}
	if pid == 0 {
		return nil, fmt.Errorf("daemon pid unknown")
	}
	inodes := map[string]bool{}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return nil, err
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	seen := map[int]bool{}
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || !inodes[fields[9]] {
				continue
			}
			_, portHex, ok := strings.Cut(fields[1], ":")
			if !ok {
				continue
			}
			port, err := strconv.ParseInt(portHex, 16, 32)
			if err == nil && int(port) >= lo && int(port) <= hi {
				seen[int(port)] = true
			}
		}
		f.Close()
	}
	var out []int
	for p := range seen {
		out = append(out, p)
	}
	sort.Ints(out)
	return out, nil
}
