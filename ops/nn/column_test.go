package nn

import (
	"math"
	"math/rand"
	"testing"
)

// TestKernelColumnLayerMatchesSums checks the one-output layers (the last
// layer of φ* and ψ*) in every tier against float64 sums: the forward
// product (the matrix-vector kernel plus the bias) and the parameter
// gradients (per-block partials, the 64-column kernel when In is 64), for
// row counts that give one and several blocks, In = 64 and In = 5.
func TestKernelColumnLayerMatchesSums(t *testing.T) {
	forTiers(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(16))
		for _, in := range []int{64, 5} {
			for _, rows := range []int{1, 7, 300, 1100} {
				d := Dense{In: in, Out: 1, W: randSlice(in, 1, rng), B: randSlice(1, 1, rng),
					GW: randSlice(in, 1, rng), GB: randSlice(1, 1, rng)}
				x := randSlice(rows*in, 1, rng)
				g := randSlice(rows, 1, rng)
				w := &Work{}
				out := make([]float32, rows)
				gw0, gb0 := append([]float32(nil), d.GW...), d.GB[0]
				linearForward(&d, x, out, rows, w)
				linearParamGrad(&d, x, g, rows, w)
				for r := 0; r < rows; r++ {
					want, scale := float64(d.B[0]), math.Abs(float64(d.B[0]))
					for k := 0; k < in; k++ {
						p := float64(x[r*in+k]) * float64(d.W[k])
						want += p
						scale += math.Abs(p)
					}
					if math.Abs(float64(out[r])-want) > 1e-5*(scale+1) {
						t.Fatalf("In=%d rows=%d: out[%d] = %v, want %v", in, rows, r, out[r], want)
					}
				}
				for k := 0; k <= in; k++ {
					want, scale := 0.0, 0.0
					for r := 0; r < rows; r++ {
						v := 1.0
						if k < in {
							v = float64(x[r*in+k])
						}
						want += v * float64(g[r])
						scale += math.Abs(v * float64(g[r]))
					}
					got := float64(d.GB[0]) - float64(gb0)
					if k < in {
						got = float64(d.GW[k]) - float64(gw0[k])
					}
					if math.Abs(got-want) > 1e-5*(scale+1) {
						t.Fatalf("In=%d rows=%d: gradient %d grew by %v, want %v", in, rows, k, got, want)
					}
				}
			}
		}
	})
}
