package gnn

import (
	"fmt"
	"math"
	"math/rand"
	"slices"

	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/ops/nn"
)

// Model is a GNN: the learnable Ŵ (N×N, receiver-major, diagonal 0), the
// embeddings a (N×EmbeddingDim), the MLPs φ* and ψ* and the optional SIREN Ω*.
// Methods are not safe for concurrent use.
type Model struct {
	spec  ModelSpec
	phi   *nn.MLP
	psi   *nn.MLP
	omega *nn.MLP // nil without hidden input

	w, gw []float32 // Ŵ and its gradient
	a, ga []float32 // embeddings and their gradient

	xnorm  float64   // set by training (0 before)
	epochs int       // epochs completed
	losses []float64 // mean data loss per completed epoch

	// freezeEpochs > 0 freezes a and ψ* for that many coming epochs.
	freezeEpochs int
	// psiGrouped is set once a grouped step of ψ* has stood
	// (groupstep.go): from then on the solves' steps move ψ*, and Adam
	// holds ψ* and the embeddings (which keep the groups) for the rest of
	// training.
	psiGrouped bool
	inputIndex []int // neuron → index into Omega.Neurons, or -1
	track      track // validation, best fit and resume state
	// etab is the input table e (time bins × input neurons) that training
	// learns in closed form or is given (see omega.go); nil otherwise.
	etab    *inputTable
	sirenR2 float64 // R² of Ω*'s fit to etab (NaN before one)
	// psiCurve, when set, is the shared ψ*: the curve of the sparse solve's
	// joint steps (psistep.go). Training, the solves and Psi read it in
	// place of ψ*'s MLP, which follows it only as closely as Adam fits it.
	psiCurve *psiCurve
	// psiGroups are ψ*'s curves per group (N4) or pair of groups (N5)
	// that the grouped steps set (groupcurves.go); ψ* is read from them
	// where the embeddings match.
	psiGroups []GroupPsi
	// bias is each receiver's constant term of du_i/dt, fitted by the
	// own-term solve with its row of Ŵ (ownterm.go) and added to every
	// prediction; nil without one. It holds what a per-receiver constant in
	// the data would otherwise push onto the row's weights: an offset of
	// ψ*, say, which reaches receiver i as δ·Σ_j Ŵ_ij.
	bias []float32
}

// NewModel builds a model with the paper's initialisation: Ŵ ~ Normal(0,1)
// with a zero diagonal, every a_i = 1, MLPs as in nn.NewPaperMLP, Ω* as in
// nn.NewSiren. The same seed gives the same model.
func NewModel(spec ModelSpec, seed int64) (*Model, error) {
	spec = spec.WithDefaults()
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(seed))
	m := &Model{spec: spec, track: newTrack(), sirenR2: math.NaN()}
	var err error
	d := spec.EmbeddingDim
	m.phi, err = nn.NewPaperMLP(nn.MLPSpec{In: 1 + d, Hidden: spec.Phi.Hidden, Out: 1, Layers: spec.Phi.Layers, Activation: spec.Phi.Activation}, rng)
	if err != nil {
		return nil, fmt.Errorf("gnn: phi: %w", err)
	}
	m.psi, err = nn.NewPaperMLP(nn.MLPSpec{In: spec.psiIn(), Hidden: spec.Psi.Hidden, Out: 1, Layers: spec.Psi.Layers, Activation: spec.Psi.Activation}, rng)
	if err != nil {
		return nil, fmt.Errorf("gnn: psi: %w", err)
	}
	n := spec.N
	m.w, m.gw = make([]float32, n*n), make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				m.w[i*n+j] = float32(rng.NormFloat64())
			}
		}
	}
	m.a, m.ga = make([]float32, n*d), make([]float32, n*d)
	for k := range m.a {
		m.a[k] = 1
	}
	if spec.Omega != nil {
		m.omega, err = nn.NewSiren(spec.Omega.Siren, rng)
		if err != nil {
			return nil, fmt.Errorf("gnn: omega: %w", err)
		}
		// Start from e = Ω*² ≈ 1 (no modulation): in multiplicative mode
		// e_i and the row Ŵ[i,:] trade scale, and a SIREN that starts near
		// 0 would push the input neurons' rows to large values.
		last := &m.omega.Layers[len(m.omega.Layers)-1]
		if spec.Omega.Mode == Multiplicative {
			last.B[0] = 1
		}
	}
	m.buildInputIndex()
	return m, nil
}

func (m *Model) buildInputIndex() {
	m.inputIndex = nil
	if m.spec.Omega == nil {
		return
	}
	m.inputIndex = make([]int, m.spec.N)
	for i := range m.inputIndex {
		m.inputIndex[i] = -1
	}
	for k, i := range m.spec.Omega.Neurons {
		m.inputIndex[i] = k
	}
}

// Spec returns the model's shape (with defaults filled in).
func (m *Model) Spec() ModelSpec { return m.spec }

// N is the number of neurons.
func (m *Model) N() int { return m.spec.N }

// XNorm is the activity scale used by training (round(1.5·std(u)) unless
// configured); 0 before the model was trained.
func (m *Model) XNorm() float64 { return m.xnorm }

// SetXNorm sets the activity scale (used by CorrectedW and edge_diff).
func (m *Model) SetXNorm(x float64) { m.xnorm = x }

// EpochsDone is the number of completed training epochs.
func (m *Model) EpochsDone() int { return m.epochs }

// Losses is the mean data loss of each completed epoch.
func (m *Model) Losses() []float64 { return append([]float64(nil), m.losses...) }

// W returns a copy of Ŵ (N×N, W[i*N+j] = weight from sender j to receiver i).
func (m *Model) W() []float32 { return append([]float32(nil), m.w...) }

// SetW replaces Ŵ (N×N); the diagonal is forced to 0. Used for transfer
// experiments (rollouts on a new wiring).
func (m *Model) SetW(w []float32) error {
	n := m.spec.N
	if len(w) != n*n {
		return fmt.Errorf("gnn: SetW needs N²=%d values, found %d", n*n, len(w))
	}
	copy(m.w, w)
	for i := 0; i < n; i++ {
		m.w[i*n+i] = 0
	}
	return nil
}

// Embeddings returns a copy of the embeddings (N×EmbeddingDim, row-major).
func (m *Model) Embeddings() []float32 { return append([]float32(nil), m.a...) }

// SetEmbeddings replaces the embeddings (N×EmbeddingDim).
func (m *Model) SetEmbeddings(a []float32) error {
	if len(a) != len(m.a) {
		return fmt.Errorf("gnn: SetEmbeddings needs N×dim=%d values, found %d", len(m.a), len(a))
	}
	copy(m.a, a)
	return nil
}

// FreezeEmbeddingAndPsi freezes a and ψ* for the next `epochs` epochs of
// training (the step after clustering in SPEC §3).
func (m *Model) FreezeEmbeddingAndPsi(epochs int) { m.freezeEpochs = epochs }

// holdsPsiAndA says whether Adam leaves ψ* and the embeddings alone now:
// during a clustering step's freeze, and once the grouped steps own ψ*.
func (m *Model) holdsPsiAndA() bool { return m.freezeEpochs > 0 || m.psiGrouped }

// Clone returns an independent deep copy.
func (m *Model) Clone() *Model {
	c := *m
	c.phi, c.psi = m.phi.Clone(), m.psi.Clone()
	if m.omega != nil {
		c.omega = m.omega.Clone()
	}
	c.w, c.gw = append([]float32(nil), m.w...), make([]float32, len(m.w))
	c.a, c.ga = append([]float32(nil), m.a...), make([]float32, len(m.a))
	c.bias = slices.Clone(m.bias)
	c.losses = append([]float64(nil), m.losses...)
	c.track = m.track.clone()
	c.etab = m.etab.clone()
	c.buildInputIndex()
	return &c
}

// Phi evaluates φ*(u[r], a[r]) for R rows: u has R values, a has
// R×EmbeddingDim. It returns R values.
func (m *Model) Phi(u, a []float32) ([]float32, error) {
	d := m.spec.EmbeddingDim
	if len(a) != len(u)*d {
		return nil, fmt.Errorf("gnn: Phi needs %d embedding values for %d points, found %d", len(u)*d, len(u), len(a))
	}
	x := make([]float32, len(u)*(1+d))
	for r := range u {
		x[r*(1+d)] = u[r]
		copy(x[r*(1+d)+1:(r+1)*(1+d)], a[r*d:(r+1)*d])
	}
	return evalMLP(m.phi, x, len(u)), nil
}

// PsiEdge evaluates ψ* at the activities u on the edge from sender to
// receiver, with the embeddings ψ* takes (none for N2, a_sender for N4,
// a_receiver and a_sender for N5; those its inputs name for Graph), so that
// callers need not know the variant. A ψ* that takes the receiver's
// activity u[i] is evaluated at u_i = 0 (see PsiAt).
func (m *Model) PsiEdge(u []float32, receiver, sender int) ([]float32, error) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	if receiver < 0 || receiver >= n || sender < 0 || sender >= n {
		return nil, fmt.Errorf("gnn: PsiEdge needs neurons in 0..%d, found receiver %d and sender %d", n-1, receiver, sender)
	}
	repeat := func(input string, i int) []float32 {
		if !m.spec.PsiTakes(input) {
			return nil
		}
		out := make([]float32, len(u)*d)
		for r := range u {
			copy(out[r*d:(r+1)*d], m.a[i*d:(i+1)*d])
		}
		return out
	}
	return m.Psi(u, repeat(ReceiverEmbedding, receiver), repeat(SenderEmbedding, sender))
}

// Psi evaluates ψ*(u[r], …) for R rows of sender activity u. ai (receiver
// embeddings) and aj (sender embeddings), each R×EmbeddingDim, are used
// where ψ* takes them (N4: aj; N5: ai and aj; Graph: those its inputs
// name); pass nil where it does not. A ψ* that takes u[i] is evaluated at
// u_i = 0: Psi is ψ* as a function of the sender's activity.
func (m *Model) Psi(u, ai, aj []float32) ([]float32, error) {
	return m.PsiAt(u, nil, ai, aj)
}

// PsiAt evaluates ψ* for R rows given every input it may take: the
// sender's activity uj (R values), the receiver's activity ui (R values;
// nil means 0), and the receiver's and sender's embeddings ai and aj (each
// R×EmbeddingDim; nil where ψ* does not take them).
func (m *Model) PsiAt(uj, ui, ai, aj []float32) ([]float32, error) {
	rows := len(uj)
	cols := map[string][]float32{SenderActivity: uj, ReceiverActivity: ui, ReceiverEmbedding: ai, SenderEmbedding: aj}
	names := map[string]string{SenderActivity: "sender activity", ReceiverActivity: "receiver activity", ReceiverEmbedding: "receiver embedding", SenderEmbedding: "sender embedding"}
	args := m.spec.PsiArgList()
	for _, in := range args {
		src, w := cols[in], m.spec.inputWidth(in)
		if len(src) != rows*w && !(src == nil && in == ReceiverActivity) {
			return nil, fmt.Errorf("gnn: Psi (%s) needs %d %s values for %d points, found %d", m.spec.Variant, rows*w, names[in], rows, len(src))
		}
	}
	if c := m.psiCurve; c != nil && m.spec.PsiShared() {
		out := make([]float32, rows)
		for r, u := range uj {
			out[r] = c.at(u)
		}
		return out, nil
	}
	in := m.spec.psiIn()
	x := make([]float32, rows*in)
	off := 0
	for _, name := range args {
		src, w := cols[name], m.spec.inputWidth(name)
		if src != nil {
			for r := 0; r < rows; r++ {
				copy(x[r*in+off:r*in+off+w], src[r*w:(r+1)*w])
			}
		}
		off += w
	}
	out := evalMLP(m.psi, x, rows)
	m.applyGroupPsi(out, uj, ai, aj)
	return out, nil
}

// Omega evaluates the raw SIREN Ω*(x, y, t) at R points (e = Ω*²).
func (m *Model) Omega(x, y, t []float32) ([]float32, error) {
	if m.omega == nil {
		return nil, fmt.Errorf("gnn: model has no hidden input Ω*")
	}
	if len(y) != len(x) || len(t) != len(x) {
		return nil, fmt.Errorf("gnn: Omega needs equal lengths, found x %d, y %d, t %d", len(x), len(y), len(t))
	}
	in := make([]float32, 3*len(x))
	for r := range x {
		in[3*r], in[3*r+1], in[3*r+2] = x[r], y[r], t[r]
	}
	return evalMLP(m.omega, in, len(x)), nil
}

// InputField returns e_i for every neuron at normalised time t = k/T: Ω*²
// (multiplicative mode) or the signed Ω* (additive mode) for input neurons,
// 1 (multiplicative) or 0 (additive) for the others, and nil when the model
// has no hidden input.
func (m *Model) InputField(t float32) []float32 {
	if m.omega == nil {
		return nil
	}
	o := m.spec.Omega
	ts := make([]float32, len(o.Neurons))
	for k := range ts {
		ts[k] = t
	}
	om, _ := m.Omega(o.X, o.Y, ts)
	e := make([]float32, m.spec.N)
	if o.Mode == Multiplicative {
		for i := range e {
			e[i] = 1
		}
	}
	for k, i := range o.Neurons {
		e[i] = omegaToE(o.Mode, om[k])
	}
	return e
}

// omegaToE maps Ω*'s output to e: squared (non-negative) in multiplicative
// mode, signed in additive mode.
func omegaToE(mode InputMode, v float32) float32 {
	if mode == Additive {
		return v
	}
	return v * v
}

// evalMLP runs a forward pass in blocks, without touching gradients.
func evalMLP(net *nn.MLP, x []float32, rows int) []float32 {
	const block = 4096
	in := net.Spec.In
	out := make([]float32, rows*net.Spec.Out)
	w := net.NewWork(min(rows, block))
	for lo := 0; lo < rows; lo += block {
		hi := min(rows, lo+block)
		y := net.Forward(w, x[lo*in:hi*in], hi-lo)
		copy(out[lo*net.Spec.Out:], y)
	}
	return out
}

// SamplePhi returns φ*(r, a_n) for every neuron n and grid point r, as an
// N×len(grid) row-major matrix (the first step of type clustering).
func (m *Model) SamplePhi(grid []float32) []float32 {
	n, d, g := m.spec.N, m.spec.EmbeddingDim, len(grid)
	u := make([]float32, n*g)
	a := make([]float32, n*g*d)
	for i := 0; i < n; i++ {
		for k, r := range grid {
			u[i*g+k] = r
			copy(a[(i*g+k)*d:(i*g+k+1)*d], m.a[i*d:(i+1)*d])
		}
	}
	out, _ := m.Phi(u, a)
	return out
}

// CorrectedW corrects Ŵ for the scale and offset that ψ* can trade with Ŵ
// and φ* without knowing the truth: with upper_j and lower_j the medians of
// ψ*(r) over r in [0.8·xnorm, xnorm] and [−xnorm, −0.8·xnorm] (sender j's
// embedding where ψ* takes it; a receiver embedding is a_j's as well),
// W_corr[i,j] = Ŵ[i,j]·(upper_j − lower_j)/(2·gain). For a ψ* that is an
// affine map α·S + β of an odd, saturating S (tanh), (upper − lower)/2 = α
// whatever the offset β, which φ* absorbs; for ψ* without offset it is SPEC
// §4's plateau correction. A report that knows the true S fits α directly
// instead (pipeline.CorrectedWeights).
func CorrectedW(m *Model, xnorm, gain float64) ([]float32, error) {
	if !(xnorm > 0) || !(gain != 0) {
		return nil, fmt.Errorf("gnn: CorrectedW needs xnorm > 0 and gain ≠ 0, found xnorm=%g gain=%g", xnorm, gain)
	}
	upper, err := PsiPlateau(m, xnorm)
	if err != nil {
		return nil, err
	}
	lower, err := PsiPlateau(m, -xnorm)
	if err != nil {
		return nil, err
	}
	n := m.spec.N
	out := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			out[i*n+j] = float32(float64(m.w[i*n+j]) * float64(upper[j]-lower[j]) / (2 * gain))
		}
	}
	return out, nil
}

// plateauGrid is the 50 points of [0.8·xnorm, xnorm] over which ψ*'s
// plateau is the median.
func plateauGrid(xnorm float64) []float32 {
	const points = 50
	grid := make([]float32, points)
	for k := range grid {
		grid[k] = float32(xnorm * (0.8 + 0.2*float64(k)/float64(points-1)))
	}
	return grid
}

// PsiPlateauOf is PsiPlateau for one embedding emb (EmbeddingDim values,
// serving as sender's and receiver's embedding alike; nil for a ψ* that
// takes none): the plateau of ψ* for a cluster's median embedding, say.
func PsiPlateauOf(m *Model, xnorm float64, emb []float32) (float32, error) {
	grid := plateauGrid(xnorm)
	var rows []float32
	if emb != nil {
		rows = make([]float32, 0, len(grid)*len(emb))
		for range grid {
			rows = append(rows, emb...)
		}
	}
	v, err := m.Psi(grid, rows, rows)
	if err != nil {
		return 0, err
	}
	return metrics.Median(v), nil
}

// PsiPlateau returns upper_j, the median of ψ*(r) over 50 points of
// [0.8·xnorm, xnorm], for every sender j (a negative xnorm gives the lower
// plateau, over [xnorm, 0.8·xnorm]).
func PsiPlateau(m *Model, xnorm float64) ([]float32, error) {
	n, d := m.spec.N, m.spec.EmbeddingDim
	grid := plateauGrid(xnorm)
	points := len(grid)
	upper := make([]float32, n)
	if m.spec.PsiShared() {
		v, err := m.Psi(grid, nil, nil)
		if err != nil {
			return nil, err
		}
		med := metrics.Median(v)
		for j := range upper {
			upper[j] = med
		}
		return upper, nil
	}
	u := make([]float32, n*points)
	aj := make([]float32, n*points*d)
	for j := 0; j < n; j++ {
		for k, r := range grid {
			u[j*points+k] = r
			copy(aj[(j*points+k)*d:], m.a[j*d:(j+1)*d])
		}
	}
	v, err := m.Psi(u, aj, aj)
	if err != nil {
		return nil, err
	}
	for j := range upper {
		upper[j] = metrics.Median(v[j*points : (j+1)*points])
	}
	return upper, nil
}
