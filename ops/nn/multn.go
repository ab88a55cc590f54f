package nn

// MulTN computes C = Aᵀ·B where A is k×m and B is k×n (row-major) and C is
// m×n. With a 64-column assembly kernel it transposes A once and multiplies it by
// 64-column panels of B; without one it calls gonum's Sgemm. scratch, when
// large enough (m·k + 64·k + 64·m values), avoids allocation.
func MulTN(a []float32, k, m int, b []float32, n int, c []float32, scratch []float32) []float32 {
	if !hasGemm64() {
		Gemm(true, false, m, n, k, 1, a, m, b, n, 0, c, n)
		return scratch
	}
	at, panel, out, scratch := tnScratch(k, m, scratch)
	transpose(a, k, m, at)
	mulPanels(at, k, m, b, n, c, panel, out, false)
	return scratch
}

// GramTN computes the Gram matrix G = AᵀA (m×m) and the cross products
// C = Aᵀ·B (m×n) of A (k×m) and B (k×n), all row-major, transposing A once.
// Only G's upper triangle (column ≥ row) is guaranteed: the assembly tiers
// skip the 64-column panels below the diagonal; without a 64-column kernel
// (gonum's Sgemm) all of G is computed. scratch is as for MulTN.
func GramTN(a []float32, k, m int, g []float32, b []float32, n int, c []float32, scratch []float32) []float32 {
	if !hasGemm64() {
		Gemm(true, false, m, m, k, 1, a, m, a, m, 0, g, m)
		Gemm(true, false, m, n, k, 1, a, m, b, n, 0, c, n)
		return scratch
	}
	at, panel, out, scratch := tnScratch(k, m, scratch)
	transpose(a, k, m, at)
	mulPanels(at, k, m, a, m, g, panel, out, true)
	mulPanels(at, k, m, b, n, c, panel, out, false)
	return scratch
}

// tnScratch splits scratch (grown when needed) into Aᵀ, one packed
// 64-column panel of B and the kernel's 64-wide output.
func tnScratch(k, m int, scratch []float32) (at, panel, out, all []float32) {
	need := m*k + 64*k + 64*m
	if len(scratch) < need {
		scratch = make([]float32, need)
	}
	return scratch[:m*k], scratch[m*k : m*k+64*k], scratch[m*k+64*k : need], scratch
}

// mulPanels writes Aᵀ·B into c (m×n) from at = Aᵀ (m×k), 64 columns of B
// at a time; with upper, each panel's rows stop at its last column (the
// upper triangle of a square product and the diagonal blocks).
func mulPanels(at []float32, k, m int, b []float32, n int, c, panel, out []float32, upper bool) {
	for c0 := 0; c0 < n; c0 += 64 {
		w := min(64, n-c0)
		rows := m
		if upper {
			rows = min(m, c0+w)
		}
		for r := 0; r < k; r++ {
			dst := panel[r*64 : (r+1)*64]
			copy(dst, b[r*n+c0:r*n+c0+w])
			clear(dst[w:])
		}
		ParallelRows(rows, func(lo, hi int) {
			gemm64Kernel(at[lo*k:], k, panel, out[lo*64:], hi-lo, k, false)
			for i := lo; i < hi; i++ {
				copy(c[i*n+c0:i*n+c0+w], out[i*64:i*64+w])
			}
		})
	}
}

// transpose writes the k×m matrix a into at (m×k), in cache-sized tiles.
func transpose(a []float32, k, m int, at []float32) {
	const tile = 32
	ParallelRows((k+tile-1)/tile, func(lo, hi int) {
		for r0 := lo * tile; r0 < min(hi*tile, k); r0 += tile {
			for i0 := 0; i0 < m; i0 += tile {
				for r := r0; r < min(r0+tile, k); r++ {
					row := a[r*m : (r+1)*m]
					for i := i0; i < min(i0+tile, m); i++ {
						at[i*k+r] = row[i]
					}
				}
			}
		}
	})
}
