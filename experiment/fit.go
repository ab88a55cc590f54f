package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ngs-lab/ngs/ops/cluster"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/ops/input"
	"github.com/ngs-lab/ngs/ops/metrics"
	"github.com/ngs-lab/ngs/pipeline"
	"github.com/ngs-lab/ngs/runtime"
)

// Fit is the value returned by train: the learned model with the data it was
// trained on and its training history.
type Fit struct {
	Decl    *ModelDecl
	Data    *Dataset
	Truth   *Network
	Model   *gnn.Model
	History []gnn.Progress
	Seconds float64
	// Seed is the training seed; Frozen marks embeddings kept fixed.
	Seed   int64
	Frozen bool
	// Labels are the clusters of the last clustering step (nil before one).
	Labels   []int
	Clusters int
	Warnings []string
	// Unclustered holds the embeddings as training left them just before
	// the first clustering step replaced them by their clusters' medians,
	// and UnclusteredEpoch that epoch (nil and 0 before one): the report
	// draws them beside the clustered ones.
	Unclustered      []float32
	UnclusteredEpoch int
	constant         []int  // neurons with constant activity (nil before computed)
	checkpointDir    string // where the training checkpoints and the clustering inputs go ("" for none)
	// TrainWarnings are what training had to work around (flat ψ*,
	// constant activity, a raised ridge, a rollback).
	TrainWarnings []string
}

// hookState is the part of the fit that hooks change, saved with each
// checkpoint (gnn.TrainConfig.SaveExtra).
type hookState struct {
	Labels   []int
	Clusters int
	Warnings []string
}

// hookState encodes the clustering state for a checkpoint.
func (f *Fit) hookState() ([]byte, error) {
	return json.Marshal(hookState{Labels: f.Labels, Clusters: f.Clusters, Warnings: f.Warnings})
}

// restoreHookState restores what hookState saved (nothing for an empty one).
func (f *Fit) restoreHookState(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	var h hookState
	if err := json.Unmarshal(b, &h); err != nil {
		return fmt.Errorf("checkpoint's clustering state: %w", err)
	}
	f.Labels, f.Clusters, f.Warnings = h.Labels, h.Clusters, h.Warnings
	return nil
}

// Type implements runtime.Value.
func (*Fit) Type() string { return "fit" }

// String summarises the fit.
func (f *Fit) String() string {
	s := fmt.Sprintf("<fit of %s to %s: %d neurons, %d epochs, %.1f s", f.Decl.Name, f.Data.Network.Name, f.Model.N(), f.Model.EpochsDone(), f.Seconds)
	if f.Clusters > 0 {
		s += fmt.Sprintf(", %d clusters", f.Clusters)
	}
	return s + ">"
}

// Names lists the fields of a fit.
func (f *Fit) Names() []string {
	return []string{"W", "W_corrected", "a", "phi", "psi", "omega", "loss", "epochs", "seconds", "xnorm", "labels", "clusters", "model", "data"}
}

// Attr returns a field.
func (f *Fit) Attr(name string) (runtime.Value, error) {
	m := f.Model
	n := m.N()
	switch name {
	case "W":
		return &runtime.Tensor{Shape: []int{n, n}, Data: m.W()}, nil
	case "W_corrected":
		w, err := f.correctedW()
		if err != nil {
			return nil, err
		}
		return &runtime.Tensor{Shape: []int{n, n}, Data: w}, nil
	case "a":
		d := m.Spec().EmbeddingDim
		return &runtime.Tensor{Shape: []int{n, d}, Data: m.Embeddings()}, nil
	case "phi", "psi", "omega":
		if name == "omega" && m.Spec().Omega == nil {
			return nil, fmt.Errorf("this model has no hidden input omega")
		}
		return &LearnedFunc{Fit: f, Which: name}, nil
	case "loss":
		l := runtime.NewList()
		for _, v := range m.Losses() {
			l.Elems = append(l.Elems, runtime.Number(v))
		}
		return l, nil
	case "epochs":
		return runtime.Number(m.EpochsDone()), nil
	case "seconds":
		return runtime.Number(f.Seconds), nil
	case "xnorm":
		return runtime.Number(m.XNorm()), nil
	case "labels":
		if f.Labels == nil {
			return runtime.Nil{}, nil
		}
		return intTensor(f.Labels), nil
	case "clusters":
		return runtime.Number(f.Clusters), nil
	case "model":
		return f.Decl, nil
	case "data":
		return f.Data, nil
	}
	return nil, fmt.Errorf("a fit has no field %q (fields: %s)", name, strings.Join(f.Names(), ", "))
}

// correctedW is Ŵ corrected against the truth when the fit has one
// (pipeline.CorrectedWeights), else by ψ*'s plateaus (gnn.CorrectedW).
func (f *Fit) correctedW() ([]float32, error) {
	if f.Truth != nil {
		return pipeline.CorrectedWeights(f.Model, f.Data.pipelineData(), f.Truth.truth())
	}
	return gnn.CorrectedW(f.Model, f.Model.XNorm(), f.gain())
}

// gain is the g used to correct Ŵ: the truth's shared g when known, else the
// data network's, else 1.
func (f *Fit) gain() float64 {
	if f.Truth != nil {
		return f.Truth.Gain
	}
	return f.Data.Network.Gain
}

// LearnedFunc is fit.phi, fit.psi or fit.omega: a learned function that
// scripts call on numbers or tensors.
//
//	fit.psi(u)                 N2; N4 and N5 also take neuron = j (sender) and receiver = i
//	fit.phi(u, neuron = i)     φ*(u, a_i)
//	fit.omega(x, y, t)         Ω*(x, y, t)
type LearnedFunc struct {
	Fit   *Fit
	Which string
}

// Type implements runtime.Value.
func (*LearnedFunc) Type() string { return "learned function" }

// String names the function.
func (l *LearnedFunc) String() string { return "<learned " + l.Which + "* of " + l.Fit.Decl.Name + ">" }

// CallValue evaluates the learned function.
func (l *LearnedFunc) CallValue(c *runtime.Call) (runtime.Value, error) {
	m := l.Fit.Model
	if l.Which == "omega" {
		if len(c.Args) != 3 {
			return nil, c.Errorf("omega takes (x, y, t), found %d arguments", len(c.Args))
		}
		cols := make([][]float32, 3)
		var shape []int
		for k := range cols {
			v, s, err := floats(c.Args[k])
			if err != nil {
				return nil, c.ArgError(k, "%v", err)
			}
			cols[k], shape = v, s
		}
		if len(cols[0]) != len(cols[1]) || len(cols[0]) != len(cols[2]) {
			return nil, c.Errorf("x, y and t must have the same length")
		}
		out, err := m.Omega(cols[0], cols[1], cols[2])
		if err != nil {
			return nil, c.Errorf("%v", err)
		}
		return shaped(out, shape), nil
	}
	if len(c.Args) != 1 {
		return nil, c.Errorf("%s takes one positional argument u (a number or tensor), found %d", l.Which, len(c.Args))
	}
	u, shape, err := floats(c.Args[0])
	if err != nil {
		return nil, c.ArgError(0, "%v", err)
	}
	sender, err := neuronArg(c, "neuron", m.N())
	if err != nil {
		return nil, err
	}
	receiver, err := neuronArg(c, "receiver", m.N())
	if err != nil {
		return nil, err
	}
	var out []float32
	if l.Which == "phi" {
		out, err = m.Phi(u, repeatEmbedding(m, sender, len(u)))
	} else {
		out, err = m.PsiEdge(u, receiver, sender)
	}
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	return shaped(out, shape), nil
}

func neuronArg(c *runtime.Call, name string, n int) (int, error) {
	for _, nv := range c.Named {
		if nv.Name != name {
			continue
		}
		v, ok := nv.Value.(runtime.Number)
		if !ok || v < 0 || int(v) >= n || float64(v) != math.Trunc(float64(v)) {
			return 0, c.NamedError(name, "%s must be a neuron index in 0..%d, found %s", name, n-1, nv.Value)
		}
		return int(v), nil
	}
	return 0, nil
}

// repeatEmbedding repeats neuron i's embedding rows times.
func repeatEmbedding(m *gnn.Model, i, rows int) []float32 {
	d := m.Spec().EmbeddingDim
	return repeatRows(m.Embeddings()[i*d:(i+1)*d], rows, true)
}

// floats reads a number, list of numbers or tensor as float32 values.
func floats(v runtime.Value) ([]float32, []int, error) {
	switch v := v.(type) {
	case runtime.Number:
		return []float32{float32(v)}, nil, nil
	case *runtime.Tensor:
		return v.Data, v.Shape, nil
	case *runtime.List:
		out := make([]float32, len(v.Elems))
		for k, x := range v.Elems {
			n, ok := x.(runtime.Number)
			if !ok {
				return nil, nil, fmt.Errorf("expected numbers, found %s", x.Type())
			}
			out[k] = float32(n)
		}
		return out, []int{len(out)}, nil
	}
	return nil, nil, fmt.Errorf("expected a number, list or tensor, found %s", v.Type())
}

// shaped returns a number for a scalar call, else a tensor of that shape.
func shaped(v []float32, shape []int) runtime.Value {
	if shape == nil {
		return runtime.Number(v[0])
	}
	return &runtime.Tensor{Shape: append([]int(nil), shape...), Data: v}
}

// inputPositions are the input neurons of Ω* and their grid positions: the
// network's input source's when it has one, else a square grid.
func inputPositions(net *Network, k int) ([]int, []float32, []float32, error) {
	if net.Input != nil && net.Input.Kind == "movie" {
		src, err := net.Input.source(net.N, 0)
		if err != nil {
			return nil, nil, nil, err
		}
		neurons, x, y := src.Positions()
		if len(neurons) >= k {
			return neurons[:k], x[:k], y[:k], nil
		}
	}
	neurons, x, y := input.GridPositions(k)
	return neurons, x, y, nil
}

// trainingName binds the running training inside hooks, for cluster().
const trainingName = "training"

// trainingState is what a hook's cluster() acts on.
type trainingState struct {
	fit   *Fit
	epoch int
}

// Type implements runtime.Value.
func (*trainingState) Type() string { return "training" }

// String describes the state.
func (t *trainingState) String() string {
	return fmt.Sprintf("<training at the end of epoch %d>", t.epoch)
}

var clusterBuiltin = &runtime.Builtin{
	Name: "cluster",
	Doc: "cluster(threshold = 0.1, method = \"single\", k = 0, projection = \"curves\", refit = 20, lr = 1e-3, xrange = [-5, 5], points = 1000, freeze = 1, min_size = max(3, N/100), min_points = 0, refine = true): " +
		"inside an every-K-epochs hook of train: cluster the neurons by their learned φ* curves (projection = \"profiles\": φ* curves with the profiles of ψ* that depend on the neuron's embedding, for N4/N5; \"embedding\": the embeddings; clusters smaller than min_size join the nearest larger one; with min_points > 0 only neurons with that many others within threshold link clusters, the rest join their nearest such neuron's; refine splits a cluster whose own neurons, normalised on their own, fall into clearly separated groups at the same threshold), replace each embedding by its cluster's median, refit φ*, freeze a and ψ* for the next epochs",
	Params: []runtime.Param{{Name: "threshold", Default: runtime.Number(0.1)}, {Name: "method", Default: runtime.String("single")},
		{Name: "k", Default: runtime.Number(0)}, {Name: "projection", Default: runtime.String("curves")}, {Name: "refit", Default: runtime.Number(20)},
		{Name: "lr", Default: runtime.Number(1e-3)}, {Name: "xrange", Default: runtime.NewList(runtime.Number(-5), runtime.Number(5))},
		{Name: "points", Default: runtime.Number(1000)}, {Name: "freeze", Default: runtime.Number(1)},
		{Name: "min_size", Default: runtime.Nil{}}, {Name: "min_points", Default: runtime.Number(0)},
		{Name: "refine", Default: runtime.Bool(true)}},
	Fn: clusterStep,
}

func clusterStep(c *runtime.Call) (runtime.Value, error) {
	v, ok := c.Env.Lookup(trainingName)
	st, isState := v.(*trainingState)
	if !ok || !isState {
		return nil, c.Errorf("cluster() runs inside a train hook: every 4 epochs { cluster(threshold = 0.1) }")
	}
	opts, grid, err := clusterOptions(c)
	if err != nil {
		return nil, err
	}
	// k-means starts from the training seed (the script's, through train's
	// seed setting) and the epoch: the same script clusters the same way,
	// also when resumed from a checkpoint.
	opts.Seed = uint64(st.fit.Seed)*0x9e3779b97f4a7c15 + uint64(st.epoch) + 1
	m := st.fit.Model
	d := m.Spec().EmbeddingDim
	// Clusters of one or two neurons are outliers of single linkage (a
	// neuron whose activity covers little of the curve range), merged
	// into the cluster of their nearest neighbour.
	opts.MinSize = max(3, m.N()/100)
	if v, ok := c.Get("min_size").(runtime.Number); ok {
		opts.MinSize = int(v)
	}
	curves := m.SamplePhi(grid)
	features, width := curves, len(grid)
	if proj, _ := c.NamedString("projection", "curves"); proj == "profiles" {
		if reassignReceivers(c, st) {
			curves = m.SamplePhi(grid) // the moved receivers' φ* curves
		}
		fits, k := receiverFits(c, st)
		if features, width = profileFeatures(m, grid, curves, fits, k); width != len(grid) {
			opts.Dims = profileDims
		}
	}
	saveClusterInputs(c, st, features, width)
	res, err := clusterActive(features, width, m.Embeddings(), d, opts, st.fit.constantNeurons())
	if err != nil {
		return nil, c.Errorf("%v", err)
	}
	if width != len(grid) {
		// The refit targets are φ* curves: medians of φ* per cluster.
		for l := range res.MedianCurves {
			var rows []float32
			for i, li := range res.Labels {
				if li == l {
					rows = append(rows, curves[i*len(grid):(i+1)*len(grid)]...)
				}
			}
			res.MedianCurves[l] = metrics.ColumnMedians(rows, len(grid))
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(c.Out(), "warning: epoch %d: %s\n", st.epoch, w)
	}
	if res.Clusters == 1 || res.Clusters == m.N() {
		// A degenerate clustering would erase what the embeddings learned:
		// keep them, and say so.
		fmt.Fprintf(c.Out(), "warning: epoch %d: clustering step skipped (%d clusters for %d neurons); embeddings unchanged\n", st.epoch, res.Clusters, m.N())
		st.fit.Warnings = append(st.fit.Warnings, res.Warnings...)
		return runtime.Number(res.Clusters), nil
	}
	if st.fit.Unclustered == nil {
		st.fit.Unclustered, st.fit.UnclusteredEpoch = m.Embeddings(), st.epoch
	}
	if err := m.SetEmbeddings(res.ReplacedEmbeddings()); err != nil {
		return nil, c.Errorf("%v", err)
	}
	refit, _ := c.Number("refit")
	lr, _ := c.Number("lr")
	if refit > 0 {
		targets := make([]float32, 0, m.N()*len(grid))
		for _, l := range res.Labels {
			targets = append(targets, res.MedianCurves[l]...)
		}
		if _, err := m.RefitPhi(grid, targets, int(refit), lr); err != nil {
			return nil, c.Errorf("%v", err)
		}
	}
	freeze, _ := c.Number("freeze")
	m.FreezeEmbeddingAndPsi(int(freeze))
	st.fit.Labels, st.fit.Clusters, st.fit.Warnings = res.Labels, res.Clusters, append(st.fit.Warnings[:0:0], res.Warnings...)
	return runtime.Number(res.Clusters), nil
}

// saveClusterInputs writes, beside the training's checkpoint (by default
// checkpoints/MODEL under --out), what the clustering step of this epoch
// clusters: cluster_epochE_features.npy (neurons × features: the φ* curves,
// or the profiles) and cluster_epochE_embeddings.npy, so the clustering can
// be examined or redone after the run. A failed write warns; training goes
// on.
func saveClusterInputs(c *runtime.Call, st *trainingState, features []float32, width int) {
	dir := st.fit.checkpointDir
	if dir == "" {
		return
	}
	m := st.fit.Model
	err := c.FS().MkdirAll(dir, 0o755)
	prefix := fmt.Sprintf("%s/cluster_epoch%d_", dir, st.epoch)
	files := npyOptions(c.Interp, false)
	if err == nil {
		err = files.WriteFloat32(prefix+"features.npy", features, m.N(), width)
	}
	if err == nil {
		err = files.WriteFloat32(prefix+"embeddings.npy", m.Embeddings(), m.N(), m.Spec().EmbeddingDim)
	}
	if err != nil {
		fmt.Fprintf(c.Out(), "warning: epoch %d: the clustering step's inputs were not saved: %v\n", st.epoch, err)
	}
}

// constantNeurons lists the neurons whose recorded activity never changes
// (computed once per fit).
func (f *Fit) constantNeurons() []int {
	if f.constant != nil || f.Data == nil || f.Data.U == nil || f.Data.Frames < 1 {
		return f.constant
	}
	n := len(f.Data.U) / f.Data.Frames
	f.constant = []int{}
	for i := 0; i < n; i++ {
		first, same := f.Data.U[i], true
		for k := 1; k < f.Data.Frames && same; k++ {
			same = f.Data.U[k*n+i] == first
		}
		if same {
			f.constant = append(f.constant, i)
		}
	}
	return f.constant
}

// receiverFits returns the receiver fit profiles of an N5 model
// (gnn.ReceiverFitProfile: N×k) for the "profiles" projection, or nil for
// other models, without data, or when they cannot be computed (a warning).
func receiverFits(c *runtime.Call, st *trainingState) ([]float32, int) {
	m, data := st.fit.Model, st.fit.Data
	if !m.Spec().PsiTakes(gnn.ReceiverEmbedding) || data == nil || data.U == nil || data.DU == nil {
		return nil, 0
	}
	fits, k, err := gnn.ReceiverFitProfile(m, gnn.Data{U: data.U, DU: data.DU, T: data.Frames, N: m.N()}, 0)
	if err != nil {
		fmt.Fprintf(c.Out(), "warning: epoch %d: clustering without the receivers' fit profiles: %v\n", st.epoch, err)
		return nil, 0
	}
	return fits, k
}

// reassignReceivers, before an N5 clustering step that follows an earlier
// one, moves the receivers whose rows fit another group's design clearly
// better into that group (gnn.ReassignReceivers), so that the step clusters
// them there; it says whether any moved. Before the first clustering step
// it does nothing; a failure warns and changes nothing.
func reassignReceivers(c *runtime.Call, st *trainingState) bool {
	m, data := st.fit.Model, st.fit.Data
	if !m.Spec().PsiTakes(gnn.ReceiverEmbedding) || data == nil || data.U == nil || data.DU == nil {
		return false
	}
	moved, err := gnn.ReassignReceivers(m, gnn.Data{U: data.U, DU: data.DU, T: data.Frames, N: m.N()}, 0)
	if errors.Is(err, gnn.ErrReceiversUngrouped) {
		return false
	}
	if err != nil {
		fmt.Fprintf(c.Out(), "warning: epoch %d: receivers not reassigned by their fit: %v\n", st.epoch, err)
		return false
	}
	if len(moved) > 0 {
		fmt.Fprintf(c.Out(), "epoch %d: %d receivers moved to the group whose design fits their row best\n", st.epoch, len(moved))
	}
	return len(moved) > 0
}

// fitBlockWeight scales the receivers' fit block of the "profiles"
// features against the curve blocks (each of unit root-mean-square). On
// Supp 14's epoch-3 state single linkage at threshold 0.2 found the 4
// types (accuracy 0.985) with weights 1.5, 2, 2.5, 3 and 4, and 3 clusters
// at 1, √3 and 6 (docs/RESULTS.md, session 24): 2.5 sits in the middle.
const fitBlockWeight = 2.5

// profileDims is the number of principal components the "profiles"
// projection clusters: φ* separates the types by (c, s) and ψ* by the
// receiver's width (N5), so more than the curves' two.
const profileDims = 3

// profileFeatures returns, per neuron, its φ*(r, a_n) curve followed by the
// profiles of ψ* that depend on its embedding: ψ*(r, a_n, ā) as a receiver
// (N5) and ψ*(r, ā, a_n) or ψ*(r, a_n) as a sender (N4, N5), with ā the
// median embedding; and the row width. Each block is centred per grid point
// and scaled to unit root-mean-square over the neurons, so that φ* and ψ*
// weigh alike: N5's types differ in ψ*'s receiver width as much as in φ*,
// and a φ* that has not yet separated them (its share of the self term is
// still carried by Ŵ) must not hide what ψ* knows. fits (N×k, nil for
// none) are the receivers' fit profiles (gnn.ReceiverFitProfile), added as
// one more block of the same width, column c holding profile entry c·k/g,
// normalised the same way and scaled by fitBlockWeight. Without embedding
// inputs to ψ* it is the curves alone.
func profileFeatures(m *gnn.Model, grid, curves, fits []float32, k int) ([]float32, int) {
	n, d, g := m.N(), m.Spec().EmbeddingDim, len(grid)
	emb := m.Embeddings()
	blocks := [][]float32{curves}
	ref := metrics.ColumnMedians(emb, d)
	u := make([]float32, n*g)
	mine := make([]float32, n*g*d)
	other := make([]float32, n*g*d)
	for i := 0; i < n; i++ {
		for k, r := range grid {
			u[i*g+k] = r
			copy(mine[(i*g+k)*d:(i*g+k+1)*d], emb[i*d:(i+1)*d])
			copy(other[(i*g+k)*d:(i*g+k+1)*d], ref)
		}
	}
	spec := m.Spec()
	if spec.PsiTakes(gnn.ReceiverEmbedding) {
		if p, err := m.Psi(u, mine, other); err == nil {
			blocks = append(blocks, p)
		}
	}
	if spec.PsiTakes(gnn.SenderEmbedding) {
		var ai []float32
		if spec.PsiTakes(gnn.ReceiverEmbedding) {
			ai = other
		}
		if p, err := m.Psi(u, ai, mine); err == nil {
			blocks = append(blocks, p)
		}
	}
	weights := make([]float64, len(blocks))
	for b := range weights {
		weights[b] = 1
	}
	if fits != nil && k > 0 && len(blocks) > 1 {
		blk := make([]float32, n*g)
		for i := 0; i < n; i++ {
			for c := 0; c < g; c++ {
				blk[i*g+c] = fits[i*k+c*k/g]
			}
		}
		blocks, weights = append(blocks, blk), append(weights, fitBlockWeight)
	}
	if len(blocks) == 1 {
		return curves, g
	}
	width := g * len(blocks)
	out := make([]float32, n*width)
	for b, blk := range blocks {
		mean := make([]float64, g)
		for i := 0; i < n; i++ {
			for k := 0; k < g; k++ {
				mean[k] += float64(blk[i*g+k]) / float64(n)
			}
		}
		var ss float64
		for i := 0; i < n; i++ {
			for k := 0; k < g; k++ {
				dv := float64(blk[i*g+k]) - mean[k]
				ss += dv * dv
			}
		}
		scale := weights[b]
		if rms := math.Sqrt(ss / float64(n*g)); rms > 0 {
			scale = weights[b] / rms
		}
		for i := 0; i < n; i++ {
			for k := 0; k < g; k++ {
				out[i*width+b*g+k] = float32((float64(blk[i*g+k]) - mean[k]) * scale)
			}
		}
	}
	return out, width
}

// clusterActive runs the clustering step on the neurons whose activity
// varies and puts the constant ones in a cluster of their own: their φ* is
// known at a single point only, so its curve elsewhere is arbitrary and
// would chain true clusters together under single linkage.
func clusterActive(curves []float32, g int, emb []float32, d int, opts cluster.StepOptions, constant []int) (*cluster.StepResult, error) {
	n := len(emb) / d
	if len(constant) == 0 || len(constant) >= n-1 {
		return cluster.Step(curves, g, emb, d, opts)
	}
	idle := make([]bool, n)
	for _, i := range constant {
		idle[i] = true
	}
	var subCurves, subEmb, idleCurves, idleEmb []float32
	for i := 0; i < n; i++ {
		if idle[i] {
			idleCurves = append(idleCurves, curves[i*g:(i+1)*g]...)
			idleEmb = append(idleEmb, emb[i*d:(i+1)*d]...)
		} else {
			subCurves = append(subCurves, curves[i*g:(i+1)*g]...)
			subEmb = append(subEmb, emb[i*d:(i+1)*d]...)
		}
	}
	res, err := cluster.Step(subCurves, g, subEmb, d, opts)
	if err != nil {
		return nil, err
	}
	labels := make([]int, 0, n)
	k := 0
	for i := 0; i < n; i++ {
		if idle[i] {
			labels = append(labels, res.Clusters)
		} else {
			labels = append(labels, res.Labels[k])
			k++
		}
	}
	res.Labels = labels
	res.MedianEmbeddings = append(res.MedianEmbeddings, metrics.ColumnMedians(idleEmb, d))
	res.MedianCurves = append(res.MedianCurves, metrics.ColumnMedians(idleCurves, g))
	res.Clusters++
	res.Warnings = append(res.Warnings, fmt.Sprintf("%d neurons with constant activity are clustered apart, as one group", len(constant)))
	return res, nil
}

func clusterOptions(c *runtime.Call) (cluster.StepOptions, []float32, error) {
	var o cluster.StepOptions
	var err error
	if o.Threshold, err = c.Number("threshold"); err != nil {
		return o, nil, err
	}
	minPoints, err := c.Number("min_points")
	if err != nil {
		return o, nil, err
	}
	if minPoints < 0 || minPoints != math.Trunc(minPoints) {
		return o, nil, c.NamedError("min_points", "min_points is a whole number ≥ 0 of neighbours within the threshold, found %g", minPoints)
	}
	o.MinPoints = int(minPoints)
	if o.Refine, err = c.NamedBool("refine", true); err != nil {
		return o, nil, err
	}
	method, err := c.NamedString("method", "single")
	if err != nil {
		return o, nil, err
	}
	switch method {
	case "single":
		o.Method = cluster.MethodSingleLinkage
		if !(o.Threshold > 0) {
			return o, nil, c.NamedError("threshold", "threshold must be > 0, found %g", o.Threshold)
		}
	case "kmeans":
		o.Method = cluster.MethodKMeans
		k, err := c.Number("k")
		if err != nil {
			return o, nil, err
		}
		if k < 1 {
			return o, nil, c.NamedError("k", "method \"kmeans\" needs k ≥ 1 clusters, found %g", k)
		}
		o.K = int(k)
	default:
		return o, nil, c.NamedError("method", "method must be \"single\" or \"kmeans\", found %q", method)
	}
	proj, err := c.NamedString("projection", "curves")
	if err != nil {
		return o, nil, err
	}
	switch proj {
	case "curves":
		o.Projection = cluster.ProjectCurvesPCA
	case "embedding":
		o.Projection = cluster.ProjectEmbeddings
	case "profiles":
		o.Projection = cluster.ProjectCurvesPCA
	default:
		return o, nil, c.NamedError("projection", "projection must be \"curves\", \"embedding\" or \"profiles\", found %q", proj)
	}
	lo, hi, err := rangeArg(c, "xrange")
	if err != nil {
		return o, nil, err
	}
	points, err := c.Number("points")
	if err != nil {
		return o, nil, err
	}
	if points < 2 {
		return o, nil, c.NamedError("points", "points must be ≥ 2, found %g", points)
	}
	return o, linspace(lo, hi, int(points)), nil
}

func rangeArg(c *runtime.Call, name string) (float64, float64, error) {
	l, ok := c.Get(name).(*runtime.List)
	if !ok || len(l.Elems) != 2 {
		return 0, 0, c.NamedError(name, "%s must be a list [lo, hi]", name)
	}
	lo, ok1 := l.Elems[0].(runtime.Number)
	hi, ok2 := l.Elems[1].(runtime.Number)
	if !ok1 || !ok2 || !(hi > lo) {
		return 0, 0, c.NamedError(name, "%s must be [lo, hi] with lo < hi", name)
	}
	return float64(lo), float64(hi), nil
}

func linspace(lo, hi float64, n int) []float32 {
	out := make([]float32, n)
	for k := range out {
		out[k] = float32(lo + (hi-lo)*float64(k)/float64(n-1))
	}
	return out
}
