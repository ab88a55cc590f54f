package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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
			status += fmt.Sprintf(" R² %.4f slope %.3f", p.R2, p.Slope)
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
	fit.checkpointDir = cfg.CheckpointDir
	if err := gnn.CheckMemory(spec, cfg, data.Frames, true, c.Interp.Limits().Memory); err != nil {
		return nil, c.Errorf("%v", err)
	}
	start := time.Now()
	m, err := gnn.Train(ctx, spec, gnn.Data{U: data.U, DU: data.DU, T: data.Frames, N: data.Network.N, DropResident: data.dropResident()}, cfg)
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

// defaultTrainSeed seeds training when neither the train block nor the
// script (`seed N`) gives a seed.
const defaultTrainSeed = 42

// readTrainBlock reads the settings of train's trailing block. Each
// setting is checked against trainSchema (the schema `ngs check` uses),
// so a misspelt name, a wrong kind or an out-of-range value gets the same
// message here as before the run; then it is stored in the TrainConfig.
// Without a seed setting, training takes the script's `seed`.
func readTrainBlock(c *runtime.Call) (*trainSettings, error) {
	seed := int64(defaultTrainSeed)
	if s, ok := c.Interp.ScriptSeed(); ok {
		seed = s
	}
	st := &trainSettings{cfg: gnn.TrainConfig{Epochs: 1, Seed: seed,
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
			if trainSchema.Blocks[s.Kind] == nil {
				return nil, lang.Errorf(s.At, "unknown block %q in train (expected %s { ... })", s.Kind, strings.Join(trainSchema.BlockNames(), ", "))
			}
			err = st.learningRates(c, s, env)
		case *lang.Every:
			if !slices.Contains(trainSchema.Hooks.Units, s.Unit) {
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

// schemaValue evaluates a setting of a block and checks it against the
// block's schema: an unknown name (with did-you-mean), a wrong kind or a
// value out of range is an error at the setting.
func schemaValue(c *runtime.Call, schema *lang.BlockSchema, s *lang.Setting, env *runtime.Env, what string) (runtime.Value, error) {
	sch, ok := schema.Setting(s.Name)
	if !ok {
		return nil, lang.Errorf(s.At, "unknown %s %q%s (expected %s)", what, s.Name,
			suggestList(s.Name, schema.SettingNames()), strings.Join(schema.SettingNames(), ", "))
	}
	v, err := c.Interp.Eval(s.Value, env)
	if err != nil {
		return nil, err
	}
	return v, runtime.CheckType(sch.Type, v, s.Value.Position(), s.Name)
}

// setting stores one train setting, checked against trainSchema.
func (st *trainSettings) setting(c *runtime.Call, s *lang.Setting, env *runtime.Env) error {
	v, err := schemaValue(c, trainSchema, s, env, "train setting")
	if err != nil {
		return err
	}
	set, ok := trainSetters[s.Name]
	if !ok {
		return lang.Errorf(s.At, "internal error: train setting %q is in the schema but not read", s.Name)
	}
	return set(st, c, v, s.Value.Position())
}

// trainSetter stores a train setting's value, which has passed the
// schema's type check, in the settings.
type trainSetter func(st *trainSettings, c *runtime.Call, v runtime.Value, pos lang.Pos) error

// number is a value that passed a schema's number check.
func number(v runtime.Value) float64 {
	n, _ := v.(runtime.Number)
	return float64(n)
}

// intSetting, floatSetting and boolSetting store a value in the field
// that field returns.
func intSetting(field func(*trainSettings) *int) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		*field(st) = int(number(v))
		return nil
	}
}

func floatSetting(field func(*trainSettings) *float64) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		*field(st) = number(v)
		return nil
	}
}

func boolSetting(field func(*trainSettings) *bool) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		b, _ := v.(runtime.Bool)
		*field(st) = bool(b)
		return nil
	}
}

// scheduleSetting stores a penalty: a coefficient or a schedule(...).
func scheduleSetting(name string, field func(*trainSettings) *gnn.Schedule) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, pos lang.Pos) (err error) {
		*field(st), err = scheduleOf(v, pos, name)
		return err
	}
}

// zeroMeans stores x, or off when x is 0 (gnn reads its own 0 as "the
// default").
func zeroMeans(off float64, field func(*trainSettings) *float64) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		x := number(v)
		if x == 0 {
			x = off
		}
		*field(st) = x
		return nil
	}
}

// trainSetters store every setting of trainSchema
// (TestTrainSchemaCoversSettings keeps the two in step).
var trainSetters = map[string]trainSetter{
	"epochs":            intSetting(func(st *trainSettings) *int { return &st.cfg.Epochs }),
	"batch":             intSetting(func(st *trainSettings) *int { return &st.cfg.Batch }),
	"progress_every":    intSetting(func(st *trainSettings) *int { return &st.cfg.ProgressEvery }),
	"solve_every":       intSetting(func(st *trainSettings) *int { return &st.cfg.Alternating.SolveEvery }),
	"gram_frames":       intSetting(func(st *trainSettings) *int { return &st.cfg.Alternating.Frames }),
	"validation_frames": intSetting(func(st *trainSettings) *int { return &st.cfg.ValidationFrames }),
	"patience":          intSetting(func(st *trainSettings) *int { return &st.cfg.Patience }),
	"min_epochs":        intSetting(func(st *trainSettings) *int { return &st.cfg.MinEpochs }),
	"solve_grid":        intSetting(func(st *trainSettings) *int { return &st.cfg.Alternating.Grid }),
	"final_gram_frames": intSetting(func(st *trainSettings) *int { return &st.cfg.Alternating.FinalFrames }),
	// steps = "auto" (0) is the paper's count.
	"steps":            intSetting(func(st *trainSettings) *int { return &st.cfg.StepsPerEpoch }),
	"augmentation":     floatSetting(func(st *trainSettings) *float64 { return &st.cfg.Augmentation }),
	"xnorm":            floatSetting(func(st *trainSettings) *float64 { return &st.cfg.XNorm }),
	"ridge":            floatSetting(func(st *trainSettings) *float64 { return &st.cfg.Alternating.Ridge }),
	"lr_decay":         floatSetting(func(st *trainSettings) *float64 { return &st.cfg.LRDecay }),
	"until_r2":         floatSetting(func(st *trainSettings) *float64 { return &st.untilR2 }),
	"settle":           floatSetting(func(st *trainSettings) *float64 { return &st.cfg.Settle }),
	"tolerance":        zeroMeans(1e-12, func(st *trainSettings) *float64 { return &st.cfg.Tolerance }),
	"validation":       zeroMeans(-1, func(st *trainSettings) *float64 { return &st.cfg.Validation }),
	"freeze_embedding": boolSetting(func(st *trainSettings) *bool { return &st.cfg.FreezeEmbedding }),
	"resume":           boolSetting(func(st *trainSettings) *bool { return &st.cfg.Resume }),
	"keep_adam":        boolSetting(func(st *trainSettings) *bool { return &st.cfg.KeepAdamMoments }),
	"adam_W":           boolSetting(func(st *trainSettings) *bool { return &st.cfg.Alternating.AdamW }),
	"own_term":         boolSetting(func(st *trainSettings) *bool { return &st.cfg.Alternating.OwnTerm }),
	"sparse_penalty":   floatSetting(func(st *trainSettings) *float64 { return &st.cfg.Alternating.SparsePenalty }),
	"phi_zero":         scheduleSetting("phi_zero", func(st *trainSettings) *gnn.Schedule { return &st.cfg.Penalties.PhiZero }),
	"edge_diff":        scheduleSetting("edge_diff", func(st *trainSettings) *gnn.Schedule { return &st.cfg.Penalties.EdgeDiff }),
	"W_L1":             scheduleSetting("W_L1", func(st *trainSettings) *gnn.Schedule { return &st.cfg.Penalties.WL1 }),
	"warmup": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		st.cfg.Alternating.WarmupSteps = int(number(v))
		if st.cfg.Alternating.WarmupSteps == 0 {
			st.cfg.Alternating.WarmupSteps = -1 // gnn's 0 means the default
		}
		return nil
	},
	"solve_lr": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		a := &st.cfg.Alternating.LR
		a.Phi, a.Psi, a.Embedding = number(v), number(v), number(v)
		return nil
	},
	"psi_grid": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		st.cfg.PsiGrid = int(number(v))
		if st.cfg.PsiGrid == 0 {
			st.cfg.PsiGrid = -1 // gnn's 0 means the default grid
		}
		return nil
	},
	"lr_ramp": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		st.cfg.Alternating.RampSteps = int(number(v))
		if st.cfg.Alternating.RampSteps == 0 {
			st.cfg.Alternating.RampSteps = -1 // gnn's 0 means automatic
		}
		return nil
	},
	"seed": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		st.cfg.Seed = int64(number(v))
		return nil
	},
	"until": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		s, _ := v.(runtime.String)
		st.cfg.Until = string(s)
		return nil
	},
	"solver": func(st *trainSettings, _ *runtime.Call, v runtime.Value, _ lang.Pos) error {
		s, _ := v.(runtime.String)
		st.cfg.Solver = gnn.Solver(s)
		return nil
	},
	"truth": func(st *trainSettings, _ *runtime.Call, v runtime.Value, pos lang.Pos) error {
		net, ok := v.(*Network)
		if !ok {
			return lang.Errorf(pos, "truth must be the network that made the data, found %s", v.Type())
		}
		st.truth = net
		return nil
	},
	"checkpoint": func(st *trainSettings, c *runtime.Call, v runtime.Value, _ lang.Pos) error {
		s, _ := v.(runtime.String)
		dir, err := c.ResolvePath(string(s))
		if err != nil {
			return err
		}
		st.cfg.CheckpointDir, st.checkpoint = dir, dir
		return nil
	},
	"input_method": inputSetter("input_method"),
	"input_bins":   inputSetter("input_bins"),
	"input_interp": inputSetter("input_interp"),
	"known_input":  inputSetter("known_input"),
	"siren_steps":  inputSetter("siren_steps"),
	"input_anchor": inputSetter("input_anchor"),
}

// inputSetter stores a setting of the hidden input (train_input.go).
func inputSetter(name string) trainSetter {
	return func(st *trainSettings, _ *runtime.Call, v runtime.Value, pos lang.Pos) error {
		return st.inputSetting(name, v, pos)
	}
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

// lrTargets are the rates each setting of lrSchema sets: Adam's and the
// alternating solver's warm-up rate (TestTrainSchemaCoversSettings keeps
// the two in step).
func (st *trainSettings) lrTargets() map[string][]*float64 {
	lr, warm := &st.cfg.LR, &st.cfg.Alternating.WarmupLR
	return map[string][]*float64{"W": {&lr.W, &warm.W}, "phi": {&lr.Phi, &warm.Phi}, "psi": {&lr.Psi, &warm.Psi},
		"mlp": {&lr.Phi, &lr.Psi, &warm.Phi, &warm.Psi}, "a": {&lr.Embedding, &warm.Embedding},
		"embedding": {&lr.Embedding, &warm.Embedding}, "omega": {&lr.Omega}}
}

func (st *trainSettings) learningRates(c *runtime.Call, b *lang.NamedBlock, env *runtime.Env) error {
	// The rates given here drive Adam: the whole of training with solver =
	// "adam", and the warm-up before the first exact solve with the
	// alternating solver (between solves the MLPs use solve_lr).
	targets := st.lrTargets()
	for _, s := range b.Block.Stmts {
		set, ok := s.(*lang.Setting)
		if !ok {
			return lang.Errorf(s.Position(), "lr { } holds learning rates such as W = 1e-3")
		}
		v, err := schemaValue(c, lrSchema, set, env, "learning-rate group")
		if err != nil {
			return err
		}
		ps, ok := targets[set.Name]
		if !ok {
			return lang.Errorf(set.At, "internal error: learning-rate group %q is in the schema but not read", set.Name)
		}
		for _, p := range ps {
			*p = number(v)
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
