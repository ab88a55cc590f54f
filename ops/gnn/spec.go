// Package gnn is the learned model of ngs: a message-passing graph neural
// network that predicts each neuron's du/dt as
//
//	pred_i = φ*(u_i, a_i) + Σ_{j≠i} Ŵ[i,j]·ψ*(inputs_ij)
//
// (with an optional hidden external input e_i = Ω*(x_i, y_i, t)² that
// multiplies the sum or is added), its loss and regularisers, training by
// Adam or by alternating least-squares solves for Ŵ with Adam on the MLPs
// (variable projection), checkpoints, the ψ*-plateau correction of Ŵ,
// primitives for the type-clustering step, and rollouts of the learned
// dynamics. It knows nothing about scripts: the integrator fills ModelSpec
// and TrainConfig. Data are float32, frames × neurons, row-major.
//
// For the N2 and N4 variants ψ* depends on the sender only, so it is
// evaluated once per neuron and frame and the messages of a batch are one
// matrix product Ψ·Ŵᵀ; nothing of size N² is built per edge. Train's fused
// kernels cover N2, N4 and N5; a ψ* of any other inputs (variant Graph, for
// example ψ*(u_j, u_i)) trains by TrainGraph, through the model's loss
// compiled to a gorgonia graph with gorgonia's autodiff (graphloss.go).
package gnn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ngs-lab/ngs/ops/nn"
)

// Variant says what ψ* sees, after the update rules of SPEC §1.1.
type Variant string

// The ψ* input variants.
const (
	// N2: ψ*(u_j).
	N2 Variant = "N2"
	// N4: ψ*(u_j, a_j).
	N4 Variant = "N4"
	// N5: ψ*(u_j, a_i, a_j); receivers are grouped by identical embedding.
	N5 Variant = "N5"
	// Graph: ψ* on any other list of inputs (ModelSpec.PsiArgs), with no
	// fused kernel: TrainGraph trains it through a gorgonia graph.
	Graph Variant = "graph"
)

// The inputs ψ* may take, as a script writes them in mlp(...).
const (
	SenderActivity    = "u[j]"
	ReceiverActivity  = "u[i]"
	SenderEmbedding   = "a[j]"
	ReceiverEmbedding = "a[i]"
)

// psiSymbols are the inputs ψ* may take, in any order and combination.
var psiSymbols = []string{SenderActivity, ReceiverActivity, SenderEmbedding, ReceiverEmbedding}

// PsiInputs are ψ*'s inputs in each fused variant (the forms Train's
// kernels cover), in order, as a script writes them in mlp(...): the one
// table from a model declaration to a variant; any other list is Graph
// (PsiVariant).
var PsiInputs = []struct {
	Variant Variant
	Inputs  []string
}{
	{N2, []string{SenderActivity}},
	{N4, []string{SenderActivity, SenderEmbedding}},
	{N5, []string{SenderActivity, ReceiverEmbedding, SenderEmbedding}},
}

// VariantOf returns the fused variant whose ψ* takes exactly inputs.
func VariantOf(inputs []string) (Variant, bool) {
	for _, p := range PsiInputs {
		if slices.Equal(p.Inputs, inputs) {
			return p.Variant, true
		}
	}
	return "", false
}

// PsiVariant returns the variant of a ψ* that takes inputs: the fused
// variant whose inputs they are exactly (VariantOf), or Graph for any other
// list of distinct inputs among u[j], u[i], a[j] and a[i] that holds u[j].
func PsiVariant(inputs []string) (Variant, error) {
	if v, ok := VariantOf(inputs); ok {
		return v, nil
	}
	if err := checkPsiArgs(inputs); err != nil {
		return "", err
	}
	return Graph, nil
}

// checkPsiArgs accepts a list of distinct inputs among psiSymbols that
// holds the sender's activity u[j] (without it ψ* carries no message).
func checkPsiArgs(inputs []string) error {
	if !slices.Contains(inputs, SenderActivity) {
		return fmt.Errorf("gnn: psi must take the sender's activity u[j], found (%s)", strings.Join(inputs, ", "))
	}
	for k, in := range inputs {
		if !slices.Contains(psiSymbols, in) {
			return fmt.Errorf("gnn: psi cannot take %s (its inputs are among %s)", in, strings.Join(psiSymbols, ", "))
		}
		if slices.Contains(inputs[:k], in) {
			return fmt.Errorf("gnn: psi takes %s twice", in)
		}
	}
	return nil
}

// InputMode says how the external input e_i enters the prediction.
type InputMode string

// The input modes.
const (
	NoInput        InputMode = "none"
	Multiplicative InputMode = "multiplicative" // pred = φ* + e_i·Σ_j Ŵ[i,j]ψ*
	Additive       InputMode = "additive"       // pred = φ* + Σ_j Ŵ[i,j]ψ* + e_i
)

// NetSpec sizes one of the model's MLPs: Layers Linear layers of width Hidden
// with Activation ("relu", "tanh") between them. Zero fields take the paper's
// values (64, 3, relu).
type NetSpec struct {
	Hidden     int
	Layers     int
	Activation string
}

func (s NetSpec) withDefaults() NetSpec {
	if s.Hidden == 0 {
		s.Hidden = 64
	}
	if s.Layers == 0 {
		s.Layers = 3
	}
	if s.Activation == "" {
		s.Activation = "relu"
	}
	return s
}

// OmegaSpec describes the optional hidden external input Ω*(x, y, t): a SIREN
// evaluated at each input neuron's position; e_i = Ω*(x_i, y_i, k/T)² for the
// input neurons. Other neurons get e = 1 in multiplicative mode and e = 0 in
// additive mode.
type OmegaSpec struct {
	Siren   nn.SirenSpec // In is forced to 3 and Out to 1; zero fields take the paper's values
	Neurons []int        // indices of the input neurons
	X, Y    []float32    // their positions, each in [0, 1], len(Neurons) each
	Mode    InputMode    // Multiplicative or Additive
}

// ModelSpec is everything that fixes the shape of a model.
type ModelSpec struct {
	N            int     // number of neurons
	EmbeddingDim int     // dimension of a_i (default 2)
	Variant      Variant // ψ* inputs: N2 (default), N4, N5 or Graph
	// PsiArgs are ψ*'s inputs, in order, for the Graph variant (ignored by
	// the others, whose inputs PsiInputs gives).
	PsiArgs []string
	Phi     NetSpec // φ*(u_i, a_i)
	Psi     NetSpec // ψ*(…)
	Omega   *OmegaSpec
}

// WithDefaults returns the spec with zero fields replaced by the paper's values.
func (s ModelSpec) WithDefaults() ModelSpec {
	if s.EmbeddingDim == 0 {
		s.EmbeddingDim = 2
	}
	if s.Variant == "" {
		s.Variant = N2
	}
	s.Phi = s.Phi.withDefaults()
	s.Psi = s.Psi.withDefaults()
	if s.Omega != nil {
		o := *s.Omega
		def := nn.DefaultSiren()
		if o.Siren.Hidden == 0 {
			o.Siren.Hidden = def.Hidden
		}
		if o.Siren.HiddenLayers == 0 {
			o.Siren.HiddenLayers = def.HiddenLayers
		}
		if o.Siren.Omega0 == 0 {
			o.Siren.Omega0 = def.Omega0
		}
		o.Siren.In, o.Siren.Out = 3, 1
		if o.Mode == "" || o.Mode == NoInput {
			o.Mode = Multiplicative
		}
		s.Omega = &o
	}
	return s
}

// Validate reports the first problem with a spec (after WithDefaults).
func (s ModelSpec) Validate() error {
	if s.N < 2 {
		return fmt.Errorf("gnn: model needs at least 2 neurons, found N=%d", s.N)
	}
	if s.EmbeddingDim < 1 {
		return fmt.Errorf("gnn: embedding dimension must be ≥ 1, found %d", s.EmbeddingDim)
	}
	if s.Variant == Graph {
		if err := checkPsiArgs(s.PsiArgs); err != nil {
			return err
		}
		if s.Omega != nil {
			return fmt.Errorf("gnn: a ψ*(%s) with no fused kernel trains through the graph, which does not learn a hidden input Ω*", strings.Join(s.PsiArgs, ", "))
		}
	} else if _, ok := s.fused(); !ok {
		return fmt.Errorf("gnn: unknown ψ* variant %q (expected N2, N4, N5 or graph)", s.Variant)
	}
	for _, net := range []struct {
		name string
		spec NetSpec
	}{{"phi", s.Phi}, {"psi", s.Psi}} {
		if _, err := nn.ParseActivation(net.spec.Activation); err != nil {
			return fmt.Errorf("gnn: %s: %w", net.name, err)
		}
		if net.spec.Layers < 1 || net.spec.Hidden < 1 {
			return fmt.Errorf("gnn: %s needs layers ≥ 1 and hidden ≥ 1, found layers=%d hidden=%d", net.name, net.spec.Layers, net.spec.Hidden)
		}
	}
	if s.Omega != nil {
		return s.Omega.validate(s.N)
	}
	return nil
}

func (o *OmegaSpec) validate(n int) error {
	if len(o.Neurons) == 0 {
		return fmt.Errorf("gnn: omega needs at least one input neuron")
	}
	if len(o.X) != len(o.Neurons) || len(o.Y) != len(o.Neurons) {
		return fmt.Errorf("gnn: omega has %d input neurons but %d x and %d y positions", len(o.Neurons), len(o.X), len(o.Y))
	}
	seen := make(map[int]bool, len(o.Neurons))
	for _, i := range o.Neurons {
		if i < 0 || i >= n {
			return fmt.Errorf("gnn: omega input neuron %d outside [0, %d)", i, n)
		}
		if seen[i] {
			return fmt.Errorf("gnn: omega input neuron %d listed twice", i)
		}
		seen[i] = true
	}
	if o.Mode != Multiplicative && o.Mode != Additive {
		return fmt.Errorf("gnn: omega input mode %q (expected multiplicative or additive)", o.Mode)
	}
	return nil
}

// fused returns the inputs of a fused variant, and false for Graph (or an
// unknown variant).
func (s ModelSpec) fused() ([]string, bool) {
	for _, p := range PsiInputs {
		if p.Variant == s.Variant {
			return p.Inputs, true
		}
	}
	return nil, false
}

// PsiArgList returns ψ*'s inputs in order, as a script writes them: the
// fused variant's (PsiInputs) or, for Graph, PsiArgs.
func (s ModelSpec) PsiArgList() []string {
	if in, ok := s.fused(); ok {
		return slices.Clone(in)
	}
	if s.Variant == "" {
		return []string{SenderActivity}
	}
	return slices.Clone(s.PsiArgs)
}

// PsiTakes says whether ψ* takes the input (SenderActivity, ...).
func (s ModelSpec) PsiTakes(input string) bool { return slices.Contains(s.PsiArgList(), input) }

// receiverGrouped says whether the fused kernels group receivers by
// embedding (n5.go, solve_n5.go): a fused ψ* that takes the receiver's
// embedding a[i] (N5).
func (s ModelSpec) receiverGrouped() bool { return s.Fused() && s.PsiTakes(ReceiverEmbedding) }

// PsiShared says whether ψ* is one function for every neuron: it takes no
// embedding (N2, or a Graph ψ* of activities only).
func (s ModelSpec) PsiShared() bool {
	return !s.PsiTakes(SenderEmbedding) && !s.PsiTakes(ReceiverEmbedding)
}

// Fused says whether the fused kernels of Train cover the model's ψ*;
// otherwise TrainGraph trains it.
func (s ModelSpec) Fused() bool {
	_, ok := s.fused()
	return ok || s.Variant == ""
}

// psiIn is the number of inputs of ψ*: one per activity, EmbeddingDim per
// embedding.
func (s ModelSpec) psiIn() int {
	n := 0
	for _, in := range s.PsiArgList() {
		n += s.inputWidth(in)
	}
	return n
}

// inputWidth is the number of columns of one ψ* input.
func (s ModelSpec) inputWidth(input string) int {
	if input == SenderEmbedding || input == ReceiverEmbedding {
		return s.EmbeddingDim
	}
	return 1
}

// Schedule is a penalty coefficient switched on from epoch From to epoch
// Until, both inclusive; Until < 0 means for ever. The zero value is off.
type Schedule struct {
	Coeff       float64
	From, Until int
}

// Always returns a schedule that is on in every epoch.
func Always(coeff float64) Schedule { return Schedule{Coeff: coeff, Until: -1} }

// At returns the coefficient in effect during epoch e.
func (s Schedule) At(e int) float64 {
	if e < s.From || (s.Until >= 0 && e > s.Until) {
		return 0
	}
	return s.Coeff
}

// Penalties are the regularisers of SPEC §3.
type Penalties struct {
	PhiZero  Schedule // coeff·‖φ*(0, a_i)‖ over all i, per batch sample
	EdgeDiff Schedule // coeff·‖ReLU(ψ*(u_j) − ψ*(u_j+δ))‖ per batch sample, δ = xnorm/150
	WL1      Schedule // coeff·Σ|Ŵ| once per step
}

// LearningRates are the Adam learning rates per parameter group. Each used
// rate must be > 0, except Omega, which defaults to 1e-5 when 0.
type LearningRates struct {
	W, Phi, Psi, Embedding, Omega float64
}

// Solver names a training method.
type Solver string

// The solvers.
const (
	// SolverAdam trains every parameter with Adam (the paper's method).
	SolverAdam Solver = "adam"
	// SolverAlternating alternates exact least-squares solves for Ŵ (with φ*,
	// ψ* fixed) with Adam steps on φ*, ψ* and the embeddings (variable
	// projection). Requires variant N2 or N4; with a hidden input Ω* only
	// the rows of Ŵ of neurons without input are solved, the input
	// neurons' rows are trained by Adam (at the warm-up's rate).
	SolverAlternating Solver = "alternating"
)

// AlternatingConfig tunes SolverAlternating.
type AlternatingConfig struct {
	SolveEvery int // Adam steps between Ŵ solves (default 25)
	// Frames in the Gram matrix, evenly strided over the training frames
	// (default min(training frames, max(10·N, 10000))).
	Frames int
	// FinalFrames are the Gram frames of the last solve, when training
	// ends (default every training frame): one solve over all the data
	// averages out more of φ*'s and ψ*'s error than the frequent solves
	// over Frames can afford to.
	FinalFrames int
	// Ridge added to the Gram diagonal, relative to its mean (default
	// 1e-5). The solve raises it tenfold (up to 1e-2, then switches to a
	// pseudo-inverse) where the system is singular or ill-conditioned, and
	// warns.
	Ridge float64
	Grid  int // points per neuron of the φ*/ψ* tables used by the solve (default 512)
	// LR are the Adam learning rates of φ*, ψ* and a between solves. Zero
	// fields default to 1e-2: with Ŵ solved exactly the MLPs tolerate far
	// larger steps than the paper's 5e-4. LR.W is used only with AdamW.
	LR LearningRates
	// AdamW also trains Ŵ by Adam (at LR.W) between solves (a hybrid of
	// the two solvers); by default Ŵ changes only at solves.
	AdamW bool
	// WarmupSteps of plain Adam on every parameter (at WarmupLR) run before
	// the first solve, so that ψ* has taken shape when Ŵ is first solved for
	// (default 1000; negative means none).
	WarmupSteps int
	// WarmupLR are the warm-up's learning rates; zero fields default to
	// W 1e-2 and 2e-3 for φ*, ψ* and a (measured on Fig 2 at N = 1000).
	WarmupLR LearningRates
	// RampSteps moves the MLPs' and embeddings' learning rates from
	// WarmupLR to LR geometrically over this many steps after the warm-up,
	// instead of at once (negative: at once). 0 (the default) decides at
	// the first solve: a ramp of autoRampSteps when that solve made the
	// validation error worse, else at once. A step up by 5× right after a
	// first solve that fits the data worse than the warm-up's Ŵ flattened
	// ψ* for every sender (Supp 12 at N = 1000, Supp 11 at N = 4000).
	RampSteps int
	// OwnTerm gives every receiver's row of the solve its own columns
	// u_i, ψ*(u_i), φ*(u_i), solved jointly with Ŵ, and refits φ* (and
	// the embeddings) to the own term they fit (ownterm.go): for sparse
	// networks, where the other neurons reproduce each neuron's own term
	// and Ŵ otherwise absorbs it. Off by default.
	OwnTerm bool
	// SparsePenalty > 0 solves Ŵ by the relaxed lasso (sparse.go) at this
	// L1 penalty, relative to each receiver row's largest correlation with
	// ψ* (1e-3 is a sound start): for sparse wiring, where least squares
	// needs ψ* exact. 0 (the default) keeps least squares.
	SparsePenalty float64
}

// Progress is what the progress callback receives.
type Progress struct {
	Epoch, Step, StepsPerEpoch int
	Loss                       float64 // mean data loss since the last report
	StepsPerSecond             float64
	FramesPerSecond            float64
	R2, Slope                  float64 // corrected Ŵ vs TrueW; NaN without TrueW
	Elapsed                    float64 // seconds since Train started
	Validation                 float64 // validation mean squared error of the last epoch; NaN before one or without validation
	Message                    string  // e.g. what the last solve did
}

// Stopping rules of TrainConfig.Until.
const (
	UntilEpochs    = "epochs"    // train for Epochs epochs
	UntilConverged = "converged" // stop once the validation loss stops improving
	// UntilSettled stops the alternating solver once its solves of Ŵ stop
	// moving it: the median Moved (SolveReport) of the last settleWindow
	// solves is below TrainConfig.Settle. It needs no truth.
	UntilSettled = "settled"
)

// autoRampSteps is the ramp of AlternatingConfig.RampSteps = 0 when the
// first solve made the validation error worse (Supp 12's 500).
const autoRampSteps = 500

// settleWindow is the number of solves whose median Moved the settled rule
// compares with TrainConfig.Settle: a median, so that one solve after a
// clustering step or an Adam reset does not decide.
const settleWindow = 5

// TrainConfig is the training schedule of SPEC §3 plus ngs's options.
type TrainConfig struct {
	Epochs        int
	Batch         int     // frames per step (default 8; 16 with the alternating solver)
	StepsPerEpoch int     // 0: int(T·Augmentation/Batch·0.2) (the paper's); 1000 with the alternating solver
	Augmentation  float64 // default 50
	LR            LearningRates
	Penalties     Penalties
	XNorm         float64 // 0: round(1.5·std(u)) over the data
	Seed          int64
	Solver        Solver // default DefaultSolver(spec)
	Alternating   AlternatingConfig
	// FreezeEmbedding keeps every a_i equal and fixed (Supp 3 ablation).
	FreezeEmbedding bool
	// KeepAdamMoments disables the reference's reset of Adam at each epoch end.
	KeepAdamMoments bool
	// OnEpochEnd runs after each epoch (clustering hooks); an error stops training.
	OnEpochEnd func(epoch int, m *Model) error
	// OnProgress receives progress ProgressEvery steps (default a few per epoch).
	OnProgress    func(Progress)
	ProgressEvery int
	// TrueW (N×N, receiver-major) is used only for the live R² in progress reports.
	TrueW    []float32
	TrueGain float64 // g for the corrected Ŵ's slope (default 10)
	// CheckpointDir, when set, receives checkpoint.gob at each epoch end and on
	// cancellation; with Resume, training continues from it.
	CheckpointDir string
	Resume        bool
	// Validation is the fraction of frames held out of training, in 20
	// evenly spaced blocks, to score solves and epochs (default 0.1; a
	// negative value disables validation, and with it damping, the best-fit
	// choice and convergence). ValidationFrames of them (default 512,
	// evenly strided) are scored.
	Validation       float64
	ValidationFrames int
	// PsiGrid is the number of grid points through which a shared ψ*
	// (variant N2) is evaluated in training (default DefaultPsiGrid; a
	// negative value evaluates the MLP at every row). See psigrid.go.
	PsiGrid int
	// Until is UntilEpochs (default) or UntilConverged: stop after MinEpochs
	// once Patience epochs in a row (default 2) have not lowered the best
	// validation loss by more than Tolerance relative (default 0.01).
	// UntilSettled instead stops, after MinEpochs, at the solve where the
	// median 1 − ρ² between successive solves' Ŵ over the last
	// settleWindow solves falls below Settle (default 1e-4).
	Until     string
	Patience  int
	Tolerance float64
	MinEpochs int
	Settle    float64
	// LRDecay is the factor on every learning rate at the last step: the
	// rates stay as set for the first half of the Epochs×StepsPerEpoch
	// steps, then follow a cosine down to LRDecay times their value
	// (default 0.1; 1 keeps them constant). Lower rates at the end settle
	// φ* and ψ*, so the last solves of Ŵ see less step-to-step noise.
	LRDecay float64
	// OnWarning receives what training had to work around (flat ψ*,
	// constant activity, a raised ridge, a rollback after a collapse).
	OnWarning func(string)
	// SaveExtra returns integrator state stored in each checkpoint (for
	// example the clustering labels); after Resume, Model.CheckpointExtra
	// gives it back.
	SaveExtra func() ([]byte, error)
	// OnResume receives the SaveExtra bytes of the checkpoint that Resume
	// loaded, before training continues.
	OnResume func(extra []byte) error
	// Input says how a hidden input Ω* is learned, or gives it (omega.go).
	Input InputConfig
}

func (c TrainConfig) withDefaults(frames int) TrainConfig {
	alternating := c.Solver == SolverAlternating
	if c.Batch == 0 {
		c.Batch = 8
		if alternating {
			c.Batch = 16
		}
	}
	if c.StepsPerEpoch == 0 && alternating {
		c.StepsPerEpoch = 1000
	}
	if c.Augmentation == 0 {
		c.Augmentation = 50
	}
	if c.StepsPerEpoch == 0 {
		c.StepsPerEpoch = int(float64(frames) * c.Augmentation / float64(c.Batch) * 0.2)
		if c.StepsPerEpoch < 1 {
			c.StepsPerEpoch = 1
		}
	}
	if c.LR.Omega == 0 {
		c.LR.Omega = 1e-5
	}
	if c.TrueGain == 0 {
		c.TrueGain = 10
	}
	if c.Validation == 0 {
		c.Validation = 0.1
	}
	if c.ValidationFrames == 0 {
		c.ValidationFrames = 512
	}
	if c.PsiGrid == 0 {
		c.PsiGrid = DefaultPsiGrid
	}
	if c.Until == "" {
		c.Until = UntilEpochs
	}
	if c.Patience == 0 {
		c.Patience = 2
	}
	if c.Tolerance == 0 {
		c.Tolerance = 0.01
	}
	if c.Settle == 0 {
		c.Settle = 1e-4
	}
	if c.LRDecay == 0 {
		c.LRDecay = 0.1
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = max(1, c.StepsPerEpoch/5)
	}
	a := &c.Alternating
	if a.SolveEvery == 0 {
		a.SolveEvery = 25
	}
	if a.Ridge == 0 {
		a.Ridge = 1e-5
	}
	if a.Grid == 0 {
		a.Grid = 512
	}
	for _, lr := range []*float64{&a.LR.Phi, &a.LR.Psi, &a.LR.Embedding} {
		if *lr == 0 {
			*lr = 1e-2
		}
	}
	if a.WarmupSteps == 0 {
		a.WarmupSteps = 1000
	}
	if a.WarmupLR.W == 0 {
		a.WarmupLR.W = 1e-2
	}
	for _, lr := range []*float64{&a.WarmupLR.Phi, &a.WarmupLR.Psi, &a.WarmupLR.Embedding} {
		if *lr == 0 {
			*lr = 2e-3
		}
	}
	return c
}

// DefaultSolver is the fastest solver that supports spec: alternating for
// N2, N4 (with a hidden input, for the rows of neurons it does not drive)
// and N5 (one solve per receiver group, solve_n5.go); Adam for N5 with a
// hidden input.
func DefaultSolver(spec ModelSpec) Solver {
	if (spec.receiverGrouped() && spec.Omega != nil) || !spec.Fused() {
		return SolverAdam
	}
	return SolverAlternating
}

func (c TrainConfig) validate(spec ModelSpec, d Data) error {
	if c.Epochs < 1 {
		return fmt.Errorf("gnn: train needs epochs ≥ 1, found %d", c.Epochs)
	}
	if !spec.Fused() {
		return fmt.Errorf("gnn: ψ*(%s) has no fused kernel: train it with TrainGraph", strings.Join(spec.PsiArgs, ", "))
	}
	if c.Batch < 1 {
		return fmt.Errorf("gnn: train needs batch ≥ 1, found %d", c.Batch)
	}
	if d.T < c.Batch {
		return fmt.Errorf("gnn: data has %d frames, fewer than the batch of %d", d.T, c.Batch)
	}
	adamPhase := c.Solver != SolverAlternating
	lrs := []struct {
		name string
		v    float64
		need bool
	}{
		{"W", c.LR.W, adamPhase},
		{"alternating W", c.Alternating.LR.W, c.Solver == SolverAlternating && c.Alternating.AdamW},
		{"warm-up W", c.Alternating.WarmupLR.W, c.Solver == SolverAlternating && spec.Omega != nil},
		{"phi", c.LR.Phi, adamPhase},
		{"psi", c.LR.Psi, adamPhase},
		{"embedding", c.LR.Embedding, !c.FreezeEmbedding && adamPhase},
		{"omega", c.LR.Omega, spec.Omega != nil},
	}
	for _, lr := range lrs {
		if lr.need && !(lr.v > 0) || math.IsNaN(lr.v) || lr.v < 0 {
			return fmt.Errorf("gnn: learning rate %s must be > 0, found %g", lr.name, lr.v)
		}
	}
	switch c.Solver {
	case SolverAdam:
		if c.Until == UntilSettled {
			return fmt.Errorf(`gnn: until "settled" watches the exact solves of Ŵ: it needs solver alternating`)
		}
	case SolverAlternating:
		if spec.receiverGrouped() && spec.Omega != nil {
			return fmt.Errorf("gnn: solver alternating supports N5 only without a hidden input (use solver adam)")
		}
	default:
		return fmt.Errorf("gnn: unknown solver %q (expected adam or alternating)", c.Solver)
	}
	if c.TrueW != nil && len(c.TrueW) != spec.N*spec.N {
		return fmt.Errorf("gnn: TrueW has %d entries, expected N²=%d", len(c.TrueW), spec.N*spec.N)
	}
	if c.Resume && c.CheckpointDir == "" {
		return fmt.Errorf("gnn: resume needs a checkpoint directory")
	}
	if err := c.validateInput(spec, d); err != nil {
		return err
	}
	return c.validateRobust()
}

// validateRobust checks the settings of validation, stopping and the solve,
// naming the setting that is out of range.
func (c TrainConfig) validateRobust() error {
	a := c.Alternating
	checks := []struct {
		ok   bool
		name string
		want string
		v    any
	}{
		{c.Validation < 0.5 && !math.IsNaN(c.Validation), "validation", "a fraction below 0.5 (or negative for none)", c.Validation},
		{c.ValidationFrames >= 1, "validation_frames", "≥ 1", c.ValidationFrames},
		{c.PsiGrid < 0 || c.PsiGrid >= 16, "psi_grid", "≥ 16 (or negative for none)", c.PsiGrid},
		{c.Until == UntilEpochs || c.Until == UntilConverged || c.Until == UntilSettled, "until", `"epochs", "converged" or "settled"`, c.Until},
		{c.Settle > 0 && c.Settle < 1, "settle", "in (0, 1)", c.Settle},
		{c.Patience >= 1, "patience", "≥ 1", c.Patience},
		{c.Tolerance >= 0 && c.Tolerance < 1, "tolerance", "in [0, 1)", c.Tolerance},
		{c.MinEpochs >= 0, "min_epochs", "≥ 0", c.MinEpochs},
		{c.LRDecay > 0 && c.LRDecay <= 1, "lr_decay", "in (0, 1]", c.LRDecay},
		{a.FinalFrames >= 0, "final_gram_frames", "≥ 1", a.FinalFrames},
		{a.Ridge > 0 && a.Ridge <= maxRidge, "ridge", fmt.Sprintf("in (0, %g]", maxRidge), a.Ridge},
		{a.Grid >= 8, "solve_grid", "≥ 8", a.Grid},
		{a.SolveEvery >= 1, "solve_every", "≥ 1", a.SolveEvery},
		{a.Frames >= 0, "gram_frames", "≥ 1", a.Frames},
		{a.SparsePenalty >= 0 && a.SparsePenalty <= 1, "sparse_penalty", "in [0, 1]", a.SparsePenalty},
		{a.SparsePenalty == 0 || !a.OwnTerm, "sparse_penalty", "0 with own_term (the own-term solve has no L1 path)", a.SparsePenalty},
	}
	for _, k := range checks {
		if !k.ok {
			return fmt.Errorf("gnn: setting %s must be %s, found %v", k.name, k.want, k.v)
		}
	}
	return nil
}

// Data is a recording: U (activity) and DU (noise-free du/dt, the target),
// both T×N float32 row-major.
type Data struct {
	U, DU []float32
	T, N  int
	// DropResident, when not nil, takes U's and DU's pages out of the
	// process's resident memory (data memory-mapped from a recording;
	// npy.Mapped.DropResident). Training calls it after its passes over
	// the whole recording, at each epoch's end and every dropFrames frames
	// of a Gram pass and at its end, so that its peak memory does not grow
	// with T.
	DropResident func()
}

// dropResident calls d.DropResident when it is set.
func (d Data) dropResident() {
	if d.DropResident != nil {
		d.DropResident()
	}
}

// Validate checks sizes and finiteness, naming the first bad frame and neuron.
func (d Data) Validate() error {
	if d.T < 1 || d.N < 1 {
		return fmt.Errorf("gnn: data needs T ≥ 1 and N ≥ 1, found T=%d N=%d", d.T, d.N)
	}
	if len(d.U) != d.T*d.N || len(d.DU) != d.T*d.N {
		return fmt.Errorf("gnn: data of %d×%d needs %d values in U and DU, found %d and %d", d.T, d.N, d.T*d.N, len(d.U), len(d.DU))
	}
	for name, x := range map[string][]float32{"u": d.U, "du": d.DU} {
		for k, v := range x {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("gnn: data %s is %g at frame %d, neuron %d", name, v, k/d.N, k%d.N)
			}
		}
	}
	return nil
}

// DefaultXNorm is round(1.5·std(u)) over all frames of the n neurons whose
// activity is not constant (at least 1). A constant neuron carries nothing
// to learn from, and one held far out (a saturated or silent cell at u = 30,
// say) would otherwise set the scale at which ψ*'s plateau is read and the
// inputs are normalised.
func DefaultXNorm(u []float32, n int) float64 {
	frames := len(u) / n
	moving := make([]bool, n)
	for i := range moving {
		for k := 1; k < frames && !moving[i]; k++ {
			moving[i] = u[k*n+i] != u[i]
		}
	}
	var s, ss float64
	count := 0
	for k := 0; k < frames; k++ {
		for i, v := range u[k*n : (k+1)*n] {
			if moving[i] {
				s += float64(v)
				ss += float64(v) * float64(v)
				count++
			}
		}
	}
	if count == 0 {
		return 1
	}
	cnt := float64(count)
	mean := s / cnt
	std := math.Sqrt(math.Max(ss/cnt-mean*mean, 0))
	return math.Max(1, math.Round(1.5*std))
}
