//go:build amd64 && !purego

package cpu

import "golang.org/x/sys/cpu"

// detect returns Generic, then AVX2 where the CPU has AVX2 and FMA, then
// AVX512 where it also has AVX-512F (each with OS support).
func detect() []Tier {
	tiers := []Tier{Generic}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		tiers = append(tiers, AVX2)
		if cpu.X86.HasAVX512F {
			tiers = append(tiers, AVX512)
		}
	}
	return tiers
}
