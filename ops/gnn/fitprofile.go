package gnn

import (
	"fmt"
	"math"
	"slices"

	"github.com/ngs-lab/ngs/ops/nn"
)

// ReceiverFitProfile scores, for an N5 model (ψ* takes the receiver's
// embedding), how well each receiver's row is fitted under each receiver
// group's design: every row of Ŵ is solved by least squares (with its
// own-term columns) against ψ*(u_j, a_G, a_j) of each group G (Model's
// n5Groups: the distinct embeddings, or k-means groups of them), and its
// mean squared error on held-out frames (every tenth block) is recorded.
// It returns N×k values, log(error under G / the receiver's smallest
// error), and k.
//
// Receivers of one type fit the same groups' designs well and the others
// badly, whatever their φ* and embedding have learned yet: on Supp 14's
// epoch-3 state (docs/RESULTS.md, session 24) these profiles tell the
// receivers of width 2 from those of width 8, which φ* and ψ*'s curves
// there do not. The clustering step's "profiles" projection adds them as a
// block of its features. gramFrames training frames form each Gram matrix
// (≤ 0: 10,000).
func ReceiverFitProfile(m *Model, d Data, gramFrames int) (profile []float32, k int, err error) {
	defer recoverInto(&err)
	n := m.spec.N
	if !m.spec.receiverGrouped() {
		return nil, 0, fmt.Errorf("gnn: receiver fit profiles need a ψ* that takes the receiver's embedding (N5)")
	}
	if d.N != n || d.T < 40 {
		return nil, 0, fmt.Errorf("gnn: receiver fit profiles need %d neurons and at least 40 frames, found %d and %d", n, d.N, d.T)
	}
	cfg := TrainConfig{}.withDefaults(d.T).Alternating
	cfg.Frames = 10_000
	if gramFrames > 0 {
		cfg.Frames = gramFrames
	}
	train, val := splitFrames(d.T, 0.1)
	val = strided(val, 512)
	s := newWSolver(m, d, cfg, train, val)
	groups, centres := m.n5Groups()
	phi := s.tabulate(false)
	all := seq(n)
	k = len(groups)
	errs := make([]float64, n*k)
	for g := range groups {
		s.groupFitErrors(centres[g], phi, all, errs, g, k)
	}
	profile = make([]float32, n*k)
	for i := 0; i < n; i++ {
		row := errs[i*k : (i+1)*k]
		least := math.Inf(1)
		for _, e := range row {
			least = math.Min(least, e)
		}
		for g, e := range row {
			profile[i*k+g] = float32(math.Log(math.Max(e, 1e-300) / math.Max(least, 1e-300)))
		}
	}
	return profile, k, nil
}

// groupFitErrors solves every receiver's row against the design of the
// group whose receiver embedding is centre and writes each receiver's
// validation sum of squared errors into errs[i*k+g].
func (s *wSolver) groupFitErrors(centre []float32, phi []float32, all []int, errs []float64, g, k int) {
	n, v := s.data.N, len(s.val)
	tab := s.tabulateGroup(centre)
	acc := s.accumulateGroupOwn(tab, phi, all)
	flat := flatSenders(s.colSum, s.colSq, len(s.frames))
	w := make([]float32, n*n)
	ko := s.n5OwnK()
	coef := make([]float64, n*ko)
	s.solveGroupOwn(acc, flat, true, w, coef)
	s.fillGroup(tab, phi, all, s.val)
	pred := make([]float32, v*n)
	nn.Gemm(false, true, v, n, n, 1, s.psiMat[:v*n], n, w, n, 0, pred, n)
	nn.ParallelRows(n, func(lo, hi int) {
		var b [n5MaxOwnK]float32
		for i := lo; i < hi; i++ {
			var sum float64
			for f, fr := range s.val {
				s.n5OwnBasis(tab, phi, i, s.data.U[fr*n+i], &b)
				p := float64(pred[f*n+i])
				for q := 0; q < ko; q++ {
					p += coef[i*ko+q] * float64(b[q])
				}
				e := float64(s.resid[f*n+i]) - p
				sum += e * e
			}
			errs[i*k+g] = sum
		}
	})
}

// ErrReceiversUngrouped is ReassignReceivers' answer for a model whose
// receivers do not share embeddings in groups yet (no clustering step).
var ErrReceiversUngrouped = fmt.Errorf("gnn: reassigning receivers needs receivers grouped by identical embeddings (at most %d; after a clustering step)", n5ExactGroups)

// reassignMargin is how much better (error ratio) another group's design
// must fit a receiver's row than its own group's for ReassignReceivers to
// move it.
const reassignMargin = 1.25

// ReassignReceivers moves every receiver of an N5 model whose row fits
// another receiver group's design clearly better than its own group's
// (ReceiverFitProfile; by more than reassignMargin in mean squared error)
// into that group: it takes the embedding of the group's first member. This
// is one step of an EM over the groups: once the groups' ψ*(u_j, a_G, a_j)
// have been trained on their members (an epoch or more after a clustering
// step), a receiver the curves put in the wrong cluster is still told
// apart by its row, which the wrong group's design cannot fit (Supp 14: a
// cluster of type-C and type-D receivers; docs/RESULTS.md, session 24).
// Right after a clustering step, with ψ* not yet trained at the new
// groups' embeddings, it moved 208 of 1000 receivers, most of them wrongly.
// It returns, per moved receiver, the neuron whose embedding it took.
func ReassignReceivers(m *Model, d Data, gramFrames int) (moved map[int]int, err error) {
	profile, k, err := ReceiverFitProfile(m, d, gramFrames)
	if err != nil {
		return nil, err
	}
	defer recoverInto(&err)
	groups, _ := m.n5Groups()
	if distinctEmbeddings(m) != len(groups) {
		return nil, ErrReceiversUngrouped
	}
	own := make([]int, m.spec.N)
	for g, members := range groups {
		for _, i := range members {
			own[i] = g
		}
	}
	dim := m.spec.EmbeddingDim
	limit := float32(math.Log(reassignMargin))
	moved = map[int]int{}
	for i, g := range own {
		row := profile[i*k : (i+1)*k]
		best := g
		for h, v := range row {
			if v < row[best] {
				best = h
			}
		}
		if best != g && row[g]-row[best] > limit && len(groups[best]) > 0 {
			moved[i] = groups[best][0]
		}
	}
	before := slices.Clone(m.a)
	for i, j := range moved {
		copy(m.a[i*dim:(i+1)*dim], before[j*dim:(j+1)*dim])
	}
	return moved, nil
}

// distinctEmbeddings counts the model's distinct embeddings.
func distinctEmbeddings(m *Model) int {
	d := m.spec.EmbeddingDim
	seen := map[string]bool{}
	for i := 0; i < m.spec.N; i++ {
		seen[fmt.Sprint(m.a[i*d:(i+1)*d])] = true
	}
	return len(seen)
}
