package gnn

import (
	"math/rand"
	"testing"
	"time"
)

// TestLossGraphMatchesKernels checks that the gorgonia graph built from the
// custom ops gives the same loss and gradients as the fused trainer kernels.
func TestLossGraphMatchesKernels(t *testing.T) {
	for _, v := range []Variant{N2, N4} {
		t.Run(string(v), func(t *testing.T) {
			n, b := 9, 3
			rng := rand.New(rand.NewSource(4))
			m, err := NewModel(ModelSpec{N: n, Variant: v, Phi: NetSpec{Hidden: 16}, Psi: NetSpec{Hidden: 16}}, 2)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.a {
				m.a[k] = float32(rng.NormFloat64())
			}
			d := smallData(n, 10, rng)
			frames := []int{1, 4, 8}
			lg, err := m.NewLossGraph(b)
			if err != nil {
				t.Fatal(err)
			}
			defer lg.Close()
			loss, grads, err := lg.Run(d, frames)
			if err != nil {
				t.Fatal(err)
			}
			wk := m.newBatchWork(b)
			wk.loadFrames(d, frames)
			want, _ := m.lossAndGrad(wk, stepOptions{gradW: true, gradA: true, gradPsi: true})
			if e := relErr(loss, want, 1e-6); e > 1e-5 {
				t.Errorf("graph loss %g, kernels %g", loss, want)
			}
			for k, ref := range [][]float32{m.phi.Grads, m.psi.Grads, m.gw, m.ga} {
				var worst float64
				for i := range ref {
					worst = max(worst, relErr(float64(grads[k][i]), float64(ref[i]), 1e-3))
				}
				if worst > 1e-3 {
					t.Errorf("gradient %d: worst relative difference %.3g", k, worst)
				}
			}
		})
	}
}

// BenchmarkLossGraph compares one loss+gradient evaluation through the
// gorgonia TapeMachine with the direct kernels, at N = 1000, B = 8.
func BenchmarkLossGraph(b *testing.B) {
	n, batch := 1000, 8
	rng := rand.New(rand.NewSource(1))
	m, _ := NewModel(ModelSpec{N: n}, 1)
	d := smallData(n, 64, rng)
	frames := []int{1, 5, 9, 13, 17, 21, 25, 29}
	lg, err := m.NewLossGraph(batch)
	if err != nil {
		b.Fatal(err)
	}
	defer lg.Close()
	wk := m.newBatchWork(batch)
	var tg, tk time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := lg.Run(d, frames); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		wk.loadFrames(d, frames)
		m.lossAndGrad(wk, stepOptions{gradW: true, gradA: true, gradPsi: true})
		tg += t1.Sub(t0)
		tk += time.Since(t1)
	}
	b.ReportMetric(float64(tg.Milliseconds())/float64(b.N), "graph-ms")
	b.ReportMetric(float64(tk.Milliseconds())/float64(b.N), "kernel-ms")
}
