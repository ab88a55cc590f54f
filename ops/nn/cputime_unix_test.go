//go:build unix

package nn

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user plus system CPU time so far (the
// benchmarks report it next to wall time: on a shared machine a niced run
// waits for the cores, which inflates wall time but not CPU time).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
