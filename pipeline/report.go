package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ngs-lab/ngs/ops/eval"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/input"
	"github.com/ngs-lab/ngs/ops/sim"
	"github.com/ngs-lab/ngs/report"
)

// Data is the activity a model was trained on: frames × recorded neurons,
// row-major, float32.
type Data struct {
	// U is the activity, DU its noise-free du/dt and E the input (nil when
	// not recorded).
	U, DU, E []float32
	Frames   int
	// Neurons is the number of recorded neurons.
	Neurons int
	Dt      float64
	// Recording describes the frames held out of a recording (nil for a
	// simulation).
	Recording *Recording
	// DropResident, when not nil, takes the pages of memory-mapped U, DU
	// and E out of resident memory (npy.Mapped.DropResident): the report
	// calls it after each section and every baselineDrop frames of the
	// least-squares baseline, so that what it reads does not stay resident.
	DropResident func()
}

// dropResident calls d.DropResident when it is set.
func (d *Data) dropResident() {
	if d.DropResident != nil {
		d.DropResident()
	}
}

// Recording is what the report needs of a recording read from files: the
// frames held out of training and how du/dt was obtained.
type Recording struct {
	// HoldU is the held-out activity as used for training (smoothed when
	// Smoothed), HoldRaw as recorded, HoldDU its du/dt; HoldFrames frames,
	// of which the first HoldRun have no gap between them.
	HoldU, HoldRaw, HoldDU []float32
	HoldFrames, HoldRun    int
	Smoothed               bool
	// Method says how du/dt was obtained ("estimated by central
	// differences …").
	Method string
	// Types are the neurons' known types (nil when unknown).
	Types []int
}

// Fit is a trained model with what training recorded about it.
type Fit struct {
	Model   *gnn.Model
	History []gnn.Progress
	// Seed is the training seed (it also seeds the report's searches);
	// Frozen marks embeddings kept fixed.
	Seed   int64
	Frozen bool
	// Labels are the clusters of the last clustering step and Clusters
	// their number (nil and 0 before one).
	Labels   []int
	Clusters int
	// Unclustered holds the embeddings just before the first clustering
	// step replaced them (nil before one), at the end of epoch
	// UnclusteredEpoch (0-based).
	Unclustered      []float32
	UnclusteredEpoch int
}

// ReportConfig says where the report goes and what it compares.
type ReportConfig struct {
	// Dir is the folder the report is written to (created if missing).
	Dir string
	// Meta describes the run; Report adds timing "report" (its own
	// seconds), "total" (the sum of the phases' timings) and
	// "report_<section>" (each section's seconds, part of "report") to
	// Meta.Timings.
	Meta report.Meta
	// OnSection, when not nil, is told each section's name and seconds as
	// it finishes, the done-th of total (a long report's progress).
	OnSection func(name string, done, total int, seconds float64)
	// Threshold is the single-linkage threshold at which the types section
	// clusters the embeddings (the symbolic section too, when the fit has
	// no clusters of its own).
	Threshold float64
	// EdgeRule says how the edges section reads a sparse graph off Ŵ.
	EdgeRule report.EdgeRule
	// Rollout is the number of steps of the rollout compared with the
	// truth (0: no rollout section).
	Rollout int
	// Transfer optionally gives another network of the same size and
	// types to roll the learned functions out on (nil: no transfer
	// section).
	Transfer *Truth
	// Symbolic turns on the formulas section, each search scoring at most
	// SymbolicBudget formulas (DefaultSymbolicBudget when 0).
	Symbolic       bool
	SymbolicBudget int
}

// Report compares a fit with the true network and writes the report
// (metrics.json, report.md, report.html, plots, the summary figure) to
// cfg.Dir: activity, connectivity, edges, types, functions, rollout,
// transfer, external input, training and symbolic sections, and for a
// recording the prediction of held-out du/dt, each compared with the truth
// only when there is one (truth.W not nil). A section that cannot be
// computed is listed as skipped with the reason and the others still run.
// It returns the report's typed metrics.
func Report(ctx context.Context, fit Fit, data *Data, truth *Truth, cfg ReportConfig) (report.Metrics, error) {
	if fit.Model == nil || data == nil || truth == nil {
		return report.Metrics{}, fmt.Errorf("report: expected a fitted model, its data and a truth")
	}
	if truth.N != fit.Model.N() {
		return report.Metrics{}, fmt.Errorf("report: the truth has %d neurons but the fit has %d", truth.N, fit.Model.N())
	}
	start := time.Now()
	meta := cfg.Meta
	timings := map[string]float64{}
	for k, v := range meta.Timings {
		timings[k] = v
	}
	meta.Timings = timings
	if meta.Start.IsZero() {
		meta.Start = start
	}
	rp := &reporter{ctx: ctx, cfg: cfg, fit: fit, data: data, truth: truth, r: report.New(cfg.Dir, meta)}
	xr := fit.Model.XNorm()
	if !(xr > 0) {
		xr = 5
	}
	rp.grid = linspace(-xr, xr, 200)
	sectionTimes := rp.sections()
	timings["report"] = time.Since(start).Seconds()
	var total float64
	for k, v := range timings {
		if k != "total" && !strings.HasPrefix(k, sectionTimingPrefix) {
			total += v
		}
	}
	timings["total"] = total
	for name, seconds := range sectionTimes {
		timings[sectionTimingPrefix+strings.ReplaceAll(name, " ", "_")] = seconds
	}
	if err := rp.r.Close(); err != nil {
		return report.Metrics{}, fmt.Errorf("writing the report: %v", err)
	}
	return rp.r.Metrics(), nil
}

// reporter computes the sections of one report.
type reporter struct {
	ctx    context.Context
	cfg    ReportConfig
	fit    Fit
	data   *Data
	truth  *Truth
	r      *report.Report
	grid   []float32
	labels []int // clusters of the embeddings (nil when not computed)
	// trueW and learnedW are comparedWeights' matrices, kept by the
	// connectivity section for the edges section.
	trueW, learnedW []float32
	sym             symbolicInputs
}

// symbolicInputs are the curves the report's function plots show, kept by
// the functions section for the symbolic one: φ* per neuron, corrected ψ*
// per neuron (N×len(grid) each) and the true φ and ψ per type.
type symbolicInputs struct {
	phi, psi         []float32
	truePhi, truePsi [][]float32
}

// clusters returns the clusters of the fit's last clustering step, or
// clusters its embeddings at the report's threshold.
func (rp *reporter) clusters() ([]int, int, error) {
	if rp.fit.Labels != nil {
		return rp.fit.Labels, rp.fit.Clusters, nil
	}
	return Clusters(rp.fit.Model, rp.cfg.Threshold)
}

// linspace returns n evenly spaced values from lo to hi.
func linspace(lo, hi float64, n int) []float32 {
	out := make([]float32, n)
	for k := range out {
		out[k] = float32(lo + (hi-lo)*float64(k)/float64(n-1))
	}
	return out
}

// sectionTimingPrefix starts the timing keys of the report's sections.
const sectionTimingPrefix = "report_"

// sections runs every section; one that fails is listed as skipped with its
// reason, and the others still run. It returns each section's seconds.
func (rp *reporter) sections() map[string]float64 {
	list := []reportSection{
		{"activity", rp.activity},
		{"connectivity", rp.connectivity},
		{"edges", rp.edges},
		{"types", rp.types},
		{"functions", rp.functions},
		{"rollout", rp.rollout},
		{"transfer", rp.transfer},
		{"external input", rp.externalInput},
		{"training", rp.training},
		{"symbolic", rp.symbolic},
	}
	if rp.data.Recording != nil {
		list = rp.recordingSections(list)
	}
	times := make(map[string]float64, len(list))
	for k, s := range list {
		if err := rp.ctx.Err(); err != nil {
			rp.r.Skip(s.name, "cancelled: "+err.Error())
			continue
		}
		t0 := time.Now()
		if err := s.fn(); err != nil {
			rp.r.Skip(s.name, err.Error())
		}
		rp.data.dropResident()
		times[s.name] = time.Since(t0).Seconds()
		if rp.cfg.OnSection != nil {
			rp.cfg.OnSection(s.name, k+1, len(list), times[s.name])
		}
	}
	return times
}

// skipped is an error that says why a section does not apply.
type skipped string

func (s skipped) Error() string { return string(s) }

func (rp *reporter) activity() error {
	d := rp.data
	return rp.r.AddActivity(report.Activity{U: d.U, Frames: d.Frames, Neurons: d.Neurons, Dt: d.Dt,
		Types: rp.truth.Types, TypeNames: rp.truth.TypeNames})
}

func (rp *reporter) connectivity() error {
	m := rp.fit.Model
	trueW, corrected, err := comparedWeights(m, rp.data, rp.truth)
	if err != nil {
		return err
	}
	rp.trueW, rp.learnedW = trueW, corrected
	c := report.Connectivity{N: m.N(), True: trueW, Learned: corrected, Raw: m.W()}
	if base, err := rp.leastSquares(); err == nil {
		c.Baseline = base
	} else {
		c.BaselineNote = err.Error()
	}
	return rp.r.AddConnectivity(c)
}

// baselineFrames caps the frames of the least-squares baseline: 20 per
// neuron (enough for an exact solve on Fig 2's dynamics), at most 40,000
// (at N = 8000 a float64 Gram over more would cost minutes for a reference
// number).
const baselineFrames = 40_000

// baselineBlock is how many frames the baseline evaluates and accumulates
// at a time, so that its memory does not grow with the recording.
const baselineBlock = 256

// baselineDrop is how many frames the baseline reads between drops of a
// mapped recording's resident pages (Data.DropResident).
const baselineDrop = 16 * baselineBlock

// leastSquares is the reviewer's baseline: with the true ψ and local update
// known, the W minimising the derivative error, solved directly. It reads
// evenly strided frames in blocks, so its memory is the normal equations'
// (16·N² bytes) plus a block, whatever the recording's length.
func (rp *reporter) leastSquares() ([]float32, error) {
	d := rp.data
	n := rp.truth.N
	split, ok, err := newCouplingSplit(rp.truth)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, skipped("the rule has several or receiver-dependent coupling terms: no direct baseline")
	}
	frames := min(d.Frames, 20*n, baselineFrames)
	stride := max(1, d.Frames/frames)
	frames = d.Frames / stride
	equations, err := eval.NewNormalEquations(n)
	if err != nil {
		return nil, err
	}
	u := make([]float32, baselineBlock*n)
	du := make([]float32, baselineBlock*n)
	s := make([]float32, baselineBlock*n)
	local := make([]float32, baselineBlock*n)
	factor := make([]float32, baselineBlock*n)
	var e []float32
	if d.E != nil {
		e = make([]float32, baselineBlock*n)
	}
	for start := 0; start < frames; start += baselineBlock {
		if start > 0 && start%baselineDrop == 0 {
			d.dropResident()
		}
		rows := min(baselineBlock, frames-start)
		for r := 0; r < rows; r++ {
			src := (start + r) * stride * n
			copy(u[r*n:(r+1)*n], d.U[src:])
			copy(du[r*n:(r+1)*n], d.DU[src:])
			if e != nil {
				copy(e[r*n:(r+1)*n], d.E[src:])
			}
		}
		split.eval(u, e, rows, s, local, factor)
		for k := range du[:rows*n] {
			if factor[k] == 0 {
				return nil, skipped("the coupling term vanishes for some neuron and frame: no direct baseline")
			}
			du[k] = (du[k] - local[k]) / factor[k]
		}
		if err := equations.Add(s[:rows*n], du[:rows*n], rows); err != nil {
			return nil, err
		}
	}
	// No ridge: the Gram matrix is ill-conditioned and a ridge biases the
	// solution badly; with too few frames the solve fails and says so.
	return equations.SolveZeroDiagonal(0)
}

func (rp *reporter) types() error {
	m := rp.fit.Model
	if rp.fit.Frozen {
		return skipped("the embeddings were frozen (freeze_embedding = true): no types to recover")
	}
	d := m.Spec().EmbeddingDim
	score, err := eval.TypeRecovery(m.Embeddings(), d, rp.truth.Types, rp.cfg.Threshold)
	if err != nil {
		return err
	}
	rp.labels = score.Labels
	t := report.Types{Embeddings: m.Embeddings(), Dim: d, TrueTypes: rp.truth.Types, Clusters: score.Labels, TypeNames: rp.truth.TypeNames}
	t.Warning = clusterWarning(rp.cfg.Threshold, score.Clusters, m.N(), len(rp.truth.TypeNames))
	if rp.fit.Unclustered != nil {
		t.Unclustered, t.UnclusteredWhen = rp.fit.Unclustered, fmt.Sprintf("end of epoch %d, before the first clustering step", rp.fit.UnclusteredEpoch+1)
	}
	return rp.r.AddTypes(t)
}

// clusterWarning says when a clustering threshold merges every neuron into
// one cluster or leaves each neuron alone ("" otherwise).
func clusterWarning(threshold float64, clusters, neurons, kinds int) string {
	switch {
	case clusters == 1 && kinds > 1:
		return fmt.Sprintf("threshold %g merges all %d neurons into one cluster (the truth has %d types): try a smaller threshold", threshold, neurons, kinds)
	case clusters == neurons && neurons > kinds:
		return fmt.Sprintf("threshold %g leaves each of the %d neurons in its own cluster: try a larger threshold", threshold, neurons)
	}
	return ""
}

// edges reads a sparse graph off the corrected Ŵ with the report's rule and
// scores it against the true W.
func (rp *reporter) edges() error {
	m := rp.fit.Model
	trueW, corrected := rp.trueW, rp.learnedW
	if trueW == nil {
		var err error
		if trueW, corrected, err = comparedWeights(m, rp.data, rp.truth); err != nil {
			return err
		}
	}
	thr, desc, err := report.EdgeThreshold(corrected, m.N(), rp.cfg.EdgeRule)
	if err != nil {
		return err
	}
	return rp.r.AddEdges(report.Edges{N: m.N(), True: trueW, Learned: corrected, Threshold: thr, Rule: desc})
}

func (rp *reporter) functions() error {
	m := rp.fit.Model
	truePhi, truePsi, err := trueFunctions(rp.truth, rp.grid)
	if err != nil {
		return err
	}
	phi := m.SamplePhi(rp.grid)
	rp.sym.phi, rp.sym.truePhi, rp.sym.truePsi = phi, truePhi, truePsi
	names := rp.truth.TypeNames
	if err := rp.r.AddUpdateFunctions(report.Functions{Grid: rp.grid, Curves: phi, CurveTypes: rp.truth.Types, True: flatten(truePhi), TypeNames: names}); err != nil {
		return err
	}
	if truePsi == nil {
		return skipped("the true rule has no coupling term")
	}
	psi, scales, err := CorrectedTransfer(m, rp.data, rp.truth, rp.grid)
	if err != nil {
		return err
	}
	rp.sym.psi = psi
	return rp.r.AddTransferFunctions(report.Functions{Grid: rp.grid, Curves: psi, CurveTypes: rp.truth.Types, True: flatten(truePsi), TypeNames: names, Scales: scales})
}

func flatten(rows [][]float32) []float32 {
	var out []float32
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// rollout integrates the learned model and the noise-free true network from
// the first recorded frame and compares them.
func (rp *reporter) rollout() error {
	steps := rp.cfg.Rollout
	if steps < 1 {
		return skipped("rollout = 0")
	}
	d := rp.data
	n := rp.truth.N
	u0 := append([]float32(nil), d.U[:n]...)
	var ext []float32
	if d.E != nil && d.Neurons == n {
		ext = d.E[:min(len(d.E), int(steps)*n)]
		if len(ext) < int(steps)*n {
			return skipped("the recorded input is shorter than the rollout")
		}
	}
	learned, truth, err := rp.rollPair(rp.fit.Model, rp.truth, u0, int(steps), ext)
	if err != nil {
		return err
	}
	return rp.r.AddRollout(report.Rollout{True: truth, Learned: learned, Frames: int(steps) + 1, Neurons: n, Dt: d.Dt, Checkpoints: checkpoints(int(steps)),
		Types: rp.truth.Types, TypeNames: rp.truth.TypeNames})
}

func checkpoints(steps int) []int {
	var out []int
	for _, s := range []int{400, 800} {
		if s <= steps {
			out = append(out, s)
		}
	}
	return out
}

// rollPair rolls a model and a true network out from u0 for steps steps.
func (rp *reporter) rollPair(m *gnn.Model, net *Truth, u0 []float32, steps int, ext []float32) (learned, truth []float32, err error) {
	dt := rp.data.Dt
	learned, err = m.Rollout(u0, dt, steps, ext)
	if err != nil {
		return nil, nil, err
	}
	simNet := &sim.Network{N: net.N, Types: net.Types, Params: net.Params, Rule: net.Rule, W: net.W, U0: u0}
	if ext != nil {
		table, err := input.NewTable(append(ext, ext[len(ext)-net.N:]...), steps+1, net.N)
		if err != nil {
			return nil, nil, err
		}
		simNet.Input = table
	}
	res, err := sim.Run(rp.ctx, simNet, sim.Options{Dt: dt, Frames: steps + 1, Record: sim.RecordU})
	if err != nil {
		return nil, nil, err
	}
	return learned, res.U, nil
}

// transfer gives each neuron of another network its type's learned
// embedding, the learned model that network's wiring, and rolls both out
// (Supp 5 and 6).
func (rp *reporter) transfer() error {
	other := rp.cfg.Transfer
	if other == nil {
		return skipped("no transfer network given (transfer = net)")
	}
	m := rp.fit.Model
	if other.N != m.N() || len(other.TypeNames) != len(rp.truth.TypeNames) {
		return fmt.Errorf("the transfer network must have the same size and types as the truth (%d neurons, %d types), found %d and %d", m.N(), len(rp.truth.TypeNames), other.N, len(other.TypeNames))
	}
	d := m.Spec().EmbeddingDim
	table, err := eval.TypeEmbeddingTable(m.Embeddings(), d, rp.truth.Types, len(rp.truth.TypeNames))
	if err != nil {
		return err
	}
	emb, err := eval.EmbeddingsFromTypes(other.Types, table)
	if err != nil {
		return err
	}
	upper, err := gnn.PsiPlateau(m, m.XNorm())
	if err != nil {
		return err
	}
	clone := m.Clone()
	n := other.N
	w := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w[i*n+j] = other.W[i*n+j] * float32(other.Gain) / upper[j]
		}
	}
	if err := clone.SetW(w); err != nil {
		return err
	}
	if err := clone.SetEmbeddings(emb); err != nil {
		return err
	}
	u0 := make([]float32, n)
	rng := rand.New(rand.NewPCG(uint64(rp.fit.Seed), 7))
	for i := range u0 {
		u0[i] = float32(5 * rng.NormFloat64())
	}
	steps := 1000
	learned, truth, err := rp.rollPair(clone, other, u0, steps, nil)
	if err != nil {
		return err
	}
	return rp.r.AddTransfer(report.Rollout{True: truth, Learned: learned, Frames: steps + 1, Neurons: n, Dt: rp.data.Dt})
}

func (rp *reporter) training() error {
	h := rp.fit.History
	if len(h) == 0 {
		return skipped("no training progress was recorded")
	}
	var t report.Training
	t.XLabel = "step"
	for _, p := range h {
		step := float64(p.Epoch*p.StepsPerEpoch + p.Step)
		t.Loss = append(t.Loss, p.Loss)
		t.LossAt = append(t.LossAt, step)
		if !math.IsNaN(p.R2) {
			t.R2 = append(t.R2, p.R2)
			t.R2At = append(t.R2At, step)
			t.R2Seconds = append(t.R2Seconds, p.Elapsed)
		}
	}
	m := rp.fit.Model
	if val := m.ValidationLosses(); len(val) > 0 && len(h) > 0 {
		steps := float64(h[0].StepsPerEpoch)
		first := m.EpochsDone() - len(val) // epochs trained before a resume have their values too
		for e, v := range val {
			t.Validation = append(t.Validation, v)
			t.ValidationAt = append(t.ValidationAt, float64(first+e+1)*steps)
		}
		if b := m.BestEpoch(); b >= 0 {
			t.Best = float64(b+1) * steps
		}
		t.BestEpoch = m.BestEpoch()
	}
	return rp.r.AddTraining(t)
}

// reportSection is one section of a report and the function that adds it.
type reportSection struct {
	name string
	fn   func() error
}

// noTruth reports whether the report has nothing true to compare with: the
// truth is the placeholder network of a recording, which has no W.
func (rp *reporter) noTruth() bool { return rp.truth.W == nil }

// recordingSections adapts the list of sections to a fit on a recording:
// du/dt predicted on held-out frames is added, and the rollout is compared
// with the recorded activity rather than with a simulation of the truth
// (which, for a partial recording, is not the system that was recorded).
// Without truth, connectivity, types and functions show what was learned
// only, and every section says that there is no ground truth.
func (rp *reporter) recordingSections(list []reportSection) []reportSection {
	out := make([]reportSection, 0, len(list)+1)
	for _, s := range list {
		switch s.name {
		case "activity":
			out = append(out, s, reportSection{"prediction", rp.prediction})
			continue
		case "rollout":
			s.fn = rp.recordedRollout
		case "connectivity":
			if !rp.truth.known() {
				s.fn = rp.learnedConnectivity
			}
		case "types":
			if !rp.truth.known() && rp.data.Recording.Types == nil {
				s.fn = rp.learnedTypes
			}
		case "functions":
			if !rp.truth.known() {
				s.fn = rp.learnedFunctions
			}
		}
		out = append(out, s)
	}
	if !rp.truth.known() {
		for k := range out {
			s := out[k]
			out[k].fn = func() error {
				err := s.fn()
				for _, key := range noTruthKeys[s.name] {
					rp.r.Note(key, report.NoTruth+" "+noTruthNotes[key])
				}
				return err
			}
		}
	}
	return out
}

// noTruthKeys are the report sections each step adds.
var noTruthKeys = map[string][]string{
	"activity": {"activity"}, "prediction": {"prediction"}, "connectivity": {"connectivity"}, "types": {"types"},
	"functions": {"functions.phi", "functions.psi"}, "rollout": {"rollout"}, "training": {"training"}, "symbolic": {"symbolic"},
}

// noTruthNotes say what each section shows instead of a comparison.
var noTruthNotes = map[string]string{
	"activity":      "The traces are the recorded activity.",
	"prediction":    "The learned model is judged by how well it predicts du/dt on frames it never saw.",
	"connectivity":  "Ŵ is shown alone; its scale is g·W, since the coupling gain g is unknown.",
	"types":         "The embeddings are coloured by learned cluster; the number of clusters is the model's estimate of the number of types.",
	"functions.phi": "Each neuron's learned update function φ*, coloured by learned cluster.",
	"functions.psi": "The learned transfer function ψ*, divided by its plateau at large u.",
	"rollout":       "The learned model is integrated from the first held-out frame and compared with the recorded activity (\"true\" in the plot is the recording).",
	"training":      "The loss is the fit to the recorded (or estimated) du/dt.",
	"symbolic":      "Formulas fitted to the learned functions, not checked against true ones.",
}

// prediction compares the model's du/dt with the recording's on the
// held-out frames (on up to 2,000 training frames when none were held out).
func (rp *reporter) prediction() error {
	d := rp.data
	rec := d.Recording
	m := rp.fit.Model
	n := m.N()
	u, du, frames, held := rec.HoldU, rec.HoldDU, rec.HoldFrames, true
	if frames == 0 {
		frames, held = min(d.Frames, 2000), false
		u, du = d.U[:frames*n], d.DU[:frames*n]
	}
	pred := make([]float32, 0, frames*n)
	for f := 0; f < frames; f++ {
		p, err := m.Predict(u[f*n:(f+1)*n], nil, 1)
		if err != nil {
			return err
		}
		pred = append(pred, p...)
	}
	what := "du/dt " + rec.Method
	if rec.Smoothed {
		what += ", at the smoothed activity"
	}
	return rp.r.AddPrediction(report.Prediction{Target: du, Predicted: pred, Frames: frames, Neurons: n, What: what, Held: held})
}

// recordedRollout integrates the learned model from the first held-out
// frame and compares it with the recorded activity that followed.
func (rp *reporter) recordedRollout() error {
	steps := rp.cfg.Rollout
	if steps < 1 {
		return skipped("rollout = 0")
	}
	rec := rp.data.Recording
	if rec.HoldRun < 2 {
		return skipped("no held-out frames to roll out against (holdout = 0)")
	}
	s := min(int(steps), rec.HoldRun-1)
	m := rp.fit.Model
	n := m.N()
	learned, err := m.Rollout(rec.HoldU[:n], rp.data.Dt, s, nil)
	if err != nil {
		return err
	}
	cps := checkpoints(s)
	if len(cps) == 0 {
		cps = []int{s}
	}
	err = rp.r.AddRollout(report.Rollout{True: rec.HoldRaw[:(s+1)*n], Learned: learned, Frames: s + 1, Neurons: n, Dt: rp.data.Dt, Checkpoints: cps})
	if err == nil && !!rp.truth.known() {
		rp.r.Note("rollout", "Compared with the recorded activity from the first held-out frame (\"true\" in the plot is the recording).")
	}
	return err
}

// learnedConnectivity shows Ŵ (plateau-corrected, in units of g·W).
func (rp *reporter) learnedConnectivity() error {
	m := rp.fit.Model
	w, err := gnn.CorrectedW(m, m.XNorm(), 1)
	if err != nil {
		return err
	}
	return rp.r.AddLearnedConnectivity(report.LearnedW{N: m.N(), W: w, Label: "corrected by ψ*'s plateau, g·W"})
}

// clusterNames names learned clusters.
func clusterNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprintf("cluster %d", i)
	}
	return names
}

// learnedLabels are the fit's clusters (its last clustering step, or single
// linkage of the embeddings at the report's threshold).
func (rp *reporter) learnedLabels() ([]int, int, error) {
	if rp.labels != nil {
		k := 0
		for _, l := range rp.labels {
			k = max(k, l+1)
		}
		return rp.labels, k, nil
	}
	labels, k, err := rp.clusters()
	if err != nil {
		return nil, 0, err
	}
	rp.labels = labels
	return labels, k, nil
}

// learnedTypes shows the embeddings coloured by learned cluster.
func (rp *reporter) learnedTypes() error {
	if rp.fit.Frozen {
		return skipped("the embeddings were frozen (freeze_embedding = true): no types to recover")
	}
	m := rp.fit.Model
	labels, k, err := rp.learnedLabels()
	if err != nil {
		return err
	}
	return rp.r.AddTypes(report.Types{Embeddings: m.Embeddings(), Dim: m.Spec().EmbeddingDim, TrueTypes: labels, TypeNames: clusterNames(k), ClusterCount: k})
}

// learnedFunctions shows φ* per neuron and the plateau-corrected ψ*,
// coloured by learned cluster.
func (rp *reporter) learnedFunctions() error {
	m := rp.fit.Model
	labels, k, err := rp.learnedLabels()
	if err != nil {
		labels, k = nil, 1
	}
	names := clusterNames(k)
	if err := rp.r.AddLearnedFunctions("phi", "Update function φ* (learned)", "φ*(u, a_i)",
		report.LearnedCurves{Grid: rp.grid, Curves: m.SamplePhi(rp.grid), Groups: labels, GroupNames: names}); err != nil {
		return err
	}
	psi, err := TransferCurves(m, rp.grid)
	if err != nil {
		return err
	}
	return rp.r.AddLearnedFunctions("psi", "Transfer function ψ* (learned, corrected)", "ψ*(u) / plateau",
		report.LearnedCurves{Grid: rp.grid, Curves: psi, Groups: labels, GroupNames: names})
}

// symbolic is the report's section: formulas for the corrected ψ* and each
// cluster's φ*, the curves the function plots show (Symbolic).
func (rp *reporter) symbolic() error {
	if !rp.cfg.Symbolic {
		return skipped("symbolic = false")
	}
	var err error
	m := rp.fit.Model
	curves := LearnedCurves{Grid: rp.grid, Phi: rp.sym.phi, Psi: rp.sym.psi, Labels: rp.labels, PsiShared: m.Spec().PsiShared()}
	for _, l := range curves.Labels {
		curves.Clusters = max(curves.Clusters, l+1)
	}
	if curves.Labels == nil {
		if curves.Labels, curves.Clusters, err = rp.clusters(); err != nil {
			return err
		}
	}
	if curves.Phi == nil {
		curves.Phi = m.SamplePhi(rp.grid)
	}
	if curves.Psi == nil {
		if curves.Psi, err = TransferCurves(m, rp.grid); err != nil {
			return err
		}
	}
	var truth *TrueFunctions
	if rp.truth.known() { // a recording's placeholder network has nothing true to compare with
		truth = &TrueFunctions{Types: rp.truth.Types, TypeNames: rp.truth.TypeNames, Phi: rp.sym.truePhi, Psi: rp.sym.truePsi}
		truth.PhiForms, truth.PsiForms = ExpectedForms(rp.truth.Rule, rp.truth.TypeParams)
	}
	s, err := Symbolic(rp.ctx, curves, truth, SymbolicConfig{Budget: rp.cfg.SymbolicBudget, Seed: uint64(rp.fit.Seed)})
	if err != nil {
		return err
	}
	return rp.r.AddSymbolic(s)
}
