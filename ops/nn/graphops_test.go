package nn

import (
	"math/rand"
	"testing"

	"github.com/ngs-lab/ngs/ops/internal/gradcheck"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGraphOpGradients builds cost = Σ MLPRows(x, p)² + Σ Messages(psi, w)²
// as a gorgonia graph, takes gorgonia's symbolic gradients through the
// custom ops and compares them with central finite differences of the same
// cost computed directly.
func TestGraphOpGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	spec := MLPSpec{In: 3, Hidden: 8, Out: 1, Layers: 3, Activation: "tanh"}
	rows, b, n := 11, 3, 5
	net, _ := NewPaperMLP(spec, rng)
	xv, pv := randSlice(rows*3, 1, rng), append([]float32(nil), net.Params...)
	psiv, wv := randSlice(b*n, 1, rng), randSlice(n*n, 1, rng)

	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float32, G.WithShape(rows, 3), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(rows, 3), tensor.WithBacking(xv))))
	p := G.NewVector(g, tensor.Float32, G.WithShape(len(pv)), G.WithName("p"), G.WithValue(tensor.New(tensor.WithShape(len(pv)), tensor.WithBacking(pv))))
	psi := G.NewMatrix(g, tensor.Float32, G.WithShape(b, n), G.WithName("psi"), G.WithValue(tensor.New(tensor.WithShape(b, n), tensor.WithBacking(psiv))))
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(n, n), G.WithName("w"), G.WithValue(tensor.New(tensor.WithShape(n, n), tensor.WithBacking(wv))))
	y, err := MLPRows(spec, x, p)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Messages(psi, w)
	if err != nil {
		t.Fatal(err)
	}
	cost := G.Must(G.Add(G.Must(G.Sum(G.Must(G.Square(y)))), G.Must(G.Sum(G.Must(G.Square(msg))))))
	grads, err := G.Grad(cost, x, p, psi, w)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	direct := func() float64 {
		net2, _ := NewMLP(spec)
		copy(net2.Params, pv)
		out := net2.Forward(net2.NewWork(rows), xv, rows)
		var s float64
		for _, v := range out {
			s += float64(v) * float64(v)
		}
		m := make([]float32, b*n)
		Gemm(false, true, b, n, n, 1, psiv, n, maskedCopy(wv, n), n, 0, m, n)
		for _, v := range m {
			s += float64(v) * float64(v)
		}
		return s
	}
	if got := float64(cost.Value().Data().(float32)); abs(got-direct()) > 1e-3*abs(direct()) {
		t.Fatalf("graph cost %g, direct %g", got, direct())
	}
	for k, target := range [][]float32{xv, pv, psiv, wv} {
		analytic := grads[k].Value().Data().([]float32)
		errs := gradcheck.Check(direct, target, analytic, 60, 1e-3, 1e-2, rng)
		if e := gradcheck.Quantile(errs, 1); e > 2e-2 {
			t.Errorf("input %d: gradient error %.3g", k, e)
		}
	}
	// The diagonal of Ŵ does not take part: its gradient must be exactly 0.
	dw := grads[3].Value().Data().([]float32)
	for i := 0; i < n; i++ {
		if dw[i*n+i] != 0 {
			t.Errorf("dŴ[%d,%d] = %g, expected 0", i, i, dw[i*n+i])
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
