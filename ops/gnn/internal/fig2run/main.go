// Command fig2run measures how fast ops/gnn recovers the Fig 2 wiring: it
// simulates the Fig 2 network (N2 rule, the reference's W and type
// parameters from /work/shared/reference, or a fresh Cauchy W) and trains
// until the plateau-corrected Ŵ reaches a target R² against the true W,
// printing progress, wall time and steps. The true W is used only for the
// progress R² and the stopping rule.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"time"

	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/nn"
	"github.com/ngs-lab/ngs/ops/npy"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fig2run:", err)
		os.Exit(1)
	}
}

func run() error {
	ref := flag.String("ref", "/work/shared/reference", "directory with fig2_W.npy and fig2_params.npy")
	frames := flag.Int("frames", 100000, "recorded frames")
	cache := flag.String("cache", "", "file caching the simulated data (created if missing)")
	solver := flag.String("solver", "alternating", "adam or alternating")
	batch := flag.Int("batch", 16, "frames per step")
	steps := flag.Int("steps", 1000, "steps per epoch")
	epochs := flag.Int("epochs", 20, "maximum epochs")
	every := flag.Int("solve-every", 50, "alternating: steps between Ŵ solves")
	solveFrames := flag.Int("solve-frames", 10000, "alternating: frames in the Gram matrix (0 = default)")
	lr := flag.Float64("lr", 1e-2, "alternating: MLP and embedding learning rate; adam: MLP rate")
	lrW := flag.Float64("lrw", 1e-2, "adam: learning rate of Ŵ")
	target := flag.Float64("target", 0.99, "stop when the corrected Ŵ reaches this R²")
	report := flag.Int("report", 100, "steps between progress lines")
	warmup := flag.Int("warmup", 1000, "alternating: Adam steps before the first solve (at -lrw and -lr-warm)")
	lrWarm := flag.Float64("lr-warm", 2e-3, "alternating warm-up: MLP and embedding learning rate")
	keep := flag.Bool("keep-moments", false, "do not reset Adam's moments at epoch ends")
	adamW := flag.Bool("adamw", false, "alternating: also train Ŵ by Adam between solves (at -lrw)")
	flag.Parse()

	w, params, err := loadReference(*ref)
	if err != nil {
		return err
	}
	n := int(math.Sqrt(float64(len(w))))
	t0 := time.Now()
	d, err := loadOrSimulate(*cache, w, params, n, *frames)
	if err != nil {
		return err
	}
	fmt.Printf("data: N=%d T=%d (%.1fs)\n", n, d.T, time.Since(t0).Seconds())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	var reached gnn.Progress
	adamLR := *lr
	if *solver == "alternating" {
		adamLR = *lrWarm
	}
	cfg := gnn.TrainConfig{Epochs: *epochs, Batch: *batch, StepsPerEpoch: *steps, Seed: 1,
		Solver: gnn.Solver(*solver),
		LR:     gnn.LearningRates{W: *lrW, Phi: adamLR, Psi: adamLR, Embedding: adamLR},
		Alternating: gnn.AlternatingConfig{SolveEvery: *every, Frames: *solveFrames, AdamW: *adamW, WarmupSteps: *warmup,
			WarmupLR: gnn.LearningRates{W: *lrW, Phi: *lrWarm, Psi: *lrWarm, Embedding: *lrWarm},
			LR:       gnn.LearningRates{W: *lrW, Phi: *lr, Psi: *lr, Embedding: *lr}},
		Penalties: gnn.Penalties{PhiZero: gnn.Always(1)},
		TrueW:     w, ProgressEvery: *report, KeepAdamMoments: *keep,
		OnProgress: func(p gnn.Progress) {
			fmt.Printf("epoch %d step %d loss %.4g R2 %.4f slope %.3f %.1f steps/s %.0f frames/s t %.1fs\n",
				p.Epoch, p.Step, p.Loss, p.R2, p.Slope, p.StepsPerSecond, p.FramesPerSecond, time.Since(start).Seconds())
			if p.R2 >= *target && reached.Step == 0 {
				reached = p
				cancel()
			}
		}}
	_, err = gnn.Train(ctx, gnn.ModelSpec{N: n}, d, cfg)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	total := reached.Epoch*(*steps) + reached.Step
	fmt.Printf("RESULT solver=%s batch=%d reached R2 %.4f (slope %.3f) after %d steps (%d frame-samples) in %.1fs\n",
		*solver, *batch, reached.R2, reached.Slope, total, total*(*batch), time.Since(start).Seconds())
	return nil
}

// loadReference reads the reference W (receiver-major) and [g, s, c] rows.
func loadReference(dir string) ([]float32, [][3]float64, error) {
	w, shape, err := npy.ReadFloat32(dir + "/fig2_W.npy")
	if err != nil {
		return nil, nil, err
	}
	if len(shape) != 2 || shape[0] != shape[1] {
		return nil, nil, fmt.Errorf("fig2_W.npy: expected a square matrix, found shape %v", shape)
	}
	p, pshape, err := npy.ReadFloat64(dir + "/fig2_params.npy")
	if err != nil {
		return nil, nil, err
	}
	if len(pshape) != 2 || pshape[1] != 3 {
		return nil, nil, fmt.Errorf("fig2_params.npy: expected types×3, found shape %v", pshape)
	}
	rows := make([][3]float64, pshape[0])
	for k := range rows {
		rows[k] = [3]float64{p[3*k], p[3*k+1], p[3*k+2]}
	}
	fmt.Printf("reference types [g s c]: %v\n", rows)
	return w, rows, nil
}

func loadOrSimulate(cache string, w []float32, params [][3]float64, n, frames int) (gnn.Data, error) {
	d := gnn.Data{U: make([]float32, n*frames), DU: make([]float32, n*frames), T: frames, N: n}
	if cache != "" {
		if f, err := os.Open(cache); err == nil {
			defer f.Close()
			if err := binary.Read(f, binary.LittleEndian, d.U); err != nil {
				return d, fmt.Errorf("cache %s: %w", cache, err)
			}
			if err := binary.Read(f, binary.LittleEndian, d.DU); err != nil {
				return d, fmt.Errorf("cache %s: %w", cache, err)
			}
			return d, nil
		}
	}
	simulate(d, w, params, n, frames)
	if cache != "" {
		f, err := os.Create(cache)
		if err != nil {
			return d, err
		}
		defer f.Close()
		binary.Write(f, binary.LittleEndian, d.U)
		binary.Write(f, binary.LittleEndian, d.DU)
	}
	return d, nil
}

// simulate integrates du/dt = -c·u + s·tanh(u) + g·W·tanh(u) with Euler,
// dt = 0.01, 1000 burn-in steps, u0 ~ N(0, 5²), types in contiguous blocks.
func simulate(d gnn.Data, w []float32, params [][3]float64, n, frames int) {
	rng := rand.New(rand.NewSource(42))
	u := make([]float32, n)
	for i := range u {
		u[i] = float32(5 * rng.NormFloat64())
	}
	th, msg, du := make([]float32, n), make([]float32, n), make([]float32, n)
	W := blas32.General{Rows: n, Cols: n, Stride: n, Data: w}
	for k := -1000; k < frames; k++ {
		for j, v := range u {
			th[j] = float32(math.Tanh(float64(v)))
		}
		blas32.Gemv(blas.NoTrans, 1, W, blas32.Vector{N: n, Inc: 1, Data: th}, 0, blas32.Vector{N: n, Inc: 1, Data: msg})
		nn.ParallelRows(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				p := params[min(i*len(params)/n, len(params)-1)]
				du[i] = float32(-p[2]*float64(u[i]) + p[1]*float64(th[i]) + p[0]*float64(msg[i]))
			}
		})
		if k >= 0 {
			copy(d.U[k*n:], u)
			copy(d.DU[k*n:], du)
		}
		for i := range u {
			u[i] += 0.01 * du[i]
		}
	}
}
