package gnn

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graphLoss is the model's loss over a batch of B frames compiled to a
// gorgonia expression graph from gorgonia's own operations (matrix
// products, broadcasts, tanh/relu/sin, concatenations), so that gorgonia's
// symbolic differentiation gives every gradient. It serves any list of ψ*
// inputs (u[j], u[i], a[j], a[i]):
//
//   - ψ* of the sender only (u[j], a[j]): Ψ is one value per neuron and
//     frame and the messages are the matrix product Ψ·Ŵᵀ, as in the fused
//     kernels;
//   - ψ* of the receiver (u[i] or a[i]): ψ* is evaluated on every edge,
//     B·N² rows, and the messages are Σ_j Ŵ[i,j]·ψ*_bij. The per-edge inputs
//     are gathered by matrix products with constant 0/1 selection matrices
//     (N×N²), so memory and time grow with N³ per frame: keep N small (a
//     few hundred neurons at most).
//
// The loss is TrainConfig's: ‖φ* + messages − du‖ plus phi_zero·B·‖φ*(0,
// a_i)‖, W_L1·Σ|Ŵ| and edge_diff (their coefficients are graph inputs, so
// schedules need no new graph). edge_diff penalises ψ* falling when the
// sender's activity rises by δ, per frame over ψ*'s rows: the N senders of
// the fused N2 and N4 kernels, every edge here when ψ* takes the receiver
// (the fused N5 kernel uses the rows (u_j, a_j, a_j) only). Models with a
// hidden input Ω* are not covered.
type graphLoss struct {
	m     *Model
	B     int
	edges bool // ψ* is evaluated per edge
	g     *G.ExprGraph
	vm    G.VM

	u, y             *G.Node // B×N activity and target
	w, a             *G.Node // Ŵ (N×N), embeddings (N×d)
	phiL, psiL       []graphLayer
	pzCoeff, l1Coeff *G.Node // penalty coefficients (scalars); nil when off
	edCoeff, delta   *G.Node // edge_diff's coefficient and shift δ (scalars); nil when off
	aFixed, uFixed   *G.Node // copies of a and u that edge_diff reads (no gradient)
	data, total      *G.Node

	params G.Nodes // w, a, then φ* and ψ* layers (W, b each)
	grads  G.Nodes
	dst    [][]float32 // the model's gradient slice of each param
	src    [][]float32 // the model's parameter slice of each param
}

// graphLayer is one Linear layer of an MLP in the graph: weights In×Out and
// bias 1×Out, whose values are views of the MLP's flat parameters.
type graphLayer struct {
	w, b   *G.Node
	layer  *nn.Dense
	isLast bool
}

// graphEps keeps the square roots of the norms differentiable at zero.
const graphEps = 1e-20

// newGraphLoss builds the graph for batches of b frames; phiZero, wL1 and
// edgeDiff say whether those penalties ever apply (their coefficients are
// set per step).
func (m *Model) newGraphLoss(b int, phiZero, wL1, edgeDiff bool) (gl *graphLoss, err error) {
	defer recoverInto(&err)
	if m.omega != nil {
		return nil, fmt.Errorf("gnn: the graph trainer does not learn a hidden input Ω*")
	}
	n, d := m.spec.N, m.spec.EmbeddingDim
	args := m.spec.PsiArgList()
	g := G.NewGraph()
	gl = &graphLoss{m: m, B: b, g: g,
		edges: m.spec.PsiTakes(ReceiverActivity) || m.spec.PsiTakes(ReceiverEmbedding)}
	f32 := tensor.Float32
	gl.u = G.NewMatrix(g, f32, G.WithShape(b, n), G.WithName("u"))
	gl.y = G.NewMatrix(g, f32, G.WithShape(b, n), G.WithName("du"))
	gl.w = G.NewMatrix(g, f32, G.WithShape(n, n), G.WithName("W"))
	gl.a = G.NewMatrix(g, f32, G.WithShape(n, d), G.WithName("a"))
	gl.params = G.Nodes{gl.w, gl.a}
	gl.src = [][]float32{m.w, m.a}
	gl.dst = [][]float32{m.gw, m.ga}
	gl.phiL = gl.layers(m.phi, "phi")
	gl.psiL = gl.layers(m.psi, "psi")

	// tile repeats a node k times along the rows.
	tile := func(x *G.Node, k int) *G.Node {
		if k == 1 {
			return x
		}
		xs := make(G.Nodes, k)
		for i := range xs {
			xs[i] = x
		}
		return G.Must(G.Concat(0, xs...))
	}
	uRows := G.Must(G.Reshape(gl.u, tensor.Shape{b * n, 1}))

	// φ*(u_i, a_i) on B·N rows.
	phiIn := G.Must(G.Concat(1, uRows, tile(gl.a, b)))
	phi := G.Must(G.Reshape(mlpGraph(phiIn, gl.phiL, m.phi.Spec), tensor.Shape{b, n}))

	// psiIn builds ψ*'s input rows from the sender activities uj, the
	// receiver activities ui (both B×N) and the embeddings a: B·N rows
	// (one per sender) for a ψ* of the sender, else B·N² rows, one per
	// edge (b, i, j) at b·N² + i·N + j, gathered by products with the
	// selection matrices Si and Sj (N×N², Si[i, iN+j] = Sj[j, iN+j] = 1).
	var sel, selT map[string]*G.Node
	if gl.edges {
		si, sj := selection(n)
		sel = map[string]*G.Node{ReceiverActivity: G.NewConstant(si, G.WithName("Si")), SenderActivity: G.NewConstant(sj, G.WithName("Sj"))}
		selT = map[string]*G.Node{ReceiverEmbedding: G.NewConstant(transposed(si, n), G.WithName("SiT")),
			SenderEmbedding: G.NewConstant(transposed(sj, n), G.WithName("SjT"))}
	}
	psiIn := func(uj, ui, a *G.Node) *G.Node {
		cols := G.Nodes{}
		for _, in := range args {
			u := uj
			if in == ReceiverActivity {
				u = ui
			}
			switch {
			case !gl.edges && in == SenderActivity:
				cols = append(cols, G.Must(G.Reshape(u, tensor.Shape{b * n, 1})))
			case !gl.edges:
				cols = append(cols, tile(a, b))
			case in == SenderActivity || in == ReceiverActivity:
				cols = append(cols, G.Must(G.Reshape(G.Must(G.Mul(u, sel[in])), tensor.Shape{b * n * n, 1})))
			default:
				cols = append(cols, tile(G.Must(G.Mul(selT[in], a)), b))
			}
		}
		return concatCols(cols)
	}
	rows := n // ψ* rows per frame
	if gl.edges {
		rows = n * n
	}
	psi := G.Must(G.Reshape(mlpGraph(psiIn(gl.u, gl.u, gl.a), gl.psiL, m.psi.Spec), tensor.Shape{b, rows}))
	var msg *G.Node
	if !gl.edges {
		// ψ* of the sender: one value per neuron and frame, messages Ψ·Ŵᵀ.
		msg = G.Must(G.Mul(psi, G.Must(G.Transpose(gl.w))))
	} else {
		wRows := tile(G.Must(G.Reshape(gl.w, tensor.Shape{1, n * n})), b)
		prod := G.Must(G.Reshape(G.Must(G.HadamardProd(psi, wRows)), tensor.Shape{b * n, n}))
		msg = G.Must(G.Reshape(G.Must(G.Sum(prod, 1)), tensor.Shape{b, n}))
	}
	res := G.Must(G.Sub(G.Must(G.Add(phi, msg)), gl.y))
	gl.data = norm(res)
	gl.total = gl.data
	if phiZero {
		gl.pzCoeff = G.NewScalar(g, f32, G.WithName("phi_zero"))
		zero := G.NewConstant(tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(make([]float32, n))), G.WithName("zeros"))
		pz := mlpGraph(G.Must(G.Concat(1, zero, gl.a)), gl.phiL, m.phi.Spec)
		gl.total = G.Must(G.Add(gl.total, G.Must(G.Mul(gl.pzCoeff, norm(pz)))))
	}
	if wL1 {
		gl.l1Coeff = G.NewScalar(g, f32, G.WithName("W_L1"))
		l1 := G.Must(G.Sum(G.Must(G.Abs(gl.w))))
		gl.total = G.Must(G.Add(gl.total, G.Must(G.Mul(gl.l1Coeff, l1))))
	}
	if edgeDiff {
		// Σ_b coeff·‖ReLU(ψ*(u_j, …) − ψ*(u_j + δ, …))‖ over frame b's ψ*
		// rows. As in the fused kernels only ψ*'s parameters learn from
		// it: both passes read the embeddings from aFixed, a copy of a
		// outside the differentiated parameters. They read the activity
		// from uFixed, a copy of u, too: a pass built from the very nodes
		// of the main pass would be the same (hash-consed) node, whose
		// value the tape machine then overwrites in place (measured: a
		// wrong gradient of Ŵ for ψ*(u[j])).
		gl.edCoeff = G.NewScalar(g, f32, G.WithName("edge_diff"))
		gl.delta = G.NewScalar(g, f32, G.WithName("delta"))
		gl.aFixed = G.NewMatrix(g, f32, G.WithShape(n, d), G.WithName("a_fixed"))
		gl.uFixed = G.NewMatrix(g, f32, G.WithShape(b, n), G.WithName("u_fixed"))
		base := mlpGraph(psiIn(gl.uFixed, gl.uFixed, gl.aFixed), gl.psiL, m.psi.Spec)
		shifted := mlpGraph(psiIn(G.Must(G.Add(gl.uFixed, gl.delta)), gl.uFixed, gl.aFixed), gl.psiL, m.psi.Spec)
		drop := G.Must(G.Reshape(G.Must(G.Rectify(G.Must(G.Sub(base, shifted)))), tensor.Shape{b, rows}))
		perFrame := G.Must(G.Sqrt(G.Must(G.Add(G.Must(G.Sum(G.Must(G.Square(drop)), 1)), G.NewConstant(float32(graphEps))))))
		gl.total = G.Must(G.Add(gl.total, G.Must(G.Mul(gl.edCoeff, G.Must(G.Sum(perFrame))))))
	}
	if gl.grads, err = G.Grad(gl.total, gl.params...); err != nil {
		return nil, fmt.Errorf("gnn: differentiating the loss graph: %w", err)
	}
	gl.vm = G.NewTapeMachine(g)
	return gl, nil
}

// layers adds an MLP's weights and biases to the graph as parameters.
func (gl *graphLoss) layers(net *nn.MLP, name string) []graphLayer {
	out := make([]graphLayer, len(net.Layers))
	for l := range net.Layers {
		d := &net.Layers[l]
		out[l] = graphLayer{layer: d, isLast: l+1 == len(net.Layers),
			w: G.NewMatrix(gl.g, tensor.Float32, G.WithShape(d.In, d.Out), G.WithName(fmt.Sprintf("%s.W%d", name, l))),
			b: G.NewMatrix(gl.g, tensor.Float32, G.WithShape(1, d.Out), G.WithName(fmt.Sprintf("%s.b%d", name, l)))}
		gl.params = append(gl.params, out[l].w, out[l].b)
		gl.src = append(gl.src, d.W, d.B)
		gl.dst = append(gl.dst, d.GW, d.GB)
	}
	return out
}

// mlpGraph is the MLP y = act(x·W₀ + b₀)…·W_L + b_L in gorgonia operations,
// the same function as nn.MLP.Forward.
func mlpGraph(x *G.Node, layers []graphLayer, spec nn.MLPSpec) *G.Node {
	act, _ := nn.ParseActivation(spec.Activation)
	for _, l := range layers {
		x = G.Must(G.BroadcastAdd(G.Must(G.Mul(x, l.w)), l.b, nil, []byte{0}))
		if l.isLast {
			break
		}
		switch act {
		case nn.Tanh:
			x = G.Must(G.Tanh(x))
		case nn.Sine:
			om := G.NewConstant(float32(spec.Omega0))
			x = G.Must(G.Sin(G.Must(G.Mul(x, om))))
		default:
			x = G.Must(G.Rectify(x))
		}
	}
	return x
}

// concatCols joins input columns (one node is itself).
func concatCols(cols G.Nodes) *G.Node {
	if len(cols) == 1 {
		return cols[0]
	}
	return G.Must(G.Concat(1, cols...))
}

// norm is the differentiable Euclidean norm √(Σx² + ε).
func norm(x *G.Node) *G.Node {
	return G.Must(G.Sqrt(G.Must(G.Add(G.Must(G.Sum(G.Must(G.Square(x)))), G.NewConstant(float32(graphEps))))))
}

// selection returns the N×N² matrices that pick the receiver (Si) and the
// sender (Sj) of every edge i·N + j.
func selection(n int) (si, sj *tensor.Dense) {
	a, b := make([]float32, n*n*n), make([]float32, n*n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			e := i*n + j
			a[i*n*n+e] = 1
			b[j*n*n+e] = 1
		}
	}
	return tensor.New(tensor.WithShape(n, n*n), tensor.WithBacking(a)), tensor.New(tensor.WithShape(n, n*n), tensor.WithBacking(b))
}

// transposed returns the N²×N transpose of an N×N² selection matrix.
func transposed(s *tensor.Dense, n int) *tensor.Dense {
	src := s.Data().([]float32)
	out := make([]float32, len(src))
	for r := 0; r < n; r++ {
		for c := 0; c < n*n; c++ {
			out[c*n+r] = src[r*n*n+c]
		}
	}
	return tensor.New(tensor.WithShape(n*n, n), tensor.WithBacking(out))
}

// graphPenalties are the penalty coefficients of one step and edge_diff's
// shift δ.
type graphPenalties struct {
	phiZero, wL1, edgeDiff, delta float64
}

// run evaluates the loss and its gradients on the frames of d with the
// model's current parameters: the gradients are written into the model's
// gradient slices (Ŵ's diagonal masked). It returns the data loss and the
// total loss with the penalties at the given coefficients (phi_zero is
// multiplied by the batch size, as in the fused trainer).
func (gl *graphLoss) run(d Data, frames []int, pen graphPenalties) (data, total float64, err error) {
	defer recoverInto(&err)
	m, n := gl.m, gl.m.spec.N
	if len(frames) != gl.B {
		return 0, 0, fmt.Errorf("gnn: loss graph built for %d frames, given %d", gl.B, len(frames))
	}
	u, y := make([]float32, gl.B*n), make([]float32, gl.B*n)
	for k, f := range frames {
		copy(u[k*n:], d.U[f*n:(f+1)*n])
		copy(y[k*n:], d.DU[f*n:(f+1)*n])
	}
	set := func(node *G.Node, data []float32) error {
		return G.Let(node, tensor.New(tensor.WithShape(node.Shape().Clone()...), tensor.WithBacking(data)))
	}
	if err := set(gl.u, u); err != nil {
		return 0, 0, err
	}
	if err := set(gl.y, y); err != nil {
		return 0, 0, err
	}
	for k, p := range gl.params {
		if err := set(p, append([]float32(nil), gl.src[k]...)); err != nil {
			return 0, 0, err
		}
	}
	scalars := []struct {
		node *G.Node
		v    float64
	}{{gl.pzCoeff, pen.phiZero * float64(gl.B)}, {gl.l1Coeff, pen.wL1}, {gl.edCoeff, pen.edgeDiff}, {gl.delta, pen.delta}}
	for _, sc := range scalars {
		if sc.node != nil {
			if err := G.Let(sc.node, float32(sc.v)); err != nil {
				return 0, 0, err
			}
		}
	}
	if gl.aFixed != nil {
		if err := set(gl.aFixed, append([]float32(nil), m.a...)); err != nil {
			return 0, 0, err
		}
		if err := set(gl.uFixed, append([]float32(nil), u...)); err != nil {
			return 0, 0, err
		}
	}
	gl.vm.Reset()
	if err := gl.vm.RunAll(); err != nil {
		return 0, 0, fmt.Errorf("gnn: running the loss graph: %w", err)
	}
	for k, gn := range gl.grads {
		copy(gl.dst[k], gn.Value().Data().([]float32))
	}
	for i := 0; i < n; i++ {
		m.gw[i*n+i] = 0
	}
	return float64(gl.data.Value().Data().(float32)), float64(gl.total.Value().Data().(float32)), nil
}

// close releases the graph's machine.
func (gl *graphLoss) close() { gl.vm.Close() }
