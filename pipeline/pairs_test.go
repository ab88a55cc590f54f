package pipeline

import (
	"math"
	"testing"

	"github.com/ngs-lab/ngs/ops/eqn"
)

// The true pair factor of Supp 14's rule is tanh(u/w_i) − u·ln(w_j)/50:
// the receiver's width inside tanh, the sender's in the log term.
func TestTruePairFactorN5(t *testing.T) {
	widths := []float64{1, 2, 4, 8}
	truth := &Truth{N: 4, Types: []int{0, 1, 2, 3}, TypeNames: []string{"A", "B", "C", "D"}, Rule: eqn.N5(), Gain: 10,
		Params: map[string][]float32{}}
	for _, name := range []string{"a", "b", "g", "s", "w", "h"} {
		truth.Params[name] = make([]float32, 4)
	}
	for k, w := range widths {
		truth.TypeParams = append(truth.TypeParams, map[string]float64{"a": 1, "b": 0, "g": 10, "s": 1, "w": w, "h": 0})
		truth.Params["w"][k] = float32(w)
	}
	u := []float32{-6, -1.5, 0, 0.7, 3, 9}
	for ti, wi := range widths {
		for tj, wj := range widths {
			s, single, err := truePairFactor(truth, ti, tj, u)
			if err != nil || !single {
				t.Fatalf("types %d → %d: single %v, err %v", tj, ti, single, err)
			}
			for k, x := range u {
				want := math.Tanh(float64(x)/wi) - float64(x)*math.Log(wj)/50
				if math.Abs(float64(s[k])-want) > 1e-5 {
					t.Errorf("receiver w %g, sender w %g, u %g: factor %g, want %g", wi, wj, x, s[k], want)
				}
			}
		}
	}
}
