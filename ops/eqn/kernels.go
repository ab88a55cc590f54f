package eqn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/mathfn"
)

// applyUnary sets dst[k] = f(a[k]) (dst and a have equal lengths).
func applyUnary(f Func, dst, a []float32) {
	a = a[:len(dst)]
	switch f {
	case Tanh:
		for k, v := range a {
			dst[k] = Tanh32(v)
		}
	case Neg:
		for k, v := range a {
			dst[k] = -v
		}
	case Relu:
		for k, v := range a {
			dst[k] = max(v, 0)
		}
	case Abs:
		for k, v := range a {
			dst[k] = float32(math.Abs(float64(v)))
		}
	default:
		for k, v := range a {
			dst[k] = float32(UnaryValue(f, float64(v)))
		}
	}
}

// UnaryValue evaluates a unary function in float64 (the functions are
// ops/mathfn's).
func UnaryValue(f Func, x float64) float64 {
	if f == Neg {
		return -x
	}
	if f >= 0 && f < Neg {
		return unaryFuncs[f](x)
	}
	return math.NaN()
}

// unaryFuncs are the unary functions by code, from ops/mathfn.
var unaryFuncs = func() [Neg]func(float64) float64 {
	var t [Neg]func(float64) float64
	for f := Exp; f < Neg; f++ {
		t[f] = mathfn.Must(funcNames[f]).F
	}
	return t
}()

// BinaryValue evaluates a binary function in float64.
func BinaryValue(f Func, x, y float64) float64 {
	switch f {
	case Add:
		return x + y
	case Sub:
		return x - y
	case Mul:
		return x * y
	case Div:
		return x / y
	case Pow:
		return math.Pow(x, y)
	case Min:
		return math.Min(x, y)
	case Max:
		return math.Max(x, y)
	}
	return math.NaN()
}

// applyBinary sets dst[k] = f(a, b) elementwise; a scalar operand (length 1,
// flagged) is broadcast.
func applyBinary(f Func, dst, a, b []float32, aScalar, bScalar bool) {
	switch {
	case aScalar && bScalar:
		dst[0] = binary32(f, a[0], b[0])
	case aScalar:
		scalarVector(f, dst, a[0], b[:len(dst)])
	case bScalar:
		vectorScalar(f, dst, a[:len(dst)], b[0])
	default:
		vectorVector(f, dst, a[:len(dst)], b[:len(dst)])
	}
}

func binary32(f Func, x, y float32) float32 {
	switch f {
	case Add:
		return x + y
	case Sub:
		return x - y
	case Mul:
		return x * y
	case Div:
		return x / y
	}
	return float32(BinaryValue(f, float64(x), float64(y)))
}

func vectorVector(f Func, dst, a, b []float32) {
	switch f {
	case Add:
		for k := range dst {
			dst[k] = a[k] + b[k]
		}
	case Sub:
		for k := range dst {
			dst[k] = a[k] - b[k]
		}
	case Mul:
		for k := range dst {
			dst[k] = a[k] * b[k]
		}
	case Div:
		for k := range dst {
			dst[k] = a[k] / b[k]
		}
	default:
		for k := range dst {
			dst[k] = binary32(f, a[k], b[k])
		}
	}
}

func scalarVector(f Func, dst []float32, x float32, b []float32) {
	switch f {
	case Add:
		for k, v := range b {
			dst[k] = x + v
		}
	case Sub:
		for k, v := range b {
			dst[k] = x - v
		}
	case Mul:
		for k, v := range b {
			dst[k] = x * v
		}
	default:
		for k, v := range b {
			dst[k] = binary32(f, x, v)
		}
	}
}

func vectorScalar(f Func, dst, a []float32, y float32) {
	switch f {
	case Add:
		for k, v := range a {
			dst[k] = v + y
		}
	case Sub:
		for k, v := range a {
			dst[k] = v - y
		}
	case Mul:
		for k, v := range a {
			dst[k] = v * y
		}
	case Div:
		inv := 1 / y
		for k, v := range a {
			dst[k] = v * inv
		}
	default:
		for k, v := range a {
			dst[k] = binary32(f, v, y)
		}
	}
}

// Tanh32 is tanh in float32 precision, several times faster than math.Tanh:
// a [13/6] rational approximation on [-9, 9] (as in Eigen), saturated
// outside; its error is below 5e-7 absolute (a few float32 ulps).
func Tanh32(x float32) float32 {
	if x > 9 {
		return 1
	}
	if x < -9 {
		return -1
	}
	if x > -0.0004 && x < 0.0004 {
		return x
	}
	x2 := x * x
	p := float32(-2.76076847742355e-16)
	p = p*x2 + 2.00018790482477e-13
	p = p*x2 - 8.60467152213735e-11
	p = p*x2 + 5.12229709037114e-08
	p = p*x2 + 1.48572235717979e-05
	p = p*x2 + 6.37261928875436e-04
	p = p*x2 + 4.89352455891786e-03
	p *= x
	q := float32(1.19825839466702e-06)
	q = q*x2 + 1.18534705686654e-04
	q = q*x2 + 2.26843463243900e-03
	q = q*x2 + 4.89352518554385e-03
	return p / q
}
