package gnn

import (
	"fmt"
	"math"
	"math/rand"
	"sort"

	"github.com/ngs-lab/ngs/ops/nn"
)

// Learning a hidden input Ω* by closed-form solves (issue 14).
//
// For fixed φ*, ψ* and Ŵ the prediction of an input neuron i is linear in
// its input e_i(t):
//
//	multiplicative: du_i = φ*(u_i) + e_i(t)·m_i(t),  m_i(t) = Σ_j Ŵ[i,j]ψ*_j(t)
//	additive:       du_i = φ*(u_i) + m_i(t) + e_i(t)
//
// so the e_i that minimises the squared error over a bin of frames has a
// closed form, Σ r·m / Σ m² (multiplicative) or the mean of r − m
// (additive), with r = du − φ*. Conversely, for a fixed e the rows of the
// input neurons are ordinary least squares with the shared Gram matrix
// ΨᵀΨ when the target is divided by e (multiplicative) or has e subtracted
// (additive), so every row of Ŵ is solved exactly. The trainer alternates
// both solves with Adam steps on φ*, ψ* and a; e lives in a table of
// TimeBins × input neurons (piecewise constant in time), and Ω*'s SIREN is
// fitted to the table when training ends.
//
// The symmetry: in multiplicative mode e_i and row i of Ŵ trade a constant
// factor per neuron, which no data can fix. After each solve each input
// neuron's row is rescaled so that its robust scale, the median of |Ŵ[i,j]|
// over j, equals the median of that scale over the anchor rows (neurons
// without input, e = 1), and the factor moves into e_i. This assumes that
// the true rows of W share one scale distribution (as i.i.d. weights do),
// so that the median of a row's magnitudes is the same for every receiver
// up to sampling error (about 3.5 % in the scale for N = 2048 Cauchy
// weights, half of that in √e).

// InputMethod names how a hidden input is learned.
type InputMethod string

// The input methods.
const (
	// InputSolve learns e by closed-form least squares per time bin,
	// alternating with exact solves of every row of Ŵ, and fits the SIREN
	// Ω* to the result when training ends (the default with the
	// alternating solver).
	InputSolve InputMethod = "solve"
	// InputAdam trains the SIREN Ω* by backpropagation through the whole
	// model, as the paper does, with the input neurons' rows of Ŵ trained
	// by Adam.
	InputAdam InputMethod = "adam"
)

// InputConfig tunes how training learns or uses the hidden input.
type InputConfig struct {
	// Method is InputSolve or InputAdam (default InputSolve with the
	// alternating solver, InputAdam with the adam solver).
	Method InputMethod
	// TimeBins is the number of equal time bins of the learned input
	// table (default min(T/100, 256)); e is constant within a bin. Each
	// bin adds one unknown per input neuron, so bins must hold enough
	// frames to tell e from Ŵ's row (about 100 at dt = 0.01, the neurons'
	// time scale). For the reference's movie, 256 bins align with its
	// frames.
	TimeBins int
	// Known (T×N, as simulate records e) makes the model use the true
	// input instead of learning it: Ŵ, φ*, ψ* and a are trained with e
	// given, and Ω* is fitted to it at the end.
	Known []float32
	// SirenSteps of Adam fit Ω* to the table when training ends (default
	// 1500; 0 keeps the default, negative skips the fit).
	SirenSteps int
	// SirenLR is the Adam rate of that fit (default 1e-4).
	SirenLR float64
	// NoRenormalise turns off the anchoring of the input neurons' row
	// scales (multiplicative mode).
	NoRenormalise bool
	// Linear interpolates e linearly between the bins' centres instead of
	// holding it constant within each bin (for inputs that change
	// smoothly, such as an oscillation; a movie's frames are steps).
	Linear bool
}

// inputTable is e on TimeBins × K (input neurons in Omega.Neurons order):
// constant within each bin, or with Linear interpolated linearly between
// the bins' centres (constant beyond the first and last centre).
type inputTable struct {
	Bins, T int
	E       []float32
	Known   bool
	Linear  bool
}

// weights returns the two bins that make e at frame position pos (a frame
// index, possibly fractional) and their weights.
func (tb *inputTable) weights(pos float64) (b0 int, w0 float32, b1 int, w1 float32) {
	if !tb.Linear {
		b := int(math.Floor(pos*float64(tb.Bins)/float64(tb.T) + 1e-9))
		b = min(max(b, 0), tb.Bins-1)
		return b, 1, b, 0
	}
	p := (pos+0.5)*float64(tb.Bins)/float64(tb.T) - 0.5
	if p <= 0 {
		return 0, 1, 0, 0
	}
	if p >= float64(tb.Bins-1) {
		return tb.Bins - 1, 1, tb.Bins - 1, 0
	}
	b0 = int(p)
	t := float32(p - float64(b0))
	return b0, 1 - t, b0 + 1, t
}

// value is e of input neuron q at frame position pos.
func (tb *inputTable) value(pos float64, q, k int) float32 {
	b0, w0, b1, w1 := tb.weights(pos)
	return w0*tb.E[b0*k+q] + w1*tb.E[b1*k+q]
}

// bin returns the time bin of frame k.
func (tb *inputTable) bin(k int) int {
	b := int(int64(k) * int64(tb.Bins) / int64(tb.T))
	return min(max(b, 0), tb.Bins-1)
}

// binAt returns the time bin of normalised time t = k/T.
func (tb *inputTable) binAt(t float32) int {
	b := int(math.Floor(float64(t)*float64(tb.Bins) + 1e-4))
	return min(max(b, 0), tb.Bins-1)
}

func (tb *inputTable) clone() *inputTable {
	if tb == nil {
		return nil
	}
	c := *tb
	c.E = append([]float32(nil), tb.E...)
	return &c
}

// usesInputTable says whether training learns (or is given) e as a table.
func (c TrainConfig) usesInputTable(spec ModelSpec) bool {
	if spec.Omega == nil {
		return false
	}
	if c.Input.Known != nil {
		return true
	}
	return c.Solver == SolverAlternating && c.Input.Method != InputAdam
}

// validateInput checks the input settings against the model and data.
func (c TrainConfig) validateInput(spec ModelSpec, d Data) error {
	in := c.Input
	switch in.Method {
	case "", InputSolve, InputAdam:
	default:
		return fmt.Errorf("gnn: unknown input method %q (expected solve or adam)", in.Method)
	}
	if in.Method == InputSolve && c.Solver != SolverAlternating {
		return fmt.Errorf("gnn: input method solve needs solver alternating")
	}
	if spec.Omega == nil && (in.Known != nil || in.Method != "") {
		return fmt.Errorf("gnn: an input setting needs a hidden input: declare omega = siren(x, y, t, ...) in the model")
	}
	if in.Known != nil && len(in.Known) != d.T*d.N {
		return fmt.Errorf("gnn: the known input e has %d values, expected frames×neurons = %d×%d", len(in.Known), d.T, d.N)
	}
	if in.TimeBins < 0 {
		return fmt.Errorf("gnn: setting input_bins must be ≥ 1, found %d", in.TimeBins)
	}
	for k, v := range in.Known {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("gnn: the known input e is %g at frame %d, neuron %d", v, k/d.N, k%d.N)
		}
	}
	return nil
}

// initInputTable sets up the table at the start of training (a resumed
// model keeps its own).
func (t *trainer) initInputTable() {
	m, cfg := t.m, t.cfg
	if !cfg.usesInputTable(m.spec) {
		m.etab = nil // Ω* itself drives the model (a table from earlier training is dropped)
		return
	}
	o := m.spec.Omega
	k, T := len(o.Neurons), t.data.T
	if cfg.Input.Known != nil {
		tb := &inputTable{Bins: T, T: T, E: make([]float32, T*k), Known: true}
		n := t.data.N
		for f := 0; f < T; f++ {
			for q, i := range o.Neurons {
				tb.E[f*k+q] = cfg.Input.Known[f*n+i]
			}
		}
		m.etab = tb
		return
	}
	if m.etab != nil && m.etab.T == T && len(m.etab.E) == m.etab.Bins*k {
		return
	}
	bins := cfg.Input.TimeBins
	if bins == 0 {
		bins = min(max(T/100, 1), 256)
	}
	bins = min(bins, T)
	tb := &inputTable{Bins: bins, T: T, E: make([]float32, bins*k), Linear: cfg.Input.Linear && bins > 1}
	if o.Mode == Multiplicative {
		for q := range tb.E {
			tb.E[q] = 1
		}
	}
	m.etab = tb
}

// afterSolve anchors the input rows' scales and re-estimates e from the
// Ŵ just solved.
func (t *trainer) afterSolve() {
	m := t.m
	if m.etab == nil || m.etab.Known || t.solver == nil || t.solver.lastTables == nil {
		return
	}
	if m.spec.Omega.Mode == Multiplicative && !t.cfg.Input.NoRenormalise {
		m.anchorRowScales()
	}
	t.solver.estimateInput(*t.solver.lastTables)
}

// rowScale is the median of |Ŵ[i,j]| over j ≠ i.
func (m *Model) rowScale(i int, buf []float32) float64 {
	n := m.spec.N
	buf = buf[:0]
	for j, v := range m.w[i*n : (i+1)*n] {
		if j != i {
			buf = append(buf, float32(math.Abs(float64(v))))
		}
	}
	sort.Slice(buf, func(a, b int) bool { return buf[a] < buf[b] })
	if len(buf) == 0 {
		return 0
	}
	if len(buf)%2 == 1 {
		return float64(buf[len(buf)/2])
	}
	return (float64(buf[len(buf)/2-1]) + float64(buf[len(buf)/2])) / 2
}

// anchorRowScales rescales every input neuron's row of Ŵ to the median row
// scale of the anchor rows (all rows' median when every neuron has input)
// and moves the factor into its e.
func (m *Model) anchorRowScales() {
	n := m.spec.N
	o := m.spec.Omega
	buf := make([]float32, 0, n)
	var anchors, all []float64
	scales := make([]float64, len(o.Neurons))
	for i := 0; i < n; i++ {
		s := m.rowScale(i, buf)
		if m.inputIndex[i] < 0 {
			anchors = append(anchors, s)
		} else {
			scales[m.inputIndex[i]] = s
		}
		all = append(all, s)
	}
	if len(anchors) == 0 {
		anchors = all
	}
	sort.Float64s(anchors)
	ref := anchors[len(anchors)/2]
	if !(ref > 0) {
		return
	}
	k := len(o.Neurons)
	tb := m.etab
	for q, i := range o.Neurons {
		c := scales[q] / ref
		if !(c > 0) || math.IsInf(c, 0) {
			continue
		}
		inv := float32(1 / c)
		row := m.w[i*n : (i+1)*n]
		for j := range row {
			row[j] *= inv
		}
		for b := 0; b < tb.Bins; b++ {
			tb.E[b*k+q] *= float32(c)
		}
	}
}

// estimateInput sets each bin's e to its least-squares value given Ŵ, φ*
// and ψ* over the Gram frames; bins without frames (validation blocks) are
// interpolated from their neighbours.
func (s *wSolver) estimateInput(tb tables) {
	if s.m.etab.Linear {
		s.estimateLinear(tb)
		return
	}
	m, n := s.m, s.data.N
	o := m.spec.Omega
	k := len(o.Neurons)
	et := m.etab
	wk := make([]float32, k*n) // the input rows of Ŵ
	for q, i := range o.Neurons {
		copy(wk[q*n:(q+1)*n], m.w[i*n:(i+1)*n])
	}
	num := make([]float64, et.Bins*k)
	den := make([]float64, et.Bins*k)
	msg := make([]float32, gramBlock*k)
	mult := o.Mode == Multiplicative
	for b0 := 0; b0 < len(s.frames); b0 += gramBlock {
		fr := s.frames[b0:min(b0+gramBlock, len(s.frames))]
		s.fillRaw(tb, fr)
		rows := len(fr)
		nn.Gemm(false, true, rows, k, n, 1, s.psiMat[:rows*n], n, wk, n, 0, msg[:rows*k], k)
		for r, f := range fr {
			b := et.bin(f)
			for q, i := range o.Neurons {
				res, mm := float64(s.resid[r*n+i]), float64(msg[r*k+q])
				if mult {
					num[b*k+q] += res * mm
					den[b*k+q] += mm * mm
				} else {
					num[b*k+q] += res - mm
					den[b*k+q]++
				}
			}
		}
	}
	for q := 0; q < k; q++ {
		// A bin is estimated where its frames carry signal: for the
		// multiplicative mode Σ m² at least 1e-3 of the neuron's mean.
		var mean float64
		for b := 0; b < et.Bins; b++ {
			mean += den[b*k+q]
		}
		mean /= float64(et.Bins)
		// Additive mode: the input's mean over the recording cannot be
		// told from a constant drive (Ŵψ*'s mean, φ*'s offset); e is taken
		// to average to 0 and the constant stays with the model.
		var offset float64
		if !mult {
			var sn, sd float64
			for b := 0; b < et.Bins; b++ {
				sn += num[b*k+q]
				sd += den[b*k+q]
			}
			if sd > 0 {
				offset = sn / sd
			}
		}
		var have []int
		for b := 0; b < et.Bins; b++ {
			if d := den[b*k+q]; d > 0 && d >= 1e-3*mean {
				et.E[b*k+q] = float32(num[b*k+q]/d - offset)
				have = append(have, b)
			}
		}
		fillGaps(et.E, k, q, et.Bins, have)
	}
}

// fillGaps interpolates column q of a bins×k table linearly between the
// bins listed in have (sorted), constant beyond the first and last.
func fillGaps(e []float32, k, q, bins int, have []int) {
	if len(have) == 0 {
		return
	}
	for b := 0; b < have[0]; b++ {
		e[b*k+q] = e[have[0]*k+q]
	}
	for h := 0; h+1 < len(have); h++ {
		lo, hi := have[h], have[h+1]
		for b := lo + 1; b < hi; b++ {
			a := float32(b-lo) / float32(hi-lo)
			e[b*k+q] = (1-a)*e[lo*k+q] + a*e[hi*k+q]
		}
	}
	last := have[len(have)-1]
	for b := last + 1; b < bins; b++ {
		e[b*k+q] = e[last*k+q]
	}
}

// fitSirenToTable fits Ω* to the input table by Adam on squared error:
// Ω* ≈ √max(e, 0) in multiplicative mode (e = Ω*²), Ω* ≈ e in additive
// mode. It uses at most 512 time bins, evenly strided, and returns the R²
// of the fit over them.
func (m *Model) fitSirenToTable(steps int, lr float64, seed int64) float64 {
	tb, o := m.etab, m.spec.Omega
	if tb == nil || m.omega == nil || steps <= 0 {
		return math.NaN()
	}
	k := len(o.Neurons)
	nb := min(tb.Bins, 512)
	var in, target []float32
	for s := 0; s < nb; s++ {
		b := int(int64(s) * int64(tb.Bins) / int64(nb))
		t := (float32(b) + 0.5) / float32(tb.Bins)
		for q := 0; q < k; q++ {
			v := tb.E[b*k+q]
			if o.Mode == Multiplicative {
				v = float32(math.Sqrt(math.Max(float64(v), 0)))
			}
			in = append(in, o.X[q], o.Y[q], t)
			target = append(target, v)
		}
	}
	pts := len(target)
	const batch = 2048
	bs := min(batch, pts)
	opt := nn.NewAdam()
	opt.Add("omega", m.omega.Params, m.omega.Grads, lr)
	w := m.omega.NewWork(bs)
	x := make([]float32, bs*3)
	y := make([]float32, bs)
	dy := make([]float32, bs)
	rng := rand.New(rand.NewSource(seed))
	for step := 0; step < steps; step++ {
		for r := 0; r < bs; r++ {
			p := rng.Intn(pts)
			copy(x[r*3:r*3+3], in[p*3:p*3+3])
			y[r] = target[p]
		}
		m.omega.ZeroGrads()
		out := m.omega.Forward(w, x, bs)
		for r := range dy {
			dy[r] = 2 * (out[r] - y[r]) / float32(bs)
		}
		m.omega.Backward(w, dy, nil)
		opt.Step()
	}
	pred := evalMLP(m.omega, in, pts)
	var mean, ss, sr float64
	for _, v := range target {
		mean += float64(v)
	}
	mean /= float64(pts)
	for r, v := range target {
		ss += (float64(v) - mean) * (float64(v) - mean)
		d := float64(v - pred[r])
		sr += d * d
	}
	if ss == 0 {
		return math.NaN()
	}
	return 1 - sr/ss
}

// HasInputTable says whether the model carries a learned (or given) input
// table, e per time bin and input neuron.
func (m *Model) HasInputTable() bool { return m.etab != nil }

// InputTableField returns e_i at normalised time t = k/T from the input
// table (1 or 0 for neurons without input, as InputField), or nil when the
// model has no table.
func (m *Model) InputTableField(t float32) []float32 {
	if m.etab == nil {
		return nil
	}
	o := m.spec.Omega
	e := make([]float32, m.spec.N)
	if o.Mode == Multiplicative {
		for i := range e {
			e[i] = 1
		}
	}
	k := len(o.Neurons)
	pos := float64(t) * float64(m.etab.T)
	if !m.etab.Linear {
		pos = float64(m.etab.binAt(t)) * float64(m.etab.T) / float64(m.etab.Bins)
		pos = math.Ceil(pos - 1e-6) // the first frame of the bin
	}
	for q, i := range o.Neurons {
		e[i] = m.etab.value(pos, q, k)
	}
	return e
}

// SirenFitR2 is the R² of Ω*'s fit to the input table when training ended
// (NaN when there was none).
func (m *Model) SirenFitR2() float64 { return m.sirenR2 }

// fillFromTable fills wk.e for the first b frames from the input table.
func (m *Model) fillFromTable(wk *batchWork, b int) {
	o := m.spec.Omega
	k, n := len(o.Neurons), wk.N
	fill := float32(0)
	if o.Mode == Multiplicative {
		fill = 1
	}
	for r := 0; r < b*n; r++ {
		wk.e[r] = fill
	}
	for f := 0; f < b; f++ {
		b0, w0, b1, w1 := m.etab.weights(float64(wk.frame[f]))
		r0, r1 := m.etab.E[b0*k:], m.etab.E[b1*k:]
		for q, i := range o.Neurons {
			wk.e[f*n+i] = w0*r0[q] + w1*r1[q]
		}
	}
}

// inputTargets turns the input neurons' residuals r = du − φ* of the
// frames in resid into targets of Σ_j Ŵ[i,j]ψ*_j alone: r/e
// (multiplicative; |e| is kept at least 1e-3 of the neuron's largest |e|,
// which assumes e stays away from 0, as the movie's 0.5 to 1.48 does) or
// r − e (additive).
func (s *wSolver) inputTargets(frames []int) {
	m, n := s.m, s.data.N
	o := m.spec.Omega
	k := len(o.Neurons)
	tb := m.etab
	mult := o.Mode == Multiplicative
	var floor []float32
	if mult {
		floor = make([]float32, k)
		for b := 0; b < tb.Bins; b++ {
			for q := 0; q < k; q++ {
				floor[q] = max(floor[q], float32(math.Abs(float64(tb.E[b*k+q]))))
			}
		}
		for q := range floor {
			floor[q] = max(1e-3*floor[q], 1e-12)
		}
	}
	for r, f := range frames {
		b0, w0, b1, w1 := tb.weights(float64(f))
		r0, r1 := tb.E[b0*k:], tb.E[b1*k:]
		for q, i := range o.Neurons {
			e := w0*r0[q] + w1*r1[q]
			if !mult {
				s.resid[r*n+i] -= e
				continue
			}
			if a := float32(math.Abs(float64(e))); a < floor[q] {
				e = float32(math.Copysign(float64(floor[q]), float64(e)))
			}
			s.resid[r*n+i] /= e
		}
	}
}

// finishInput re-estimates e for the fit training leaves (which may be an
// earlier epoch's) and fits Ω* to it.
func (t *trainer) finishInput() {
	m := t.m
	if m.etab == nil {
		return
	}
	if !m.etab.Known && (t.solver == nil || t.warmingUp()) {
		return // no solve yet: the table was never learned, Ω* keeps its start
	}
	if !m.etab.Known {
		if m.spec.Omega.Mode == Multiplicative && !t.cfg.Input.NoRenormalise {
			m.anchorRowScales()
		}
		t.solver.estimateInput(t.solver.tables())
	}
	steps, lr := t.cfg.Input.SirenSteps, t.cfg.Input.SirenLR
	if steps == 0 {
		steps = 1500
	}
	if lr <= 0 {
		lr = 1e-4
	}
	m.sirenR2 = m.fitSirenToTable(steps, lr, t.cfg.Seed)
}

// binSums are the sums of ψ* (every sender) and of the input neurons'
// targets per time bin over the Gram frames, for the joint solve of the
// additive input rows.
type binSums struct {
	psi []float64 // bins × N: HᵀΨ, H the frames' weights on the bins
	res []float64 // bins × K: Hᵀr
	cnt []float64 // bins: diagonal of HᵀH (frame counts for constant bins)
	off []float64 // bins: HᵀH between bins b and b+1 (0 for constant bins)
}

// learnsAdditive says whether training learns an additive input table.
func (s *wSolver) learnsAdditive() bool {
	m := s.m
	return m.etab != nil && !m.etab.Known && m.spec.Omega.Mode == Additive
}

// startBinSums clears the per-bin sums before a Gram accumulation.
func (s *wSolver) startBinSums() {
	if !s.learnsAdditive() {
		s.bins = nil
		return
	}
	g, n, k := s.m.etab.Bins, s.data.N, len(s.m.spec.Omega.Neurons)
	if s.bins == nil || len(s.bins.cnt) != g {
		s.bins = &binSums{psi: make([]float64, g*n), res: make([]float64, g*k), cnt: make([]float64, g), off: make([]float64, g)}
	}
	clear(s.bins.psi)
	clear(s.bins.res)
	clear(s.bins.cnt)
	clear(s.bins.off)
}

// addBinSums adds one block of Gram frames (in psiMat and resid).
func (s *wSolver) addBinSums(frames []int) {
	if s.bins == nil {
		return
	}
	n, o, et := s.data.N, s.m.spec.Omega, s.m.etab
	k := len(o.Neurons)
	for r, f := range frames {
		b0, w0, b1, w1 := et.weights(float64(f))
		for _, bw := range [2]struct {
			b int
			w float64
		}{{b0, float64(w0)}, {b1, float64(w1)}} {
			if bw.w == 0 {
				continue
			}
			b, w := bw.b, bw.w
			s.bins.cnt[b] += w * w
			ps := s.bins.psi[b*n : (b+1)*n]
			for j, v := range s.psiMat[r*n : (r+1)*n] {
				ps[j] += w * float64(v)
			}
			for q, i := range o.Neurons {
				s.bins.res[b*k+q] += w * float64(s.resid[r*n+i])
			}
		}
		if b1 != b0 {
			s.bins.off[b0] += float64(w0) * float64(w1)
		}
	}
}

// solveInputRows replaces the input neurons' rows of w by the joint
// least-squares solution for (Ŵ[i,:], e_i per bin) in additive mode: with
// e_i free in each bin, Ŵ's row solves the problem with ψ* and the target
// centred within each bin (Gram ΨᵀΨ − Σ_b S_b S_bᵀ/n_b for bin sums S_b),
// and e is then each bin's mean of r − Ŵψ* (estimateInput). Alternating
// the two instead converges slowly when the input's time course is also
// visible in the activity of the neurons it drives.
func (s *wSolver) solveInputRows(w []float32, flat []int) {
	if s.bins == nil {
		return
	}
	n, o := s.data.N, s.m.spec.Omega
	k := len(o.Neurons)
	bs := s.bins
	g := len(bs.cnt)
	gram := make([]float64, n*n)
	cross := make([]float64, n*n)
	copy(gram, s.gram)
	// Totals over all frames: adding back S·Sᵀ/n keeps the constant in Ŵ's
	// row, so that e is the zero-mean input (estimateInput); the bins'
	// weights sum to 1 at every frame, so the totals are the bins' sums.
	total := float64(len(s.frames))
	tpsi := make([]float64, n)
	tres := make([]float64, k)
	for b := 0; b < g; b++ {
		for j := 0; j < n; j++ {
			tpsi[j] += bs.psi[b*n+j]
		}
		for q := 0; q < k; q++ {
			tres[q] += bs.res[b*k+q]
		}
	}
	if total == 0 {
		return
	}
	// X = (HᵀH)⁻¹HᵀΨ and Y = (HᵀH)⁻¹Hᵀr, column by column (HᵀH is
	// tridiagonal, diagonal for constant bins).
	x := make([]float64, g*n)
	y := make([]float64, g*k)
	nn.ParallelRows(n+k, func(lo, hi int) {
		d, col := make([]float64, g), make([]float64, g)
		for c := lo; c < hi; c++ {
			copy(d, bs.cnt)
			for b := 0; b < g; b++ {
				if c < n {
					col[b] = bs.psi[b*n+c]
				} else {
					col[b] = bs.res[b*k+c-n]
				}
			}
			thomas(d, bs.off, col)
			for b := 0; b < g; b++ {
				if c < n {
					x[b*n+c] = col[b]
				} else {
					y[b*k+c-n] = col[b]
				}
			}
		}
	})
	nn.ParallelRows(n, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			row := gram[j*n : (j+1)*n]
			for b := 0; b < g; b++ {
				sj := bs.psi[b*n+j]
				if sj == 0 {
					continue
				}
				xb := x[b*n : (b+1)*n]
				for l, v := range xb {
					row[l] -= sj * v
				}
			}
			for l, v := range tpsi {
				row[l] += tpsi[j] * v / total
			}
			for q, i := range o.Neurons {
				v := s.cross[j*n+i] + tpsi[j]*tres[q]/total
				for b := 0; b < g; b++ {
					v -= bs.psi[b*n+j] * y[b*k+q]
				}
				cross[j*n+i] = v
			}
		}
	})
	zeros := make([]float64, n)
	w2, _ := robustSolve(gram, cross, n, s.cfg.Ridge, flat, zeros, zeros, len(s.frames), nil)
	for _, i := range o.Neurons {
		copy(w[i*n:(i+1)*n], w2[i*n:(i+1)*n])
	}
}

// dampRows are the rows whose solve the validation frames judge: with a
// learned input table, the anchor rows only (the input rows' validation
// residuals still hold the previous e, which is re-estimated for the new
// rows right after the solve).
func (s *wSolver) dampRows(owned []bool) []bool {
	m := s.m
	if m.etab == nil || m.etab.Known {
		return owned
	}
	out := make([]bool, len(owned))
	for i := range out {
		out[i] = owned[i] && m.inputIndex[i] < 0
	}
	return out
}

// estimateLinear is estimateInput for a piecewise-linear table: per input
// neuron, the bin values solve the tridiagonal normal equations of
// Σ_k (r_k − e(k)·m_k)² (multiplicative) or Σ_k (r_k − m_k − e(k))²
// (additive), with a weak smoothness term (1e-3 of the mean diagonal on
// neighbours' differences) that carries the values across bins without
// frames.
func (s *wSolver) estimateLinear(tb tables) {
	m, n := s.m, s.data.N
	o := m.spec.Omega
	k := len(o.Neurons)
	et := m.etab
	g := et.Bins
	wk := make([]float32, k*n)
	for q, i := range o.Neurons {
		copy(wk[q*n:(q+1)*n], m.w[i*n:(i+1)*n])
	}
	diag := make([]float64, g*k)
	off := make([]float64, g*k) // coupling of bins b and b+1
	rhs := make([]float64, g*k)
	hsum := make([]float64, g) // Σ_k h_b(k), for the additive mean
	msg := make([]float32, gramBlock*k)
	mult := o.Mode == Multiplicative
	for c0 := 0; c0 < len(s.frames); c0 += gramBlock {
		fr := s.frames[c0:min(c0+gramBlock, len(s.frames))]
		s.fillRaw(tb, fr)
		rows := len(fr)
		nn.Gemm(false, true, rows, k, n, 1, s.psiMat[:rows*n], n, wk, n, 0, msg[:rows*k], k)
		for r, f := range fr {
			b0, w0, b1, w1 := et.weights(float64(f))
			v0, v1 := float64(w0), float64(w1)
			hsum[b0] += v0
			hsum[b1] += v1
			for q, i := range o.Neurons {
				res, mm := float64(s.resid[r*n+i]), float64(msg[r*k+q])
				a, y := mm, res // e enters as a·e; y is its target
				if !mult {
					a, y = 1, res-mm
				}
				diag[b0*k+q] += v0 * v0 * a * a
				rhs[b0*k+q] += v0 * a * y
				if b1 != b0 {
					diag[b1*k+q] += v1 * v1 * a * a
					off[b0*k+q] += v0 * v1 * a * a
					rhs[b1*k+q] += v1 * a * y
				}
			}
		}
	}
	var total float64
	for _, h := range hsum {
		total += h
	}
	d, l, x := make([]float64, g), make([]float64, g), make([]float64, g)
	for q := 0; q < k; q++ {
		var mean float64
		for b := 0; b < g; b++ {
			mean += diag[b*k+q]
		}
		mean /= float64(g)
		if !(mean > 0) {
			continue
		}
		mu := 1e-3 * mean
		for b := 0; b < g; b++ {
			d[b] = diag[b*k+q]
			l[b] = off[b*k+q] - mu // off-diagonal (b, b+1)
			x[b] = rhs[b*k+q]
			if b > 0 {
				d[b] += mu
			}
			if b < g-1 {
				d[b] += mu
			}
		}
		thomas(d, l, x)
		offset := 0.0
		if !mult && total > 0 {
			for b := 0; b < g; b++ {
				offset += x[b] * hsum[b]
			}
			offset /= total
		}
		for b := 0; b < g; b++ {
			et.E[b*k+q] = float32(x[b] - offset)
		}
	}
}

// thomas solves the symmetric tridiagonal system with diagonal d and
// off-diagonal l (l[b] couples b and b+1) in place: x enters as the
// right-hand side and leaves as the solution; d is overwritten.
func thomas(d, l, x []float64) {
	g := len(d)
	for b := 1; b < g; b++ {
		if d[b-1] == 0 {
			continue
		}
		f := l[b-1] / d[b-1]
		d[b] -= f * l[b-1]
		x[b] -= f * x[b-1]
	}
	for b := g - 1; b >= 0; b-- {
		if b < g-1 {
			x[b] -= l[b] * x[b+1]
		}
		if d[b] != 0 {
			x[b] /= d[b]
		} else {
			x[b] = 0
		}
	}
}
