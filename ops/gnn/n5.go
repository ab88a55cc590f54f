package gnn

import (
	"math"

	"github.com/ngs-lab/ngs/ops/cluster"
	"github.com/ngs-lab/ngs/ops/nn"
)

// For the N5 variant ψ*(u_j, a_i, a_j) depends on the receiver, so the
// messages cannot be one product Ψ·Ŵᵀ. Receivers are grouped by embedding:
// per group G (receiver embedding a_G) ψ* is evaluated once per frame and
// sender, Ψ_G (B×N), and the group's messages are Ψ_G·Ŵ[G,:]ᵀ, so a step
// costs about as many ψ* passes as there are groups.
//
// The groups are exact, one per distinct embedding, when the embeddings take
// at most n5ExactGroups distinct values (after a clustering step, or at the
// start when every a_i is equal). Otherwise (while the embeddings are still
// being learned) the receivers are quantised: k-means on the embeddings
// into n5QuantisedGroups groups, and ψ* sees each group's mean embedding as
// the receiver's. φ* always sees a_i itself, so the types still separate,
// and once the embeddings cluster the groups are exact again. The same
// groups serve the Adam steps and the exact solve of Ŵ (solve_n5.go).

// n5ExactGroups is the largest number of distinct receiver embeddings given
// one group each.
const n5ExactGroups = 8

// n5QuantisedGroups is the number of k-means groups of receivers when the
// embeddings take more distinct values than n5ExactGroups.
const n5QuantisedGroups = 4

// n5Work holds the per-group buffers. Each group keeps its ψ* inputs and
// activations from the forward pass for the backward pass (about 17 MB per
// group at N = 1000, batch 16, hidden 64), so ψ* runs forward once per
// group and step.
type n5Work struct {
	groups  [][]int     // receivers per group
	centres [][]float32 // receiver embedding ψ* sees, per group
	ins     [][]float32 // per group: B·N × (1+2D) ψ* inputs
	works   []*nn.Work  // per group: ψ*'s activations
	psis    [][]float32 // per group: B×N ψ* outputs (in works)
	wg      []float32   // |G|×N rows of Ŵ of one group
	mg      []float32   // B×|G| messages / their gradient of one group
	dpsi    []float32   // B×N
	dx      []float32   // B·N × (1+2D)
	dwg     []float32   // |G|×N
	ones    []float32   // B×N ones: ψ*'s input Jacobian by one backward pass
	jac     []float32   // B·N × (1+2D): ∂ψ*/∂(u_j, a_G, a_j) per row
	jk      []float32   // B×N: one receiver-embedding component of jac
	pk      []float32   // B×|G|: jk·Ŵ_Gᵀ
}

// receiverGroups returns the receiver groups of the N5 messages (see
// n5Groups); the argument is kept for the callers that say whether the
// embeddings are being trained, which no longer changes the grouping.
func (m *Model) receiverGroups(_ bool) [][]int {
	g, _ := m.n5Groups()
	return g
}

// n5Groups groups the receivers by identical embedding when there are at
// most n5ExactGroups distinct ones, else by k-means into
// n5QuantisedGroups; it returns each group's members and the receiver
// embedding ψ* sees for it (the shared embedding, or the group's mean).
func (m *Model) n5Groups() (groups [][]int, centres [][]float32) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	index := map[string]int{}
	key := make([]byte, 0, 4*d)
	for i := 0; i < n; i++ {
		key = key[:0]
		for _, v := range m.a[i*d : (i+1)*d] {
			b := math.Float32bits(v)
			key = append(key, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
		}
		k, ok := index[string(key)]
		if !ok {
			k = len(groups)
			index[string(key)] = k
			groups = append(groups, nil)
		}
		groups[k] = append(groups[k], i)
	}
	if len(groups) <= n5ExactGroups {
		for _, g := range groups {
			centres = append(centres, m.a[g[0]*d:(g[0]+1)*d])
		}
		return groups, centres
	}
	points := make([][]float64, n)
	for i := range points {
		points[i] = make([]float64, d)
		for k := range points[i] {
			points[i][k] = float64(m.a[i*d+k])
		}
	}
	labels, mids, err := cluster.KMeans(points, n5QuantisedGroups, 1)
	if err != nil { // not expected: there are more distinct points than groups
		for _, g := range groups {
			centres = append(centres, m.a[g[0]*d:(g[0]+1)*d])
		}
		return groups, centres
	}
	groups = make([][]int, len(mids))
	for i, l := range labels {
		groups[l] = append(groups[l], i)
	}
	centres = make([][]float32, 0, len(mids))
	kept := groups[:0]
	for l, g := range groups {
		if len(g) == 0 {
			continue
		}
		c := make([]float32, d)
		for k := range c {
			c[k] = float32(mids[l][k])
		}
		kept = append(kept, g)
		centres = append(centres, c)
	}
	return kept, centres
}

func (m *Model) ensureN5Work(wk *batchWork) *n5Work {
	if wk.n5 == nil {
		n, d := wk.N, wk.D
		rows := wk.B * n
		wk.n5 = &n5Work{wg: make([]float32, n*n),
			mg: make([]float32, rows), dpsi: make([]float32, rows), dx: make([]float32, rows*(1+2*d)),
			dwg: make([]float32, n*n), ones: make([]float32, rows), jac: make([]float32, rows*(1+2*d)),
			jk: make([]float32, rows), pk: make([]float32, rows)}
		for k := range wk.n5.ones {
			wk.n5.ones[k] = 1
		}
	}
	w5 := wk.n5
	w5.groups, w5.centres = m.n5Groups()
	for len(w5.works) < len(w5.groups) {
		rows := wk.B * wk.N
		w5.ins = append(w5.ins, make([]float32, rows*(1+2*wk.D)))
		w5.works = append(w5.works, m.psi.NewWork(rows))
		w5.psis = append(w5.psis, nil)
	}
	return w5
}

// fillGroupInputs builds rows (u_bj, a_G, a_j) in x for a group whose
// receiver embedding is ag.
func (m *Model) fillGroupInputs(wk *batchWork, x, ag []float32, b int) {
	n, d := wk.N, wk.D
	in := 1 + 2*d
	nn.ParallelRows(b*n, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			j := r % n
			row := x[r*in : (r+1)*in]
			row[0] = wk.u[r]
			copy(row[1:1+d], ag)
			copy(row[1+d:], m.a[j*d:(j+1)*d])
		}
	})
}

// gatherRows copies Ŵ's rows of group g into dst (|G|×N).
func (m *Model) gatherRows(g []int, dst []float32) {
	n := m.spec.N
	for k, i := range g {
		copy(dst[k*n:(k+1)*n], m.w[i*n:(i+1)*n])
	}
}

// messagesN5 fills wk.msg (B×N) group by group (n5Groups; whether the
// embeddings are trained does not change the groups).
func (m *Model) messagesN5(wk *batchWork, b int, _ bool) {
	n := wk.N
	w5 := m.ensureN5Work(wk)
	for gi, g := range w5.groups {
		m.fillGroupInputs(wk, w5.ins[gi], w5.centres[gi], b)
		psi := m.psi.Forward(w5.works[gi], w5.ins[gi][:b*n*m.spec.psiIn()], b*n)
		w5.psis[gi] = psi
		m.gatherRows(g, w5.wg)
		nn.Gemm(false, true, b, len(g), n, 1, psi, n, w5.wg, n, 0, w5.mg, len(g))
		for f := 0; f < b; f++ {
			for k, i := range g {
				wk.msg[f*n+i] = w5.mg[f*len(g)+k]
			}
		}
	}
}

// backwardN5 propagates wk.dMsg through the grouped messages of the last
// messagesN5 on wk: Ŵ, ψ* and the embeddings of receivers and senders.
func (m *Model) backwardN5(wk *batchWork, b int, opt stepOptions) {
	n, d := wk.N, wk.D
	w5 := wk.n5
	in := 1 + 2*d
	for gi, g := range w5.groups {
		psi := w5.psis[gi] // the forward pass's, with its activations in works[gi]
		m.gatherRows(g, w5.wg)
		for f := 0; f < b; f++ {
			for k, i := range g {
				w5.mg[f*len(g)+k] = wk.dMsg[f*n+i]
			}
		}
		// dΨ_G = dM_G·Ŵ_G ; dŴ_G = dM_Gᵀ·Ψ_G
		nn.Gemm(false, false, b, n, len(g), 1, w5.mg, len(g), w5.wg, n, 0, w5.dpsi, n)
		if opt.gradW {
			nn.Gemm(true, false, len(g), n, b, 1, w5.mg, len(g), psi, n, 0, w5.dwg, n)
			for k, i := range g {
				row := m.gw[i*n : (i+1)*n]
				axpy32(w5.dwg[k*n:(k+1)*n], row)
				row[i] = 0
			}
		}
		if !opt.gradPsi && !opt.gradA {
			continue
		}
		var dx []float32
		if opt.gradA {
			dx = w5.dx[:b*n*in]
		}
		saved := m.psiGradsIfFrozen(opt)
		m.psi.Backward(w5.works[gi], w5.dpsi, dx)
		if saved != nil {
			copy(m.psi.Grads, saved)
		}
		if dx != nil {
			m.addN5SenderGrads(dx, b)
			m.addN5ReceiverGrads(w5, gi, g, b)
		}
	}
}

// addN5ReceiverGrads adds to each receiver i of group g its own gradient
// through ψ*'s receiver-embedding input, to first order about the group's
// embedding a_G:
//
//	∂L/∂a_i = Σ_b Σ_j dM[b,i]·Ŵ[i,j]·∂ψ*(u_bj, a_G, a_j)/∂a_G.
//
// For a group of receivers that share one embedding (exact groups: at the
// start, when every a_i is 1, and after each clustering step) this is the
// exact gradient of the per-pair model; for k-means groups it is that
// gradient at the group's mean embedding. Summed over the group it is the
// group embedding's gradient. Splitting that sum evenly among the members,
// instead, would give every member of a group the same step, so receivers
// could never learn their own ψ* dependence (N5's receiver width) and a
// group, once formed, could never split. The Jacobian ∂ψ*/∂a_G comes from
// one more backward pass of ψ* (its parameter gradients are restored).
func (m *Model) addN5ReceiverGrads(w5 *n5Work, gi int, g []int, b int) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	in := 1 + 2*d
	rows := b * n
	saved := append([]float32(nil), m.psi.Grads...)
	jac := w5.jac[:rows*in]
	m.psi.Backward(w5.works[gi], w5.ones[:rows], jac)
	copy(m.psi.Grads, saved)
	size := len(g)
	if cap(w5.pk) < b*size {
		w5.pk = make([]float32, b*size)
	}
	pk := w5.pk[:b*size]
	jk := w5.jk[:rows]
	for k := 0; k < d; k++ {
		for r := 0; r < rows; r++ {
			jk[r] = jac[r*in+1+k]
		}
		// P = J_k·Ŵ_Gᵀ (B×|G|); Ŵ_G is still in w5.wg from the backward pass.
		nn.Gemm(false, true, b, size, n, 1, jk, n, w5.wg, n, 0, pk, size)
		for c, i := range g {
			var sum float32
			for f := 0; f < b; f++ {
				sum += w5.mg[f*size+c] * pk[f*size+c]
			}
			m.ga[i*d+k] += sum
		}
	}
}

// psiGradsIfFrozen returns a copy of ψ*'s gradients to restore when ψ* is
// frozen but its backward pass is needed for the embeddings.
func (m *Model) psiGradsIfFrozen(opt stepOptions) []float32 {
	if opt.gradPsi {
		return nil
	}
	return append([]float32(nil), m.psi.Grads...)
}

// addN5SenderGrads adds ψ*'s input gradients of columns 1+D..2D, the
// sender-embedding input, to each sender.
func (m *Model) addN5SenderGrads(dx []float32, b int) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	in := 1 + 2*d
	for r := 0; r < b*n; r++ {
		j := r % n
		row := dx[r*in : (r+1)*in]
		for k := 0; k < d; k++ {
			m.ga[j*d+k] += row[1+d+k]
		}
	}
}

func axpy32(x, y []float32) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] += v
	}
}
