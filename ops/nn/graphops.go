package nn

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// This file exposes the fused kernels as gorgonia ops, so that a model can
// be written as a gorgonia expression graph whose hot parts are single nodes
// with their own gradients:
//
//	MLPRows(x, p)     rows×In, params → rows×Out   (an MLP over every row)
//	Messages(psi, w)  B×N, N×N → B×N = psi·(w with zero diagonal)ᵀ
//
// Both implement gorgonia.SDOp; their backward passes are ops of this file
// as well. They work on float32 tensors only.

func tensorType(dims int) G.TensorType { return G.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

func hashOf(s fmt.Stringer, h hash.Hash) { fmt.Fprint(h, s.String()) }

func hashcode(s fmt.Stringer) uint32 {
	h := fnv.New32a()
	hashOf(s, h)
	return h.Sum32()
}

func asF32(v G.Value, what string) ([]float32, tensor.Shape, error) {
	t, ok := v.(tensor.Tensor)
	if !ok {
		return nil, nil, fmt.Errorf("nn: %s: expected a tensor, found %T", what, v)
	}
	data, ok := t.Data().([]float32)
	if !ok {
		return nil, nil, fmt.Errorf("nn: %s: expected float32 data, found %T", what, t.Data())
	}
	return data, t.Shape().Clone(), nil
}

// mlpOp evaluates an MLP (shape from spec, parameters from input 1) over the
// rows of input 0.
type mlpOp struct{ spec MLPSpec }

// MLPRows adds a node computing the MLP described by spec, with flat
// parameters p (a vector of spec.ParamCount() values, laid out as MLP.Params),
// over every row of x (rows×spec.In).
func MLPRows(spec MLPSpec, x, p *G.Node) (*G.Node, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	return G.ApplyOp(mlpOp{spec}, x, p)
}

func (o mlpOp) Arity() int { return 2 }
func (o mlpOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(1), tensorType(2))
}
func (o mlpOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != o.spec.In {
		return nil, fmt.Errorf("nn: MLPRows expects rows×%d input, found %v", o.spec.In, in[0])
	}
	return tensor.Shape{s[0], o.spec.Out}, nil
}
func (o mlpOp) ReturnsPtr() bool      { return false }
func (o mlpOp) CallsExtern() bool     { return false }
func (o mlpOp) OverwritesInput() int  { return -1 }
func (o mlpOp) WriteHash(h hash.Hash) { hashOf(o, h) }
func (o mlpOp) Hashcode() uint32      { return hashcode(o) }
func (o mlpOp) String() string        { return fmt.Sprintf("MLPRows%+v", o.spec) }
func (o mlpOp) DiffWRT(int) []bool    { return []bool{true, true} }
func (o mlpOp) Do(v ...G.Value) (G.Value, error) {
	net, x, rows, err := o.load(v[0], v[1])
	if err != nil {
		return nil, err
	}
	w := net.NewWork(rows)
	y := net.Forward(w, x, rows)
	return tensor.New(tensor.WithShape(rows, o.spec.Out), tensor.WithBacking(append([]float32(nil), y...))), nil
}

// load builds an MLP holding the parameter values and checks the shapes.
func (o mlpOp) load(xv, pv G.Value) (*MLP, []float32, int, error) {
	x, xs, err := asF32(xv, "MLPRows input")
	if err != nil {
		return nil, nil, 0, err
	}
	p, _, err := asF32(pv, "MLPRows parameters")
	if err != nil {
		return nil, nil, 0, err
	}
	if len(p) != o.spec.ParamCount() {
		return nil, nil, 0, fmt.Errorf("nn: MLPRows expects %d parameters, found %d", o.spec.ParamCount(), len(p))
	}
	net, err := NewMLP(o.spec)
	if err != nil {
		return nil, nil, 0, err
	}
	copy(net.Params, p)
	return net, x, xs[0], nil
}

func (o mlpOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(mlpGradOp{o.spec, 0}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dp, err := G.ApplyOp(mlpGradOp{o.spec, 1}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dp}, nil
}

// mlpGradOp is the backward pass of mlpOp: (x, p, dy) → dx (wrt 0) or dp (wrt 1).
type mlpGradOp struct {
	spec MLPSpec
	wrt  int
}

func (o mlpGradOp) Arity() int { return 3 }
func (o mlpGradOp) Type() hm.Type {
	if o.wrt == 0 {
		return hm.NewFnType(tensorType(2), tensorType(1), tensorType(2), tensorType(2))
	}
	return hm.NewFnType(tensorType(2), tensorType(1), tensorType(2), tensorType(1))
}
func (o mlpGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	if o.wrt == 0 {
		s, ok := in[0].(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("nn: MLPRows gradient: bad input shape %v", in[0])
		}
		return s.Clone(), nil
	}
	return tensor.Shape{o.spec.ParamCount()}, nil
}
func (o mlpGradOp) ReturnsPtr() bool      { return false }
func (o mlpGradOp) CallsExtern() bool     { return false }
func (o mlpGradOp) OverwritesInput() int  { return -1 }
func (o mlpGradOp) WriteHash(h hash.Hash) { hashOf(o, h) }
func (o mlpGradOp) Hashcode() uint32      { return hashcode(o) }
func (o mlpGradOp) String() string        { return fmt.Sprintf("MLPRowsGrad%d%+v", o.wrt, o.spec) }
func (o mlpGradOp) Do(v ...G.Value) (G.Value, error) {
	net, x, rows, err := mlpOp{o.spec}.load(v[0], v[1])
	if err != nil {
		return nil, err
	}
	dy, _, err := asF32(v[2], "MLPRows output gradient")
	if err != nil {
		return nil, err
	}
	w := net.NewWork(rows)
	net.Forward(w, x, rows)
	dyc := append([]float32(nil), dy...) // Backward scales its input in place
	if o.wrt == 0 {
		dx := make([]float32, rows*o.spec.In)
		net.Backward(w, dyc, dx)
		return tensor.New(tensor.WithShape(rows, o.spec.In), tensor.WithBacking(dx)), nil
	}
	net.Backward(w, dyc, nil)
	return tensor.New(tensor.WithShape(len(net.Grads)), tensor.WithBacking(net.Grads)), nil
}

// messagesOp is psi·(w with zero diagonal)ᵀ.
type messagesOp struct{}

// Messages adds a node computing psi·Ŵᵀ with Ŵ's diagonal treated as 0:
// psi is B×N (ψ* per frame and sender), w is N×N (receiver-major).
func Messages(psi, w *G.Node) (*G.Node, error) { return G.ApplyOp(messagesOp{}, psi, w) }

func (messagesOp) Arity() int { return 2 }
func (messagesOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2))
}
func (messagesOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	a, ok1 := in[0].(tensor.Shape)
	b, ok2 := in[1].(tensor.Shape)
	if !ok1 || !ok2 || len(a) != 2 || len(b) != 2 || a[1] != b[1] || b[0] != b[1] {
		return nil, fmt.Errorf("nn: Messages expects B×N and N×N, found %v and %v", in[0], in[1])
	}
	return tensor.Shape{a[0], b[0]}, nil
}
func (messagesOp) ReturnsPtr() bool        { return false }
func (messagesOp) CallsExtern() bool       { return false }
func (messagesOp) OverwritesInput() int    { return -1 }
func (o messagesOp) WriteHash(h hash.Hash) { hashOf(o, h) }
func (o messagesOp) Hashcode() uint32      { return hashcode(o) }
func (messagesOp) String() string          { return "Messages" }
func (messagesOp) DiffWRT(int) []bool      { return []bool{true, true} }
func (messagesOp) Do(v ...G.Value) (G.Value, error) {
	psi, ps, err := asF32(v[0], "Messages psi")
	if err != nil {
		return nil, err
	}
	w, _, err := asF32(v[1], "Messages W")
	if err != nil {
		return nil, err
	}
	b, n := ps[0], ps[1]
	wm := maskedCopy(w, n)
	out := make([]float32, b*n)
	Gemm(false, true, b, n, n, 1, psi, n, wm, n, 0, out, n)
	return tensor.New(tensor.WithShape(b, n), tensor.WithBacking(out)), nil
}

func maskedCopy(w []float32, n int) []float32 {
	c := append([]float32(nil), w...)
	for i := 0; i < n; i++ {
		c[i*n+i] = 0
	}
	return c
}

func (messagesOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dpsi, err := G.ApplyOp(messagesGradOp{0}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(messagesGradOp{1}, in[0], in[1], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dpsi, dw}, nil
}

// messagesGradOp: (psi, w, dM) → dpsi = dM·Ŵ (wrt 0) or dŴ = dMᵀ·psi with a
// zero diagonal (wrt 1).
type messagesGradOp struct{ wrt int }

func (messagesGradOp) Arity() int { return 3 }
func (messagesGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(2), tensorType(2), tensorType(2), tensorType(2))
}
func (o messagesGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, ok := in[o.wrt].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("nn: Messages gradient: bad shape %v", in[o.wrt])
	}
	return s.Clone(), nil
}
func (messagesGradOp) ReturnsPtr() bool        { return false }
func (messagesGradOp) CallsExtern() bool       { return false }
func (messagesGradOp) OverwritesInput() int    { return -1 }
func (o messagesGradOp) WriteHash(h hash.Hash) { hashOf(o, h) }
func (o messagesGradOp) Hashcode() uint32      { return hashcode(o) }
func (o messagesGradOp) String() string        { return fmt.Sprintf("MessagesGrad%d", o.wrt) }
func (o messagesGradOp) Do(v ...G.Value) (G.Value, error) {
	psi, ps, err := asF32(v[0], "Messages psi")
	if err != nil {
		return nil, err
	}
	w, _, err := asF32(v[1], "Messages W")
	if err != nil {
		return nil, err
	}
	dm, _, err := asF32(v[2], "Messages gradient")
	if err != nil {
		return nil, err
	}
	b, n := ps[0], ps[1]
	if o.wrt == 0 {
		out := make([]float32, b*n)
		Gemm(false, false, b, n, n, 1, dm, n, maskedCopy(w, n), n, 0, out, n)
		return tensor.New(tensor.WithShape(b, n), tensor.WithBacking(out)), nil
	}
	out := make([]float32, n*n)
	Gemm(true, false, n, n, b, 1, dm, n, psi, n, 0, out, n)
	for i := 0; i < n; i++ {
		out[i*n+i] = 0
	}
	return tensor.New(tensor.WithShape(n, n), tensor.WithBacking(out)), nil
}
