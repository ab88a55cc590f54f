package nn

import (
	"math"
	"math/rand"
	"testing"
)

// closeTo reports the first index where got and want differ by more than
// tol times the scale (Σ|terms| of that entry, at least 1e-3).
func closeTo(got []float32, want, scale []float64, tol float64) (int, bool) {
	for i := range want {
		if math.Abs(float64(got[i])-want[i]) > tol*max(scale[i], 1e-3) {
			return i, false
		}
	}
	return -1, true
}

// TestPanelLinearMatchesNaive checks linearForward, linearParamGrad and
// linearInputGrad on layers whose widths are multiples of 64 (the panel
// kernel path where AVX-512 is available) against float64 triple loops.
func TestPanelLinearMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(31))
	for _, sz := range [][3]int{{128, 128, 1031}, {3, 192, 700}, {192, 128, 300}, {70, 256, 513}, {128, 5, 600}, {128, 64, 257}} {
		in, out, rows := sz[0], sz[1], sz[2]
		d := Dense{In: in, Out: out,
			W: randSlice(in*out, 0.3, rng), B: randSlice(out, 1, rng),
			GW: randSlice(in*out, 1, rng), GB: randSlice(out, 1, rng)}
		gw0, gb0 := append([]float32(nil), d.GW...), append([]float32(nil), d.GB...)
		x := randSlice(rows*in, 1, rng)
		g := randSlice(rows*out, 1, rng)
		w := &Work{MaxRows: rows}

		y := make([]float32, rows*out)
		linearForward(&d, x, y, rows, w)
		want, scale := make([]float64, rows*out), make([]float64, rows*out)
		for r := 0; r < rows; r++ {
			for o := 0; o < out; o++ {
				s, a := float64(d.B[o]), math.Abs(float64(d.B[o]))
				for k := 0; k < in; k++ {
					p := float64(x[r*in+k]) * float64(d.W[k*out+o])
					s, a = s+p, a+math.Abs(p)
				}
				want[r*out+o], scale[r*out+o] = s, a
			}
		}
		if i, ok := closeTo(y, want, scale, 1e-5); !ok {
			t.Fatalf("%v forward[%d] = %g, expected %g", sz, i, y[i], want[i])
		}

		linearParamGrad(&d, x, g, rows, w)
		want, scale = make([]float64, in*out), make([]float64, in*out)
		for k := 0; k < in; k++ {
			for o := 0; o < out; o++ {
				s, a := float64(gw0[k*out+o]), math.Abs(float64(gw0[k*out+o]))
				for r := 0; r < rows; r++ {
					p := float64(x[r*in+k]) * float64(g[r*out+o])
					s, a = s+p, a+math.Abs(p)
				}
				want[k*out+o], scale[k*out+o] = s, a
			}
		}
		if i, ok := closeTo(d.GW, want, scale, 1e-5); !ok {
			t.Fatalf("%v GW[%d] = %g, expected %g", sz, i, d.GW[i], want[i])
		}
		wantB, scaleB := make([]float64, out), make([]float64, out)
		for o := 0; o < out; o++ {
			s, a := float64(gb0[o]), math.Abs(float64(gb0[o]))
			for r := 0; r < rows; r++ {
				s, a = s+float64(g[r*out+o]), a+math.Abs(float64(g[r*out+o]))
			}
			wantB[o], scaleB[o] = s, a
		}
		if i, ok := closeTo(d.GB, wantB, scaleB, 1e-5); !ok {
			t.Fatalf("%v GB[%d] = %g, expected %g", sz, i, d.GB[i], wantB[i])
		}

		dx := make([]float32, rows*in)
		linearInputGrad(&d, g, dx, rows, w)
		want, scale = make([]float64, rows*in), make([]float64, rows*in)
		for r := 0; r < rows; r++ {
			for k := 0; k < in; k++ {
				var s, a float64
				for o := 0; o < out; o++ {
					p := float64(g[r*out+o]) * float64(d.W[k*out+o])
					s, a = s+p, a+math.Abs(p)
				}
				want[r*in+k], scale[r*in+k] = s, a
			}
		}
		if i, ok := closeTo(dx, want, scale, 1e-5); !ok {
			t.Fatalf("%v dx[%d] = %g, expected %g", sz, i, dx[i], want[i])
		}
	}
}

// TestKernelPanelSirenMatchesGonum runs forward and backward of a 128-wide SIREN
// and of a tanh MLP with 192- and 128-wide layers (with sine and its
// N(0, 0.1²) weights, ω0 = 30 would amplify float32 rounding differences
// beyond the tolerance) with the panel kernels and with gonum's Sgemm, and
// compares outputs, parameter gradients and input gradients.
func TestKernelPanelSirenMatchesGonum(t *testing.T) {
	forTiers(t, testPanelSirenMatchesGonum)
}

func testPanelSirenMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewSource(17))
	siren, _ := NewSiren(SirenSpec{In: 3, Hidden: 128, HiddenLayers: 5, Out: 1, Omega0: 30}, rng)
	wide, _ := NewPaperMLP(MLPSpec{In: 128, Hidden: 192, Out: 64, Layers: 3, Activation: "tanh"}, rng)
	for _, m := range []*MLP{siren, wide} {
		rows := 1100 // two workers of ParallelRows, panelBlock tails
		if testing.Short() {
			rows = 260 // one worker: the qemu run of CI (.ci/run)
		}
		x := randSlice(rows*m.Spec.In, 1, rng)
		dy := randSlice(rows*m.Spec.Out, 1, rng)
		run := func(kernel bool) ([]float32, []float32, []float32) {
			if !kernel {
				defer useGoKernels()()
			}
			w := m.NewWork(rows)
			y := append([]float32(nil), m.Forward(w, x, rows)...)
			m.ZeroGrads()
			dx := make([]float32, len(x))
			m.Backward(w, append([]float32(nil), dy...), dx)
			return y, append([]float32(nil), m.Grads...), dx
		}
		y1, g1, dx1 := run(true)
		y2, g2, dx2 := run(false)
		for _, c := range []struct {
			name string
			a, b []float32
		}{{"output", y1, y2}, {"grads", g1, g2}, {"dx", dx1, dx2}} {
			var scale float64
			for _, v := range c.b {
				scale = max(scale, math.Abs(float64(v)))
			}
			var worst float64
			for i := range c.a {
				worst = max(worst, math.Abs(float64(c.a[i]-c.b[i]))/scale)
			}
			t.Logf("%v %s: max |panel − gonum| / max|gonum| = %.2g", m.Spec, c.name, worst)
			if worst > 1e-5 {
				t.Errorf("%v %s: panel and gonum differ by %.2g of the largest value", m.Spec, c.name, worst)
			}
		}
	}
}
