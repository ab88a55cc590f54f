package deriv

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// sines is a T×N recording of sin(ω_j t + j) with known derivative.
func sines(t, n int, dt, noise float64, seed uint64) (u, du []float32) {
	r := rand.New(rand.NewPCG(seed, 1))
	u, du = make([]float32, t*n), make([]float32, t*n)
	for f := 0; f < t; f++ {
		for j := 0; j < n; j++ {
			w := 1 + 0.5*float64(j)
			x := w*float64(f)*dt + float64(j)
			u[f*n+j] = float32(3*math.Sin(x) + noise*r.NormFloat64())
			du[f*n+j] = float32(3 * w * math.Cos(x))
		}
	}
	return u, du
}

func relRMS(a, b []float32) float64 {
	var e, s float64
	for k := range a {
		e += float64(a[k]-b[k]) * float64(a[k]-b[k])
		s += float64(b[k]) * float64(b[k])
	}
	return math.Sqrt(e / s)
}

func TestCentralOnCleanSines(t *testing.T) {
	u, du := sines(2000, 3, 0.01, 0, 1)
	got, err := Central(u, 2000, 3, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	// O(dt²) error: (ω·dt)²/6 ≈ 1e-4 relative at ω = 2.
	if e := relRMS(got, du); e > 5e-4 {
		t.Fatalf("central differences: relative error %.3g, expected < 5e-4", e)
	}
}

func TestSavitzkyGolayIsExactOnPolynomials(t *testing.T) {
	const frames, dt = 50, 0.1
	u := make([]float32, frames)
	du := make([]float32, frames)
	for f := range u {
		x := float64(f) * dt
		u[f] = float32(1 + 2*x - 0.5*x*x + 0.1*x*x*x)
		du[f] = float32(2 - x + 0.3*x*x)
	}
	f, err := NewFilter(5, 3)
	if err != nil {
		t.Fatal(err)
	}
	s, d, err := f.SavitzkyGolay(u, frames, 1, dt)
	if err != nil {
		t.Fatal(err)
	}
	for k := range u {
		if math.Abs(float64(s[k]-u[k])) > 1e-4 || math.Abs(float64(d[k]-du[k])) > 1e-3 {
			t.Fatalf("frame %d: smoothed %g (want %g), derivative %g (want %g)", k, s[k], u[k], d[k], du[k])
		}
	}
}

func TestNoiseStdAndWindowChoice(t *testing.T) {
	const frames, n, dt = 6000, 4, 0.01
	var prevWindow int
	for _, sigma := range []float64{0.01, 0.06, 0.3} {
		u, du := sines(frames, n, dt, sigma, 2)
		est := NoiseStd(u, frames, n)
		for j, s := range est {
			if math.Abs(s-sigma)/sigma > 0.1 {
				t.Fatalf("σ = %g: neuron %d estimated %g", sigma, j, s)
			}
		}
		central, _ := Central(u, frames, n, dt)
		if !NoisyForCentral(sigma, dt, stdOf(central)) {
			t.Fatalf("σ = %g: central differences not flagged as too noisy", sigma)
		}
		w, err := ChooseWindow(u, frames, n, est, DefaultOrder)
		if err != nil {
			t.Fatal(err)
		}
		if w <= prevWindow {
			t.Fatalf("σ = %g: window %d not wider than %d at less noise", sigma, w, prevWindow)
		}
		prevWindow = w
		f, err := NewFilter(w/2, DefaultOrder)
		if err != nil {
			t.Fatal(err)
		}
		_, d, err := f.SavitzkyGolay(u, frames, n, dt)
		if err != nil {
			t.Fatal(err)
		}
		ce, se := relRMS(central, du), relRMS(d, du)
		if se > ce/20 || se > 0.12 {
			t.Fatalf("σ = %g (window %d): Savitzky–Golay error %.3g vs central %.3g", sigma, w, se, ce)
		}
	}
	clean, _ := sines(frames, n, dt, 0, 3)
	central, _ := Central(clean, frames, n, dt)
	if s := NoiseStd(clean, frames, n); NoisyForCentral(s[0], dt, stdOf(central)) {
		t.Fatalf("clean data (σ̂ = %g) flagged as noisy", s[0])
	}
}

func stdOf(x []float32) float64 {
	var s, ss float64
	for _, v := range x {
		s += float64(v)
		ss += float64(v) * float64(v)
	}
	m := s / float64(len(x))
	return math.Sqrt(ss/float64(len(x)) - m*m)
}

func TestBadArguments(t *testing.T) {
	for _, c := range []struct {
		name string
		err  func() error
		want string
	}{
		{"few frames", func() error { _, err := Central(make([]float32, 2), 2, 1, 0.1); return err }, "at least 3 frames"},
		{"bad dt", func() error { _, err := Central(make([]float32, 9), 3, 3, 0); return err }, "dt must be > 0"},
		{"size", func() error { _, err := Central(make([]float32, 8), 3, 3, 1); return err }, "needs 9 values"},
		{"order", func() error { _, err := NewFilter(1, 3); return err }, "order < window"},
		{"short", func() error {
			f, _ := NewFilter(5, 2)
			_, _, err := f.SavitzkyGolay(make([]float32, 10), 10, 1, 1)
			return err
		}, "at least 11 frames"},
		{"window", func() error { _, err := ChooseWindow(make([]float32, 10), 10, 1, []float64{1}, 4); return err }, "too few"},
	} {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, expected %q", c.name, err, c.want)
		}
	}
}
