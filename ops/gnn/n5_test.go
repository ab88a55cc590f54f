package gnn

import (
	"math/rand"
	"testing"
)

// TestN5GroupsMatchSingletons checks that grouping receivers by identical
// embedding gives every receiver the message Σ_j Ŵ[i,j]·ψ*(u_j, a_i, a_j)
// of its own embedding.
func TestN5GroupsMatchSingletons(t *testing.T) {
	n := 12
	rng := rand.New(rand.NewSource(3))
	m, err := NewModel(ModelSpec{N: n, Variant: N5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ { // three clusters of embeddings
		m.a[2*i], m.a[2*i+1] = float32(i%3), float32(1-i%3)
	}
	if g := m.receiverGroups(false); len(g) != 3 {
		t.Fatalf("%d groups, expected 3", len(g))
	}
	d := smallData(n, 8, rng)
	wk := m.newBatchWork(4)
	frames := []int{0, 3, 5, 7}
	wk.loadFrames(d, frames)
	m.forward(wk, 4)
	for b, f := range frames {
		u := d.U[f*n : (f+1)*n]
		for i := 0; i < n; i++ {
			var s float64
			for j := 0; j < n; j++ {
				v, _ := m.Psi([]float32{u[j]}, m.a[2*i:2*i+2], m.a[2*j:2*j+2])
				s += float64(m.w[i*n+j]) * float64(v[0])
			}
			if relErr(float64(wk.msg[b*n+i]), s, 1e-4) > 1e-4 {
				t.Fatalf("frame %d, receiver %d: message %g, expected %g", f, i, wk.msg[b*n+i], s)
			}
		}
	}
}

// TestInputField checks e = Ω*² (multiplicative) or the signed Ω*
// (additive) on input neurons, and the fill value elsewhere.
func TestInputField(t *testing.T) {
	for _, mode := range []InputMode{Multiplicative, Additive} {
		spec := ModelSpec{N: 5, Omega: &OmegaSpec{Neurons: []int{1, 3}, X: []float32{0.1, 0.9}, Y: []float32{0.5, 0.2}, Mode: mode}}
		m, err := NewModel(spec, 1)
		if err != nil {
			t.Fatal(err)
		}
		e := m.InputField(0.25)
		om, _ := m.Omega([]float32{0.1, 0.9}, []float32{0.5, 0.2}, []float32{0.25, 0.25})
		fill := float32(1)
		if mode == Additive {
			fill = 0
		}
		want := []float32{fill, omegaToE(mode, om[0]), fill, omegaToE(mode, om[1]), fill}
		if mode == Additive && (want[1] != om[0] || want[3] != om[1]) {
			t.Fatalf("additive: e is not the signed Ω*")
		}
		for i := range want {
			if e[i] != want[i] {
				t.Fatalf("%s: e[%d] = %g, expected %g", mode, i, e[i], want[i])
			}
		}
	}
	if _, err := NewModel(ModelSpec{N: 5, Omega: &OmegaSpec{Neurons: []int{7}, X: []float32{0}, Y: []float32{0}}}, 1); err == nil {
		t.Error("input neuron outside the network accepted")
	}
}

// TestN5GroupedGradients checks Ŵ, φ* and ψ* gradients of the grouped N5
// path (embeddings frozen, three clusters) against finite differences.
func TestN5GroupedGradients(t *testing.T) {
	n := 9
	rng := rand.New(rand.NewSource(8))
	m, err := NewModel(ModelSpec{N: n, Variant: N5, Psi: NetSpec{Activation: "tanh", Hidden: 8}, Phi: NetSpec{Activation: "tanh", Hidden: 8}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m.a[2*i], m.a[2*i+1] = float32(i%3), float32(1-i%3)
	}
	d := smallData(n, 10, rng)
	wk := m.newBatchWork(2)
	wk.loadFrames(d, []int{2, 6})
	opt := stepOptions{gradW: true, gradPsi: true, phiZero: 0.5, wL1: 0.01}
	zero := func() {
		clear(m.gw)
		m.phi.ZeroGrads()
		m.psi.ZeroGrads()
	}
	zero()
	m.lossAndGrad(wk, opt)
	if len(wk.n5.groups) != 3 {
		t.Fatalf("%d receiver groups, expected 3", len(wk.n5.groups))
	}
	groups := map[string][2][]float32{
		"W":   {m.w, append([]float32(nil), m.gw...)},
		"phi": {m.phi.Params, append([]float32(nil), m.phi.Grads...)},
		"psi": {m.psi.Params, append([]float32(nil), m.psi.Grads...)},
	}
	loss := func() float64 { zero(); _, total := m.lossAndGrad(wk, opt); return total }
	for name, g := range groups {
		var idx []int
		for k := range g[0] {
			if name != "W" || k/n != k%n {
				idx = append(idx, k)
			}
		}
		errs := fdErrors(loss, g[0], g[1], idx)
		if e := errs[len(errs)-1]; e > 3e-2 {
			t.Errorf("%s: worst gradient error %.3g", name, e)
		}
	}
}

// TestN5ReceiverEmbeddingGradients checks the embeddings' gradients of the
// grouped N5 path against finite differences: with three groups of
// receivers that share an embedding, perturbing one receiver's a_i changes
// only its own messages, so each receiver needs its own gradient through
// ψ*'s receiver input (an even split of the group's gradient fails this).
// ψ*'s parameter gradients must not change with the extra Jacobian pass.
func TestN5ReceiverEmbeddingGradients(t *testing.T) {
	n := 9
	rng := rand.New(rand.NewSource(8))
	m, err := NewModel(ModelSpec{N: n, Variant: N5, Psi: NetSpec{Activation: "tanh", Hidden: 8}, Phi: NetSpec{Activation: "tanh", Hidden: 8}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		m.a[2*i], m.a[2*i+1] = float32(i%3), float32(1-i%3)
	}
	d := smallData(n, 10, rng)
	wk := m.newBatchWork(2)
	wk.loadFrames(d, []int{2, 6})
	opt := stepOptions{gradW: true, gradPsi: true, gradA: true, phiZero: 0.5}
	zero := func() {
		clear(m.gw)
		clear(m.ga)
		m.phi.ZeroGrads()
		m.psi.ZeroGrads()
	}
	zero()
	m.lossAndGrad(wk, opt)
	if len(wk.n5.groups) != 3 {
		t.Fatalf("%d receiver groups, expected 3", len(wk.n5.groups))
	}
	ga := append([]float32(nil), m.ga...)
	psiGrads := append([]float32(nil), m.psi.Grads...)
	// The same step without embedding gradients gives the same ψ* gradients.
	zero()
	m.lossAndGrad(wk, stepOptions{gradW: true, gradPsi: true, phiZero: 0.5})
	for k, v := range m.psi.Grads {
		if relErr(float64(v), float64(psiGrads[k]), 1e-6) > 1e-5 {
			t.Fatalf("ψ* gradient %d is %g with embedding gradients on, %g without", k, psiGrads[k], v)
		}
	}
	all := make([]int, len(m.a))
	for k := range all {
		all[k] = k
	}
	loss := func() float64 { zero(); _, total := m.lossAndGrad(wk, opt); return total }
	errs := fdErrors(loss, m.a, ga, all)
	if e := errs[len(errs)-1]; e > 3e-2 {
		t.Errorf("embeddings: worst gradient error %.3g (errors %v)", e, errs)
	}
	// Members of one group get different gradients (not one shared step).
	if ga[0] == ga[6] && ga[1] == ga[7] {
		t.Errorf("receivers 0 and 6 (one group) got the same gradient %g, %g", ga[0], ga[1])
	}
}
