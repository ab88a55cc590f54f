package gnn

import (
	"math"
	"slices"
)

// GroupPsi is ψ* for one group of senders (N4), or for one pair of a
// receiver group and a sender group (N5), as the grouped steps left it
// (groupstep.go): its values at evenly spaced activities over [Lo, Hi].
// Once a step stands, the model reads ψ* from these curves wherever the
// embeddings match a group's, and from ψ*'s MLP elsewhere. The MLP is
// trained toward the curves too, but only to its own precision: on Supp
// 13's rule at N = 200 with own_term, steps read from the MLP kept moving
// the curves by 0.2 % each (the refit's error) while W R² crept up by
// 0.0002 a step; read from the curves they settle at 0.04 %. At full scale
// Supp 13's W R² was the same either way (0.9888 against 0.9886), and the
// N5 unit test's rose from 0.977 to 0.981.
type GroupPsi struct {
	Recv []float32 // the receivers' embedding (nil where ψ* takes none)
	Send []float32 // the senders' embedding
	Lo   float32   // the activity of Vals[0]
	Hi   float32   // the activity of Vals[len(Vals)−1]
	Vals []float32 // ψ* at len(Vals) evenly spaced activities
}

// curve returns g's values as a psiCurve.
func (g *GroupPsi) curve() *psiCurve { return &psiCurve{lo: g.Lo, hi: g.Hi, vals: g.Vals} }

// groupPsiKey is the map key of a pair of embeddings (recv nil for N4).
func groupPsiKey(buf []byte, recv, send []float32) []byte {
	buf = buf[:0]
	for _, v := range recv {
		b := math.Float32bits(v)
		buf = append(buf, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
	}
	buf = append(buf, '|')
	for _, v := range send {
		b := math.Float32bits(v)
		buf = append(buf, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
	}
	return buf
}

// groupPsiIndex maps each curve's pair of embeddings to the curve.
func (m *Model) groupPsiIndex() map[string]*psiCurve {
	idx := make(map[string]*psiCurve, len(m.psiGroups))
	var buf []byte
	for k := range m.psiGroups {
		g := &m.psiGroups[k]
		buf = groupPsiKey(buf, g.Recv, g.Send)
		idx[string(buf)] = g.curve()
	}
	return idx
}

// applyGroupPsi overwrites out[r] with the group curve at uj[r] for every
// row whose embeddings (ai and aj, R×d each; ai ignored unless ψ* takes
// the receiver's) match a curve's.
func (m *Model) applyGroupPsi(out, uj, ai, aj []float32) {
	if len(m.psiGroups) == 0 || aj == nil {
		return
	}
	d := m.spec.EmbeddingDim
	recv := m.spec.PsiTakes(ReceiverEmbedding) && ai != nil
	idx := m.groupPsiIndex()
	var buf []byte
	for r, u := range uj {
		var ar []float32
		if recv {
			ar = ai[r*d : (r+1)*d]
		}
		buf = groupPsiKey(buf, ar, aj[r*d:(r+1)*d])
		if c, ok := idx[string(buf)]; ok {
			out[r] = c.at(u)
		}
	}
}

// neuronGroupPsi returns, for ψ* without the receiver's embedding (N4),
// every neuron's curve as a sender, or nil unless every neuron has one.
func (m *Model) neuronGroupPsi() []*psiCurve {
	if len(m.psiGroups) == 0 || m.spec.PsiTakes(ReceiverEmbedding) || !m.spec.PsiTakes(SenderEmbedding) {
		return nil
	}
	n, d := m.spec.N, m.spec.EmbeddingDim
	idx := m.groupPsiIndex()
	out := make([]*psiCurve, n)
	var buf []byte
	for i := range out {
		buf = groupPsiKey(buf, nil, m.a[i*d:(i+1)*d])
		c, ok := idx[string(buf)]
		if !ok {
			return nil
		}
		out[i] = c
	}
	return out
}

// cloneGroupPsi deep-copies curves (nil stays nil).
func cloneGroupPsi(gs []GroupPsi) []GroupPsi {
	if gs == nil {
		return nil
	}
	out := make([]GroupPsi, len(gs))
	for k, g := range gs {
		out[k] = GroupPsi{Recv: slices.Clone(g.Recv), Send: slices.Clone(g.Send), Lo: g.Lo, Hi: g.Hi, Vals: slices.Clone(g.Vals)}
	}
	return out
}
