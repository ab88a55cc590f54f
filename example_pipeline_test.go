package ngs_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/ngs-lab/ngs/ops/connect"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/sim"
	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/report"
)

// Example_fig2Pipeline runs Figure 2's pipeline from Go, without a script,
// at a small size: four neuron types (Fig 2's c, s, g), Cauchy wiring,
// simulation, training of the GNN with the alternating solver, then the
// report (connectivity, learned functions against the true ones, types,
// formulas found by symbolic regression) written to a folder, whose typed
// metrics the program reads. The script-level equivalent is
// scripts/quickstart.ngs.
func Example_fig2Pipeline() {
	const n = 60
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(42, 42))
	w, _ := connect.Cauchy(n, 0, 0, rng)
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

	cfg := gnn.TrainConfig{Epochs: 5, Batch: 16, StepsPerEpoch: 500, Seed: 16,
		Alternating: gnn.AlternatingConfig{SolveEvery: 10},
		LR:          gnn.LearningRates{W: 1e-3, Phi: 5e-4, Psi: 5e-4, Embedding: 7.5e-4},
		Penalties:   gnn.Penalties{PhiZero: gnn.Always(1)}}
	model, err := gnn.Train(ctx, gnn.ModelSpec{N: n}, gnn.Data{U: rec.U, DU: rec.DU, T: rec.Frames, N: n}, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}

	// The report: each section from plain Go data, its numbers in the
	// typed report.Metrics.
	dir, err := os.MkdirTemp("", "ngs-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	r := report.New(dir, report.Meta{Script: "Example_fig2Pipeline", Seed: 16})
	corrected, _ := gnn.CorrectedW(model, model.XNorm(), 10)
	r.AddConnectivity(report.Connectivity{N: n, True: w, Learned: corrected, Raw: model.W()})

	// The learned φ* and ψ* (divided by its plateau) against the true
	// functions of each type, on a grid over the activity's range.
	names := []string{"A", "B", "C", "D"}
	grid := make([]float32, 200)
	for k := range grid {
		grid[k] = float32(model.XNorm() * (-1 + 2*float64(k)/199))
	}
	truth := &pipeline.TrueFunctions{Types: types, TypeNames: names, Phi: make([][]float32, 4), Psi: make([][]float32, 4)}
	typeParams := make([]map[string]float64, 4)
	for t, p := range table {
		c, s := float64(p[0]), float64(p[1])
		typeParams[t] = map[string]float64{"c": c, "s": s, "g": float64(p[2])}
		for _, u := range grid {
			truth.Phi[t] = append(truth.Phi[t], float32(-c*float64(u)+s*math.Tanh(float64(u))))
			truth.Psi[t] = append(truth.Psi[t], float32(math.Tanh(float64(u))))
		}
	}
	truth.PhiForms, truth.PsiForms = pipeline.ExpectedForms(eqn.N2(), typeParams)
	phi := model.SamplePhi(grid)
	psi, err := pipeline.TransferCurves(model, grid)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.AddUpdateFunctions(report.Functions{Grid: grid, Curves: phi, CurveTypes: types, True: flat(truth.Phi), TypeNames: names})
	r.AddTransferFunctions(report.Functions{Grid: grid, Curves: psi, CurveTypes: types, True: flat(truth.Psi), TypeNames: names})

	// Types: clusters of the learned embeddings; formulas for ψ* and each
	// cluster's φ*.
	labels, clusters, err := pipeline.Clusters(model, 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	r.AddTypes(report.Types{Embeddings: model.Embeddings(), Dim: model.Spec().EmbeddingDim, TrueTypes: types, Clusters: labels, TypeNames: names})
	curves := pipeline.LearnedCurves{Grid: grid, Phi: phi, Psi: psi, Labels: labels, Clusters: clusters, PsiShared: model.Spec().PsiShared()}
	formulas, err := pipeline.Symbolic(ctx, curves, truth, pipeline.SymbolicConfig{Budget: 20000, Seed: 16})
	if err != nil {
		fmt.Println(err)
		return
	}
	r.AddSymbolic(formulas)
	if err := r.Close(); err != nil {
		fmt.Println(err)
		return
	}

	m := r.Metrics()
	score, _ := eval.Connectivity(corrected, w, n)
	fmt.Printf("connectivity R² above 0.95: %v\n", m.Connectivity.R2 > 0.95 && m.Connectivity.R2 == score.R2)
	fmt.Printf("ψ* against tanh: R² above 0.99: %v\n", m.Functions["psi"].R2 > 0.99)
	psiFormula := m.Symbolic.Expressions[0]
	fmt.Printf("ψ* formula %s: of the true form %s: %v\n", psiFormula.Function, psiFormula.Expected, psiFormula.Selected == "expected form within tolerance")
	_, err = os.Stat(dir + "/" + report.MetricsFile)
	fmt.Printf("metrics.json written: %v\n", err == nil)
	// Output:
	// connectivity R² above 0.95: true
	// ψ* against tanh: R² above 0.99: true
	// ψ* formula psi: of the true form tanh(u): true
	// metrics.json written: true
}

// flat concatenates rows.
func flat(rows [][]float32) []float32 {
	var out []float32
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}
