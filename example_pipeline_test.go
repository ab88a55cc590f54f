package ngs_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/ngs-lab/ngs/ops/connect"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/sim"
	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/report"
)

// Example_fig2Pipeline runs Figure 2's pipeline from Go, without a script,
// at a small size: four neuron types (Fig 2's c, s, g), Cauchy wiring,
// simulation (sim.Run), training of the GNN with the alternating solver
// (gnn.Train, its progress through a callback), and the report
// (pipeline.Report: connectivity, edges, types, learned functions against
// the true ones, rollout, training curves and the formulas symbolic
// regression finds), written to a folder and returned as typed metrics.
// The script-level equivalent is scripts/quickstart.ngs.
func Example_fig2Pipeline() {
	const n = 60
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(42, 42))
	w, _ := connect.Cauchy(n, 0, 0, rng)
	names := []string{"A", "B", "C", "D"}
	table := [][3]float32{{1, 1, 10}, {1, 2, 10}, {2, 1, 10}, {2, 2, 10}} // c, s, g of A, B, C, D
	types := make([]int, n)
	params := map[string][]float32{"c": make([]float32, n), "s": make([]float32, n), "g": make([]float32, n)}
	for i := range types {
		types[i] = i * 4 / n
		params["c"][i], params["s"][i], params["g"][i] = table[types[i]][0], table[types[i]][1], table[types[i]][2]
	}
	net := &sim.Network{N: n, Types: types, Params: params, Rule: eqn.N2(), W: w, U0Std: 5}
	rec, err := sim.Run(ctx, net, sim.Options{Dt: 0.01, Frames: 10000, Burnin: 1000, Seed: 42})
	if err != nil {
		fmt.Println(err)
		return
	}

	var history []gnn.Progress
	cfg := gnn.TrainConfig{Epochs: 5, Batch: 16, StepsPerEpoch: 500, Seed: 16,
		Alternating: gnn.AlternatingConfig{SolveEvery: 10},
		LR:          gnn.LearningRates{W: 1e-3, Phi: 5e-4, Psi: 5e-4, Embedding: 7.5e-4},
		Penalties:   gnn.Penalties{PhiZero: gnn.Always(1)},
		OnProgress:  func(p gnn.Progress) { history = append(history, p) }}
	model, err := gnn.Train(ctx, gnn.ModelSpec{N: n}, gnn.Data{U: rec.U, DU: rec.DU, T: rec.Frames, N: n}, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The truth the report compares with: the wiring, the types and the rule.
	truth := &pipeline.Truth{N: n, W: w, Types: types, TypeNames: names, Params: params, Rule: eqn.N2(), Gain: 10}
	for _, p := range table {
		truth.TypeParams = append(truth.TypeParams, map[string]float64{"c": float64(p[0]), "s": float64(p[1]), "g": float64(p[2])})
	}
	dir, err := os.MkdirTemp("", "ngs-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	m, err := pipeline.Report(ctx, pipeline.Fit{Model: model, History: history, Seed: 16},
		&pipeline.Data{U: rec.U, DU: rec.DU, Frames: rec.Frames, Neurons: n, Dt: 0.01}, truth,
		pipeline.ReportConfig{Dir: dir, Meta: report.Meta{Script: "Example_fig2Pipeline", Seed: 16},
			Threshold: 0.1, EdgeRule: report.EdgeRule{Sparsity: math.NaN(), Scale: report.DefaultEdgeScale},
			Rollout: 1000, Symbolic: true, SymbolicBudget: 20000})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Printf("connectivity R² above 0.95: %v\n", m.Connectivity.R2 > 0.95) // 0.9968 when measured
	fmt.Printf("ψ* against tanh, R² above 0.99: %v\n", m.Functions["psi"].R2 > 0.99)
	psi := m.Symbolic.Expressions[0]
	fmt.Printf("formula for ψ* of the true form %s: %v\n", psi.Expected, psi.Selected == "expected form within tolerance")
	_, err = os.Stat(filepath.Join(dir, report.MetricsFile))
	fmt.Printf("metrics.json written: %v\n", err == nil)
	// Output:
	// connectivity R² above 0.95: true
	// ψ* against tanh, R² above 0.99: true
	// formula for ψ* of the true form tanh(u): true
	// metrics.json written: true
}
