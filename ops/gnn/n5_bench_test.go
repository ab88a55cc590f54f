package gnn

import (
	"fmt"
	"math/rand"
	"testing"
)

// BenchmarkN5VsN2 times, at N = 1000 with batch 16, one Adam step of the
// alternating recipe (φ*, ψ* and embeddings trained, Ŵ frozen) and one
// exact Ŵ solve (10,000 Gram frames) for N2 and for N5 with its receivers
// quantised into n5QuantisedGroups groups (embeddings all distinct, as
// while they train). The recipe solves every 50 steps, so a step costs
// step + solve/50 on average. solve-N5-without-own-terms is the N5 solve
// without its own-term columns and φ* refit (n5own.go), for their cost.
func BenchmarkN5VsN2(b *testing.B) {
	n, frames, batch := 1000, 10000, 16
	d := smallData(n, frames, rand.New(rand.NewSource(1)))
	for _, v := range []Variant{N2, N5} {
		m, _ := NewModel(ModelSpec{N: n, Variant: v}, 1)
		rng := rand.New(rand.NewSource(2))
		for k := range m.a {
			m.a[k] = float32(rng.NormFloat64())
		}
		cfg := TrainConfig{Epochs: 1, Batch: batch, StepsPerEpoch: 1, Solver: SolverAdam, Seed: 1,
			LR: LearningRates{W: 1e-3, Phi: 5e-4, Psi: 5e-4, Embedding: 7.5e-4}}.withDefaults(d.T)
		b.Run(fmt.Sprintf("step-%s", v), func(b *testing.B) {
			tr := newTrainer(m, d, cfg)
			tr.rng = rand.New(rand.NewSource(3))
			opt := tr.options(0)
			opt.gradW = false
			opt.gradA = true
			tr.step(opt)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.step(opt)
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
		})
		b.Run(fmt.Sprintf("solve-%s", v), func(b *testing.B) {
			train, val := splitFrames(frames, 0.1)
			s := newWSolver(m, d, cfg.Alternating, train, strided(val, 512))
			for i := 0; i < b.N; i++ {
				s.solve()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/solve")
		})
		if v == N5 {
			// the same solve without the own-term columns (n5own.go)
			b.Run("solve-N5-without-own-terms", func(b *testing.B) {
				defer func(v bool) { n5OwnTerms = v }(n5OwnTerms)
				n5OwnTerms = false
				train, val := splitFrames(frames, 0.1)
				s := newWSolver(m, d, cfg.Alternating, train, strided(val, 512))
				for i := 0; i < b.N; i++ {
					s.solve()
				}
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/solve")
			})
		}
	}
}
