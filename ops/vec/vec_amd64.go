//go:build amd64 && !purego

package vec

// hasAVX512 reports whether the CPU and OS support the AVX-512F kernel.
var hasAVX512 = detectAVX512F()

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

// matVecAVX512 sets y[r] = Σ_j a[r*lda+j]·x[j] for r < rows, j < cols
// (rows ≥ 1, cols ≥ 1).
//
//go:noescape
func matVecAVX512(y, a *float32, lda int, x *float32, rows, cols int)
