package sim

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// block is a gorgonia graph of `steps` unrolled Euler steps. Per step k:
//
//	S_k  = senders(u_k, e, t)          the sender vectors of every coupling term
//	C_k  = couple(W, S_k)              W·S_k by row blocks on goroutines
//	du_k = rhs(u_k, C_k, e, t)          the fused elementwise rule
//	u_k+1 = euler(u_k, du_k, noise)    u + dt·du + σ·ξ_k
//
// The trajectory lives in the block's own buffers: row k of states is u_k
// (row 0 is the input), row k of derivs is du_k, so one RunAll yields a whole
// block of frames to record without copies.
type block struct {
	steps  int
	n      int
	graph  *G.ExprGraph
	vm     G.VM
	inputs map[*G.Node]*tensor.Dense
	states []float32 // (steps+1)×N
	derivs []float32 // steps×N
	e      []float32 // steps×N
	noise  []float32 // steps×N
	times  []float64 // steps
}

// stepKernels is what a block's ops compute with, shared by all blocks.
type stepKernels struct {
	n         int
	prog      *eqn.Program
	coupler   *coupler
	dt, sigma float32
	w         []float32
}

func newBlock(kern *stepKernels, steps int) (*block, error) {
	n := kern.n
	b := &block{
		steps: steps, n: n, graph: G.NewGraph(),
		states: make([]float32, (steps+1)*n), derivs: make([]float32, steps*n),
		e: make([]float32, steps*n), noise: make([]float32, steps*n),
		times: make([]float64, steps), inputs: map[*G.Node]*tensor.Dense{},
	}
	input := func(name string, data []float32, shape ...int) *G.Node {
		node := G.NewTensor(b.graph, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name))
		b.inputs[node] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
		return node
	}
	u := input("u0", b.states[:n], n)
	w := input("W", kern.w, n, n)
	e := input("e", b.e, steps, n)
	noise := input("noise", b.noise, steps, n)
	timeNode := input("t", make([]float32, steps), steps)
	senderOut := nonEmpty(kern.prog.SenderBuffer())
	coupledOut := nonEmpty(kern.prog.CoupledBuffer())
	for k := 0; k < steps; k++ {
		ops := b.stepOps(kern, k, senderOut, coupledOut)
		s, err := G.ApplyOp(ops[0], u, e, timeNode)
		if err != nil {
			return nil, err
		}
		c, err := G.ApplyOp(ops[1], w, s)
		if err != nil {
			return nil, err
		}
		du, err := G.ApplyOp(ops[2], u, c, e, timeNode)
		if err != nil {
			return nil, err
		}
		if u, err = G.ApplyOp(ops[3], u, du, noise); err != nil {
			return nil, err
		}
	}
	b.vm = G.NewTapeMachine(b.graph)
	return b, nil
}

// nonEmpty gives ops without data (a rule with no sum) a one-value buffer.
func nonEmpty(buf []float32) []float32 {
	if len(buf) == 0 {
		return make([]float32, 1)
	}
	return buf
}

// stepOps returns the sender, coupling, rhs and euler ops of step k.
func (b *block) stepOps(kern *stepKernels, k int, senderOut, coupledOut []float32) [4]*stepOp {
	n := b.n
	eRow := func(e []float32) []float32 { return e[k*n : (k+1)*n] }
	senders := newStepOp("senders", k, senderOut, []int{1, 2, 1}, func(in [][]float32, _ []float32) error {
		kern.prog.EvalSenders(in[0], eRow(in[1]), b.times[k])
		return nil
	})
	couple := newStepOp("couple", k, coupledOut, []int{2, 1}, func(in [][]float32, _ []float32) error {
		return kern.coupler.couple(in[0])
	})
	rhs := newStepOp("rhs", k, b.derivs[k*n:(k+1)*n], []int{1, 1, 2, 1}, func(in [][]float32, out []float32) error {
		kern.prog.EvalReceivers(out, in[0], eRow(in[2]), b.times[k])
		return nil
	})
	euler := newStepOp("euler", k, b.states[(k+1)*n:(k+2)*n], []int{1, 1, 2}, func(in [][]float32, out []float32) error {
		eulerStep(out, in[0], in[1], eRow(in[2]), kern.dt, kern.sigma)
		return nil
	})
	return [4]*stepOp{senders, couple, rhs, euler}
}

// eulerStep sets out = u + dt·du + σ·ξ.
func eulerStep(out, u, du, xi []float32, dt, sigma float32) {
	u, du = u[:len(out)], du[:len(out)]
	if sigma == 0 {
		for i := range out {
			out[i] = u[i] + dt*du[i]
		}
		return
	}
	xi = xi[:len(out)]
	for i := range out {
		out[i] = u[i] + dt*du[i] + sigma*xi[i]
	}
}

// run executes the block's graph once.
func (b *block) run() error {
	for node, value := range b.inputs {
		if err := G.Let(node, value); err != nil {
			return fmt.Errorf("sim: binding %s: %w", node.Name(), err)
		}
	}
	err := b.vm.RunAll()
	b.vm.Reset()
	if err != nil {
		return fmt.Errorf("sim: running the step graph: %w", err)
	}
	return nil
}
