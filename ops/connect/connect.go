// Package connect generates connectivity matrices: N×N float32 row-major,
// W[i*N+j] the weight from sender j to receiver i, diagonal 0, drawn from a
// seeded *rand.Rand (math/rand/v2). Generators: Cauchy ("Lorentz") with the
// reference's N-dependent scaling, Gaussian, low rank; modifiers: a sparse
// filling factor and Dale's law; and loading from a .npy file.
package connect

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/ops/npy"
)

// DefaultClip is the Cauchy magnitude beyond which samples are set to zero.
const DefaultClip = 25

// CauchyExponent returns the reference's scaling exponent p (weights are
// divided by N^p): 0.7 for N < 2000, 0.675 below 4000, 0.67 below 8000, 0.66
// at 8000 and 0.5 above.
func CauchyExponent(n int) float64 {
	switch {
	case n < 2000:
		return 0.7
	case n < 4000:
		return 0.675
	case n < 8000:
		return 0.67
	case n == 8000:
		return 0.66
	}
	return 0.5
}

// Cauchy draws standard Cauchy samples, sets those with |s| > clip to zero
// (not resampled) and divides by N^p. p ≤ 0 selects CauchyExponent(n);
// clip ≤ 0 selects DefaultClip.
func Cauchy(n int, p, clip float64, rng *rand.Rand) ([]float32, error) {
	if err := checkSize(n); err != nil {
		return nil, err
	}
	if p <= 0 {
		p = CauchyExponent(n)
	}
	if clip <= 0 {
		clip = DefaultClip
	}
	scale := math.Pow(float64(n), -p)
	w := make([]float32, n*n)
	for k := range w {
		s := math.Tan(math.Pi * (rng.Float64() - 0.5))
		if math.Abs(s) <= clip {
			w[k] = float32(s * scale)
		}
	}
	zeroDiagonal(w, n)
	return w, nil
}

// Gaussian draws Normal(0,1)/√N weights.
func Gaussian(n int, rng *rand.Rand) ([]float32, error) {
	if err := checkSize(n); err != nil {
		return nil, err
	}
	scale := 1 / math.Sqrt(float64(n))
	w := make([]float32, n*n)
	for k := range w {
		w[k] = float32(rng.NormFloat64() * scale)
	}
	zeroDiagonal(w, n)
	return w, nil
}

// LowRank returns U·V/√(r·N) with U (N×r) and V (r×N) standard normal.
func LowRank(n, rank int, rng *rand.Rand) ([]float32, error) {
	if err := checkSize(n); err != nil {
		return nil, err
	}
	if rank < 1 || rank > n {
		return nil, fmt.Errorf("connect: rank must be in [1, N = %d], found %d", n, rank)
	}
	u, v := make([]float64, n*rank), make([]float64, rank*n)
	for k := range u {
		u[k] = rng.NormFloat64()
	}
	for k := range v {
		v[k] = rng.NormFloat64()
	}
	scale := 1 / math.Sqrt(float64(rank*n))
	w := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			acc := 0.0
			for r := 0; r < rank; r++ {
				acc += u[i*rank+r] * v[r*n+j]
			}
			w[i*n+j] = float32(acc * scale)
		}
	}
	zeroDiagonal(w, n)
	return w, nil
}

// Sparsify keeps each weight with probability f and zeroes the others.
func Sparsify(w []float32, f float64, rng *rand.Rand) error {
	if !(f > 0 && f <= 1) {
		return fmt.Errorf("connect: filling factor must be in (0, 1], found %g", f)
	}
	if f == 1 {
		return nil
	}
	for k := range w {
		if rng.Float64() >= f {
			w[k] = 0
		}
	}
	return nil
}

// Dale applies Dale's law: W ← |W|, then round(fraction·N) sender columns,
// chosen at random, are negated (inhibitory senders). It returns the
// inhibitory senders.
func Dale(w []float32, n int, fraction float64, rng *rand.Rand) ([]int, error) {
	if len(w) != n*n {
		return nil, fmt.Errorf("connect: W has %d values, expected N×N = %d", len(w), n*n)
	}
	if fraction < 0 || fraction > 1 {
		return nil, fmt.Errorf("connect: Dale fraction must be in [0, 1], found %g", fraction)
	}
	for k, v := range w {
		w[k] = float32(math.Abs(float64(v)))
	}
	inhibitory := rng.Perm(n)[:int(math.Round(fraction*float64(n)))]
	for _, j := range inhibitory {
		for i := 0; i < n; i++ {
			w[i*n+j] = -w[i*n+j]
		}
	}
	return inhibitory, nil
}

// Load reads an N×N float32 or float64 .npy file and zeroes its diagonal
// (sums over senders exclude j = i).
func Load(path string, n int) ([]float32, error) {
	return LoadWith(npy.Options{}, path, n)
}

// LoadWith is Load reading through o (a confined file system, a memory
// limit); a NaN or infinite weight is an error naming its index.
func LoadWith(o npy.Options, path string, n int) ([]float32, error) {
	o.Torn = false
	h, err := o.ReadHeaderFile(path)
	if err != nil {
		return nil, err
	}
	if h.Descr != "<f4" && h.Descr != "<f8" {
		return nil, fmt.Errorf("connect: %s: weights must be float32 or float64, found dtype %q", path, h.Descr)
	}
	w, _, err := o.ReadFloat32Shape(path, n, n)
	if err != nil {
		return nil, err
	}
	if k := npy.FirstNonFinite(w); k >= 0 {
		return nil, fmt.Errorf("connect: %s holds %v at index %s (the first non-finite weight)", path, w[k], npy.IndexString([]int{n, n}, k))
	}
	zeroDiagonal(w, n)
	return w, nil
}

func zeroDiagonal(w []float32, n int) {
	for i := 0; i < n; i++ {
		w[i*n+i] = 0
	}
}

func checkSize(n int) error {
	if n < 1 || n > 1<<16 {
		return fmt.Errorf("connect: N must be in [1, 65536], found %d", n)
	}
	return nil
}

// Stats summarises a weight matrix: standard deviation, largest magnitude
// and the fraction of non-zero entries (over all N² entries).
type Stats struct {
	Std, MaxAbs, NonZero float64
}

// Summarize computes Stats of w.
func Summarize(w []float32) Stats {
	var sum, sumSq, maxAbs float64
	nonZero := 0
	for _, v := range w {
		x := float64(v)
		sum += x
		sumSq += x * x
		maxAbs = math.Max(maxAbs, math.Abs(x))
		if v != 0 {
			nonZero++
		}
	}
	n := float64(len(w))
	mean := sum / n
	return Stats{Std: math.Sqrt(math.Max(sumSq/n-mean*mean, 0)), MaxAbs: maxAbs, NonZero: float64(nonZero) / n}
}
