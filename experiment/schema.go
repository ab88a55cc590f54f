package experiment

import (
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/eqn"
	"github.com/ngs-lab/ngs/ops/gnn"
	"github.com/ngs-lab/ngs/runtime"
)

// The schemas of the experiment's blocks: every setting a network, a neuron
// type, a model, a train block and its lr { } block and hooks know, with
// what each accepts and a one-line doc. They are registered with the
// declarations and builtins (register.go), so that `ngs check` reports a
// misspelt or mistyped setting before anything runs, :help lists them and
// the REPL completes them; the builtins read their blocks against the same
// schemas at run time.

// equationLocals are the names a network's equations may use without
// defining them: the receiver i, the sender j, state u, weights W, input e,
// time t, the neuron count N and the neuron's position x, y (a model's
// functions also a, the embedding).
var equationLocals = []string{"u", "i", "j", "W", "e", "t", "N", "x", "y"}

// typeSchema is a neuron type's block: its parameters (any name, a number)
// and the two settings that size it.
var typeSchema = &lang.BlockSchema{
	What:   "type block",
	Doc:    "a neuron type: its parameters (c = 1; s = 2) and optionally its size",
	Named:  true,
	Params: true,
	Rest:   lang.Number().Described("a number (a type's parameters are numbers)"),
	Settings: []lang.SettingSchema{
		{Name: "count", Type: lang.Whole(0), Doc: "how many neurons have this type"},
		{Name: "fraction", Type: lang.Number().AtLeast(0).AtMost(1), Doc: "the share of neurons of this type"},
	},
}

// networkSchema is the block of `network NAME { ... }`.
var networkSchema = &lang.BlockSchema{
	What: "network",
	Doc:  "neuron types, equations, wiring, initial state, noise and inputs of a simulated network",
	Settings: []lang.SettingSchema{
		{Name: "neurons", Type: lang.Whole(1).AtMost(1 << 16), Doc: "the number of neurons N"},
		{Name: "assign", Type: lang.OneOf("blocks", "random"), Doc: "types in contiguous blocks (the paper's) or a random permutation"},
		{Name: "W", Type: lang.Any(), Doc: "the wiring: cauchy(), gaussian(), lowrank() or a tensor"},
		{Name: "u0", Type: lang.Any(), Doc: "the initial state: normal(mean, sd), a number or a tensor"},
		{Name: "noise", Type: lang.Number().AtLeast(0), Doc: "standard deviation of the additive noise"},
		{Name: "input", Type: lang.Opaque("an external input such as movie(...)"), Doc: "the external input"},
		{Name: "seed", Type: lang.Number(), Doc: "the network's own random seed (default: drawn from the script's seed)"},
	},
	Blocks:        map[string]*lang.BlockSchema{"type": typeSchema},
	Equations:     true,
	EquationFuncs: eqn.CallNames(),
}

// learnedFunction is what psi, phi and omega accept in a model block.
var learnedFunction = lang.Opaque("a learned function such as mlp(u[j], hidden = 64)")

// modelSchema is the block of `model NAME { ... }`.
var modelSchema = &lang.BlockSchema{
	What: "model",
	Doc:  "the GNN that training fits: embedding size and the learned functions",
	Settings: []lang.SettingSchema{
		{Name: "embedding", Type: lang.Whole(1), Doc: "the dimension of the latent vector a_i"},
		{Name: "psi", Type: learnedFunction, Doc: "ψ*, the transfer function: mlp(u[j], ...) with any of u[i], a[j], a[i]",
			Check: func(x lang.Expr) error { return checkLearnedInputs("psi", x) }},
		{Name: "phi", Type: learnedFunction, Doc: "φ*, the update function: mlp(u[i], a[i], ...)",
			Check: func(x lang.Expr) error { return checkLearnedInputs("phi", x) }},
		{Name: "omega", Type: lang.Opaque("siren(x, y, t, ...)"), Doc: "Ω*, the learned hidden input",
			Check: func(x lang.Expr) error { return checkLearnedInputs("omega", x) }},
		{Name: "input", Type: lang.OneOf("multiplicative", "additive"), Doc: "how Ω* enters the update"},
	},
}

// rate is a learning rate.
var rate = lang.Number().AtLeast(0)

// lrSchema is train's lr { } block.
var lrSchema = &lang.BlockSchema{
	What: "lr block",
	Doc:  "Adam learning rates per parameter group",
	Settings: []lang.SettingSchema{
		{Name: "W", Type: rate, Doc: "the connectivity Ŵ"},
		{Name: "phi", Type: rate, Doc: "φ*'s MLP"},
		{Name: "psi", Type: rate, Doc: "ψ*'s MLP"},
		{Name: "mlp", Type: lang.Number().Above(0), Doc: "φ* and ψ* together"},
		{Name: "a", Type: rate, Doc: "the embeddings a_i"},
		{Name: "embedding", Type: rate, Doc: "the embeddings a_i (same as a)"},
		{Name: "omega", Type: rate, Doc: "Ω*'s SIREN"},
	},
}

// penalty is what phi_zero, edge_diff and W_L1 accept.
var penalty = lang.Number().AtLeast(0).Or(lang.Opaque("")).
	Described("a coefficient ≥ 0 or schedule(coeff, from = k, until = m)")

// trainSchema is train's trailing block.
var trainSchema = &lang.BlockSchema{
	What: "train block",
	Doc:  "how to fit the model: epochs, batches, solver, penalties, validation, hooks",
	Settings: []lang.SettingSchema{
		{Name: "epochs", Type: lang.Whole(1), Doc: "epochs to train (1)"},
		{Name: "batch", Type: lang.Whole(1), Doc: "frames per step"},
		{Name: "steps", Type: lang.Whole(1).Or(lang.OneOf("auto")), Doc: "steps per epoch"},
		{Name: "augmentation", Type: lang.Number().Above(0), Doc: "the reference's data_augmentation_loop (50)"},
		{Name: "seed", Type: lang.Number(), Doc: "model initialisation and batch draws (default: the script's seed)"},
		{Name: "phi_zero", Type: penalty, Doc: "penalty on φ*(0) (1)"},
		{Name: "edge_diff", Type: penalty, Doc: "penalty on ψ*'s differences between neurons (0)"},
		{Name: "W_L1", Type: penalty, Doc: "L1 penalty on Ŵ (0)"},
		{Name: "freeze_embedding", Type: lang.Boolean(), Doc: "all a_i equal and fixed (Supp 3)"},
		{Name: "truth", Type: lang.Opaque("the network that made the data"), Doc: "the true network, for the live R² only"},
		{Name: "solver", Type: lang.OneOf("adam", "alternating"), Doc: "Adam on everything, or Ŵ solved by least squares between Adam steps"},
		{Name: "checkpoint", Type: lang.Text(), Doc: "checkpoint directory"},
		{Name: "resume", Type: lang.Boolean(), Doc: "resume from the checkpoint"},
		{Name: "xnorm", Type: lang.Number().Above(0), Doc: "activity scale for edge_diff and the ψ* plateau"},
		{Name: "progress_every", Type: lang.Whole(1), Doc: "steps between progress lines"},
		{Name: "solve_every", Type: lang.Whole(1), Doc: "steps between exact solves of Ŵ"},
		{Name: "psi_grid", Type: lang.Whole(0), Doc: "points of the grid through which training evaluates a shared ψ*(u_j) (2048; 0: the MLP at every row)"},
		{Name: "gram_frames", Type: lang.Whole(1), Doc: "frames in the Gram matrix"},
		{Name: "keep_adam", Type: lang.Boolean(), Doc: "keep Adam moments across epochs"},
		{Name: "warmup", Type: lang.Whole(0), Doc: "Adam steps before the first exact solve"},
		{Name: "lr_ramp", Type: lang.Whole(0), Doc: "steps over which the MLPs' rates rise from the warm-up's to solve_lr (0: at once; default: 500 when the first solve fits the validation frames worse than the warm-up's Ŵ, else at once)"},
		{Name: "solve_lr", Type: lang.Number().Above(0), Doc: "the MLPs' learning rate between solves"},
		{Name: "adam_W", Type: lang.Boolean(), Doc: "also Adam on Ŵ between solves"},
		{Name: "own_term", Type: lang.Boolean(), Doc: "give each receiver's row of the solve its own columns u_i, ψ*(u_i), φ*(u_i) and refit φ* to the own term they fit (sparse networks)"},
		{Name: "sparse_penalty", Type: lang.Number().AtLeast(0).AtMost(1), Doc: "L1 penalty of the relaxed-lasso solve of Ŵ, relative to each row's largest correlation (0: least squares; 1e-3 for sparse wiring)"},
		{Name: "until_r2", Type: lang.Number().Above(0), Doc: "stop once the live R² reaches this (needs truth)"},
		{Name: "ridge", Type: lang.Number().Above(0).AtMost(1e-2), Doc: "the solve's starting ridge, relative to the Gram diagonal"},
		{Name: "validation", Type: lang.Number().AtLeast(0).Below(0.5), Doc: "fraction of frames held out (0 turns it off)"},
		{Name: "validation_frames", Type: lang.Whole(1), Doc: "held-out frames scored"},
		{Name: "until", Type: lang.OneOf(gnn.UntilEpochs, gnn.UntilConverged, gnn.UntilSettled), Doc: "stop after epochs, once the validation loss stops improving (converged), or once the solves stop moving Ŵ (settled)"},
		{Name: "settle", Type: lang.Number().Above(0).Below(1), Doc: "with until = \"settled\": the median 1 − ρ² between successive solves' Ŵ (over the last 5) below which training stops (1e-4)"},
		{Name: "patience", Type: lang.Whole(1), Doc: "epochs without improvement before stopping"},
		{Name: "tolerance", Type: lang.Number().AtLeast(0).Below(1), Doc: "relative improvement that counts"},
		{Name: "min_epochs", Type: lang.Whole(0), Doc: "epochs before convergence may stop training"},
		{Name: "solve_grid", Type: lang.Whole(8), Doc: "points per neuron of the solve's φ*/ψ* tables"},
		{Name: "lr_decay", Type: lang.Number().Above(0).AtMost(1), Doc: "the learning rates' factor at the last step (1 keeps them constant)"},
		{Name: "final_gram_frames", Type: lang.Whole(1), Doc: "frames in the Gram matrix of the final solve"},
		{Name: "input_method", Type: lang.OneOf("solve", "adam"), Doc: "how Ω* is learned: e per time bin in closed form alternating with solves of every row of Ŵ (solve), or the SIREN by backpropagation (adam)"},
		{Name: "input_bins", Type: lang.Whole(1), Doc: "time bins of the learned input (e is constant within a bin; default frames/100, at most 256)"},
		{Name: "input_interp", Type: lang.OneOf("constant", "linear"), Doc: "the learned input within a time bin: constant (a movie's frames) or linear between the bins' centres (smooth inputs such as an oscillation)"},
		{Name: "known_input", Type: lang.Boolean(), Doc: "use the recorded input e (data.e) instead of learning it"},
		{Name: "siren_steps", Type: lang.Whole(0), Doc: "Adam steps fitting Ω*'s SIREN to the learned input at the end (0: none)"},
		{Name: "input_anchor", Type: lang.Boolean(), Doc: "rescale the input neurons' rows of Ŵ to the anchor rows' median |Ŵ| (multiplicative mode; true)"},
	},
	Blocks: map[string]*lang.BlockSchema{"lr": lrSchema},
	Hooks: &lang.HookSchema{Units: []string{"epochs", "epoch"}, Locals: []string{"epoch", "fit", trainingName},
		Doc: "code run after epochs K-1, 2K-1, ...; it sees epoch and fit, and may call cluster(...)"},
}

// fraction is a share in [0, 1].
var fraction = lang.Number().AtLeast(0).AtMost(1)

// paramTypes are what the builtins' parameters accept, by builtin and
// parameter; register.go attaches them to the builtins, so that the
// checker tests literal arguments before anything runs and the
// interpreter tests every argument with the same Type.
var paramTypes = map[string]map[string]lang.Type{
	"simulate": {"net": lang.Opaque("a network"), "dt": lang.Number().Above(0), "frames": lang.Whole(1), "burnin": lang.Whole(0),
		"record": lang.ListOf(), "stride": lang.Whole(1), "out": lang.Text(), "seed": lang.Number(), "memory": lang.Boolean(),
		"weights": lang.OneOf("float32", "half")},
	"report": {"fit": lang.Opaque("a fit returned by train"), "truth": lang.Opaque("the network that made the data"), "out": lang.Text(),
		"rollout": lang.Whole(0), "threshold": lang.Number().Above(0), "symbolic": lang.Boolean(), "budget": lang.Number()},
	"cluster": {"threshold": lang.Number().Above(0), "method": lang.OneOf("single", "kmeans"), "k": lang.Whole(0),
		"projection": lang.OneOf("curves", "embedding", "profiles"), "refit": lang.Whole(0), "lr": lang.Number().AtLeast(0),
		"xrange": lang.ListOf(), "points": lang.Number().AtLeast(2), "freeze": lang.Number().AtLeast(0), "min_size": lang.Whole(1),
		"min_points": lang.Whole(0), "refine": lang.Boolean()},
	"symbolic": {"neuron": lang.Whole(0), "points": lang.Number().AtLeast(2), "maxsize": lang.Whole(1), "seed": lang.Number(),
		"budget": lang.Number(), "accept_r2": lang.Number(), "cluster": lang.Whole(0)},
	"schedule": {"coeff": lang.Number().AtLeast(0), "from": lang.Whole(0), "until": lang.Whole(0)},
	"cauchy":   {"p": lang.Number(), "clip": lang.Number().Above(0), "fill": lang.Number().Above(0).AtMost(1), "dale": fraction, "scale": lang.Number()},
	"gaussian": {"fill": lang.Number().Above(0).AtMost(1), "dale": fraction, "scale": lang.Number()},
	"lowrank": {"rank": lang.Whole(1), "sparse": fraction, "fill": lang.Number().Above(0).AtMost(1), "dale": fraction,
		"scale": lang.Number()},
	"save": {"path": lang.Text()},
	"load": {"path": lang.Text(), "finite": lang.Boolean()},
}

// typeParams attaches paramTypes to b's parameters (a name the builtin
// does not have is skipped; TestParamTypesNameParameters catches it).
func typeParams(b *runtime.Builtin) {
	for i := range b.Params {
		if t, ok := paramTypes[b.Name][b.Params[i].Name]; ok {
			b.Params[i].Type = t
		}
	}
}
