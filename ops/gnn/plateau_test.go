package gnn

import (
	"math"
	"testing"
)

// PsiPlateauOf with a neuron's own embedding is that neuron's PsiPlateau,
// for a shared ψ* (N2) and a per-sender one (N4): the symbolic builtin's
// correction for one embedding and the report's per-sender one agree.
func TestPsiPlateauOfMatchesPsiPlateau(t *testing.T) {
	for _, v := range []Variant{N2, N4} {
		m, err := NewModel(ModelSpec{N: 6, Variant: v}, 3)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m.a {
			m.a[k] = float32(k%5) * 0.3
		}
		all, err := PsiPlateau(m, 2)
		if err != nil {
			t.Fatal(err)
		}
		d := m.spec.EmbeddingDim
		for j := range all {
			var emb []float32
			if v != N2 {
				emb = m.a[j*d : (j+1)*d]
			}
			one, err := PsiPlateauOf(m, 2, emb)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(float64(one-all[j])) > 1e-6 {
				t.Errorf("%s sender %d: PsiPlateauOf %v, PsiPlateau %v", v, j, one, all[j])
			}
		}
	}
}

// DefaultXNorm ignores neurons whose activity is constant: one held far
// out does not set the scale.
func TestDefaultXNormIgnoresConstantNeurons(t *testing.T) {
	const n, frames = 3, 200
	u := make([]float32, n*frames)
	for k := 0; k < frames; k++ {
		u[k*n] = float32(4 * math.Sin(float64(k)/7))
		u[k*n+1] = float32(4 * math.Cos(float64(k)/5))
		u[k*n+2] = 30 // a saturated, silent cell
	}
	with := DefaultXNorm(u, n)
	for k := 0; k < frames; k++ {
		u[k*n+2] = u[k*n] // now it moves like neuron 0
	}
	if with > 5 {
		t.Errorf("xnorm %v with a constant neuron at 30, want the moving neurons' scale (about 1.5·2.8)", with)
	}
	if got := DefaultXNorm(u, n); got != with {
		t.Errorf("xnorm %v with three moving neurons, %v with the constant one left out: want equal scales here", got, with)
	}
}
