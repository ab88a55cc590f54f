package gnn

import (
	"fmt"
	"strings"

	"github.com/ngs-lab/ngs/internal/memory"
)

// MemoryEstimate is what training a model on T frames needs in memory, by
// part, in bytes (float64 so that a huge N stays representable). It
// follows the allocations of Train: the data, Ŵ with its gradient, Adam
// moments and the best-fit copy, the alternating solver's Gram matrices
// and the transient matrices of one exact solve (the regularised Gram
// matrix, its Cholesky factor and inverse, the cross products and the
// solution, all N×N float64), and one batch of MLP work.
type MemoryEstimate struct {
	// Data is u and du, T×N float32 each.
	Data float64
	// Weights is Ŵ, its gradient, its Adam moments and the best fit's copy
	// of both (6·N² float32).
	Weights float64
	// Gram is the alternating solver's float64 Gram and cross-product
	// matrices and their float32 block buffers (zero for the Adam solver).
	Gram float64
	// Solve is the peak of one exact solve of Ŵ on top of Gram (ops/linalg,
	// lstsq.go): the Cholesky factor (reused for the solution), the inverse,
	// the cross products gathered when senders are flat (float64 N×N each),
	// the triangular inverse's N²/4 float64 scratch and the float32 Ŵ it
	// returns: 30·N² bytes.
	Solve float64
	// Work is one batch of B·N rows through φ*, ψ* (and Ω*): inputs,
	// activations and gradients.
	Work float64
}

// Total returns the sum of the parts.
func (e MemoryEstimate) Total() float64 { return e.Data + e.Weights + e.Gram + e.Solve + e.Work }

// Training returns what training allocates on top of the data.
func (e MemoryEstimate) Training() float64 { return e.Weights + e.Gram + e.Solve + e.Work }

// String lists the parts: "u and du 6.4 GB, Ŵ … 1.5 GB, …".
func (e MemoryEstimate) String() string {
	parts := []string{}
	add := func(v float64, what string) {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", what, memory.Bytes(v)))
		}
	}
	add(e.Data, "u and du")
	add(e.Weights, "Ŵ with its gradient, Adam moments and best-fit copy")
	add(e.Gram, "Gram matrices")
	add(e.Solve, "one exact solve")
	add(e.Work, "MLP work of a batch")
	return strings.Join(parts, ", ")
}

// EstimateMemory returns the memory Train needs for spec and cfg on T
// frames of N = spec.N neurons, before anything is allocated.
func EstimateMemory(spec ModelSpec, cfg TrainConfig, T int) MemoryEstimate {
	spec = spec.WithDefaults()
	if cfg.Solver == "" {
		cfg.Solver = DefaultSolver(spec)
	}
	cfg = cfg.withDefaults(T)
	n := float64(spec.N)
	nn2 := n * n
	e := MemoryEstimate{
		Data:    2 * 4 * float64(T) * n,
		Weights: 6 * 4 * nn2,
	}
	if cfg.Solver == SolverAlternating {
		e.Gram = 2*8*nn2 + 2*4*nn2
		e.Solve = 3*8*nn2 + 2*nn2 + 4*nn2
		if spec.receiverGrouped() {
			// Ŵ grouped by receiver embedding: a second N×N buffer and its gradient.
			e.Weights += 2 * 4 * nn2
		}
	}
	rows := float64(cfg.Batch) * n
	d := float64(spec.EmbeddingDim)
	pin := float64(spec.psiIn())
	mlp := func(s NetSpec) float64 {
		// activations (and pre-activations) of every layer, two gradient
		// buffers of the widest layer
		h := float64(s.Hidden)
		return float64(s.Layers)*2*h + 2*max(h, 1+2*d)
	}
	perRow := 2*pin + 2*(1+d) + 8 + mlp(spec.Psi) + mlp(spec.Phi)
	e.Work = 4 * rows * perRow
	if !spec.Fused() && (spec.PsiTakes(ReceiverActivity) || spec.PsiTakes(ReceiverEmbedding)) {
		// TrainGraph evaluates ψ* on every edge: B·N² rows of inputs,
		// activations and their gradients (about twice the fused
		// kernels' per row), plus the two N×N² selection matrices.
		e.Work += 4 * rows * n * 2 * (2*pin + mlp(spec.Psi))
		e.Work += 2 * 4 * n * nn2
	}
	if spec.Omega != nil {
		e.Work += 4 * rows
	}
	return e
}

// CheckMemory returns an error when training spec with cfg on T frames
// needs more memory than limit (0: NGS_MEMORY or the memory available on
// this machine). dataResident says u and du are already in memory (or
// mapped), so that only what training allocates on top of them counts
// against what is available; the message gives every part.
func CheckMemory(spec ModelSpec, cfg TrainConfig, T int, dataResident bool, limit uint64) error {
	e := EstimateMemory(spec, cfg, T)
	need := e.Total()
	what := fmt.Sprintf("training on N = %d neurons and T = %d frames (%s)", spec.N, T, e)
	if dataResident {
		need = e.Training()
		what = fmt.Sprintf("training on N = %d neurons and T = %d frames (on top of u and du, already loaded: %s)", spec.N, T, e)
	}
	return memory.Check(what, need, limit,
		"train on fewer neurons, or on a machine with more memory (set "+memory.EnvVar+"=BYTES to go ahead anyway)")
}
