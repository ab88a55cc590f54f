package sim

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepOp is a custom gorgonia op of the Euler step graph. Each op owns its
// output buffer (a persistent *tensor.Dense), so running the graph allocates
// no tensors; run does the work, reading its inputs' float32 data.
type stepOp struct {
	name   string
	step   int // position in the unrolled block, part of the op's identity
	inDims []int
	out    *tensor.Dense
	run    func(in [][]float32, out []float32) error
	inData [][]float32
}

func newStepOp(name string, step int, out []float32, inDims []int, run func(in [][]float32, out []float32) error) *stepOp {
	return &stepOp{
		name: name, step: step, inDims: inDims, run: run,
		out:    tensor.New(tensor.WithShape(len(out)), tensor.WithBacking(out)),
		inData: make([][]float32, len(inDims)),
	}
}

// Arity implements gorgonia.Op.
func (op *stepOp) Arity() int { return len(op.inDims) }

// Type implements gorgonia.Op: float32 tensors in, a float32 vector out.
func (op *stepOp) Type() hm.Type {
	types := make([]hm.Type, 0, len(op.inDims)+1)
	for _, d := range op.inDims {
		types = append(types, G.TensorType{Dims: d, Of: tensor.Float32})
	}
	types = append(types, G.TensorType{Dims: 1, Of: tensor.Float32})
	return hm.NewFnType(types...)
}

// InferShape implements gorgonia.Op.
func (op *stepOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.out.Shape()[0]}, nil
}

// Do implements gorgonia.Op.
func (op *stepOp) Do(values ...G.Value) (G.Value, error) {
	for k, v := range values {
		data, ok := v.Data().([]float32)
		if !ok {
			return nil, fmt.Errorf("sim: %s expects float32 inputs, input %d is %T", op, k, v.Data())
		}
		op.inData[k] = data
	}
	if err := op.run(op.inData, op.out.Data().([]float32)); err != nil {
		return nil, err
	}
	return op.out, nil
}

// ReturnsPtr implements gorgonia.Op.
func (op *stepOp) ReturnsPtr() bool { return true }

// CallsExtern implements gorgonia.Op.
func (op *stepOp) CallsExtern() bool { return false }

// OverwritesInput implements gorgonia.Op: no input is overwritten.
func (op *stepOp) OverwritesInput() int { return -1 }

// WriteHash implements gorgonia.Op.
func (op *stepOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s/%d/%p", op.name, op.step, op) }

// Hashcode implements gorgonia.Op.
func (op *stepOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// String implements gorgonia.Op.
func (op *stepOp) String() string { return fmt.Sprintf("%s[%d]", op.name, op.step) }
