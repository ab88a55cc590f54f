package gnn

import (
	"fmt"
	"math"

	"github.com/ngs-lab/ngs/ops/nn"
	"gonum.org/v1/gonum/mat"
)

// wSolver computes, for fixed φ*, ψ* and embeddings, the Ŵ that minimises
// Σ_k ‖du_k − φ*_k − Ŵ·ψ*_k‖² over an evenly strided subset of frames, with
// Ŵ's diagonal constrained to 0 (variable projection's inner solve). With a
// hidden input Ω* it solves the rows of the neurons Ω* does not drive, and
// Adam trains the others (each input neuron's e_i(t) would need a Gram
// matrix of its own).
//
// To keep the solve cheap, φ* and ψ* are tabulated on a fine grid over each
// neuron's activity range and linearly interpolated (ReLU MLPs are piecewise
// linear, so the tables are accurate); the Adam steps between solves use the
// exact MLPs.
type wSolver struct {
	m        *Model
	data     Data
	cfg      AlternatingConfig
	frames   []int
	lo, hi   []float32 // per-neuron activity range over the data
	psiMat   []float32 // F×N: ψ* per frame and sender
	resid    []float32 // F×N: du − φ* per frame and receiver
	gram     []float32 // N×N: ΨᵀΨ
	cross    []float32 // N×N: Ψᵀ·resid
	scratch  []float32 // workspace of nn.MulTN
	lastTime float64
}

func newWSolver(m *Model, d Data, cfg AlternatingConfig) *wSolver {
	n := d.N
	f := cfg.Frames
	if f <= 0 {
		f = min(d.T, max(10*n, 10_000))
	}
	f = min(f, d.T)
	s := &wSolver{m: m, data: d, cfg: cfg}
	for k := 0; k < f; k++ {
		s.frames = append(s.frames, int(int64(k)*int64(d.T)/int64(f)))
	}
	s.lo, s.hi = make([]float32, n), make([]float32, n)
	for i := 0; i < n; i++ {
		s.lo[i], s.hi[i] = float32(math.Inf(1)), float32(math.Inf(-1))
	}
	for k := 0; k < d.T; k++ {
		row := d.U[k*n : (k+1)*n]
		for i, v := range row {
			s.lo[i] = min(s.lo[i], v)
			s.hi[i] = max(s.hi[i], v)
		}
	}
	for i := range s.lo {
		if s.hi[i]-s.lo[i] < 1e-6 {
			s.lo[i] -= 1e-3
			s.hi[i] += 1e-3
		}
	}
	s.psiMat = make([]float32, f*n)
	s.resid = make([]float32, f*n)
	s.gram = make([]float32, n*n)
	s.cross = make([]float32, n*n)
	return s
}

// solve replaces the model's Ŵ by the constrained least-squares solution.
func (s *wSolver) solve() error {
	m, n := s.m, s.data.N
	f := len(s.frames)
	phiTab := s.tabulate(false)
	g := s.cfg.Grid
	var psiOf func(i int, v float32) float32
	if m.spec.Variant == N2 {
		// ψ*(u) is the same for every sender: one fine table.
		tab, lo, hi := s.tabulateShared()
		gs := len(tab)
		scale := float32(gs-1) / (hi - lo)
		psiOf = func(_ int, v float32) float32 { return lerp(tab, (v-lo)*scale) }
	} else {
		psiTab := s.tabulate(true)
		psiOf = func(i int, v float32) float32 { return s.interp(psiTab, i, g, v) }
	}
	nn.ParallelRows(f, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			fr := s.frames[k]
			u := s.data.U[fr*n : (fr+1)*n]
			y := s.data.DU[fr*n : (fr+1)*n]
			for i, v := range u {
				s.psiMat[k*n+i] = psiOf(i, v)
				s.resid[k*n+i] = y[i] - s.interp(phiTab, i, g, v)
			}
		}
	})
	s.scratch = nn.MulTN(s.psiMat, f, n, s.psiMat, n, s.gram, s.scratch)
	s.scratch = nn.MulTN(s.psiMat, f, n, s.resid, n, s.cross, s.scratch)
	w, err := constrainedSolve(s.gram, s.cross, n, s.cfg.Ridge)
	if err != nil {
		return err
	}
	if m.inputIndex == nil {
		copy(m.w, w)
		return nil
	}
	// With a hidden input Ω*, only the rows of neurons that Ω* does not
	// drive (e = 1) have the shared design matrix; the input neurons' rows
	// stay with Adam.
	for i := 0; i < n; i++ {
		if m.inputIndex[i] < 0 {
			copy(m.w[i*n:(i+1)*n], w[i*n:(i+1)*n])
		}
	}
	return nil
}

// tabulate evaluates ψ* (psi) or φ* on cfg.Grid points over every neuron's
// range (with that neuron's embedding); the result is N×Grid.
func (s *wSolver) tabulate(psi bool) []float32 {
	m, n, g := s.m, s.data.N, s.cfg.Grid
	d := m.spec.EmbeddingDim
	u := make([]float32, n*g)
	a := make([]float32, n*g*d)
	for i := 0; i < n; i++ {
		step := (s.hi[i] - s.lo[i]) / float32(g-1)
		for k := 0; k < g; k++ {
			u[i*g+k] = s.lo[i] + float32(k)*step
			copy(a[(i*g+k)*d:(i*g+k+1)*d], m.a[i*d:(i+1)*d])
		}
	}
	var out []float32
	if psi {
		out, _ = m.Psi(u, a, a)
	} else {
		out, _ = m.Phi(u, a)
	}
	return out
}

// tabulateShared evaluates ψ*(u) (variant N2) on 16·Grid points over the
// range of all neurons.
func (s *wSolver) tabulateShared() (tab []float32, lo, hi float32) {
	lo, hi = s.lo[0], s.hi[0]
	for i := range s.lo {
		lo, hi = min(lo, s.lo[i]), max(hi, s.hi[i])
	}
	gs := 16 * s.cfg.Grid
	u := make([]float32, gs)
	for k := range u {
		u[k] = lo + (hi-lo)*float32(k)/float32(gs-1)
	}
	tab, _ = s.m.Psi(u, nil, nil)
	return tab, lo, hi
}

// lerp interpolates tab at fractional index p (clamped to the table).
func lerp(tab []float32, p float32) float32 {
	k := int(p)
	if k < 0 {
		k = 0
	} else if k > len(tab)-2 {
		k = len(tab) - 2
	}
	t := p - float32(k)
	return tab[k] + t*(tab[k+1]-tab[k])
}

// interp linearly interpolates neuron i's table at v.
func (s *wSolver) interp(tab []float32, i, g int, v float32) float32 {
	lo, hi := s.lo[i], s.hi[i]
	p := (v - lo) / (hi - lo) * float32(g-1)
	k := int(p)
	if k < 0 {
		k = 0
	} else if k > g-2 {
		k = g - 2
	}
	t := p - float32(k)
	row := tab[i*g : (i+1)*g]
	return row[k] + t*(row[k+1]-row[k])
}

// constrainedSolve returns Ŵ (N×N, receiver-major) minimising
// Σ_i ‖r_i − Ψ ŵ_i‖² + ridge·mean(diag G)·‖ŵ_i‖² subject to ŵ_i[i] = 0,
// given G = ΨᵀΨ (upper triangle) and C = Ψᵀ R (column i for receiver i).
// With X = G⁻¹C, the constrained solution is ŵ_i = x_i − λ_i·G⁻¹e_i with
// λ_i = x_i[i] / (G⁻¹)_ii.
func constrainedSolve(gram, cross []float32, n int, ridge float64) ([]float32, error) {
	sym := mat.NewSymDense(n, nil)
	var trace float64
	for i := 0; i < n; i++ {
		trace += float64(gram[i*n+i])
	}
	reg := ridge * trace / float64(n)
	if reg == 0 {
		reg = 1e-12
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := float64(gram[i*n+j])
			if i == j {
				v += reg
			}
			sym.SetSym(i, j, v)
		}
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(sym); !ok {
		return nil, fmt.Errorf("gnn: Gram matrix of ψ* is not positive definite (ψ* may be constant); raise Alternating.Ridge")
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("gnn: inverting the Gram matrix: %w", err)
	}
	c := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			c.Set(i, j, float64(cross[i*n+j]))
		}
	}
	var x mat.Dense
	x.Mul(&inv, c)
	w := make([]float32, n*n)
	nn.ParallelRows(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			lambda := x.At(i, i) / inv.At(i, i)
			for j := 0; j < n; j++ {
				if j != i {
					w[i*n+j] = float32(x.At(j, i) - lambda*inv.At(j, i))
				}
			}
		}
	})
	return w, nil
}
