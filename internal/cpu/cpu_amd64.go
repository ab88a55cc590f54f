//go:build amd64 && !purego

package cpu

// AVX512F reports whether the CPU has AVX-512F and the OS saves the ZMM
// state, so that the AVX-512 kernels may run.
var AVX512F = detectAVX512F()

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
func xgetbv0() (eax, edx uint32)

// detectAVX512F checks the AVX-512F flag and that the OS saves ZMM state.
func detectAVX512F() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	if ecx1&(1<<27) == 0 { // OSXSAVE
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&0xe6 != 0xe6 { // SSE, AVX, opmask, ZMM state
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}
