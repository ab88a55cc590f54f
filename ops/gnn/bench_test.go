package gnn

import (
	"fmt"
	"math/rand"
	"testing"
)

// BenchmarkStep measures one Adam training step (forward, backward, update)
// at N = 1000 for several batch sizes; it reports ms per frame and the
// achieved GFLOP/s (counting the MLP and message products' multiply-adds).
func BenchmarkStep(b *testing.B) {
	n := 1000
	rng := rand.New(rand.NewSource(1))
	d := smallData(n, 512, rng)
	for _, batch := range []int{8, 16, 64, 256} {
		b.Run(fmt.Sprintf("N1000-B%d", batch), func(b *testing.B) {
			m, _ := NewModel(ModelSpec{N: n}, 1)
			cfg := TrainConfig{Epochs: 1, Batch: batch, StepsPerEpoch: 1, Solver: SolverAdam, Seed: 1,
				LR: LearningRates{W: 1e-3, Phi: 5e-4, Psi: 5e-4, Embedding: 7.5e-4}, Penalties: Penalties{PhiZero: Always(1)}}.withDefaults(d.T)
			tr := newTrainer(m, d, cfg)
			tr.rng = rand.New(rand.NewSource(1)) // set per epoch by train
			opt := tr.options(0)
			tr.step(opt)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.step(opt)
			}
			frames := float64(b.N * batch)
			b.ReportMetric(b.Elapsed().Seconds()*1e3/frames, "ms/frame")
			psiRows := batch * n
			if tr.wk.grid != nil {
				psiRows = len(tr.wk.grid.grid.in)
			}
			b.ReportMetric(stepFlops(m, batch, psiRows)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// stepFlops counts 2·multiply-adds of one step: forward and backward (×3)
// of φ* over B·N rows and of ψ* over psiRows (B·N, or its grid's points),
// the message product and its two gradients.
func stepFlops(m *Model, batch, psiRows int) float64 {
	n := float64(m.N())
	rows := float64(batch) * n
	macs := 3 * (rows*float64(m.phi.Spec.ParamCount()) + float64(psiRows)*float64(m.psi.Spec.ParamCount()))
	macs += 3 * float64(batch) * n * n
	return 2 * macs
}
