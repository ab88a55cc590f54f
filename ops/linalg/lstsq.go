package linalg

import (
	"errors"
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/internal/par"
	"gonum.org/v1/gonum/mat"
)

// The constrained least-squares solve of Ŵ: one home for the trainer's
// exact solve (ops/gnn) and the oracle baseline (ops/eval).
//
// The problem. Ψ is frames×N (sender j's message at frame t) and Y is
// frames×R (one column per receiver). Receiver i's row of Ŵ minimises
//
//	‖y_i − Ψ ŵ_i‖² + ρ‖ŵ_i‖²   subject to ŵ_i[i] = 0.
//
// The rule for the diagonal: a neuron never sends to itself through Ŵ.
// Its self-weight is held at exactly 0 in the solve (not fitted and then
// zeroed), so the other weights are the least-squares solution of the
// reduced system with sender i removed; whatever a neuron's own activity
// explains belongs to its own term (φ*, or the own-term columns a caller
// adds), never to Ŵ[i, i]. A receiver that is not among the solved senders
// (a flat sender, below) has no constraint to apply; its Ŵ[i, i] is 0 all
// the same. Every caller of this file, and every score computed from its
// Ŵ (ops/eval's connectivity R², over the off-diagonal entries), follows
// this rule.
//
// The method. With G = ΨᵀΨ (float64: the Gram matrices of neural
// activity have condition numbers of 10⁸ and beyond) and A = G + ρI
// factorised once (H = A⁻¹), every receiver's constrained solution is
//
//	ŵ_i = x_i − λ_i·H e_i,   x_i = H Ψᵀy_i,   λ_i = x_i[i] / H_ii
//
// (ZeroDiagonal): one inverse, one GEMM and O(N) work per receiver, for
// any number of right-hand sides (the own-term columns of ops/gnn solve
// against the same H).
//
// Flat senders. A sender whose column is constant over the frames cannot
// be told apart from another constant column (or from an intercept): the
// data do not determine its weights. Senders listed as flat leave the
// system; if their constant values are not all ~0 they enter it as one
// intercept (a column of ones), and each receiver's intercept b_i is spread
// over them in the minimum-norm way, ŵ_i[j] = b_i·m_j/Σ_k m_k² (m_j the
// flat sender's constant), leaving out the receiver itself.
//
// Regularisation (RidgeRule): a fixed ridge that must give a positive
// definite A (the oracle, which prefers ρ = 0), or a ridge raised tenfold
// until A is positive definite and well conditioned, and past a largest
// ridge a pseudo-inverse (the trainer, which must never fail).

// ErrNotPositiveDefinite is returned by FactorZeroDiagonal when the
// regularised Gram matrix is not positive definite (or exceeds the rule's
// condition limit) at every ridge the rule allows and the rule has no
// pseudo-inverse fallback.
var ErrNotPositiveDefinite = errors.New("linalg: the regularised Gram matrix is not positive definite")

// RidgeRule says how FactorZeroDiagonal regularises the Gram matrix A of
// the system (the active senders' G, plus the intercept's row and column)
// before inverting it: A + reg·I with reg = r·Scale for the ridges r it
// tries.
type RidgeRule struct {
	// Ridge is the first ridge tried (≥ 0), in units of Scale.
	Ridge float64
	// Scale is the unit of the ridges; 0 means the mean of A's diagonal
	// (a relative ridge that does not depend on the number of frames),
	// 1 makes Ridge absolute.
	Scale float64
	// MaxRidge, when > 0, raises the ridge tenfold from Ridge (which must
	// then be > 0) while the factorisation fails, up to MaxRidge. With
	// MaxRidge 0 only Ridge is tried.
	MaxRidge float64
	// MaxCond, when > 0, counts a factorisation whose 1-norm condition
	// estimate exceeds it as failed.
	MaxCond float64
	// PinvCut, when > 0, is the fallback after every ridge failed: the
	// pseudo-inverse of A (no ridge) over its eigenvalues above
	// PinvCut·λmax. With PinvCut 0 a failure is ErrNotPositiveDefinite.
	PinvCut float64
}

// Gram is the Gram matrix of a zero-diagonal least-squares problem and
// what the solve needs to handle flat senders.
type Gram struct {
	// N is the number of senders.
	N int
	// G is ΨᵀΨ, N×N row-major with row stride LD (≥ N); only its upper
	// triangle is read.
	G  []float64
	LD int
	// Flat lists the senders whose column of Ψ is constant over the frames
	// (the caller decides which; see the top of this file). nil: none.
	Flat []int
	// Sums are Ψ's column sums over the frames (N values) and Frames their
	// number; read only when Flat is not empty.
	Sums   []float64
	Frames int
	// Work, when not nil, lends the factorisation its buffers (see
	// Workspace); nil: they are allocated.
	Work *Workspace
}

// Workspace keeps the two size×size float64 buffers of a factorisation
// (the factor, later the solutions, and the inverse) between systems of
// one size, so that a caller solving again and again (the trainer, every
// few dozen steps) neither allocates nor faults in 16·size² bytes each
// time: 1 GB at N = 8000, about a tenth of a solve's time. A system
// factorised with a workspace is valid until the workspace's next use, and
// so are the solutions it returns. The zero value is ready.
type Workspace struct{ factor, inverse []float64 }

// Bytes is the memory the workspace holds (0 for the zero value).
func (w *Workspace) Bytes() int { return 8 * (cap(w.factor) + cap(w.inverse)) }

// buffers returns the factor's and the inverse's size×size storage: the
// workspace's (grown when too small), or new ones for a nil workspace (the
// inverse nil then: the factorisation allocates it).
func (w *Workspace) buffers(size int) (factor, inverse []float64) {
	if w == nil {
		return make([]float64, size*size), nil
	}
	if cap(w.factor) < size*size {
		w.factor, w.inverse = nil, nil // let the old ones go first
		w.factor, w.inverse = make([]float64, size*size), make([]float64, size*size)
	}
	return w.factor[:size*size], w.inverse[:size*size]
}

// Regularisation says how FactorZeroDiagonal inverted the system.
type Regularisation struct {
	// Method is "cholesky", "cholesky+ridge" when the ridge had to be
	// raised, "pseudo-inverse" when no ridge was accepted, or "none" when
	// the system has no unknowns (every sender flat, with ~0 constants).
	Method string
	Ridge  float64 // the ridge used, in units of RidgeRule.Scale (0 for the pseudo-inverse)
	Cond   float64 // 1-norm condition estimate of the factorised matrix (+Inf for the pseudo-inverse)
	Rank   int     // directions solved for: the system's size, fewer with the pseudo-inverse
}

// ZeroDiagonalSystem is a factorised zero-diagonal least-squares system
// (see the top of this file): the regularised inverse over the active
// senders and, when there is one, the flat senders' intercept, ready for
// any number of right-hand sides.
type ZeroDiagonalSystem struct {
	n, na, size int
	active, pos []int
	flat        []int
	sums        []float64
	frames      int
	flatNorm    float64
	intercept   bool
	inv, spare  []float64
	rep         Regularisation
}

// FactorZeroDiagonal builds and inverts the system of g under rule. It
// fails only with a rule that has no pseudo-inverse fallback
// (ErrNotPositiveDefinite, wrapped with the ridge tried) or on a malformed
// Gram.
func FactorZeroDiagonal(g Gram, rule RidgeRule) (*ZeroDiagonalSystem, error) {
	n := g.N
	if n < 0 || (n > 0 && (g.LD < n || len(g.G) < (n-1)*g.LD+n)) {
		return nil, fmt.Errorf("linalg: a Gram matrix of %d senders given %d values with stride %d", n, len(g.G), g.LD)
	}
	if rule.Ridge < 0 || math.IsNaN(rule.Ridge) || math.IsInf(rule.Ridge, 0) || (rule.MaxRidge > 0 && rule.Ridge <= 0) {
		return nil, fmt.Errorf("linalg: ridge %v: expected a finite ridge ≥ 0 (> 0 when it may be raised)", rule.Ridge)
	}
	for _, j := range g.Flat {
		if j < 0 || j >= n {
			return nil, fmt.Errorf("linalg: flat sender %d outside [0, %d)", j, n)
		}
	}
	if len(g.Flat) > 0 && (len(g.Sums) < n || g.Frames <= 0) {
		return nil, fmt.Errorf("linalg: flat senders need the %d column sums and the number of frames, got %d sums over %d frames", n, len(g.Sums), g.Frames)
	}
	active, pos := activeSenders(n, g.Flat)
	na := len(active)
	var flatNorm float64
	for _, j := range g.Flat {
		m := g.Sums[j] / float64(g.Frames)
		flatNorm += m * m
	}
	intercept := len(g.Flat) > 0 && flatNorm > 1e-12
	size := na
	if intercept {
		size++
	}
	s := &ZeroDiagonalSystem{n: n, na: na, size: size, active: active, pos: pos, flat: g.Flat, sums: g.Sums,
		frames: g.Frames, flatNorm: flatNorm, intercept: intercept}
	if size == 0 {
		s.rep = Regularisation{Method: "none"}
		return s, nil
	}
	// A's entries: the active senders, then the intercept (a column of
	// ones) when there is one.
	ld := g.LD
	at := func(p, q int) float64 {
		switch {
		case p < na && q < na:
			return g.G[active[p]*ld+active[q]]
		case p < na:
			return g.Sums[active[p]]
		case q < na:
			return g.Sums[active[q]]
		}
		return float64(g.Frames)
	}
	var whole []float64 // A is G itself when no sender is flat
	if na == n {
		whole = g.G
	}
	inv, spare, rep, err := regularisedInverse(at, whole, ld, size, rule, g.Work)
	if err != nil {
		return nil, err
	}
	s.inv, s.spare, s.rep = inv, spare, rep
	return s, nil
}

// RegularisedInverse returns the inverse (size×size, full symmetric,
// row-major) of the symmetric matrix A (entries at(p, q), read from its
// upper triangle) plus a ridge, chosen by rule (see RidgeRule), with what
// it did. a, when not nil, is A itself (row stride lda) and is read
// directly instead of through at. spare is size² values of scratch (the
// factor's storage) that the caller may reuse.
func RegularisedInverse(at func(p, q int) float64, a []float64, lda, size int, rule RidgeRule) (inv, spare []float64, rep Regularisation, err error) {
	return regularisedInverse(at, a, lda, size, rule, nil)
}

// regularisedInverse is RegularisedInverse in the buffers of work (nil:
// allocated).
func regularisedInverse(at func(p, q int) float64, a []float64, lda, size int, rule RidgeRule, work *Workspace) (inv, spare []float64, rep Regularisation, err error) {
	scale := rule.Scale
	if scale == 0 {
		for p := 0; p < size; p++ {
			scale += at(p, p)
		}
		scale = math.Max(scale/float64(max(size, 1)), 1e-300)
	}
	f, invBuf := work.buffers(size)
	// fill writes A + reg·I into f's lower triangle (the one Cholesky
	// reads), entry (p, q) from at(q, p), q ≤ p, so along the rows of A.
	fill := func(reg float64) { FillLower(f, size, reg, at) }
	if a != nil {
		fill = func(reg float64) { FillLowerMatrix(f, size, reg, a, lda) }
	}
	try := func(r float64) []float64 {
		fill(r * scale)
		var chol Cholesky
		if ok := chol.Factorize(f, size); ok && (rule.MaxCond <= 0 || chol.Cond() <= rule.MaxCond) {
			rep = Regularisation{Method: "cholesky", Ridge: r, Cond: chol.Cond(), Rank: size}
			return chol.Inverse(invBuf)
		}
		return nil
	}
	if rule.MaxRidge <= 0 {
		if inv := try(rule.Ridge); inv != nil {
			return inv, f, rep, nil
		}
	} else {
		for r := rule.Ridge; r <= rule.MaxRidge*1.0001; r *= 10 {
			if inv := try(r); inv != nil {
				if r > rule.Ridge*1.0001 {
					rep.Method = "cholesky+ridge"
				}
				return inv, f, rep, nil
			}
		}
	}
	if rule.PinvCut <= 0 {
		last := rule.Ridge
		if rule.MaxRidge > 0 {
			last = rule.MaxRidge
		}
		return nil, nil, Regularisation{}, fmt.Errorf("%w with ridge up to %g (in units of %g)", ErrNotPositiveDefinite, last, scale)
	}
	sym := mat.NewSymDense(size, nil)
	for p := 0; p < size; p++ {
		for q := p; q < size; q++ {
			sym.SetSym(p, q, at(p, q))
		}
	}
	rep = Regularisation{Method: "pseudo-inverse"}
	return pseudoInverse(sym, rule.PinvCut, &rep), f, rep, nil
}

// pseudoInverse returns V·diag(1/λ)·Vᵀ (row-major, full) over the
// eigenvalues λ > cut·λmax, recording the rank kept and an infinite
// condition in rep (all zeros, rank 0, when the eigen-decomposition fails).
func pseudoInverse(sym *mat.SymDense, cut float64, rep *Regularisation) []float64 {
	na := sym.SymmetricDim()
	out := make([]float64, na*na)
	vals, vecs, lmax, ok := symEigen(sym)
	if !ok {
		return out
	}
	v := vecs.RawMatrix() // stride na
	scaled := make([]float64, na*na)
	kept := 0
	for k, l := range vals {
		f := 0.0
		if l > cut*lmax {
			f = 1 / l
			kept++
		}
		for r := 0; r < na; r++ {
			scaled[r*na+k] = v.Data[r*v.Stride+k] * f
		}
	}
	Gemm(false, true, na, na, na, 1, scaled, na, v.Data, v.Stride, 0, out, na)
	rep.Rank, rep.Cond = kept, math.Inf(1)
	return out
}

// MinNormSolve returns the minimum-norm least-squares solution of the
// small symmetric system sym·x = b over its eigen-directions with
// eigenvalues above cut·λmax (the others, and all of them when the
// eigen-decomposition fails, contribute nothing): x = Σ v·(vᵀb)/λ. It is
// the pseudo-inverse's rule applied to one right-hand side (ops/gnn's
// own-term coefficients use it).
func MinNormSolve(sym *mat.SymDense, b []float64, cut float64) []float64 {
	m := sym.SymmetricDim()
	x := make([]float64, m)
	vals, vecs, lmax, ok := symEigen(sym)
	if !ok {
		return x
	}
	for e, l := range vals {
		if l <= cut*lmax {
			continue
		}
		var proj float64
		for q := 0; q < m; q++ {
			proj += vecs.At(q, e) * b[q]
		}
		proj /= l
		for q := 0; q < m; q++ {
			x[q] += proj * vecs.At(q, e)
		}
	}
	return x
}

// symEigen returns the eigenvalues of sym, its eigenvectors (the columns of
// vecs) and the largest eigenvalue; ok is false when the decomposition
// fails.
func symEigen(sym *mat.SymDense) (vals []float64, vecs *mat.Dense, lmax float64, ok bool) {
	var eig mat.EigenSym
	if !eig.Factorize(sym, true) {
		return nil, nil, 0, false
	}
	vals = eig.Values(nil)
	vecs = &mat.Dense{}
	eig.VectorsTo(vecs)
	for _, l := range vals {
		lmax = math.Max(lmax, l)
	}
	return vals, vecs, lmax, true
}

// activeSenders lists the senders not in flat, and each neuron's position
// in that list (-1 for a flat one).
func activeSenders(n int, flat []int) (active, pos []int) {
	pos = make([]int, n)
	skip := make([]bool, n)
	for _, j := range flat {
		skip[j] = true
	}
	for j := 0; j < n; j++ {
		pos[j] = -1
		if !skip[j] {
			pos[j] = len(active)
			active = append(active, j)
		}
	}
	return active, pos
}

// Report says how the system was inverted.
func (s *ZeroDiagonalSystem) Report() Regularisation { return s.rep }

// Size is the number of the system's unknowns per receiver: the active
// senders, plus one for the flat senders' intercept.
func (s *ZeroDiagonalSystem) Size() int { return s.size }

// Active returns the number of active (not flat) senders.
func (s *ZeroDiagonalSystem) Active() int { return s.na }

// Restrict returns the right-hand sides over the system's unknowns (size
// rows, row stride ldc): the rows of b (N×r cross products Ψᵀy, row stride
// ldb, column c for right-hand side c) of the active senders and, with an
// intercept, bsum (the right sides' column sums over the frames). It is b
// itself (ldc = ldb) when no sender is flat.
func (s *ZeroDiagonalSystem) Restrict(b []float64, ldb, r int, bsum []float64) (c []float64, ldc int) {
	if s.na == s.n {
		return b, ldb
	}
	c = make([]float64, s.size*r)
	for p, j := range s.active {
		copy(c[p*r:(p+1)*r], b[j*ldb:j*ldb+r])
	}
	if s.intercept {
		copy(c[s.na*r:(s.na+1)*r], bsum[:r])
	}
	return c, r
}

// SolveRestricted returns Z (r×size, row-major): row c is the solution over
// the system's unknowns for right-hand side c of the restricted cross
// products c (from Restrict) with receiver receivers[c]'s own weight held
// at 0 (receivers nil: right-hand side c belongs to neuron c). The first
// call reuses the factor's storage when it is large enough.
func (s *ZeroDiagonalSystem) SolveRestricted(c []float64, ldc, r int, receivers []int) []float64 {
	self := make([]int, r)
	for q := range self {
		i := q
		if receivers != nil {
			i = receivers[q]
		}
		self[q] = s.pos[i]
	}
	z := ZeroDiagonal(s.inv, s.size, c, ldc, r, self, s.spare)
	s.spare = nil // z may live in it now
	return z
}

// Solve is Restrict followed by SolveRestricted: Z (r×size) for the cross
// products b (N×r, row stride ldb) and their column sums bsum (read only
// with an intercept).
func (s *ZeroDiagonalSystem) Solve(b []float64, ldb, r int, receivers []int, bsum []float64) []float64 {
	c, ldc := s.Restrict(b, ldb, r, bsum)
	return s.SolveRestricted(c, ldc, r, receivers)
}

// Row writes receiver i's row of Ŵ (N values, into dst) from its solution
// zc (size values, a row of Solve's Z): the active senders' weights as
// solved, the intercept spread over the flat senders in the minimum-norm
// way, and 0 for Ŵ[i, i].
func (s *ZeroDiagonalSystem) Row(zc []float64, i int, dst []float32) {
	clear(dst[:s.n])
	if s.size == 0 {
		return
	}
	for q, j := range s.active {
		if j != i {
			dst[j] = float32(zc[q])
		}
	}
	if !s.intercept {
		return
	}
	// spread over the flat senders other than i itself
	frames := float64(s.frames)
	norm := s.flatNorm
	if s.pos[i] < 0 {
		mi := s.sums[i] / frames
		norm -= mi * mi
	}
	if norm > 1e-12 {
		b := zc[s.na]
		for _, j := range s.flat {
			if j != i {
				dst[j] = float32(b * s.sums[j] / frames / norm)
			}
		}
	}
}

// Weights turns Solve's Z (r×size) into the receivers' rows of Ŵ (r×N,
// row-major, float32) with Row; receivers nil: row c is neuron c's.
func (s *ZeroDiagonalSystem) Weights(z []float64, r int, receivers []int) []float32 {
	n, size := s.n, s.size
	w := make([]float32, r*n)
	if size == 0 {
		return w
	}
	par.For(r, 16, func(lo, hi int) {
		for c := lo; c < hi; c++ {
			i := c
			if receivers != nil {
				i = receivers[c]
			}
			s.Row(z[c*size:(c+1)*size], i, w[c*n:(c+1)*n])
		}
	})
	return w
}
