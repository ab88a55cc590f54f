package gnn

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/internal/memory"
)

// The estimate at the paper's largest scale (Supp 11: N = 8000, T = 100,000)
// follows the allocations: u and du 3.2 GB each, 6·N² float32 for Ŵ and its
// Adam state, 2·N² float64 + 2·N² float32 of Gram matrices, 5·N² float64 +
// N² float32 at a solve; the MLP work of a batch of 16·8000 rows is a few
// hundred MB, and the whole lies between 10 and 13 GB.
func TestEstimateMemorySupp11(t *testing.T) {
	const n, T = 8000, 100_000
	e := EstimateMemory(ModelSpec{N: n}, TrainConfig{}, T)
	n2 := float64(n) * n
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"data", e.Data, 6.4e9}, {"weights", e.Weights, 24 * n2}, {"gram", e.Gram, 24 * n2}, {"solve", e.Solve, 30 * n2}} {
		if math.Abs(c.got-c.want) > 1e-9*c.want {
			t.Errorf("%s: %g bytes, want %g", c.name, c.got, c.want)
		}
	}
	if e.Work < 1e8 || e.Work > 1e9 {
		t.Errorf("MLP work %s, expected between 100 MB and 1 GB", memory.Bytes(e.Work))
	}
	if tot := e.Total(); tot < 10e9 || tot > 13e9 || math.Abs(tot-e.Data-e.Training()) > 1 {
		t.Errorf("total %s (training %s)", memory.Bytes(tot), memory.Bytes(e.Training()))
	}
	// The Adam solver keeps no Gram matrices.
	if a := EstimateMemory(ModelSpec{N: n}, TrainConfig{Solver: SolverAdam}, T); a.Gram != 0 || a.Solve != 0 {
		t.Errorf("adam solver: Gram %g, solve %g", a.Gram, a.Solve)
	}
	// Memory grows as N² in the weights and linearly in T in the data.
	small := EstimateMemory(ModelSpec{N: n / 2}, TrainConfig{}, T/2)
	if r := e.Weights / small.Weights; math.Abs(r-4) > 1e-9 {
		t.Errorf("weights ratio for 2N: %g, want 4", r)
	}
	if r := e.Data / small.Data; math.Abs(r-4) > 1e-9 {
		t.Errorf("data ratio for 2N, 2T: %g, want 4", r)
	}
}

// A training run beyond the limit is refused before anything is allocated,
// with every part of the estimate and the limit in the message.
func TestCheckMemoryRefuses(t *testing.T) {
	spec := ModelSpec{N: 8000}
	err := CheckMemory(spec, TrainConfig{}, 100_000, false, 8e9)
	var me *memory.Error
	if !errors.As(err, &me) {
		t.Fatalf("8 GB limit at N = 8000, T = 100,000: %v", err)
	}
	for _, want := range []string{"training on N = 8000 neurons and T = 100000 frames", "u and du 6.4 GB", "Gram matrices 1.5 GB",
		"one exact solve 1.9 GB", "more than the configured memory limit of 8.0 GB", "NGS_MEMORY=BYTES"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
	// With u and du already loaded only training's own part counts.
	if err := CheckMemory(spec, TrainConfig{}, 100_000, true, 8e9); err != nil {
		t.Errorf("data resident, 8 GB: %v", err)
	}
	if err := CheckMemory(ModelSpec{N: 1000}, TrainConfig{}, 100_000, false, 8e9); err != nil {
		t.Errorf("N = 1000 refused under 8 GB: %v", err)
	}
}
