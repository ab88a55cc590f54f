package report

import (
	"math"
	"math/rand/v2"

	"github.com/ngs-lab/ngs/ops/connect"
)

// synthetic holds small, plausible inputs for every section, built from a
// short simulation of the N2 rule with four types.
type synthetic struct {
	activity     Activity
	connectivity Connectivity
	types        Types
	phi, psi     Functions
	rollout      Rollout
	training     Training
	external     ExternalInput
	symbolic     []Expression
}

var typeParams = [][3]float64{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}} // g, s, c

// cauchyW draws an n×n Cauchy matrix with the production generator
// (connect.Cauchy, as a script's W = cauchy() draws it: clipped at 25,
// scaled by N^-p with the reference's exponent, zero diagonal).
func cauchyW(rng *rand.Rand, n int) []float32 {
	w, err := connect.Cauchy(n, 0, 0, rng)
	if err != nil {
		panic(err) // n ≥ 1 in every test
	}
	return w
}

// simulateN2 integrates the N2 rule for frames steps of dt from u0.
func simulateN2(w []float32, types []int, u0 []float32, frames int, dt float64) []float32 {
	n := len(types)
	out := make([]float32, frames*n)
	u := append([]float32(nil), u0...)
	next := make([]float32, n)
	th := make([]float64, n)
	for k := 0; k < frames; k++ {
		copy(out[k*n:], u)
		for j := range th {
			th[j] = math.Tanh(float64(u[j]))
		}
		for i := 0; i < n; i++ {
			p := typeParams[types[i]]
			var msg float64
			for j, t := range th {
				msg += float64(w[i*n+j]) * t
			}
			du := -p[2]*float64(u[i]) + p[1]*math.Tanh(float64(u[i])) + p[0]*msg
			next[i] = u[i] + float32(dt*du)
		}
		u, next = next, u
	}
	return out
}

func newSynthetic(n, frames int) synthetic {
	rng := rand.New(rand.NewPCG(7, 11))
	var s synthetic
	types := make([]int, n)
	for i := range types {
		types[i] = i * 4 / n
	}
	names := []string{"A", "B", "C", "D"}
	w := cauchyW(rng, n)
	learned := make([]float32, n*n)
	for i := range w {
		learned[i] = 0.97*w[i] + float32(rng.NormFloat64()*0.004)
	}
	u0 := make([]float32, n)
	for i := range u0 {
		u0[i] = float32(5 * rng.NormFloat64())
	}
	u := simulateN2(w, types, u0, frames, 0.01)
	s.activity = Activity{U: u, Frames: frames, Neurons: n, Dt: 0.01, Types: types, TypeNames: names}
	s.connectivity = Connectivity{N: n, True: w, Learned: learned, Raw: scaled(learned, 3.2), Baseline: scaled(w, 1.001)}

	emb := make([]float32, 2*n)
	clusters := make([]int, n)
	for i := range types {
		cx, cy := float64(types[i]%2), float64(types[i]/2)
		emb[2*i] = float32(cx + 0.08*rng.NormFloat64())
		emb[2*i+1] = float32(cy + 0.08*rng.NormFloat64())
		clusters[i] = (types[i] + 1) % 4
		if i%50 == 0 {
			clusters[i] = (clusters[i] + 1) % 4
		}
	}
	// After clustering every neuron carries its cluster's median embedding.
	after := make([]float32, 2*n)
	for i, c := range clusters {
		after[2*i], after[2*i+1] = float32(c%2)+0.5, float32(c/2)+0.5
	}
	s.types = Types{Embeddings: after, Dim: 2, TrueTypes: types, Clusters: clusters, TypeNames: names, Unclustered: emb, UnclusteredWhen: "end of epoch 4"}

	grid := make([]float32, 101)
	for i := range grid {
		grid[i] = float32(-10 + 0.2*float64(i))
	}
	trueR := make([]float32, 4*len(grid))
	for k := 0; k < 4; k++ {
		for g, x := range grid {
			trueR[k*len(grid)+g] = float32(-typeParams[k][2]*float64(x) + typeParams[k][1]*math.Tanh(float64(x)))
		}
	}
	curves := make([]float32, n*len(grid))
	for i := 0; i < n; i++ {
		bias := 0.3 * rng.NormFloat64()
		for g := range grid {
			curves[i*len(grid)+g] = trueR[types[i]*len(grid)+g] + float32(bias+0.1*rng.NormFloat64())
		}
	}
	s.phi = Functions{Grid: grid, Curves: curves, CurveTypes: types, True: trueR, TypeNames: names}
	psiTrue := make([]float32, len(grid))
	psiCurves := make([]float32, 4*len(grid))
	for g, x := range grid {
		psiTrue[g] = float32(math.Tanh(float64(x)))
		for k := 0; k < 4; k++ {
			psiCurves[k*len(grid)+g] = psiTrue[g] * float32(1+0.03*float64(k))
		}
	}
	s.psi = Functions{Grid: grid, Curves: psiCurves, CurveTypes: []int{0, 1, 2, 3}, True: psiTrue, TypeNames: names}

	steps := 1001
	roTrue := simulateN2(w, types, u[(frames-1)*n:], steps, 0.01)
	roLearned := simulateN2(learned, types, u[(frames-1)*n:], steps, 0.01)
	s.rollout = Rollout{True: roTrue, Learned: roLearned, Frames: steps, Neurons: n, Dt: 0.01, Types: types, TypeNames: names}

	var loss, at, r2, r2At []float64
	for k := 1; k <= 200; k++ {
		loss = append(loss, 50*math.Exp(-float64(k)/40)+0.5+0.2*rng.Float64())
		at = append(at, float64(k*100))
		if k%20 == 0 {
			r2 = append(r2, 1-math.Exp(-float64(k)/60))
			r2At = append(r2At, float64(k*100))
		}
	}
	s.training = Training{Loss: loss, LossAt: at, R2: r2, R2At: r2At}

	const side, fieldFrames = 16, 20
	fieldTrue := make([]float32, fieldFrames*side*side)
	fieldLearned := make([]float32, len(fieldTrue))
	for k := 0; k < fieldFrames; k++ {
		for y := 0; y < side; y++ {
			for x := 0; x < side; x++ {
				v := 1 + 0.4*math.Sin(float64(x)/3+float64(k)/4)*math.Cos(float64(y)/4)
				idx := k*side*side + y*side + x
				fieldTrue[idx] = float32(v)
				fieldLearned[idx] = float32(0.5*v + 0.02*rng.NormFloat64())
			}
		}
	}
	s.external = ExternalInput{True: fieldTrue, Learned: fieldLearned, Frames: fieldFrames, Width: side, Height: side}
	s.symbolic = []Expression{
		{Function: "psi", Cluster: -1, Expr: "tanh(u)", Expected: "tanh(u)", Loss: 1e-5, Complexity: 2, R2: 0.9999, LearnedError: 0.004,
			Selected: "expected form within tolerance", Next: []Alternative{{"1.017*tanh(u)", 4e-6, 4}, {"1.017*tanh(u) - 0.005", 3e-6, 6}}},
		{Function: "phi", Cluster: 0, Type: "A", Expr: "-1.01*u + 0.98*tanh(u)", Expected: "-u + tanh(u)", Loss: 2e-4, Complexity: 8, R2: 0.999, LearnedError: 0.02,
			Selected: "expected form within tolerance", Next: []Alternative{{"sin(tanh(u)) - u", 3e-4, 5}}},
		{Function: "phi", Cluster: 1, Type: "B", Expr: "-u + 2*tanh(u)", Expected: "-u + 2*tanh(u)", Loss: 1e-4, Complexity: 7, R2: 0.9995, LearnedError: 0.01, Selected: "PySR score"},
	}
	return s
}

func scaled(v []float32, k float32) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = k * x
	}
	return out
}

// addAll adds every section of s to r, failing on the first error.
func addAll(r *Report, s synthetic) error {
	steps := []func() error{
		func() error { return r.AddActivity(s.activity) },
		func() error { return r.AddConnectivity(s.connectivity) },
		func() error { return r.AddTypes(s.types) },
		func() error { return r.AddUpdateFunctions(s.phi) },
		func() error { return r.AddTransferFunctions(s.psi) },
		func() error { return r.AddRollout(s.rollout) },
		func() error { return r.AddTransfer(s.rollout) },
		func() error { return r.AddTraining(s.training) },
		func() error { return r.AddExternalInput(s.external) },
		func() error { return r.AddSymbolic(Symbolic{Expressions: s.symbolic}) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
