package eval

import (
	"math"
	"testing"
)

// TestLeastSquaresWRecoversWFromN2Dynamics simulates the N2 rule of SPEC §1.1
// (one type: c = 1, s = 1, g = 10) with Cauchy wiring and checks that the
// least-squares baseline, given the true ψ = tanh and the targets
// du/dt − (−c·u + s·tanh u), recovers g·W: a check that the solve copes with
// the strongly correlated, saturated messages of real dynamics.
func TestLeastSquaresWRecoversWFromN2Dynamics(t *testing.T) {
	const n, frames, dt, c, s, g = 60, 3000, 0.01, 1.0, 1.0, 10.0
	w := cauchyW(n, 7)
	u := make([]float64, n)
	for i := range u {
		u[i] = 5 * math.Sin(float64(7*i+1)) // deterministic spread-out start
	}
	psi := make([]float32, frames*n)
	y := make([]float32, frames*n)
	messages := make([]float64, n)
	for f := 0; f < frames; f++ {
		for j := range u {
			messages[j] = math.Tanh(u[j])
		}
		for i := range u {
			var coupling float64
			for j := range u {
				coupling += float64(w[i*n+j]) * messages[j]
			}
			psi[f*n+i] = float32(messages[i])
			y[f*n+i] = float32(g * coupling) // = du/dt − (−c·u + s·tanh u)
			u[i] += dt * (-c*u[i] + s*messages[i] + g*coupling)
		}
	}
	learned, err := LeastSquaresW(psi, y, frames, n, 0)
	if err != nil {
		t.Fatal(err)
	}
	scaled := make([]float32, len(w))
	for k, v := range w {
		scaled[k] = float32(g) * v
	}
	fit, err := Connectivity(learned, scaled, n)
	if err != nil {
		t.Fatal(err)
	}
	if fit.R2 < 1-1e-6 || math.Abs(fit.Slope-1) > 1e-4 {
		t.Fatalf("least squares on N2 dynamics: R² %v, slope %v; want ≈ 1 and 1", fit.R2, fit.Slope)
	}
}
