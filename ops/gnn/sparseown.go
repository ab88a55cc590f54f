package gnn

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The sparse solve's own columns (Frisch–Waugh inside the lasso).
//
// With the joint steps (psistep.go) each receiver's row is fitted together
// with stepOwnK columns of its own, o_i = (u_i, ψ*(u_i), φ*(u_i), 1). The
// lasso that picks the row's senders must see them too: against du − φ*
// alone, whatever φ* misses of the own term (φ*'s embeddings separate the
// types late) is taken up by extra senders. At N = 1000, 5 % fill, with the
// true ψ and a half-trained φ*, the lasso kept 206 senders per row where
// the truth has 50 (precision 0.13, recall 0.56), and the joint fit on
// those senders reached W R² 0.951 where the true senders give 1.0000.
//
// So the lasso runs on the Gram matrix with the own columns projected out:
// for receiver i, with B = Ψᵀo_i (N×K), M = o_iᵀo_i and d = o_iᵀr_i,
//
//	G̃ = G − B M⁺ Bᵀ,  c̃ = c − B M⁺ d.
//
// G̃ is never formed. Coordinate descent keeps s = c − Gw as before and the
// K-vector y = M⁺(d − Bᵀw); then c̃ − G̃w = s − B y, so each coordinate's
// gradient costs K more multiply-adds, and a change δ of w_j moves y by
// −δ·P_j (P = B M⁺). The refit on the support uses the same reduced
// system.

// ownProjection is one receiver's own columns, projected out of its lasso.
type ownProjection struct {
	b []float64 // N×K: Σ_t ψ*_tj·o_k(t), sender-major
	p []float64 // N×K: b·M⁺
	y []float64 // K: M⁺(d − bᵀw), kept current by the sweeps
	d []float64 // K: Σ_t o_k(t)·r_ti
	// dm is M⁺d, y's value at w = 0.
	dm []float64
}

// newOwnProjection allocates a projection of k own columns for n senders.
func newOwnProjection(n, k int) *ownProjection {
	return &ownProjection{b: make([]float64, n*k), p: make([]float64, n*k),
		y: make([]float64, k), d: make([]float64, k), dm: make([]float64, k)}
}

// projectionFor fills pr with receiver i's own columns from the sums the
// accumulation gathered (s.own, the Gram matrix's column i, ψ*'s column
// sums and the residual sums over the Gram frames).
func (s *wSolver) projectionFor(i int, pr *ownProjection) {
	n, o, k := s.data.N, s.own, stepOwnK
	if len(pr.b) != n*k {
		*pr = *newOwnProjection(n, k)
	}
	for j := 0; j < n; j++ {
		b := pr.b[j*k : (j+1)*k]
		b[0] = o.cross[0][j*n+i]
		b[1] = s.gram[j*n+i]
		b[2] = o.cross[1][j*n+i]
		b[3] = s.colSum[j]
	}
	m := mat.NewSymDense(k, nil)
	kk := ownBasisK * ownBasisK
	for a := 0; a < ownBasisK; a++ {
		for c := a; c < ownBasisK; c++ {
			m.SetSym(a, c, o.sq[i*kk+a*ownBasisK+c])
		}
		m.SetSym(a, ownBasisK, o.sums[a][i])
		pr.d[a] = o.rhs[i*ownBasisK+a]
	}
	m.SetSym(ownBasisK, ownBasisK, float64(len(s.frames)))
	pr.d[ownBasisK] = s.rsum[i]
	pr.prepare(m)
}

// prepare computes P = B·M⁺ and M⁺d from pr's b and d and the own columns'
// Gram matrix m, and sets y to its value at w = 0.
func (pr *ownProjection) prepare(m *mat.SymDense) {
	k := len(pr.y)
	pinv := pseudoInverse(m)
	for j := 0; j < len(pr.b)/k; j++ {
		b, p := pr.b[j*k:(j+1)*k], pr.p[j*k:(j+1)*k]
		for a := range p {
			p[a] = 0
			for c := range b {
				p[a] += b[c] * pinv[c*k+a]
			}
		}
	}
	for a := range pr.dm {
		pr.dm[a] = 0
		for c := range pr.d {
			pr.dm[a] += pinv[a*k+c] * pr.d[c]
		}
	}
	copy(pr.y, pr.dm)
}

// pseudoInverse returns the pseudo-inverse of the small symmetric positive
// semi-definite matrix m (row-major), scaled to a unit diagonal first;
// eigen-directions below ownEigCut of the largest and columns with a zero
// diagonal (an own column that is 0 over the frames, such as an untrained
// φ*) are left out.
func pseudoInverse(m *mat.SymDense) []float64 {
	k := m.SymmetricDim()
	scale := make([]float64, k)
	sc := mat.NewSymDense(k, nil)
	for a := 0; a < k; a++ {
		if d := m.At(a, a); d > 0 {
			scale[a] = 1 / math.Sqrt(d)
		}
	}
	for a := 0; a < k; a++ {
		for c := a; c < k; c++ {
			sc.SetSym(a, c, m.At(a, c)*scale[a]*scale[c])
		}
	}
	out := make([]float64, k*k)
	var eig mat.EigenSym
	if !eig.Factorize(sc, true) {
		return out
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	top := 0.0
	for _, v := range vals {
		top = math.Max(top, v)
	}
	for e, v := range vals {
		if v <= ownEigCut*top {
			continue
		}
		for a := 0; a < k; a++ {
			for c := 0; c < k; c++ {
				out[a*k+c] += vecs.At(a, e) * vecs.At(c, e) / v * scale[a] * scale[c]
			}
		}
	}
	return out
}

// reduced returns sender j's reduced diagonal G̃_jj and gradient
// (c̃ − G̃w)_j, given G_jj and s_j = (c − Gw)_j; without a projection (pr
// nil) they are G_jj and s_j.
func (pr *ownProjection) reduced(j int, gjj, sj float64) (float64, float64) {
	if pr == nil {
		return gjj, sj
	}
	k := len(pr.y)
	b, p := pr.b[j*k:(j+1)*k], pr.p[j*k:(j+1)*k]
	for a, x := range b {
		gjj -= p[a] * x
		sj -= x * pr.y[a]
	}
	return gjj, sj
}

// moved records a change dw of w_j in y.
func (pr *ownProjection) moved(j int, dw float64) {
	if pr == nil {
		return
	}
	k := len(pr.y)
	for a, x := range pr.p[j*k : (j+1)*k] {
		pr.y[a] -= dw * x
	}
}

// restart sets y back to its value at w = 0.
func (pr *ownProjection) restart() {
	if pr != nil {
		copy(pr.y, pr.dm)
	}
}

// entry is G̃_jl for senders j and l, given G_jl (G_jl itself without a
// projection).
func (pr *ownProjection) entry(j, l int, gjl float64) float64 {
	if pr == nil {
		return gjl
	}
	k := len(pr.y)
	p, b := pr.p[j*k:(j+1)*k], pr.b[l*k:(l+1)*k]
	for a, x := range p {
		gjl -= x * b[a]
	}
	return gjl
}

// target is c̃_j given c_j.
func (pr *ownProjection) target(j int, cj float64) float64 {
	if pr == nil {
		return cj
	}
	k := len(pr.y)
	for a, x := range pr.p[j*k : (j+1)*k] {
		cj -= x * pr.d[a]
	}
	return cj
}
