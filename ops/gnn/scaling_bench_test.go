package gnn

import (
	"context"
	"fmt"
	"math/rand"
	randv2 "math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/ops/connect"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/sim"
)

// scalingEnv reads a whole-number setting of BenchmarkScaling.
func scalingEnv(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		b.Fatalf("%s=%q: expected a whole number > 0", name, s)
	}
	return v
}

// BenchmarkScaling measures, at one network size, every per-step cost of a
// run like Supp 11 (scripts/bench/scaling.sh drives it for N = 1000 to
// 8000 under /usr/bin/time -v for the peak memory):
//
//   - simulation: Fig 2's four types with Cauchy weights and noise 1,
//     NGS_SCALING_FRAMES frames (default 300) recorded in memory;
//   - training on those frames with the default alternating recipe (batch
//     16): NGS_SCALING_STEPS warm-up steps (Adam on Ŵ, φ*, ψ*, a) and as
//     many alternating steps (Ŵ frozen);
//   - one exact solve of Ŵ: the Gram and cross-product matrices over
//     NGS_SCALING_GRAM frames (default 1024, cycling through the training
//     frames when there are fewer), timed per frame, and the rest of the
//     solve (φ*/ψ* tables and the regularised Cholesky solve), in seconds.
//
// N is NGS_SCALING_N (default 1000); NGS_SCALING_SOLVE=0 leaves out the
// regularised solve (reported as 0 seconds), whose cost grows as N³. It prints one tab-separated line
// starting with "scaling" (N, simulation ms per frame, warm-up and
// alternating ms per step, Gram ms per frame, Gram frames, solve seconds)
// and reports the same as benchmark metrics. Run it with -benchtime 1x.
func BenchmarkScaling(b *testing.B) {
	n := scalingEnv(b, "NGS_SCALING_N", 1000)
	frames := scalingEnv(b, "NGS_SCALING_FRAMES", 300)
	steps := scalingEnv(b, "NGS_SCALING_STEPS", 20)
	gram := scalingEnv(b, "NGS_SCALING_GRAM", 1024)
	for i := 0; i < b.N; i++ {
		// Simulation.
		w, err := connect.Cauchy(n, 0, 0, randv2.New(randv2.NewPCG(1, 1)))
		if err != nil {
			b.Fatal(err)
		}
		table := [][]float32{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}}
		params := map[string][]float32{"g": make([]float32, n), "s": make([]float32, n), "c": make([]float32, n)}
		types := make([]int, n)
		for j := 0; j < n; j++ {
			types[j] = 4 * j / n
			params["g"][j], params["s"][j], params["c"][j] = table[types[j]][0], table[types[j]][1], table[types[j]][2]
		}
		net := &sim.Network{N: n, Types: types, Params: params, Rule: eqn.N2(), W: w, U0Std: 5, Noise: 1}
		start := time.Now()
		res, err := sim.Run(context.Background(), net, sim.Options{Dt: 0.01, Frames: frames, Burnin: 10, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		simMs := time.Since(start).Seconds() * 1e3 / float64(frames+10)
		d := Data{U: res.U, DU: res.DU, T: res.Frames, N: n}

		// Training steps: the warm-up (Ŵ trained by Adam), then the
		// alternating phase (Ŵ frozen between solves).
		m, err := NewModel(ModelSpec{N: n}, 1)
		if err != nil {
			b.Fatal(err)
		}
		cfg := TrainConfig{Epochs: 1, Seed: 1, Solver: SolverAlternating}.withDefaults(d.T)
		tr := newTrainer(m, d, cfg)
		tr.rng = rand.New(rand.NewSource(1))
		timeSteps := func() float64 {
			tr.setPhase()
			opt := tr.options(0)
			tr.step(opt) // first step allocates the penalty buffers
			start := time.Now()
			for k := 0; k < steps; k++ {
				tr.step(opt)
			}
			return time.Since(start).Seconds() * 1e3 / float64(steps)
		}
		warmMs := timeSteps()
		m.track.Steps = max(cfg.Alternating.WarmupSteps, 0) + 1
		altMs := timeSteps()

		// One exact solve of Ŵ over gram frames.
		// The Gram frames cycle through the training frames when there are
		// fewer: the cost does not depend on the values.
		s := tr.solver
		s.frames = s.frames[:0]
		for k := 0; k < gram; k++ {
			s.frames = append(s.frames, tr.train[k%len(tr.train)])
		}
		start = time.Now()
		tb := s.tables()
		tablesS := time.Since(start).Seconds()
		start = time.Now()
		s.accumulate(tb)
		gramMs := time.Since(start).Seconds() * 1e3 / float64(len(s.frames))
		solveS := 0.0 // not measured
		if os.Getenv("NGS_SCALING_SOLVE") != "0" {
			start = time.Now()
			flat := flatSenders(s.colSum, s.colSq, len(s.frames))
			_, rep := robustSolve(s.gram, s.cross, n, s.cfg.Ridge, flat, s.colSum, s.rsum, len(s.frames), &s.work)
			solveS = time.Since(start).Seconds() + tablesS
			fmt.Printf("# N = %d: solve by %s (ridge %.3g, condition %.3g), tables %.3g s\n", n, rep.Method, rep.Ridge, rep.Cond, tablesS)
		}

		fmt.Printf("scaling\t%d\t%.4g\t%.4g\t%.4g\t%.4g\t%d\t%.4g\n", n, simMs, warmMs, altMs, gramMs, len(s.frames), solveS)
		b.ReportMetric(simMs, "sim-ms/frame")
		b.ReportMetric(warmMs, "warmup-ms/step")
		b.ReportMetric(altMs, "alt-ms/step")
		b.ReportMetric(gramMs, "gram-ms/frame")
		b.ReportMetric(solveS, "solve-s")
	}
}
