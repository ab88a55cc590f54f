package sim

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/input"
	"github.com/ngs-lab/ngs/ops/npy"
)

// typed returns per-neuron parameter vectors for n neurons in contiguous
// type blocks (rows of table = types, columns named by names) and the types.
func typed(n int, names []string, table [][]float32) (map[string][]float32, []int) {
	params := map[string][]float32{}
	types := make([]int, n)
	for i := range types {
		types[i] = min(i*len(table)/n, len(table)-1)
	}
	for p, name := range names {
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = table[types[i]][p]
		}
		params[name] = vals
	}
	return params, types
}

func gaussianW(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := make([]float32, n*n)
	for k := range w {
		if k/n != k%n {
			w[k] = float32(rng.NormFloat64() / math.Sqrt(float64(n)))
		}
	}
	return w
}

var n4Names = []string{"a", "b", "g", "s", "w", "h"}
var n4Table = [][]float32{{1, 0, 10, 1, 1, 0}, {1, 0, 10, 2, 2, 0}, {2, 0, 10, 1, 4, 0}, {2, 0, 10, 2, 8, 0}}

func smallNetwork(rule *eqn.Expr, n int) *Network {
	names, table := n4Names, n4Table
	if rule == nil {
		rule = eqn.N2()
		names = []string{"g", "s", "c"}
		table = [][]float32{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}}
	}
	params, types := typed(n, names, table)
	return &Network{N: n, Types: types, Params: params, Rule: rule, W: gaussianW(n, 3), U0Std: 5}
}

func maxRelDiff(a, b []float32) (float64, int) {
	worst, at := 0.0, -1
	for k := range a {
		d := math.Abs(float64(a[k]-b[k])) / math.Max(1, math.Abs(float64(b[k])))
		if d > worst || math.IsNaN(d) {
			worst, at = d, k
		}
	}
	return worst, at
}

func TestCompiledStepMatchesReference(t *testing.T) {
	ctx := context.Background()
	n := 50
	cases := map[string]*Network{
		"N2": smallNetwork(nil, n),
		"N4": smallNetwork(eqn.N4(), n),
		"N5": smallNetwork(eqn.N5(), n),
	}
	cases["N5"].Input = input.NewOscillation(n, 2, 0.5, rand.New(rand.NewPCG(1, 1)))
	cases["N4"].Noise = 1
	for name, net := range cases {
		opt := Options{Dt: 0.01, Frames: 120, Burnin: 20, Seed: 5, Unroll: 16, Record: RecordU | RecordDU | RecordE}
		fast, err := Run(ctx, net, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ref, err := Reference(ctx, net, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fast.Frames != 120 || len(fast.U) != 120*n || len(ref.U) != len(fast.U) {
			t.Fatalf("%s: %d frames, %d and %d values", name, fast.Frames, len(fast.U), len(ref.U))
		}
		for what, pair := range map[string][2][]float32{"u": {fast.U, ref.U}, "du": {fast.DU, ref.DU}, "e": {fast.E, ref.E}} {
			if d, at := maxRelDiff(pair[0], pair[1]); d > 1e-5 {
				t.Errorf("%s %s: frame %d neuron %d: compiled %v, reference %v (rel diff %.2g)",
					name, what, at/n, at%n, pair[0][at], pair[1][at], d)
			}
		}
	}
}

func TestDeterministicForSeedAndUnroll(t *testing.T) {
	net := smallNetwork(eqn.N4(), 40)
	net.Noise = 0.5
	run := func(seed uint64, unroll int) []float32 {
		res, err := Run(context.Background(), net, Options{Dt: 0.01, Frames: 50, Burnin: 7, Seed: seed, Unroll: unroll})
		if err != nil {
			t.Fatal(err)
		}
		return res.U
	}
	a, b, c := run(1, 8), run(1, 13), run(2, 8)
	if d, _ := maxRelDiff(a, b); d != 0 {
		t.Fatalf("same seed, different unroll: differ by %g", d)
	}
	if d, _ := maxRelDiff(a, c); d < 1e-3 {
		t.Fatalf("different seeds gave the same run (diff %g)", d)
	}
}

func TestStrideSubsetAndFiles(t *testing.T) {
	n := 30
	net := smallNetwork(nil, n)
	dir := t.TempDir()
	neurons := []int{3, 0, 29}
	opt := Options{Dt: 0.01, Frames: 25, Burnin: 5, Seed: 9, Stride: 4, Neurons: neurons, OutDir: dir, Record: RecordU | RecordDU | RecordE}
	res, err := Run(context.Background(), net, opt)
	if err != nil {
		t.Fatal(err)
	}
	full, err := Run(context.Background(), net, Options{Dt: 0.01, Frames: 25, Burnin: 5, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != 7 || len(res.U) != 7*3 {
		t.Fatalf("%d frames, %d values; want 7 frames of 3", res.Frames, len(res.U))
	}
	for f := 0; f < 7; f++ {
		for k, i := range neurons {
			if res.U[f*3+k] != full.U[4*f*n+i] || res.DU[f*3+k] != full.DU[4*f*n+i] {
				t.Fatalf("frame %d neuron %d differs from the full recording", f, i)
			}
		}
	}
	u, shape, err := npy.ReadFloat32(filepath.Join(dir, "u.npy"))
	if err != nil || shape[0] != 7 || shape[1] != 3 {
		t.Fatalf("u.npy: %v %v", shape, err)
	}
	if d, _ := maxRelDiff(u, res.U); d != 0 {
		t.Fatal("u.npy differs from the in-memory record")
	}
	e, _, err := npy.ReadFloat32(filepath.Join(dir, "e.npy"))
	if err != nil || e[0] != 1 {
		t.Fatalf("e.npy without input should hold 1: %v %v", e[:1], err)
	}
	w, _, err := npy.ReadFloat32Shape(filepath.Join(dir, "W.npy"), n, n)
	if err != nil || w[5] != net.W[5] {
		t.Fatalf("W.npy: %v", err)
	}
	p, _, err := npy.ReadFloat32Shape(filepath.Join(dir, "params.npy"), n, 3)
	if err != nil || p[len(p)-3] != 2 || p[len(p)-1] != 2 { // columns c, g, s of the last type
		t.Fatalf("params.npy: last row %v, %v", p[len(p)-3:], err)
	}
}

func TestDivergenceStopsWithFrameAndNeuron(t *testing.T) {
	n := 8
	rule := eqn.MulE(eqn.U(eqn.Receiver), eqn.U(eqn.Receiver), eqn.P("k", eqn.Receiver))
	k := make([]float32, n)
	k[5] = 1
	u0 := make([]float32, n)
	u0[5] = 1
	net := &Network{N: n, Params: map[string][]float32{"k": k}, Rule: rule, W: make([]float32, n*n), U0: u0}
	dir := t.TempDir()
	res, err := Run(context.Background(), net, Options{Dt: 0.1, Frames: 200, OutDir: dir})
	var derr *DivergenceError
	if !errors.As(err, &derr) || derr.Neuron != 5 {
		t.Fatalf("expected divergence at neuron 5, got %v", err)
	}
	// u' = u² from 1 blows up near t = 1 (step 10); float32 overflows soon after.
	if derr.Frame < 10 || derr.Frame > 20 || res.Frames != derr.Frame {
		t.Fatalf("diverged at frame %d with %d frames kept", derr.Frame, res.Frames)
	}
	u, shape, rerr := npy.ReadFloat32(filepath.Join(dir, "u.npy"))
	if rerr != nil || shape[0] != res.Frames || math.IsInf(float64(u[len(u)-n+5]), 0) {
		t.Fatalf("u.npy after divergence: shape %v err %v", shape, rerr)
	}
}

func TestCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	opt := Options{Dt: 0.01, Frames: 10000, Unroll: 10, Progress: func(Progress) {
		calls++
		if calls == 3 {
			cancel()
		}
	}}
	res, err := Run(ctx, smallNetwork(nil, 20), opt)
	if !errors.Is(err, context.Canceled) || res.Frames != 30 {
		t.Fatalf("err %v after %d frames", err, res.Frames)
	}
}

func TestInvalidInputsAreErrors(t *testing.T) {
	net := smallNetwork(nil, 10)
	bad := []Options{{Dt: 0, Frames: 1}, {Dt: 0.01, Frames: -1}, {Dt: 0.01, Neurons: []int{10}}, {Dt: 0.01, FilesOnly: true}}
	for _, opt := range bad {
		if _, err := Run(context.Background(), net, opt); err == nil {
			t.Errorf("options %+v accepted", opt)
		}
	}
	short := *net
	short.W = short.W[:50]
	if _, err := Run(context.Background(), &short, Options{Dt: 0.01}); err == nil {
		t.Error("a W of 50 values for N = 10 was accepted")
	}
	missing := *net
	missing.Params = map[string][]float32{}
	if _, err := Run(context.Background(), &missing, Options{Dt: 0.01}); err == nil {
		t.Error("a rule with undefined parameters was accepted")
	}
}
