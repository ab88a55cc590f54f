//go:build arm64 && !purego

package cpu

import "golang.org/x/sys/cpu"

// detect returns Generic, then NEON where the CPU has Advanced SIMD (every
// arm64 CPU that Go supports does).
func detect() []Tier {
	if cpu.ARM64.HasASIMD {
		return []Tier{Generic, NEON}
	}
	return []Tier{Generic}
}
