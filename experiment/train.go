package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/runtime"
)

// Schedule is the value of schedule(coeff, from = k, until = m): a penalty
// switched on from epoch k to epoch m inclusive.
type Schedule struct{ gnn.Schedule }

// Type implements runtime.Value.
func (*Schedule) Type() string { return "schedule" }

// String shows the schedule as a call.
func (s *Schedule) String() string {
	if s.Until < 0 {
		return fmt.Sprintf("schedule(%g, from = %d)", s.Coeff, s.From)
	}
	return fmt.Sprintf("schedule(%g, from = %d, until = %d)", s.Coeff, s.From, s.Until)
}

var scheduleBuiltin = &runtime.Builtin{
	Name:   "schedule",
	Doc:    "schedule(coeff, from = 0, until = nil): a penalty coefficient in effect from epoch `from` to epoch `until` (inclusive)",
	Params: []runtime.Param{{Name: "coeff"}, {Name: "from", Default: runtime.Number(0)}, {Name: "until", Default: runtime.Nil{}}},
	Fn: func(c *runtime.Call) (runtime.Value, error) {
		coeff, err := c.NumberArg(0)
		if err != nil {
			return nil, err
		}
		from, err := c.Number("from")
		if err != nil {
			return nil, err
		}
		s := &Schedule{gnn.Schedule{Coeff: coeff, From: int(from), Until: -1}}
		if u, ok := c.Get("until").(runtime.Number); ok {
			s.Until = int(u)
		}
		return s, nil
	},
}

// trainSettings is what a train block says, before it becomes a TrainConfig.
type trainSettings struct {
	cfg        gnn.TrainConfig
	truth      *Network
	hooks      []*lang.Every
	checkpoint string
	// untilR2 stops training once the live R² of the corrected Ŵ against
	// the truth reaches it (a measurement aid: it needs truth = net).
	untilR2 float64
	input   inputSettings // issue 14: the hidden input's settings
}

var trainBuiltin = &runtime.Builtin{
	Name: "train",
	Doc: "train(model, data) { epochs = 10; batch = 8; lr { W = 1e-3; phi = 5e-4; psi = 5e-4; a = 7.5e-4 }; phi_zero = 1; " +
		"every 4 epochs { cluster(threshold = 0.1) } }: fit the GNN to the recorded activity and return the fit",
	Params: []runtime.Param{{Name: "model"}, {Name: "data"}},
	Fn:     train,
}

func train(c *runtime.Call) (runtime.Value, error) {
	decl, ok := c.Arg(0).(*ModelDecl)
	if !ok {
		return nil, c.ArgError(0, "train needs a model, found %s", c.Arg(0).Type())
	}
	data, ok := c.Arg(1).(*Dataset)
	if !ok {
		return nil, c.ArgError(1, "train needs the dataset returned by simulate, found %s", c.Arg(1).Type())
	}
	if data.U == nil || data.DU == nil {
		return nil, c.ArgError(1, "training needs u and du recorded (record = [\"u\", \"du\"])")
	}
	if len(data.Neurons) != data.Network.N {
		return nil, c.ArgError(1, "training needs every neuron recorded; this dataset holds %d of %d", len(data.Neurons), data.Network.N)
	}
	st, err := readTrainBlock(c)
	if err != nil {
		return nil, err
	}
	spec, err := modelSpec(decl, data)
	if err != nil {
		return nil, c.ArgError(0, "%v", err)
	}
	fit := &Fit{Decl: decl, Data: data, Truth: st.truth, Seed: st.cfg.Seed, Frozen: st.cfg.FreezeEmbedding}
	cfg := st.cfg
	if err := st.bindInput(c, spec, data, &cfg); err != nil {
		return nil, err
	}
	if st.truth != nil {
		if st.truth.N != data.Network.N {
			return nil, c.NamedError("truth", "truth has %d neurons, the data %d", st.truth.N, data.Network.N)
		}
		cfg.TrueW, cfg.TrueGain = st.truth.W, st.truth.Gain
	}
	if st.untilR2 > 0 && st.truth == nil {
		return nil, c.Errorf("until_r2 needs the true network: add truth = net to the train block")
	}
	ctx, stop := context.WithCancel(c.Ctx())
	defer stop()
	reached := false
	bar := newProgressBar(c, "train "+decl.Name)
	cfg.OnProgress = func(p gnn.Progress) {
		fit.History = append(fit.History, p)
		if st.untilR2 > 0 && p.R2 >= st.untilR2 && !reached {
			reached = true
			stop()
		}
		status := fmt.Sprintf("epoch %d step %d/%d loss %.4g %.0f steps/s", p.Epoch, p.Step, p.StepsPerEpoch, p.Loss, p.StepsPerSecond)
		if !math.IsNaN(p.R2) {
			status += fmt.Sprintf(" R² %.4f", p.R2)
		}
		if !math.IsNaN(p.Validation) {
			status += fmt.Sprintf(" val %.4g", p.Validation)
		}
		if p.Message != "" {
			status += " (" + p.Message + ")"
		}
		bar.update(p.Epoch*p.StepsPerEpoch+p.Step, cfg.Epochs*p.StepsPerEpoch, status)
	}
	cfg.OnEpochEnd = func(epoch int, m *gnn.Model) error {
		fit.Model = m
		return runHooks(c, st.hooks, epoch, fit)
	}
	cfg.OnWarning = func(msg string) {
		fit.TrainWarnings = append(fit.TrainWarnings, msg)
		bar.interrupt()
		fmt.Fprintf(c.Out(), "warning: train %s: %s\n", decl.Name, msg)
	}
	cfg.SaveExtra = fit.hookState
	cfg.OnResume = fit.restoreHookState
	period, err := hookPeriod(c, st.hooks)
	if err != nil {
		return nil, err
	}
	cfg.MinEpochs = max(cfg.MinEpochs, period)
	if cfg.CheckpointDir == "" && c.OutDir() != "" {
		// Checkpoint every epoch under --out by default: a run is never lost.
		if dir, err := c.ResolvePath("checkpoints/" + decl.Name); err == nil {
			cfg.CheckpointDir = dir
		}
	}
	if err := gnn.CheckMemory(spec, cfg, data.Frames, true, c.Interp.Limits().Memory); err != nil {
		return nil, c.Errorf("%v", err)
	}
	start := time.Now()
	trainer := gnn.Train
	if !spec.Fused() {
		trainer = gnn.TrainGraph // no fused kernel for this ψ*: the gorgonia graph
	}
	m, err := trainer(ctx, spec, gnn.Data{U: data.U, DU: data.DU, T: data.Frames, N: data.Network.N}, cfg)
	bar.done()
	fit.Seconds = time.Since(start).Seconds()
	fit.Model = m
	if reached && m != nil && c.Ctx().Err() == nil {
		fmt.Fprintf(c.Out(), "train %s: R² of the corrected Ŵ reached %g after %.1f s; training stopped\n", decl.Name, st.untilR2, fit.Seconds)
		err = nil
	}
	if err != nil {
		if m != nil && errors.Is(err, c.Ctx().Err()) && c.Ctx().Err() != nil {
			return nil, c.Errorf("training cancelled after %d epochs (checkpoint in %s): %v", m.EpochsDone(), orNone(st.checkpoint), err)
		}
		return nil, c.Errorf("%v", err)
	}
	return fit, nil
}

func orNone(s string) string {
	if s == "" {
		return "no directory: set checkpoint = \"dir\""
	}
	return s
}

// modelSpec sizes a model declaration for a dataset.
func modelSpec(decl *ModelDecl, data *Dataset) (gnn.ModelSpec, error) {
	spec := decl.Spec
	spec.N = data.Network.N
	if spec.Omega != nil {
		o := *spec.Omega
		k := decl.OmegaNeurons
		if k > spec.N {
			return spec, fmt.Errorf("omega declares %d input neurons but the data has %d neurons", k, spec.N)
		}
		neurons, x, y, err := inputPositions(data.Network, k)
		if err != nil {
			return spec, err
		}
		if decl.OmegaX != nil {
			x, y = decl.OmegaX, decl.OmegaY
		}
		o.Neurons, o.X, o.Y = neurons, x, y
		spec.Omega = &o
	}
	return spec, nil
}

// readTrainBlock reads the settings of train's trailing block.
func readTrainBlock(c *runtime.Call) (*trainSettings, error) {
	st := &trainSettings{cfg: gnn.TrainConfig{Epochs: 1, Seed: 42,
		LR:        gnn.LearningRates{W: 1e-3, Phi: 5e-4, Psi: 5e-4, Embedding: 7.5e-4, Omega: 1e-5},
		Penalties: gnn.Penalties{PhiZero: gnn.Always(1)}}}
	if c.Block == nil {
		return st, nil
	}
	env := runtime.NewEnv(c.Env)
	for _, s := range c.Block.Stmts {
		var err error
		switch s := s.(type) {
		case *lang.Setting:
			err = st.setting(c, s, env)
		case *lang.NamedBlock:
			if s.Kind != "lr" {
				return nil, lang.Errorf(s.At, "unknown block %q in train (expected lr { ... })", s.Kind)
			}
			err = st.learningRates(c, s, env)
		case *lang.Every:
			if s.Unit != "epochs" && s.Unit != "epoch" {
				return nil, lang.Errorf(s.At, "train hooks run every K epochs, found unit %q", s.Unit)
			}
			st.hooks = append(st.hooks, s)
		default:
			return nil, lang.Errorf(s.Position(), "a train block holds settings, lr { ... } and every K epochs { ... } hooks")
		}
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

var trainSettingNames = map[string]bool{"epochs": true, "batch": true, "steps": true, "augmentation": true, "seed": true,
	"phi_zero": true, "edge_diff": true, "W_L1": true, "freeze_embedding": true, "truth": true, "solver": true,
	"checkpoint": true, "resume": true, "xnorm": true, "progress_every": true, "solve_every": true, "gram_frames": true,
	"keep_adam": true, "warmup": true, "solve_lr": true, "adam_W": true, "until_r2": true,
	"ridge": true, "validation": true, "validation_frames": true, "until": true, "patience": true, "tolerance": true,
	"min_epochs": true, "solve_grid": true, "lr_decay": true, "final_gram_frames": true,
	"input_method": true, "input_bins": true, "input_interp": true, "known_input": true, "siren_steps": true, "input_anchor": true}

func (st *trainSettings) setting(c *runtime.Call, s *lang.Setting, env *runtime.Env) error {
	if !trainSettingNames[s.Name] {
		return lang.Errorf(s.At, "unknown train setting %q%s", s.Name, suggest(s.Name, trainSettingNames))
	}
	v, err := c.Interp.Eval(s.Value, env)
	if err != nil {
		return err
	}
	pos := s.Value.Position()
	cfg := &st.cfg
	switch s.Name {
	case "epochs", "batch", "progress_every", "solve_every", "gram_frames", "validation_frames", "patience", "min_epochs", "solve_grid", "final_gram_frames":
		least := map[string]int{"solve_grid": 8, "min_epochs": 0}[s.Name]
		n, err := wholeNumber(v, pos, s.Name, max(least, min(1, least+1)))
		if err != nil {
			return err
		}
		*map[string]*int{"epochs": &cfg.Epochs, "batch": &cfg.Batch, "progress_every": &cfg.ProgressEvery,
			"solve_every": &cfg.Alternating.SolveEvery, "gram_frames": &cfg.Alternating.Frames,
			"validation_frames": &cfg.ValidationFrames, "patience": &cfg.Patience, "min_epochs": &cfg.MinEpochs,
			"solve_grid": &cfg.Alternating.Grid, "final_gram_frames": &cfg.Alternating.FinalFrames}[s.Name] = n
	case "ridge", "tolerance", "validation", "lr_decay":
		return st.fraction(v, pos, s.Name)
	case "until":
		str, ok := v.(runtime.String)
		if !ok || (str != gnn.UntilEpochs && str != gnn.UntilConverged) {
			return lang.Errorf(pos, "until must be \"epochs\" or \"converged\", found %s", v)
		}
		cfg.Until = string(str)
	case "steps":
		if str, ok := v.(runtime.String); ok && str == "auto" {
			cfg.StepsPerEpoch = 0
			return nil
		}
		if cfg.StepsPerEpoch, err = wholeNumber(v, pos, s.Name, 1); err != nil {
			return err
		}
	case "warmup":
		if cfg.Alternating.WarmupSteps, err = wholeNumber(v, pos, s.Name, 0); err != nil {
			return err
		}
		if cfg.Alternating.WarmupSteps == 0 {
			cfg.Alternating.WarmupSteps = -1
		}
	case "solve_lr", "until_r2":
		n, ok := v.(runtime.Number)
		if !ok || !(n > 0) {
			return lang.Errorf(pos, "%s must be a number > 0, found %s", s.Name, v)
		}
		if s.Name == "until_r2" {
			st.untilR2 = float64(n)
		} else {
			a := &cfg.Alternating.LR
			a.Phi, a.Psi, a.Embedding = float64(n), float64(n), float64(n)
		}
	case "augmentation", "xnorm":
		n, ok := v.(runtime.Number)
		if !ok || !(n > 0) {
			return lang.Errorf(pos, "%s must be a number > 0, found %s", s.Name, v)
		}
		if s.Name == "xnorm" {
			cfg.XNorm = float64(n)
		} else {
			cfg.Augmentation = float64(n)
		}
	case "seed":
		n, ok := v.(runtime.Number)
		if !ok {
			return lang.Errorf(pos, "seed must be a number, found %s", v.Type())
		}
		cfg.Seed = int64(n)
	case "phi_zero", "edge_diff", "W_L1":
		sch, err := scheduleOf(v, pos, s.Name)
		if err != nil {
			return err
		}
		*map[string]*gnn.Schedule{"phi_zero": &cfg.Penalties.PhiZero, "edge_diff": &cfg.Penalties.EdgeDiff, "W_L1": &cfg.Penalties.WL1}[s.Name] = sch
	case "freeze_embedding", "resume", "keep_adam", "adam_W":
		b, ok := v.(runtime.Bool)
		if !ok {
			return lang.Errorf(pos, "%s must be true or false, found %s", s.Name, v)
		}
		*map[string]*bool{"freeze_embedding": &cfg.FreezeEmbedding, "resume": &cfg.Resume, "keep_adam": &cfg.KeepAdamMoments,
			"adam_W": &cfg.Alternating.AdamW}[s.Name] = bool(b)
	case "truth":
		net, ok := v.(*Network)
		if !ok {
			return lang.Errorf(pos, "truth must be the network that made the data, found %s", v.Type())
		}
		st.truth = net
	case "solver":
		str, ok := v.(runtime.String)
		if !ok || (str != "adam" && str != "alternating") {
			return lang.Errorf(pos, "solver must be \"adam\" or \"alternating\", found %s", v)
		}
		cfg.Solver = gnn.Solver(str)
	case "input_method", "input_bins", "input_interp", "known_input", "siren_steps", "input_anchor":
		return st.inputSetting(s.Name, v, pos)
	case "checkpoint":
		str, ok := v.(runtime.String)
		if !ok {
			return lang.Errorf(pos, "checkpoint must be a directory name, found %s", v.Type())
		}
		dir, err := c.ResolvePath(string(str))
		if err != nil {
			return err
		}
		cfg.CheckpointDir, st.checkpoint = dir, dir
	}
	return nil
}

// fraction reads ridge (in (0, 0.01]), tolerance (in [0, 1)) or validation
// (in [0, 0.5); 0 turns validation off).
func (st *trainSettings) fraction(v runtime.Value, pos lang.Pos, name string) error {
	n, ok := v.(runtime.Number)
	x := float64(n)
	switch {
	case !ok:
		return lang.Errorf(pos, "%s must be a number, found %s", name, v.Type())
	case name == "ridge" && !(x > 0 && x <= 1e-2):
		return lang.Errorf(pos, "ridge must be in (0, 0.01] (relative to the Gram matrix's mean diagonal), found %g", x)
	case name == "tolerance" && !(x >= 0 && x < 1):
		return lang.Errorf(pos, "tolerance must be in [0, 1) (a relative improvement of the validation loss), found %g", x)
	case name == "lr_decay" && !(x > 0 && x <= 1):
		return lang.Errorf(pos, "lr_decay must be in (0, 1] (the learning rates' factor at the last step; 1 keeps them constant), found %g", x)
	case name == "validation" && !(x >= 0 && x < 0.5):
		return lang.Errorf(pos, "validation must be a fraction of the frames in [0, 0.5) (0 turns it off), found %g", x)
	}
	cfg := &st.cfg
	switch name {
	case "ridge":
		cfg.Alternating.Ridge = x
	case "lr_decay":
		cfg.LRDecay = x
	case "tolerance":
		cfg.Tolerance = x
		if x == 0 {
			cfg.Tolerance = 1e-12
		}
	case "validation":
		cfg.Validation = x
		if x == 0 {
			cfg.Validation = -1
		}
	}
	return nil
}

// hookPeriod returns the longest period of the train block's hooks: a run
// that stops on convergence has run every hook at least once.
func hookPeriod(c *runtime.Call, hooks []*lang.Every) (int, error) {
	longest := 0
	for _, h := range hooks {
		k, err := evalNumber(c.Interp, h.Count, c.Env)
		if err != nil {
			return 0, err
		}
		if k < 1 || k != math.Trunc(k) {
			return 0, lang.Errorf(h.Count.Position(), "every needs a whole period ≥ 1, found %g", k)
		}
		longest = max(longest, int(k))
	}
	return longest, nil
}

func wholeNumber(v runtime.Value, pos lang.Pos, name string, least int) (int, error) {
	n, ok := v.(runtime.Number)
	if !ok || float64(n) != math.Trunc(float64(n)) || int(n) < least {
		return 0, lang.Errorf(pos, "%s must be a whole number ≥ %d, found %s", name, least, v)
	}
	return int(n), nil
}

func scheduleOf(v runtime.Value, pos lang.Pos, name string) (gnn.Schedule, error) {
	switch v := v.(type) {
	case runtime.Number:
		if v < 0 {
			return gnn.Schedule{}, lang.Errorf(pos, "the %s coefficient must be ≥ 0, found %g", name, float64(v))
		}
		return gnn.Always(float64(v)), nil
	case *Schedule:
		return v.Schedule, nil
	}
	return gnn.Schedule{}, lang.Errorf(pos, "%s must be a coefficient or schedule(coeff, from = k, until = m), found %s", name, v.Type())
}

func (st *trainSettings) learningRates(c *runtime.Call, b *lang.NamedBlock, env *runtime.Env) error {
	// The rates given here drive Adam: the whole of training with solver =
	// "adam", and the warm-up before the first exact solve with the
	// alternating solver (between solves the MLPs use solve_lr).
	lr, warm := &st.cfg.LR, &st.cfg.Alternating.WarmupLR
	targets := map[string]*float64{"W": &lr.W, "phi": &lr.Phi, "psi": &lr.Psi, "a": &lr.Embedding, "embedding": &lr.Embedding, "omega": &lr.Omega}
	warmTargets := map[string]*float64{"W": &warm.W, "phi": &warm.Phi, "psi": &warm.Psi, "a": &warm.Embedding, "embedding": &warm.Embedding}
	for _, s := range b.Block.Stmts {
		set, ok := s.(*lang.Setting)
		if !ok {
			return lang.Errorf(s.Position(), "lr { } holds learning rates such as W = 1e-3")
		}
		if set.Name == "mlp" {
			v, err := evalNumber(c.Interp, set.Value, env)
			if err != nil {
				return err
			}
			if !(v > 0) {
				return lang.Errorf(set.Value.Position(), "learning rate mlp must be > 0, found %g", v)
			}
			lr.Phi, lr.Psi = v, v
			warm.Phi, warm.Psi = v, v
			continue
		}
		p, ok := targets[set.Name]
		if !ok {
			return lang.Errorf(set.At, "unknown learning-rate group %q (expected W, phi, psi, mlp, a, omega)", set.Name)
		}
		v, err := evalNumber(c.Interp, set.Value, env)
		if err != nil {
			return err
		}
		if !(v >= 0) {
			return lang.Errorf(set.Value.Position(), "learning rate %s must be ≥ 0 (0 keeps the group fixed where training allows it), found %g", set.Name, v)
		}
		*p = v
		if w, ok := warmTargets[set.Name]; ok {
			*w = v
		}
	}
	return nil
}

// runHooks runs every `every K epochs { ... }` block due after epoch (0-based):
// a hook with period K runs after epochs K-1, 2K-1, ... The block sees
// `epoch` and `fit`.
func runHooks(c *runtime.Call, hooks []*lang.Every, epoch int, fit *Fit) error {
	for _, h := range hooks {
		k, err := evalNumber(c.Interp, h.Count, c.Env)
		if err != nil {
			return err
		}
		if k < 1 {
			return lang.Errorf(h.Count.Position(), "every needs a period ≥ 1, found %g", k)
		}
		if (epoch+1)%int(k) != 0 {
			continue
		}
		env := runtime.NewEnv(c.Env)
		if err := env.Set("epoch", runtime.Number(epoch)); err != nil {
			return err
		}
		if err := env.Set("fit", fit); err != nil {
			return err
		}
		if err := env.Set(trainingName, &trainingState{fit: fit, epoch: epoch}); err != nil {
			return err
		}
		if err := c.Interp.Exec(h.Block, env); err != nil {
			return err
		}
	}
	return nil
}
