package gnn

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/internal/gradcheck"
	"github.com/ngs-lab/ngs/ops/nn"
)

// smallData returns random activity and targets for gradient checks.
func smallData(n, frames int, rng *rand.Rand) Data {
	d := Data{U: make([]float32, n*frames), DU: make([]float32, n*frames), T: frames, N: n}
	for k := range d.U {
		d.U[k] = float32(3 * rng.NormFloat64())
		d.DU[k] = float32(2 * rng.NormFloat64())
	}
	return d
}

// TestLossGradientsMatchFiniteDifferences checks every parameter group's
// gradient of the full loss (data term and all penalties) for the N2 and N4
// variants and both input modes of Ω*.
func TestLossGradientsMatchFiniteDifferences(t *testing.T) {
	n := 6
	cases := []struct {
		name string
		spec ModelSpec
	}{
		{"N2-relu", ModelSpec{N: n}},
		{"N2", ModelSpec{N: n, Psi: NetSpec{Activation: "tanh"}, Phi: NetSpec{Activation: "tanh"}}},      // 64 wide: the AVX-512 path
		{"N2-grid", ModelSpec{N: n, Psi: NetSpec{Activation: "tanh"}, Phi: NetSpec{Activation: "tanh"}}}, // ψ* through a grid (psigrid.go)
		{"N5", ModelSpec{N: n, Variant: N5, Psi: NetSpec{Activation: "tanh", Hidden: 8}, Phi: NetSpec{Activation: "tanh", Hidden: 8}}},
		{"N4", ModelSpec{N: n, Variant: N4, Psi: NetSpec{Activation: "tanh", Hidden: 8}, Phi: NetSpec{Activation: "tanh", Hidden: 8}}},
		{"omega-mult", ModelSpec{N: n, Phi: NetSpec{Activation: "tanh", Hidden: 8}, Psi: NetSpec{Activation: "tanh", Hidden: 8},
			Omega: &OmegaSpec{Siren: nn.SirenSpec{Hidden: 8, HiddenLayers: 2, Omega0: 3}, Neurons: []int{1, 4}, X: []float32{0.2, 0.7}, Y: []float32{0.5, 0.1}}}},
		{"omega-add", ModelSpec{N: n, Phi: NetSpec{Activation: "tanh", Hidden: 8}, Psi: NetSpec{Activation: "tanh", Hidden: 8},
			Omega: &OmegaSpec{Siren: nn.SirenSpec{Hidden: 8, HiddenLayers: 2, Omega0: 3}, Neurons: []int{0, 5}, X: []float32{0.2, 0.7}, Y: []float32{0.5, 0.1}, Mode: Additive}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(11))
			m, err := NewModel(tc.spec, 1)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.a {
				m.a[k] = float32(rng.NormFloat64())
			}
			for k := range m.psi.Params { // make ψ* non-monotone so edge_diff is active
				m.psi.Params[k] += float32(0.5 * rng.NormFloat64())
			}
			d := smallData(n, 20, rng)
			wk := m.newBatchWork(3)
			if strings.HasSuffix(tc.name, "-grid") {
				m.usePsiGrid(wk, newPsiGrid(-12, 12, 0.5, 256))
			}
			wk.loadFrames(d, []int{2, 7, 13})
			opt := stepOptions{gradW: true, gradA: true, gradPsi: true, gradOmega: true,
				phiZero: 0.7, edgeDiff: 2, wL1: 0.05, delta: 0.3}
			loss := func() float64 { _, total := m.lossAndGrad(wk, opt); return total }
			zero := func() {
				clear(m.gw)
				clear(m.ga)
				m.phi.ZeroGrads()
				m.psi.ZeroGrads()
				if m.omega != nil {
					m.omega.ZeroGrads()
				}
			}
			zero()
			// edge_diff sends no gradient to a (only ψ* learns from it), so
			// the embeddings are checked on the loss without it.
			noEdge := opt
			noEdge.edgeDiff = 0
			m.lossAndGrad(wk, noEdge)
			gradA := append([]float32(nil), m.ga...)
			zero()
			m.lossAndGrad(wk, opt)
			groups := map[string][2][]float32{
				"W":   {m.w, append([]float32(nil), m.gw...)},
				"a":   {m.a, gradA},
				"phi": {m.phi.Params, append([]float32(nil), m.phi.Grads...)},
				"psi": {m.psi.Params, append([]float32(nil), m.psi.Grads...)},
			}
			if m.omega != nil {
				groups["omega"] = [2][]float32{m.omega.Params, append([]float32(nil), m.omega.Grads...)}
			}
			q := 0.5 // ReLU probes may straddle a kink (the tanh cases check all)
			if tc.spec.Psi.Activation == "tanh" {
				q = 1
			}
			for name, g := range groups {
				params, grads := g[0], g[1]
				var idx []int
				for k := range params {
					if name != "W" || k/n != k%n { // Ŵ's diagonal is fixed at 0
						idx = append(idx, k)
					}
				}
				f := loss
				if name == "a" {
					f = func() float64 { _, total := m.lossAndGrad(wk, noEdge); return total }
				}
				errs := fdErrors(func() float64 { zero(); return f() }, params, grads, idx)
				if e := gradcheck.Quantile(errs, q); e > 3e-2 {
					t.Errorf("%s: gradient error quantile %.2f = %.3g", name, q, e)
				}
			}
		})
	}
}

// fdErrors returns sorted relative errors of central differences (step
// 1e-3, floor 5e-2) against grads at the given coordinates (at most 40).
func fdErrors(loss func() float64, params, grads []float32, idx []int) []float64 {
	if len(idx) > 40 {
		rng := rand.New(rand.NewSource(int64(len(idx))))
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		idx = idx[:40]
	}
	sub := make([]float32, len(idx))
	subG := make([]float32, len(idx))
	for k, i := range idx {
		subG[k] = grads[i]
	}
	// GradCheck perturbs its params slice in place: route the perturbation
	// of sub[k] into params[idx[k]].
	wrapped := func() float64 {
		for k, i := range idx {
			params[i] = sub[k]
		}
		return loss()
	}
	for k, i := range idx {
		sub[k] = params[i]
	}
	errs := gradcheck.Check(wrapped, sub, subG, len(idx), 1e-3, 5e-2, rand.New(rand.NewSource(1)))
	for k, i := range idx {
		params[i] = sub[k]
	}
	return errs
}
