package nn

import (
	"math"
	"math/rand"
	"testing"
)

// TestSinCos32Accuracy compares sincos32 and sineActivate with math.Sin and
// math.Cos on a dense grid over [-1000, 1000], random arguments, values near
// multiples of π/2 and the edge of the fast range, requiring an absolute
// error ≤ 2e-6; large, infinite and NaN arguments take the math.Sincos path.
func TestSinCos32Accuracy(t *testing.T) {
	var xs []float32
	for x := -1000.0; x <= 1000; x += 1.0 / 1024 {
		xs = append(xs, float32(x))
	}
	rng := rand.New(rand.NewSource(3))
	for k := 0; k < 200000; k++ {
		xs = append(xs, float32((2*rng.Float64()-1)*1000), float32(rng.NormFloat64()))
	}
	for j := -660; j <= 660; j++ {
		c := float32(float64(j) * math.Pi / 2)
		xs = append(xs, c, math.Nextafter32(c, 2000), math.Nextafter32(c, -2000))
	}
	for _, b := range []float32{sinFastBound, 1000} {
		for _, x := range []float32{b, math.Nextafter32(b, 0), math.Nextafter32(b, 2*b)} {
			xs = append(xs, x, -x)
		}
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), 1e-30, 3e4, -1e6, 1e30, math.MaxFloat32, math.SmallestNonzeroFloat32)
	var worstS, worstC float64
	for _, x := range xs {
		s, c := sincos32(x)
		ws, wc := math.Sincos(float64(x))
		es, ec := math.Abs(float64(s)-ws), math.Abs(float64(c)-wc)
		if es > worstS {
			worstS = es
		}
		if ec > worstC {
			worstC = ec
		}
		if es > 2e-6 || ec > 2e-6 {
			t.Fatalf("x=%g: sincos32 = (%g, %g), math = (%g, %g)", x, s, c, ws, wc)
		}
		if sin32(x) != s || cos32(x) != c {
			t.Fatalf("x=%g: sin32/cos32 differ from sincos32", x)
		}
	}
	t.Logf("%d arguments: max |error| sin %.3g, cos %.3g", len(xs), worstS, worstC)
	for _, x := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		if s, c := sincos32(x); !math.IsNaN(float64(s)) || !math.IsNaN(float64(c)) {
			t.Errorf("sincos32(%g) = (%g, %g), expected NaN", x, s, c)
		}
	}

	// sineActivate: h = sin(ω·v), dh = ω·cos(ω·v), including the slow path.
	const om = 30
	h := make([]float32, len(xs))
	for k, x := range xs {
		h[k] = x / om
	}
	in := append([]float32(nil), h...)
	dh := make([]float32, len(h))
	sineActivate(h, dh, om)
	for k, v := range in {
		x := om * v
		ws, wc := math.Sincos(float64(x))
		if math.Abs(float64(h[k])-ws) > 2e-6 || math.Abs(float64(dh[k])-om*wc) > om*2e-6 {
			t.Fatalf("sineActivate at %g: (%g, %g), expected (%g, %g)", x, h[k], dh[k], ws, om*wc)
		}
	}
}

func BenchmarkSineActivate(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	h0 := randSlice(1<<16, 3, rng)
	h, dh := make([]float32, len(h0)), make([]float32, len(h0))
	b.SetBytes(int64(4 * len(h)))
	for b.Loop() {
		copy(h, h0)
		sineActivate(h, dh, 30)
	}
}

func BenchmarkMathSinCos(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	h0 := randSlice(1<<16, 3, rng)
	h, dh := make([]float32, len(h0)), make([]float32, len(h0))
	b.SetBytes(int64(4 * len(h)))
	for b.Loop() {
		for k, v := range h0 {
			h[k] = float32(math.Sin(float64(30 * v)))
			dh[k] = 30 * float32(math.Cos(float64(30*v)))
		}
	}
}

// TestKernelSineActivateMatchesGo compares sineActivate in every tier with
// sineActivateGo on lengths around the 8- and 16-value blocks, with large
// arguments and NaN in some blocks.
func TestKernelSineActivateMatchesGo(t *testing.T) {
	forTiers(t, testSineActivateMatchesGo)
}

func testSineActivateMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	if kern.sine != nil { // the kernel itself does every block of in-range values
		h := randSlice(16*kern.sineBlock, 2, rng)
		want, wantD := append([]float32(nil), h...), make([]float32, len(h))
		sineActivateGo(want, wantD, 30)
		dh := make([]float32, len(h))
		if done := kern.sine(&h[0], &dh[0], len(h), 30); done != len(h) {
			t.Fatalf("%v sine kernel did %d of %d in-range values", kern.tier, done, len(h))
		}
		for k := range h {
			if math.Abs(float64(h[k]-want[k])) > 1e-6 || math.Abs(float64(dh[k]-wantD[k])) > 30e-6 {
				t.Fatalf("%v sine kernel at %d: (%g, %g), Go (%g, %g)", kern.tier, k, h[k], dh[k], want[k], wantD[k])
			}
		}
	}
	for n := 0; n <= 100; n++ {
		h := randSlice(n, 2, rng)
		if n > 20 {
			h[rng.Intn(n)] = 1e4
			h[rng.Intn(n)] = float32(math.NaN())
			h[rng.Intn(n)] = float32(math.Inf(-1))
		}
		h1, h2 := append([]float32(nil), h...), append([]float32(nil), h...)
		d1, d2 := make([]float32, n), make([]float32, n)
		sineActivate(h1, d1, 30)
		sineActivateGo(h2, d2, 30)
		for k := range h {
			for _, p := range [][2]float32{{h1[k], h2[k]}, {d1[k] / 30, d2[k] / 30}} {
				a, b := float64(p[0]), float64(p[1])
				if math.IsNaN(a) != math.IsNaN(b) || math.Abs(a-b) > 1e-6 {
					t.Fatalf("n=%d k=%d h=%g: kernel (%g, %g), Go (%g, %g)", n, k, h[k], h1[k], d1[k], h2[k], d2[k])
				}
			}
		}
	}
}
