package runtime

import (
	"fmt"
	"math"
)

// Binary applies an arithmetic or comparison operator to two values:
// numbers, strings (+ and comparisons), lists (+), and float32 tensors
// (elementwise, with a number on either side or a tensor of the same
// shape). Division of numbers by zero is an error.
func Binary(op string, x, y Value) (Value, error) {
	switch op {
	case "==":
		return Bool(Equal(x, y)), nil
	case "!=":
		return Bool(!Equal(x, y)), nil
	}
	switch a := x.(type) {
	case Number:
		switch b := y.(type) {
		case Number:
			return numberOp(op, float64(a), float64(b))
		case *Tensor:
			return tensorScalar(op, b, float32(a), true)
		}
	case String:
		if b, ok := y.(String); ok {
			return stringOp(op, a, b)
		}
	case *List:
		if b, ok := y.(*List); ok && op == "+" {
			out := make([]Value, 0, len(a.Elems)+len(b.Elems))
			return &List{Elems: append(append(out, a.Elems...), b.Elems...)}, nil
		}
	case *Tensor:
		switch b := y.(type) {
		case Number:
			return tensorScalar(op, a, float32(b), false)
		case *Tensor:
			return tensorTensor(op, a, b)
		}
	}
	return nil, fmt.Errorf("cannot apply %s to a %s and a %s", op, x.Type(), y.Type())
}

func numberOp(op string, a, b float64) (Value, error) {
	switch op {
	case "+":
		return Number(a + b), nil
	case "-":
		return Number(a - b), nil
	case "*":
		return Number(a * b), nil
	case "/":
		if b == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return Number(a / b), nil
	case "%":
		if b == 0 {
			return nil, fmt.Errorf("modulo by zero")
		}
		return Number(math.Mod(a, b)), nil
	case "^":
		return Number(math.Pow(a, b)), nil
	case "<":
		return Bool(a < b), nil
	case "<=":
		return Bool(a <= b), nil
	case ">":
		return Bool(a > b), nil
	case ">=":
		return Bool(a >= b), nil
	}
	return nil, fmt.Errorf("unknown operator %s", op)
}

func stringOp(op string, a, b String) (Value, error) {
	switch op {
	case "+":
		return a + b, nil
	case "<":
		return Bool(a < b), nil
	case "<=":
		return Bool(a <= b), nil
	case ">":
		return Bool(a > b), nil
	case ">=":
		return Bool(a >= b), nil
	}
	return nil, fmt.Errorf("cannot apply %s to strings", op)
}

// floatOp returns the elementwise float32 function for op.
func floatOp(op string) (func(a, b float32) float32, error) {
	switch op {
	case "+":
		return func(a, b float32) float32 { return a + b }, nil
	case "-":
		return func(a, b float32) float32 { return a - b }, nil
	case "*":
		return func(a, b float32) float32 { return a * b }, nil
	case "/":
		return func(a, b float32) float32 { return a / b }, nil
	case "%":
		return func(a, b float32) float32 { return float32(math.Mod(float64(a), float64(b))) }, nil
	case "^":
		return func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) }, nil
	}
	return nil, fmt.Errorf("operator %s is not defined on tensors", op)
}

func tensorScalar(op string, t *Tensor, s float32, scalarLeft bool) (Value, error) {
	f, err := floatOp(op)
	if err != nil {
		return nil, err
	}
	if scalarLeft {
		return MapTensor(t, func(v float32) float32 { return f(s, v) }), nil
	}
	return MapTensor(t, func(v float32) float32 { return f(v, s) }), nil
}

func tensorTensor(op string, a, b *Tensor) (Value, error) {
	if !sameShape(a.Shape, b.Shape) {
		return nil, fmt.Errorf("shape mismatch: %s %s %s", shapeString(a.Shape), op, shapeString(b.Shape))
	}
	f, err := floatOp(op)
	if err != nil {
		return nil, err
	}
	out := &Tensor{Shape: append([]int(nil), a.Shape...), Data: make([]float32, len(a.Data))}
	for i := range out.Data {
		out.Data[i] = f(a.Data[i], b.Data[i])
	}
	return out, nil
}

// MapTensor returns a new tensor with f applied to every element.
func MapTensor(t *Tensor, f func(float32) float32) *Tensor {
	out := &Tensor{Shape: append([]int(nil), t.Shape...), Data: make([]float32, len(t.Data))}
	for i, v := range t.Data {
		out.Data[i] = f(v)
	}
	return out
}
