package gnn

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// LossGraph (a test helper) is the model's data loss ‖φ*(u, a) + Ψ·Ŵᵀ − du‖ over a batch of
// B frames written as a gorgonia expression graph: φ* and ψ* are single
// nn.MLPRows nodes and the messages one nn.Messages node, each with its own
// gradient, so gorgonia's symbolic differentiation yields every parameter
// gradient. It supports the N2 and N4 variants without Ω*. The fast trainer
// calls the same kernels directly (see BenchmarkLossGraph for the overhead).
type LossGraph struct {
	B     int
	g     *G.ExprGraph
	u, y  *G.Node // B·N×1 activity, B×N target
	phiP  *G.Node
	psiP  *G.Node
	w, a  *G.Node
	loss  *G.Node
	grads G.Nodes // w.r.t. phiP, psiP, w, a
	vm    G.VM
	m     *Model
}

// NewLossGraph builds the graph for batches of b frames.
func (m *Model) NewLossGraph(b int) (lg *LossGraph, err error) {
	defer recoverInto(&err)
	if m.spec.Variant == N5 || m.omega != nil {
		return nil, fmt.Errorf("gnn: the loss graph supports N2 and N4 without Ω*, found %s (Ω*: %v)", m.spec.Variant, m.omega != nil)
	}
	n, d := m.spec.N, m.spec.EmbeddingDim
	g := G.NewGraph()
	lg = &LossGraph{B: b, g: g, m: m}
	lg.u = G.NewMatrix(g, tensor.Float32, G.WithShape(b*n, 1), G.WithName("u"))
	lg.y = G.NewMatrix(g, tensor.Float32, G.WithShape(b, n), G.WithName("du"))
	lg.phiP = G.NewVector(g, tensor.Float32, G.WithShape(len(m.phi.Params)), G.WithName("phi"))
	lg.psiP = G.NewVector(g, tensor.Float32, G.WithShape(len(m.psi.Params)), G.WithName("psi"))
	lg.w = G.NewMatrix(g, tensor.Float32, G.WithShape(n, n), G.WithName("W"))
	lg.a = G.NewMatrix(g, tensor.Float32, G.WithShape(n, d), G.WithName("a"))

	tiles := make(G.Nodes, b)
	for k := range tiles {
		tiles[k] = lg.a
	}
	aRows := lg.a
	if b > 1 {
		aRows = G.Must(G.Concat(0, tiles...)) // B·N×d: a_i for every row
	}
	phiIn := G.Must(G.Concat(1, lg.u, aRows))
	phi := G.Must(nn.MLPRows(m.phi.Spec, phiIn, lg.phiP))
	psiIn := lg.u
	if m.spec.Variant == N4 {
		psiIn = G.Must(G.Concat(1, lg.u, aRows))
	}
	psi := G.Must(nn.MLPRows(m.psi.Spec, psiIn, lg.psiP))
	msg := G.Must(nn.Messages(G.Must(G.Reshape(psi, []int{b, n})), lg.w))
	pred := G.Must(G.Add(G.Must(G.Reshape(phi, []int{b, n})), msg))
	res := G.Must(G.Sub(pred, lg.y))
	lg.loss = G.Must(G.Sqrt(G.Must(G.Sum(G.Must(G.Square(res))))))
	lg.grads, err = G.Grad(lg.loss, lg.phiP, lg.psiP, lg.w, lg.a)
	if err != nil {
		return nil, fmt.Errorf("gnn: differentiating the loss graph: %w", err)
	}
	lg.vm = G.NewTapeMachine(g)
	return lg, nil
}

// Run evaluates the loss and its gradients on frames (B indices into d)
// with the model's current parameters. It returns the loss and the
// gradients w.r.t. φ* parameters, ψ* parameters, Ŵ and a.
func (lg *LossGraph) Run(d Data, frames []int) (loss float64, grads [4][]float32, err error) {
	defer recoverInto(&err)
	m, n := lg.m, lg.m.spec.N
	if len(frames) != lg.B {
		return 0, grads, fmt.Errorf("gnn: loss graph built for %d frames, given %d", lg.B, len(frames))
	}
	u, y := make([]float32, lg.B*n), make([]float32, lg.B*n)
	for k, f := range frames {
		copy(u[k*n:], d.U[f*n:(f+1)*n])
		copy(y[k*n:], d.DU[f*n:(f+1)*n])
	}
	set := func(node *G.Node, data []float32, shape ...int) error {
		return G.Let(node, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float32(nil), data...))))
	}
	for _, e := range []error{
		set(lg.u, u, lg.B*n, 1), set(lg.y, y, lg.B, n),
		set(lg.phiP, m.phi.Params, len(m.phi.Params)), set(lg.psiP, m.psi.Params, len(m.psi.Params)),
		set(lg.w, m.w, n, n), set(lg.a, m.a, n, m.spec.EmbeddingDim),
	} {
		if e != nil {
			return 0, grads, e
		}
	}
	lg.vm.Reset()
	if err := lg.vm.RunAll(); err != nil {
		return 0, grads, fmt.Errorf("gnn: running the loss graph: %w", err)
	}
	for k, gn := range lg.grads {
		grads[k] = append([]float32(nil), gn.Value().Data().([]float32)...)
	}
	return float64(lg.loss.Value().Data().(float32)), grads, nil
}

// Close releases the graph's machine.
func (lg *LossGraph) Close() { lg.vm.Close() }

// relErr is |a−b| / max(|a|, |b|, floor).
func relErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(floor, math.Max(math.Abs(a), math.Abs(b)))
}
