package gnn

import (
	"slices"
	"testing"
)

// TestPsiEdgeFeedsTheVariantsEmbeddings checks PsiEdge against Psi with
// the embeddings written out for each variant.
func TestPsiEdgeFeedsTheVariantsEmbeddings(t *testing.T) {
	u := []float32{-2, -0.5, 0, 0.7, 3}
	for _, v := range []Variant{N2, N4, N5} {
		m, err := NewModel(ModelSpec{N: 5, Variant: v, Phi: NetSpec{Hidden: 8}, Psi: NetSpec{Hidden: 8}}, 3)
		if err != nil {
			t.Fatal(err)
		}
		d := m.Spec().EmbeddingDim
		emb := make([]float32, 5*d) // distinct embeddings, so that receiver and sender differ
		for k := range emb {
			emb[k] = float32(k)/7 - 0.5
		}
		if err := m.SetEmbeddings(emb); err != nil {
			t.Fatal(err)
		}
		rep := func(i int) []float32 {
			var out []float32
			for range u {
				out = append(out, m.Embeddings()[i*d:(i+1)*d]...)
			}
			return out
		}
		var ai, aj []float32
		switch v {
		case N4:
			aj = rep(1)
		case N5:
			ai, aj = rep(3), rep(1)
		}
		want, err := m.Psi(u, ai, aj)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.PsiEdge(u, 3, 1)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: PsiEdge = %v, %v; Psi gives %v", v, got, err, want)
		}
	}
	m, _ := NewModel(ModelSpec{N: 5}, 1)
	if _, err := m.PsiEdge(u, 5, 0); err == nil {
		t.Error("receiver 5 of 5 neurons accepted")
	}
}
