package vec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// TestHalfRoundTrip checks that every finite half converts to float32 and
// back to itself, and that Inf and NaN stay Inf and NaN.
func TestHalfRoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := Float32FromHalf(uint16(h))
		back := HalfFromFloat32(f)
		switch {
		case math.IsNaN(float64(f)):
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN half %#04x came back as %#04x", h, back)
			}
		case back != uint16(h):
			t.Fatalf("half %#04x = %g came back as %#04x", h, f, back)
		}
	}
	for _, c := range []struct {
		h uint16
		f float32
	}{{0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 1.0 / (1 << 24)}, {0x0400, 1.0 / (1 << 14)}, {0x3555, 0.333251953125}} {
		if got := Float32FromHalf(c.h); got != c.f {
			t.Errorf("Float32FromHalf(%#04x) = %g, expected %g", c.h, got, c.f)
		}
	}
}

// TestHalfFromFloat32IsNearest checks on random floats over the half range
// (normal and subnormal) that the chosen half is the nearest, ties to even,
// against its two neighbours.
func TestHalfFromFloat32IsNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 200000; k++ {
		f := float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(42)-26))
		h := HalfFromFloat32(f)
		got := float64(Float32FromHalf(h))
		err := math.Abs(got - float64(f))
		for _, nb := range []uint16{h + 1, h - 1} {
			v := Float32FromHalf(nb)
			if nb&0x7c00 == 0x7c00 || math.Signbit(float64(v)) != math.Signbit(got) && v != 0 {
				continue
			}
			d := math.Abs(float64(v) - float64(f))
			if d < err || (d == err && h&1 == 1) {
				t.Fatalf("HalfFromFloat32(%g) = %#04x (%g), but %#04x (%g) is nearer or the even tie", f, h, got, nb, v)
			}
		}
	}
	if h := HalfFromFloat32(65520); h != 0x7c00 {
		t.Errorf("65520 rounds to Inf, got %#04x", h)
	}
	if h := HalfFromFloat32(65519); h != 0x7bff {
		t.Errorf("65519 rounds to 65504, got %#04x", h)
	}
	if h := HalfFromFloat32(-1e-9); h != 0x8000 {
		t.Errorf("-1e-9 rounds to -0, got %#04x", h)
	}
}

// TestMatVecHalfMatchesMatVec checks every tier's half kernel, rows 0..9 and
// columns 0..70 (the 16-column body and the Go tail) with a row stride
// longer than the vector, against MatVec on the rounded weights.
func TestMatVecHalfMatchesMatVec(t *testing.T) {
	defer func(k halfKernel) { matVecHalfKernel = k }(matVecHalfKernel)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tr := range cpu.Supported() {
		matVecHalfKernel = halfKernelFor(tr)
		t.Run(tr.String(), func(t *testing.T) {
			for rows := 0; rows <= 9; rows++ {
				for cols := 0; cols <= 70; cols++ {
					lda := cols + 3
					a := randomSlice(rng, max(0, (rows-1)*lda+cols))
					x := randomSlice(rng, cols)
					h := RoundToHalf(a)
					want := make([]float32, rows)
					got := make([]float32, rows)
					for r := range want {
						var s float64
						for j := range x {
							s += float64(a[r*lda+j]) * float64(x[j])
						}
						want[r] = float32(s)
					}
					if err := MatVecHalf(got, h, lda, x); err != nil {
						t.Fatal(err)
					}
					for r := range want {
						if d := math.Abs(float64(got[r] - want[r])); d > 1e-5*float64(cols+1) {
							t.Fatalf("rows %d cols %d: y[%d] = %g, expected %g", rows, cols, r, got[r], want[r])
						}
					}
				}
			}
		})
	}
}

// TestMatVecHalfShapeError checks the shape check.
func TestMatVecHalfShapeError(t *testing.T) {
	if err := MatVecHalf(make([]float32, 2), make([]uint16, 5), 3, make([]float32, 3)); err == nil {
		t.Fatal("a 5-value matrix cannot hold 2 rows of stride 3: expected an error")
	}
}

// BenchmarkMatVecHalf compares MatVec and MatVecHalf at N = 8000, where W
// does not fit in cache (256 MB against 128 MB).
func BenchmarkMatVecHalf(b *testing.B) {
	const n = 8000
	rng := rand.New(rand.NewPCG(5, 6))
	a := randomSlice(rng, n*n)
	x := randomSlice(rng, n)
	y := make([]float32, n)
	h := RoundToHalf(a)
	b.Run("float32", func(b *testing.B) {
		b.SetBytes(int64(4 * n * n))
		for b.Loop() {
			_ = MatVec(y, a, n, x)
		}
	})
	b.Run("half", func(b *testing.B) {
		b.SetBytes(int64(2 * n * n))
		for b.Loop() {
			_ = MatVecHalf(y, h, n, x)
		}
	})
}
