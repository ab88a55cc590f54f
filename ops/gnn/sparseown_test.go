package gnn

import (
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// ownLassoProblem is one receiver's lasso with own columns: senders X
// (frames×n), own columns O (frames×k), and the target y = X·w + O·v.
type ownLassoProblem struct {
	n, k    int
	g, c    []float64 // XᵀX (n×n), Xᵀy
	pr      *ownProjection
	w       []float64 // the true weights (receiver 0 has none of its own)
	support []bool
}

// newOwnLassoProblem draws a problem where the first own column follows
// the senders closely (a neuron that follows its inputs) and carries a
// large coefficient, and the second is the constant.
func newOwnLassoProblem(seed int64) ownLassoProblem {
	rng := rand.New(rand.NewSource(seed))
	frames, n, k := 600, 40, 2
	x := mat.NewDense(frames, n, nil)
	o := mat.NewDense(frames, k, nil)
	p := ownLassoProblem{n: n, k: k, w: make([]float64, n), support: make([]bool, n)}
	for _, j := range []int{3, 8, 15, 22, 31} {
		p.w[j] = rng.NormFloat64() + math.Copysign(1, rng.NormFloat64())
		p.support[j] = true
	}
	y := mat.NewVecDense(frames, nil)
	for t := 0; t < frames; t++ {
		var follow float64
		for j := 0; j < n; j++ {
			v := math.Tanh(rng.NormFloat64() * 2)
			x.Set(t, j, v)
			if j < 20 {
				follow += v / 20
			}
		}
		o.Set(t, 0, follow+0.05*rng.NormFloat64())
		o.Set(t, 1, 1)
		pred := 8*o.At(t, 0) + 0.7
		for j, wj := range p.w {
			pred += wj * x.At(t, j)
		}
		y.SetVec(t, pred)
	}
	var g, b, m mat.Dense
	g.Mul(x.T(), x)
	b.Mul(x.T(), o)
	m.Mul(o.T(), o)
	var c, d mat.VecDense
	c.MulVec(x.T(), y)
	d.MulVec(o.T(), y)
	p.g, p.c = g.RawMatrix().Data, c.RawVector().Data
	p.pr = newOwnProjection(n, k)
	copy(p.pr.b, b.RawMatrix().Data)
	copy(p.pr.d, d.RawVector().Data)
	ms := mat.NewSymDense(k, nil)
	for a := 0; a < k; a++ {
		for e := a; e < k; e++ {
			ms.SetSym(a, e, m.At(a, e))
		}
	}
	p.pr.prepare(ms)
	return p
}

// solve runs the relaxed lasso of sparse.go on the problem at penalty lam,
// with or without the own columns projected out.
func (p ownLassoProblem) solve(lam float64, own bool) ([]float64, []int) {
	pr := p.pr
	if !own {
		pr = nil
	}
	w, r := make([]float64, p.n), append([]float64(nil), p.c...)
	pr.restart()
	lassoRow(p.g, p.n, 0, make([]bool, p.n), lam, 1e-12, w, r, pr)
	ct := make([]float64, p.n)
	for j := range ct {
		ct[j] = pr.target(j, p.c[j])
	}
	return relaxRow(p.g, p.n, ct, w, pr)
}

// TestLassoOwnProjection: with a receiver's own columns projected out of
// the Gram matrix, the relaxed lasso finds exactly the true senders and
// their weights; without them the senders that the own column follows
// take its share.
func TestLassoOwnProjection(t *testing.T) {
	p := newOwnLassoProblem(1)
	cmax := 0.0
	for _, v := range p.c {
		cmax = math.Max(cmax, math.Abs(v))
	}
	w, support := p.solve(0.02*cmax, true)
	if len(support) != 5 {
		t.Errorf("own columns projected out: %d senders kept, want the 5 true ones", len(support))
	}
	for j := range w {
		if math.Abs(w[j]-p.w[j]) > 1e-6*(1+math.Abs(p.w[j])) {
			t.Errorf("w[%d] = %.6g, want %.6g", j, w[j], p.w[j])
		}
	}
	plain, plainSupport := p.solve(0.02*cmax, false)
	var off float64
	for j := range plain {
		off = math.Max(off, math.Abs(plain[j]-p.w[j]))
	}
	if off < 0.1 {
		t.Errorf("without the own columns the lasso's weights are within %.3g of the truth (%d senders); the test no longer shows what the projection is for", off, len(plainSupport))
	}
	t.Logf("projected: %d senders, exact; plain: %d senders, largest error %.3g", len(support), len(plainSupport), off)
}

// TestRecentre: shifting ψ* to the offset its rows' constants ask for
// leaves every row's fit unchanged and takes those constants to zero when
// an offset explains them.
func TestRecentre(t *testing.T) {
	n, k := 3, stepOwnK
	w := []float32{0, 1, 2, -1, 0, 0.5, 3, 1, 0}
	coef := make([]float64, n*k)
	slope := make([]float64, n)
	const b0 = 0.3
	for i := 0; i < n; i++ {
		coef[i*k+1] = 0.2 * float64(i+1) // own ψ* coefficient
		for _, v := range w[i*n : (i+1)*n] {
			slope[i] += float64(v)
		}
		slope[i] += coef[i*k+1]
		coef[i*k+k-1] = b0 * slope[i] // what ψ* − b0 asks of the constants
	}
	c := &psiCurve{lo: -1, hi: 1, vals: []float32{-1, 0, 1}}
	out := recentre(c, w, coef, n)
	for q := range c.vals {
		if d := float64(out.vals[q] - c.vals[q]); math.Abs(d-b0) > 1e-6 {
			t.Errorf("knot %d moved by %.6g, want %.6g", q, d, b0)
		}
	}
	for i := 0; i < n; i++ {
		if math.Abs(coef[i*k+k-1]) > 1e-9 {
			t.Errorf("row %d keeps a constant %.3g after recentring", i, coef[i*k+k-1])
		}
	}
}

// TestAccumulateOwnSumsRepeat: a second accumulation over the same frames
// gives the same own-column sums (each accumulation starts from zero).
func TestAccumulateOwnSumsRepeat(t *testing.T) {
	n, frames := 30, 2000
	sim := sparseFig2(n, frames, 0.2, 5)
	m := exactPsiModel(t, n)
	m.phi.Layers[len(m.phi.Layers)-1].B[0] = 0.5 // φ* = 0.5, so that every own column has a sum
	train, val := splitFrames(frames, 0.1)
	cfg := TrainConfig{}.withDefaults(frames).Alternating
	s := newWSolver(m, sim.Data, cfg, train, val)
	s.ownSums = true
	tb := s.tables()
	s.accumulate(tb)
	var first [][]float64
	for _, c := range s.own.sums {
		first = append(first, append([]float64(nil), c...))
	}
	s.accumulate(tb)
	for k, c := range s.own.sums {
		for i, v := range c {
			if v != first[k][i] {
				t.Fatalf("own column %d, neuron %d: sum %.6g after a second accumulation, %.6g after the first", k, i, v, first[k][i])
			}
		}
	}
}
