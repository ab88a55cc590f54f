package pipeline

import (
	"fmt"

	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/gnn"
)

// When ψ* takes the receiver's embedding (N5: ψ*(u_j, a_i, a_j)), its free
// scale belongs to each pair: Ŵ[i,j]·ψ*(·, a_i, a_j) fits the data as well
// as (Ŵ[i,j]/k)·k·ψ*(·, a_i, a_j) for any k that depends on i's and j's
// embeddings. A correction by the sender alone (its plateau, as
// gnn.CorrectedW does) then leaves the receivers' factors in Ŵ: with the
// true functions of Supp 14 a perfect model scores W R² 0.93 that way. Where
// the truth is known the report measures the map per pair instead: α is the
// least-squares slope of ψ*(u, ā_t, a_j) on the true mixed factor
// S_{t,type(j)}(u) over activity samples of j's type, with ā_t the mean
// embedding of the receivers of true type t, and the corrected Ŵ[i,j] is
// Ŵ[i,j]·α_{type(i),j}/g.

// pairAffine returns α[t·N + j] for every true receiver type t and sender
// j, or ok = false when ψ* does not take the receiver's embedding, takes
// the receiver's activity, or the truth has no single coupling term.
func pairAffine(m *gnn.Model, data *Data, truth *Truth) (alpha []float64, ok bool, err error) {
	spec := m.Spec()
	if !spec.PsiTakes(gnn.ReceiverEmbedding) || spec.PsiTakes(gnn.ReceiverActivity) || truth.Gain == 0 || data == nil || data.U == nil || data.Frames < 1 {
		return nil, false, nil
	}
	n, kinds := m.N(), len(truth.TypeNames)
	means := typeMeanEmbeddings(m, truth)
	alpha = make([]float64, kinds*n)
	for tj := 0; tj < kinds; tj++ {
		var pool []int
		for j, t := range truth.Types {
			if t == tj {
				pool = append(pool, j)
			}
		}
		if len(pool) == 0 {
			continue
		}
		u := activitySamples(data, pool)
		for ti := 0; ti < kinds; ti++ {
			s, single, err := truePairFactor(truth, ti, tj, u)
			if err != nil || !single {
				return nil, false, err
			}
			ai := means[ti]
			if ai == nil {
				continue
			}
			for _, j := range pool {
				learned, err := m.Psi(u, repeatRows(ai, len(u)), repeatEmbeddingFor(m, j, len(u)))
				if err != nil {
					return nil, false, fmt.Errorf("sampling ψ* of sender %d for receivers of type %s: %w", j, typeName(truth.TypeNames, ti), err)
				}
				alpha[ti*n+j], _ = affineFit(s, learned)
			}
		}
	}
	return alpha, true, nil
}

// typeMeanEmbeddings returns the mean learned embedding of the neurons of
// each true type (nil for a type with no neurons).
func typeMeanEmbeddings(m *gnn.Model, truth *Truth) [][]float32 {
	d, emb := m.Spec().EmbeddingDim, m.Embeddings()
	sums := make([][]float64, len(truth.TypeNames))
	counts := make([]int, len(sums))
	for i, t := range truth.Types {
		if sums[t] == nil {
			sums[t] = make([]float64, d)
		}
		for k := 0; k < d; k++ {
			sums[t][k] += float64(emb[i*d+k])
		}
		counts[t]++
	}
	out := make([][]float32, len(sums))
	for t, s := range sums {
		if counts[t] == 0 {
			continue
		}
		out[t] = make([]float32, d)
		for k := range s {
			out[t][k] = float32(s[k] / float64(counts[t]))
		}
	}
	return out
}

// truePairFactor evaluates the true rule's coupling factor from a sender of
// type tj at activities u to a receiver of type ti: the summand's sender
// side S(u_j) for a plain term, or the mixed M(i, j) for a grouped one.
// single is false when the rule has no coupling term or several. It binds
// 2·len(u) neurons, the first len(u) of type tj at u (the senders) and the
// rest of type ti (receivers, whose group gives the factor).
func truePairFactor(truth *Truth, ti, tj int, u []float32) (s []float32, single bool, err error) {
	g := len(u)
	params := map[string][]float32{}
	for name := range truth.Params {
		v := make([]float32, 2*g)
		for r := 0; r < g; r++ {
			v[r] = float32(truth.TypeParams[tj][name])
			v[g+r] = float32(truth.TypeParams[ti][name])
		}
		params[name] = v
	}
	prog, err := eqn.Compile(truth.Rule, eqn.Binding{N: 2 * g, Params: params})
	if err != nil {
		return nil, false, fmt.Errorf("true coupling of types %s → %s: %w", typeName(truth.TypeNames, tj), typeName(truth.TypeNames, ti), err)
	}
	terms := prog.Terms()
	if len(terms) != 1 {
		return nil, false, nil
	}
	state := append(append([]float32(nil), u...), u...)
	prog.EvalSenders(state, nil, 0)
	return append([]float32(nil), terms[0].Group(g)[:g]...), true, nil
}
