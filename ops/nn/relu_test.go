package nn

import (
	"math"
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// reluSpecials are the values on which ReLU implementations differ most
// easily: ±0, ±Inf, NaN of both signs (x86's default NaN has the sign
// bit set) and a signalling NaN, the smallest subnormals and the largest
// finite values.
var reluSpecials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.NaN()), math.Float32frombits(0xffc00000),
	math.Float32frombits(0x7f800001), math.Float32frombits(0xff800001),
	math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	math.MaxFloat32, -math.MaxFloat32,
}

// reluInput is n values: normal ones around 0 with reluSpecials mixed in.
func reluInput(n int, rng *rand.Rand) []float32 {
	h := randSlice(n, 1, rng)
	for k := range h {
		if rng.Intn(3) == 0 {
			h[k] = reluSpecials[rng.Intn(len(reluSpecials))]
		}
	}
	return h
}

// sameReLUValue reports whether a and b have the same bits, or are both NaN.
func sameReLUValue(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestKernelReLUGo checks reluGo and reluGradGo on every special value
// against Go's max(v, 0) and the definition of the derivative mask.
func TestKernelReLUGo(t *testing.T) {
	for _, v := range reluSpecials {
		h := []float32{v}
		reluGo(h)
		if want := max(v, 0); !sameReLUValue(h[0], want) {
			t.Errorf("reluGo(%g = %#x) = %#x, max(v, 0) = %#x", v, math.Float32bits(v), math.Float32bits(h[0]), math.Float32bits(want))
		}
		g := []float32{-2.5}
		reluGradGo(g, []float32{v})
		want := float32(0)
		if v > 0 {
			want = -2.5
		}
		if math.Float32bits(g[0]) != math.Float32bits(want) {
			t.Errorf("reluGradGo at h = %g: %g, expected %g", v, g[0], want)
		}
	}
}

// TestKernelReLUMatchesGo compares relu and reluGrad in every tier with
// reluGo and reluGradGo, bit for bit (NaN as NaN), on lengths 0..67 with
// special values, at offsets 0..3 into the slice (unaligned vectors), and
// checks that nothing past the slice is written.
func TestKernelReLUMatchesGo(t *testing.T) {
	forTiers(t, testReLUMatchesGo)
}

func testReLUMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewSource(19))
	const guard = 7
	for n := 0; n <= 67; n++ {
		for off := 0; off < 4; off++ {
			buf := reluInput(off+n+guard, rng)
			h0 := append([]float32(nil), buf...)
			want := append([]float32(nil), buf[off:off+n]...)
			reluGo(want)
			got := append([]float32(nil), buf...)
			relu(got[off : off+n])
			for k := range got {
				w := h0[k]
				if k >= off && k < off+n {
					w = want[k-off]
				}
				if !sameReLUValue(got[k], w) {
					t.Fatalf("%v relu n=%d off=%d at %d (h = %#x): %#x, expected %#x",
						kern.tier, n, off, k, math.Float32bits(h0[k]), math.Float32bits(got[k]), math.Float32bits(w))
				}
			}

			g0 := reluInput(off+n+guard, rng)
			wantG := append([]float32(nil), g0[off:off+n]...)
			reluGradGo(wantG, h0[off:off+n])
			gotG := append([]float32(nil), g0...)
			reluGrad(gotG[off:off+n], h0[off:])
			for k := range gotG {
				w := g0[k]
				if k >= off && k < off+n {
					w = wantG[k-off]
				}
				if !sameReLUValue(gotG[k], w) {
					t.Fatalf("%v reluGrad n=%d off=%d at %d (h = %#x, g = %#x): %#x, expected %#x",
						kern.tier, n, off, k, math.Float32bits(h0[k]), math.Float32bits(g0[k]), math.Float32bits(gotG[k]), math.Float32bits(w))
				}
			}
		}
	}
}

// TestKernelReLUMLPMatchesMax checks that the MLP's ReLU forward pass in
// every tier gives the bits of max(v, 0) on the pre-activations, and its
// outputs and gradients those of a purego build (useGoKernels) up to the
// rounding of the tiers' matrix products, over a row count that is not a
// multiple of any block.
func TestKernelReLUMLPMatchesMax(t *testing.T) {
	const rows = 203
	rng := rand.New(rand.NewSource(5))
	m, err := NewPaperMLP(MLPSpec{In: 3, Hidden: 64, Out: 1, Layers: 3}, rng)
	if err != nil {
		t.Fatal(err)
	}
	x, dy := randSlice(rows*3, 2, rng), randSlice(rows, 1, rng)
	run := func() (out, dx []float32) {
		w := m.NewWork(rows)
		clear(m.Grads)
		dx = make([]float32, rows*3)
		out = append([]float32(nil), m.Forward(w, x, rows)...)
		m.Backward(w, dy, dx)
		dx = append(dx, m.Grads...)
		// The first hidden layer against max(v, 0) of its pre-activation.
		d := &m.Layers[0]
		pre := make([]float32, rows*d.Out)
		linearForward(d, x, pre, rows, w)
		for k, v := range pre {
			if got := w.h[0][k]; math.Float32bits(got) != math.Float32bits(max(v, 0)) {
				t.Fatalf("%v: hidden value %d is %g, max(%g, 0) = %g", kern.tier, k, got, v, max(v, 0))
			}
		}
		return out, dx
	}
	restore := useGoKernels()
	wantOut, wantGrad := run()
	restore()
	forTiers(t, func(t *testing.T) {
		out, grad := run()
		for k := range out { // the products differ between tiers in rounding
			if math.Abs(float64(out[k]-wantOut[k])) > 1e-5*(1+math.Abs(float64(wantOut[k]))) {
				t.Fatalf("%v: output %d is %g, purego kernels %g", kern.tier, k, out[k], wantOut[k])
			}
		}
		if len(grad) != len(wantGrad) {
			t.Fatalf("%v: %d gradient values, purego kernels %d", kern.tier, len(grad), len(wantGrad))
		}
		for k := range grad {
			if d := math.Abs(float64(grad[k] - wantGrad[k])); d > 1e-4*(1+math.Abs(float64(wantGrad[k]))) {
				t.Fatalf("%v: gradient value %d is %g, purego kernels %g", kern.tier, k, grad[k], wantGrad[k])
			}
		}
	})
}

// BenchmarkReLU is relu and reluGrad per tier over 8192 values (a
// 128-row block of 64 hidden units, as the MLP runs them), with the
// copy that restores the input counted in; BenchmarkReLU/copy is that
// copy alone.
func BenchmarkReLU(b *testing.B) {
	const n = fuseRows * 64
	rng := rand.New(rand.NewSource(1))
	h0, g0 := randSlice(n, 1, rng), randSlice(n, 1, rng)
	hPos := append([]float32(nil), h0...)
	reluGo(hPos)
	h, g := make([]float32, n), make([]float32, n)
	b.Run("copy", func(b *testing.B) {
		b.SetBytes(4 * n)
		for b.Loop() {
			copy(h, h0)
		}
	})
	b.Run("max", func(b *testing.B) { // the loop that relu replaced
		b.SetBytes(4 * n)
		for b.Loop() {
			copy(h, h0)
			for k, v := range h {
				h[k] = max(v, 0)
			}
		}
	})
	saved := kern
	defer func() { kern = saved }()
	for _, tier := range cpu.Supported() {
		kern = kernelsFor(tier)
		b.Run("relu/"+tier.String(), func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				copy(h, h0)
				relu(h)
			}
		})
		b.Run("grad/"+tier.String(), func(b *testing.B) {
			b.SetBytes(4 * n)
			for b.Loop() {
				copy(g, g0)
				reluGrad(g, hPos)
			}
		})
	}
}
