//go:build !unix

package linalg

import "time"

// cpuTime is not measured here: BenchmarkCholeskySolve's CPU metrics read 0.
func cpuTime() time.Duration { return 0 }
