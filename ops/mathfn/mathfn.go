// Package mathfn is the one table of the named math functions of ngs: the
// script builtins (stdlib), the equation IR (ops/eqn) and symbolic
// regression (ops/symreg) take their functions, and derivatives, from it.
package mathfn

import (
	"math"
	"sort"
)

// Func is a named function of one argument with its derivative.
type Func struct {
	Name  string
	F     func(float64) float64
	Deriv func(float64) float64
	// Equation marks the functions an equation may use (the rounding
	// functions are script builtins only: they have no useful derivative).
	Equation bool
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

func zero(float64) float64 { return 0 }

var funcs = []Func{
	{Name: "exp", F: math.Exp, Deriv: math.Exp, Equation: true},
	{Name: "log", F: math.Log, Deriv: func(x float64) float64 { return 1 / x }, Equation: true},
	{Name: "tanh", F: math.Tanh, Deriv: func(x float64) float64 { t := math.Tanh(x); return 1 - t*t }, Equation: true},
	{Name: "sigmoid", F: sigmoid, Deriv: func(x float64) float64 { s := sigmoid(x); return s * (1 - s) }, Equation: true},
	{Name: "relu", F: func(x float64) float64 { return math.Max(x, 0) }, Deriv: step, Equation: true},
	{Name: "sin", F: math.Sin, Deriv: math.Cos, Equation: true},
	{Name: "cos", F: math.Cos, Deriv: func(x float64) float64 { return -math.Sin(x) }, Equation: true},
	{Name: "abs", F: math.Abs, Deriv: sign, Equation: true},
	{Name: "sqrt", F: math.Sqrt, Deriv: func(x float64) float64 { return 0.5 / math.Sqrt(x) }, Equation: true},
	{Name: "floor", F: math.Floor, Deriv: zero},
	{Name: "ceil", F: math.Ceil, Deriv: zero},
	{Name: "round", F: math.Round, Deriv: zero},
}

// Lookup returns the function called name.
func Lookup(name string) (Func, bool) {
	for _, f := range funcs {
		if f.Name == name {
			return f, true
		}
	}
	return Func{}, false
}

// Must is Lookup for names that are known to exist; it panics otherwise (a
// programming error found at start).
func Must(name string) Func {
	f, ok := Lookup(name)
	if !ok {
		panic("mathfn: no function " + name)
	}
	return f
}

// All returns every function, sorted by name.
func All() []Func {
	out := append([]Func(nil), funcs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
