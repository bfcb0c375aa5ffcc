// Package procstat reads a process's memory figures from Linux's
// /proc/PID/status, for the tools that watch a running server (the load
// test, the memory benchmarks): one reader of that file's format.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// KiB is field (e.g. "VmRSS", the resident set, or "VmHWM", its peak) of
// process pid in KiB; 0 when the process or the field is not there, so a
// watcher of a process that has just exited records nothing rather than
// failing.
func KiB(pid int, field string) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) < 2 {
				return 0
			}
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}
