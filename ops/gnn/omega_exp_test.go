//go:build omegaexp

package gnn

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
)

// This file is a measuring harness for issue 14, built only with
// -tags omegaexp: go test -tags omegaexp ./ops/gnn -run TestOmegaExperiment -v
// with sizes from OMEGA_N, OMEGA_K, OMEGA_T, OMEGA_EPOCHS, OMEGA_BINS and
// switches OMEGA_NORENORM (no anchoring), OMEGA_KNOWN (true e given),
// OMEGA_NONE (no Ω*).

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// TestOmegaExperiment is a measuring harness (sizes from the environment:
// OMEGA_N, OMEGA_K, OMEGA_T, OMEGA_EPOCHS); it checks only that training runs.
func TestOmegaExperiment(t *testing.T) {
	n, k, frames, epochs := envInt("OMEGA_N", 64), envInt("OMEGA_K", 16), envInt("OMEGA_T", 3000), envInt("OMEGA_EPOCHS", 1)
	bins := envInt("OMEGA_BINS", 64)
	movie := func(q int, x, y, t float64) float64 {
		b := math.Floor(t*float64(bins)) / float64(bins)
		// Like the reference's movie, most of the variance of √e is in
		// the per-pixel means (a static pattern), the rest moves.
		return 1 + 0.3*math.Sin(2*math.Pi*1.3*x)*math.Cos(2*math.Pi*0.8*y) + 0.2*math.Sin(2*math.Pi*(x+0.7*y-b)) + 0.1*math.Cos(3*math.Pi*y+2*math.Pi*b)
	}
	s := simulateInput(n, k, frames, Multiplicative, movie, 5, false)
	cfg := fig2Config(s.W)
	cfg.Epochs, cfg.StepsPerEpoch = epochs, 1000
	cfg.Input.TimeBins = bins
	cfg.Input.NoRenormalise = os.Getenv("OMEGA_NORENORM") != ""
	cfg.Alternating.SolveEvery = 50
	if os.Getenv("OMEGA_KNOWN") != "" {
		cfg.Input.Known = s.E
	}
	var last Progress
	cfg.OnProgress = func(p Progress) {
		last = p
		t.Logf("epoch %d step %d loss %.4g R² %.4f %s", p.Epoch, p.Step, p.Loss, p.R2, p.Message)
	}
	spec := s.spec(64, 3, 30)
	if os.Getenv("OMEGA_NONE") != "" {
		spec.Omega = nil
	}
	if v := envInt("OMEGA_SOLVE_EVERY", 0); v > 0 {
		cfg.Alternating.SolveEvery = v
	}
	m, err := Train(context.Background(), spec, s.Data, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fit, _ := ConnectivityFit(m, s.W, 10)
	wc, _ := CorrectedW(m, m.XNorm(), 10)
	var tw, lw [2][]float32
	for i := 0; i < n; i++ {
		c := 0
		if i < k {
			c = 1
		}
		for j := 0; j < n; j++ {
			if i != j {
				tw[c], lw[c] = append(tw[c], s.W[i*n+j]), append(lw[c], wc[i*n+j])
			}
		}
	}
	t.Logf("W R² anchor rows %.4f, input rows %.4f", metrics.R2(tw[0], lw[0]), metrics.R2(tw[1], lw[1]))
	if spec.Omega == nil {
		t.Logf("no Ω*: W R² %.4f slope %.3f", fit.R2, fit.Slope)
		return
	}
	tab, sir := inputScore(m, s, true), inputScore(m, s, false)
	t.Logf("N=%d K=%d T=%d: W R² %.4f slope %.3f; e table R² %.4f slope %.3f; SIREN R² %.4f slope %.3f (fit R² %.4f); %.1f steps/s",
		n, k, frames, fit.R2, fit.Slope, tab.R2, tab.Slope, sir.R2, sir.Slope, m.SirenFitR2(), last.StepsPerSecond)
}
