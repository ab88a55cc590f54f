package metrics

import (
	"math"
	"testing"
)

func TestLinearFitExactLine(t *testing.T) {
	x := []float32{-2, -1, 0, 1, 2, 3}
	y := make([]float32, len(x))
	for k, v := range x {
		y[k] = 2*v + 0.5
	}
	f := LinearFit(x, y)
	if math.Abs(f.Slope-2) > 1e-9 || math.Abs(f.Intercept-0.5) > 1e-6 || math.Abs(f.R2-1) > 1e-9 {
		t.Fatalf("fit = %+v, want slope 2, intercept 0.5, R2 1", f)
	}
}

func TestLinearFitNoise(t *testing.T) {
	x := []float32{0, 1, 2, 3}
	y := []float32{0, 2, 1, 3}
	f := LinearFit(x, y)
	// Sxx = 5, Sxy = 4, Syy = 5: slope 0.8, R2 = 0.8*4/5 = 0.64.
	if math.Abs(f.Slope-0.8) > 1e-9 || math.Abs(f.R2-0.64) > 1e-9 {
		t.Fatalf("fit = %+v, want slope 0.8, R2 0.64", f)
	}
}

func TestLinearFitDegenerate(t *testing.T) {
	if f := LinearFit([]float32{1}, []float32{1}); !math.IsNaN(f.R2) {
		t.Fatalf("one sample: R2 = %v, want NaN", f.R2)
	}
	if f := LinearFit([]float32{1, 1}, []float32{1, 2}); !math.IsNaN(f.Slope) {
		t.Fatalf("constant x: slope = %v, want NaN", f.Slope)
	}
	// A learned Ŵ of zeros against a varying truth recovers nothing.
	if f := LinearFit([]float32{1, 2, 3}, []float32{0, 0, 0}); f.R2 != 0 || f.Slope != 0 {
		t.Fatalf("constant y: R2 = %v, slope = %v, want 0, 0", f.R2, f.Slope)
	}
}

func TestR2(t *testing.T) {
	truth := []float32{1, 2, 3, 4}
	if r := R2(truth, truth); r != 1 {
		t.Fatalf("R2(x,x) = %v", r)
	}
	pred := []float32{2.5, 2.5, 2.5, 2.5}
	if r := R2(truth, pred); math.Abs(r) > 1e-12 {
		t.Fatalf("R2 of the mean = %v, want 0", r)
	}
}
