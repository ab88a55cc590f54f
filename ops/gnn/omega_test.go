package gnn

import (
	"context"
	"math"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// inputSim is a small N2 network whose first K neurons receive an external
// input e_q(t) on a side×side grid: multiplied into (or added to) their
// input from the network.
type inputSim struct {
	simulation
	K    int
	X, Y []float32
	E    []float32 // T×N true input (1 or 0 for neurons without input)
	Mode InputMode
}

// simulateInput integrates du/dt = -c·u + s·tanh(u) + g·e_i·Σ_j W[i,j]tanh(u_j)
// (multiplicative) or … + g·Σ_j W[i,j]tanh(u_j) + e_i (additive), with
// noise σ = 1 as in Fig 3 (du is recorded without it); field
// gives e for input neuron q at position (x, y) and time t = k/T.
func simulateInput(n, k, frames int, mode InputMode, field func(q int, x, y, t float64) float64, seed int64) inputSim {
	rng := rand.New(rand.NewSource(seed))
	w := cauchyW(n, rng)
	side := int(math.Ceil(math.Sqrt(float64(k))))
	s := inputSim{K: k, Mode: mode}
	for q := 0; q < k; q++ {
		s.X = append(s.X, float32(q%side)/float32(max(side-1, 1)))
		s.Y = append(s.Y, float32(q/side)/float32(max(side-1, 1)))
	}
	types := make([]int, n)
	for i := range types {
		types[i] = min(i*len(fig2Params)/n, len(fig2Params)-1)
	}
	u := make([]float64, n)
	for i := range u {
		u[i] = 5 * rng.NormFloat64()
	}
	th, du, e := make([]float64, n), make([]float64, n), make([]float64, n)
	const dt, burnin, noise = 0.01, 1000, 1.0
	s.simulation = simulation{N: n, T: frames, W: w, Types: types}
	s.Data = Data{U: make([]float32, frames*n), DU: make([]float32, frames*n), T: frames, N: n}
	s.E = make([]float32, frames*n)
	for f := -burnin; f < frames; f++ {
		t := float64(max(f, 0)) / float64(frames)
		for i := range e {
			e[i] = 0
			if mode == Multiplicative {
				e[i] = 1
			}
			if i < k {
				e[i] = field(i, float64(s.X[i]), float64(s.Y[i]), t)
			}
		}
		for j := range u {
			th[j] = math.Tanh(u[j])
		}
		for i := 0; i < n; i++ {
			p := fig2Params[types[i]]
			var sum float64
			for j, wij := range w[i*n : (i+1)*n] {
				sum += float64(wij) * th[j]
			}
			if mode == Multiplicative {
				du[i] = -p[2]*u[i] + p[1]*th[i] + p[0]*e[i]*sum
			} else {
				du[i] = -p[2]*u[i] + p[1]*th[i] + p[0]*sum + e[i]
			}
		}
		if f >= 0 {
			for i := 0; i < n; i++ {
				s.Data.U[f*n+i], s.Data.DU[f*n+i], s.E[f*n+i] = float32(u[i]), float32(du[i]), float32(e[i])
			}
		}
		for i := range u {
			u[i] += dt*du[i] + noise*math.Sqrt(dt)*rng.NormFloat64()
		}
	}
	return s
}

// spec declares Ω* on the simulation's input neurons.
func (s inputSim) spec(hidden, layers int, omega0 float64) ModelSpec {
	o := &OmegaSpec{Siren: nn.SirenSpec{Hidden: hidden, HiddenLayers: layers, Omega0: omega0}, Mode: s.Mode}
	for q := 0; q < s.K; q++ {
		o.Neurons = append(o.Neurons, q)
	}
	o.X, o.Y = s.X, s.Y
	return ModelSpec{N: s.N, Omega: o}
}

// inputScore is the reference's score of a learned input over 100 evenly
// spaced frames: the true √e (multiplicative) or e (additive) against |Ω*|
// (or the signed Ω*) times one scale, R² of a pooled linear fit.
func inputScore(m *Model, s inputSim, table bool) metrics.Fit {
	var truth, learned []float32
	n := s.N
	for k := 0; k < 100; k++ {
		f := k * s.T / 100
		var e []float32
		if table {
			e = m.InputTableField(float32(f) / float32(s.T))
		} else {
			e = m.InputField(float32(f) / float32(s.T))
		}
		for q := 0; q < s.K; q++ {
			tv, lv := s.E[f*n+q], e[q]
			if s.Mode == Multiplicative {
				tv = float32(math.Sqrt(float64(tv)))
				lv = float32(math.Sqrt(math.Abs(float64(lv))))
			}
			truth, learned = append(truth, tv), append(learned, lv)
		}
	}
	return metrics.LinearFit(truth, learned)
}

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
		return 1 + 0.3*math.Sin(2*math.Pi*(x+0.7*y-b)) + 0.15*math.Cos(3*math.Pi*y+2*math.Pi*b) + 0.05*math.Sin(float64(7*q))
	}
	s := simulateInput(n, k, frames, Multiplicative, movie, 5)
	cfg := fig2Config(s.W)
	cfg.Epochs, cfg.StepsPerEpoch = epochs, 1000
	cfg.Input.TimeBins = bins
	cfg.Input.NoRenormalise = os.Getenv("OMEGA_NORENORM") != ""
	cfg.Alternating.SolveEvery = 50
	if os.Getenv("OMEGA_KNOWN") != "" {
		cfg.Input.Known = s.E
	}
	var last Progress
	cfg.OnProgress = func(p Progress) { last = p; t.Logf("epoch %d step %d loss %.4g R² %.4f %s", p.Epoch, p.Step, p.Loss, p.R2, p.Message) }
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
