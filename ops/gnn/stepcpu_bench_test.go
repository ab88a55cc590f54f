//go:build unix

package gnn

import (
	"fmt"
	"math/rand"
	"syscall"
	"testing"
	"time"
)

// processCPU returns the process's user plus system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStepCPU times one training step of the default alternating
// recipe (batch 16) at N = 1000, 2048 and 8000 on random frames, in its
// two phases: the warm-up (Adam on Ŵ, φ*, ψ* and a: the message product,
// dΨ = dM·Ŵ and Ŵ's gradient) and the alternating phase (Ŵ frozen: the
// message product and dΨ only). It reports wall and CPU milliseconds per
// step: on a shared machine a niced benchmark waits for the cores, which
// inflates wall time but not CPU time. -test.bench 'StepCPU/N1000' picks
// one size.
func BenchmarkStepCPU(b *testing.B) {
	for _, n := range []int{1000, 2048, 8000} {
		for _, phase := range []string{"warmup", "alt"} {
			b.Run(fmt.Sprintf("N%d/%s", n, phase), func(b *testing.B) {
				rng := rand.New(rand.NewSource(1))
				d := smallData(n, 64, rng)
				m, err := NewModel(ModelSpec{N: n}, 1)
				if err != nil {
					b.Fatal(err)
				}
				cfg := TrainConfig{Epochs: 1, Seed: 1, Solver: SolverAlternating}.withDefaults(d.T)
				tr := newTrainer(m, d, cfg)
				tr.rng = rand.New(rand.NewSource(1))
				if phase == "alt" {
					m.track.Steps = max(cfg.Alternating.WarmupSteps, 0) + 1
				}
				tr.setPhase()
				opt := tr.options(0)
				tr.step(opt) // the first step allocates the buffers
				cpu0 := processCPU()
				b.ResetTimer()
				for b.Loop() {
					tr.step(opt)
				}
				cpu := processCPU() - cpu0
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "wall-ms/step")
				b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/step")
			})
		}
	}
}
