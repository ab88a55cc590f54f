package mathfn

import (
	"math"
	"testing"
)

// TestDerivativesMatchDifferences checks every derivative against a central
// difference at points inside each function's domain.
func TestDerivativesMatchDifferences(t *testing.T) {
	for _, f := range All() {
		for _, x := range []float64{0.3, 0.7, 1.9, 2.6} {
			if f.Name == "floor" || f.Name == "ceil" || f.Name == "round" {
				x += 0.15 // away from the jumps at whole and half numbers
			}
			const h = 1e-6
			fd := (f.F(x+h) - f.F(x-h)) / (2 * h)
			if d := f.Deriv(x); math.Abs(d-fd) > 1e-5*(1+math.Abs(fd)) {
				t.Errorf("%s'(%g) = %g, difference gives %g", f.Name, x, d, fd)
			}
		}
	}
	if _, ok := Lookup("tanh"); !ok {
		t.Error("tanh missing")
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("an unknown name was found")
	}
}
