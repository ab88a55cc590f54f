package symreg

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"
)

// Data are the samples to explain: Y[k] ≈ f(X[k][0], X[k][1], ...).
type Data struct {
	Names []string    // variable names, e.g. {"u"} or {"u", "a"}
	X     [][]float64 // one row per sample, one value per variable
	Y     []float64   // one target per sample
}

// Options control a search. The zero value is usable: default operators,
// MaxSize 25, seed 0, a 10 s budget. Set MaxEvaluations for a budget that
// does not depend on the machine's speed or load.
type Options struct {
	// Operators names the operators allowed (see NewOperatorSet); empty means
	// DefaultOperators. Custom operators are always allowed.
	Operators []string
	// Custom registers the caller's own operators (NewUnary, NewBinary).
	Custom []*Operator
	// MaxSize bounds the number of nodes of a formula (default 25, at most 60).
	MaxSize int
	// Seed makes the search reproducible: the same data, options and seed
	// give the same result unless the time budget cuts the search short.
	Seed uint64
	// MaxEvaluations, when positive, is the budget counted in candidate
	// formulas scored (Result.Evaluations): the search stops once it has
	// scored that many, so that a seed gives the same formulas on any
	// machine under any load. With MaxEvaluations set, Budget (wall time)
	// applies only when it is set too.
	MaxEvaluations int
	// Parsimony is the penalty per node added to the normalised loss (loss
	// divided by the variance of Y) when the genetic search ranks formulas
	// (default 1e-4).
	Parsimony float64
	// Budget limits the search's wall time (default 10 s, none when
	// MaxEvaluations is set); the context's deadline, when earlier, wins.
	// Negative budgets are an error.
	Budget time.Duration
	// Populations, PopulationSize and Generations size the genetic search
	// (defaults 4, 80, 40). Generations 0 keeps the default; use NoGenetic
	// to skip it.
	Populations, PopulationSize, Generations int
	// AcceptR2 widens PySR's selection rule for data with systematic errors,
	// such as functions learned by a network: formulas whose R² on the
	// samples is at least AcceptR2 compete by score together with those
	// within 1.5× of the lowest loss. 0 (the default) is PySR's rule as is;
	// 0.9999 suits learned functions accurate to about 1 %.
	AcceptR2 float64
	// MaxSamples bounds the samples the search itself scores (default 1000):
	// larger data are searched on a random subset drawn with Seed, and the
	// front's losses are then computed on all samples.
	MaxSamples int
	// NoLibrary skips stage 1 (sparse regression over the term library);
	// NoGenetic skips stage 2 (genetic programming).
	NoLibrary, NoGenetic bool
	// Prefer lists expected forms, such as the true function with its
	// constants: each is fitted to the data (its constants refined by BFGS
	// from the values written, which makes the fit no worse than those
	// values) and competes like any formula found; Result.Expected holds the
	// fits. Their variables must be Data.Names.
	Prefer []*Expr
	// Tolerance, when positive, is the mean squared error within which a
	// formula explains the data as well as the data are known, for example
	// the squared error of a learned function against the true one. The
	// best formula is then chosen by Selection's rules instead of PySR's:
	// a fitted expected form (Prefer) within Tolerance, else the simplest
	// member of the front within it, else PySR's rule.
	Tolerance float64
}

// Selection says how Result.Best was chosen.
type Selection string

// The ways Result.Best is chosen.
const (
	// SelectedExpected: a form of Options.Prefer, its constants fitted, is
	// within Options.Tolerance (the simplest such form when several are).
	SelectedExpected Selection = "expected form within tolerance"
	// SelectedSimplest: no expected form fits within Options.Tolerance; the
	// simplest member of the front that does is chosen.
	SelectedSimplest Selection = "simplest within tolerance"
	// SelectedScore: PySR's rule (widened by Options.AcceptR2).
	SelectedScore Selection = "PySR score"
)

// Result is the outcome of a search.
type Result struct {
	// Front is the Pareto front of complexity against loss, simplest first.
	Front []Candidate
	// Best is the formula chosen (see Selected); BestIndex is its position
	// in Front, or -1 for a fitted expected form that is not on the front
	// (a formula of the same or lower complexity fits better).
	Best      Candidate
	BestIndex int
	// Selected says which rule chose Best.
	Selected Selection
	// Expected holds each form of Options.Prefer with its fitted constants
	// and its loss on all samples, in the order given.
	Expected []Candidate
	// Constant is true when the targets were all equal: Front then holds
	// that constant alone.
	Constant bool
	// TimedOut is true when a budget (time or MaxEvaluations) stopped the
	// search before it finished; the front holds what was found until then.
	TimedOut bool
	// Evaluations counts the candidate formulas scored.
	Evaluations int
	// Elapsed is the search's wall time.
	Elapsed time.Duration
}

// ErrNoFormula is returned (wrapped) when the budget ran out before any
// formula was found.
var ErrNoFormula = errors.New("symreg: no formula found within the time budget")

// defaultBudget applies when Options.Budget is zero.
const defaultBudget = 10 * time.Second

// search is the state shared by both stages.
type search struct {
	ctx      context.Context
	opts     Options
	ops      *OperatorSet
	data     *dataset // the samples the search scores
	all      *dataset // every sample, for the reported losses
	names    []string
	rng      *rand.Rand
	hof      *hallOfFame
	deadline time.Time
	timedOut bool
	evals    int
}

// Search finds formulas that explain data. It returns a Pareto front of
// formulas by complexity and loss and the best one by PySR's rule. Bad input
// (no samples, mismatched lengths, NaN or Inf, unknown operators) is an
// error that says what was expected; a budget that runs out before any
// formula is found gives an error wrapping ErrNoFormula.
func Search(ctx context.Context, data Data, opts Options) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("symreg: internal error (a bug): %v", r)
		}
	}()
	start := time.Now()
	s, err := newSearch(ctx, data, opts)
	if err != nil {
		return nil, err
	}
	if c, ok := constantTarget(data.Y); ok {
		root := constant(c)
		front := []Candidate{{Expr: &Expr{Root: root, Names: s.names}, Complexity: 1}}
		return &Result{Front: front, Best: front[0], Constant: true, Elapsed: time.Since(start)}, nil
	}
	if s.expired() {
		return nil, fmt.Errorf("%w: the budget was exhausted before the search started", ErrNoFormula)
	}
	if !opts.NoLibrary {
		s.linearStage()
	}
	if !opts.NoGenetic && s.hof.minLoss() >= lossFloor {
		s.geneticStage()
	}
	expected := s.fitExpected()
	return s.result(start, expected)
}

// newSearch validates the input and applies defaults.
func newSearch(ctx context.Context, data Data, opts Options) (*search, error) {
	cols, err := validate(data)
	if err != nil {
		return nil, err
	}
	ops, err := NewOperatorSet(opts.Operators, opts.Custom)
	if err != nil {
		return nil, err
	}
	if err := applyDefaults(&opts); err != nil {
		return nil, err
	}
	all := newDataset(cols, data.Y)
	s := &search{ctx: ctx, opts: opts, ops: ops, data: all, all: all,
		names: append([]string(nil), data.Names...),
		rng:   rand.New(rand.NewPCG(opts.Seed, 0x5eed5eed)),
		hof:   newHallOfFame(opts.MaxSize)}
	if opts.Budget > 0 {
		s.deadline = time.Now().Add(opts.Budget)
	}
	for i, e := range opts.Prefer {
		if e == nil || e.Root == nil {
			return nil, fmt.Errorf("symreg: expected form %d is empty", i)
		}
		if len(e.Names) > len(data.Names) {
			return nil, fmt.Errorf("symreg: expected form %s has %d variables, the data %d", e, len(e.Names), len(data.Names))
		}
		for k, name := range e.Names {
			if name != data.Names[k] {
				return nil, fmt.Errorf("symreg: expected form %s names variable %d %q, the data %q", e, k, name, data.Names[k])
			}
		}
		if e.Root.size() > opts.MaxSize {
			return nil, fmt.Errorf("symreg: expected form %s has %d nodes, more than MaxSize %d", e, e.Root.size(), opts.MaxSize)
		}
	}
	if len(data.Y) > opts.MaxSamples {
		s.data = subsample(cols, data.Y, opts.MaxSamples, rand.New(rand.NewPCG(opts.Seed, 0x5a3b1e)))
	}
	return s, nil
}

// subsample draws m distinct samples at random, kept in their original order.
func subsample(cols [][]float64, y []float64, m int, rng *rand.Rand) *dataset {
	perm := rng.Perm(len(y))[:m]
	sort.Ints(perm)
	sub := make([][]float64, len(cols))
	for v := range cols {
		sub[v] = make([]float64, m)
		for i, k := range perm {
			sub[v][i] = cols[v][k]
		}
	}
	suby := make([]float64, m)
	for i, k := range perm {
		suby[i] = y[k]
	}
	return newDataset(sub, suby)
}

func applyDefaults(o *Options) error {
	switch {
	case o.Budget < 0:
		return fmt.Errorf("symreg: time budget must be positive, got %v", o.Budget)
	case o.MaxEvaluations < 0:
		return fmt.Errorf("symreg: MaxEvaluations must be non-negative, got %d", o.MaxEvaluations)
	case o.Tolerance < 0 || !finite(o.Tolerance):
		return fmt.Errorf("symreg: Tolerance must be a finite mean squared error ≥ 0, got %g", o.Tolerance)
	case o.MaxSize < 0 || o.MaxSize > 60:
		return fmt.Errorf("symreg: MaxSize must be between 1 and 60 nodes, got %d", o.MaxSize)
	case o.Parsimony < 0:
		return fmt.Errorf("symreg: parsimony must be non-negative, got %g", o.Parsimony)
	case o.AcceptR2 < 0 || o.AcceptR2 >= 1:
		return fmt.Errorf("symreg: AcceptR2 must be in [0, 1), got %g", o.AcceptR2)
	case o.MaxSamples < 0 || (o.MaxSamples > 0 && o.MaxSamples < 10):
		return fmt.Errorf("symreg: MaxSamples must be at least 10, got %d", o.MaxSamples)
	case o.Populations < 0 || o.PopulationSize < 0 || o.Generations < 0:
		return fmt.Errorf("symreg: population counts and generations must be non-negative")
	}
	if o.Budget == 0 && o.MaxEvaluations == 0 {
		o.Budget = defaultBudget
	}
	if o.MaxSize == 0 {
		o.MaxSize = 25
	}
	if o.Parsimony == 0 {
		o.Parsimony = 1e-4
	}
	if o.MaxSamples == 0 {
		o.MaxSamples = 1000
	}
	if o.Populations == 0 {
		o.Populations = 4
	}
	if o.PopulationSize == 0 {
		o.PopulationSize = 80
	}
	if o.Generations == 0 {
		o.Generations = 40
	}
	return nil
}

// validate checks the samples and returns them as columns.
func validate(data Data) ([][]float64, error) {
	if len(data.Names) == 0 {
		return nil, fmt.Errorf("symreg: no variable names: expected one name per input column, e.g. {\"u\"}")
	}
	for i, name := range data.Names {
		if !isIdentifier(name) {
			return nil, fmt.Errorf("symreg: variable name %q is not an identifier", name)
		}
		for _, other := range data.Names[:i] {
			if other == name {
				return nil, fmt.Errorf("symreg: variable name %q appears twice", name)
			}
		}
		if builtin(name) != nil {
			return nil, fmt.Errorf("symreg: variable name %q is an operator name", name)
		}
	}
	if len(data.Y) == 0 {
		return nil, fmt.Errorf("symreg: no samples: expected at least one target value")
	}
	if len(data.X) != len(data.Y) {
		return nil, fmt.Errorf("symreg: %d input rows but %d targets: expected one row per target", len(data.X), len(data.Y))
	}
	for k, y := range data.Y {
		if !finite(y) {
			return nil, fmt.Errorf("symreg: target of sample %d is %v: expected a finite number", k, y)
		}
		for v, x := range data.X[k] {
			if !finite(x) && v < len(data.Names) {
				return nil, fmt.Errorf("symreg: sample %d, variable %s is %v: expected a finite number", k, data.Names[v], x)
			}
		}
	}
	return columns(data.X, len(data.Names))
}

// constantTarget reports whether all targets are equal, and their value.
func constantTarget(y []float64) (float64, bool) {
	for _, v := range y[1:] {
		if v != y[0] {
			return 0, false
		}
	}
	return y[0], true
}

// expired reports whether the budget or the context has run out.
func (s *search) expired() bool {
	if s.timedOut {
		return true
	}
	if s.ctx.Err() != nil || !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
		s.timedOut = true
	}
	if s.opts.MaxEvaluations > 0 && s.evals >= s.opts.MaxEvaluations {
		s.timedOut = true
	}
	if dl, ok := s.ctx.Deadline(); ok && !time.Now().Before(dl) {
		s.timedOut = true
	}
	return s.timedOut
}

// offer counts an evaluation and records it in the hall of fame.
func (s *search) offer(root *Node, loss float64) bool {
	s.evals++
	return s.hof.offer(root, loss)
}

// fitExpected fits the constants of every expected form (Options.Prefer) on
// all samples, starting from the values written and from three perturbed
// copies, offers each fit to the hall of fame and returns the fits in the
// order given. Forms are fitted even when the budget is spent: there are
// few, and they must not depend on how far the search got.
func (s *search) fitExpected() []Candidate {
	var out []Candidate
	for _, e := range s.opts.Prefer {
		root := e.Root.clone()
		loss := s.all.fitConstants(root, 3, s.rng)
		if !finite(loss) {
			continue
		}
		// Snapping constants to short decimals may cost up to 0.1 % of
		// the loss, which could push a form fitted just within a tolerance
		// out of it: keep the snapped form only when it is no worse or
		// still within the tolerance.
		tol := s.opts.Tolerance / s.all.varY
		if tidy, l := s.all.tidy(root.clone()); l <= loss || tol > 0 && l <= tol {
			root, loss = tidy, l
		} else {
			root = simplifyNode(root)
			loss = s.all.treeLoss(root)
		}
		s.evals++
		s.hof.offer(root, loss)
		out = append(out, Candidate{Expr: &Expr{Root: root, Names: s.names},
			Complexity: root.size(), Loss: loss * s.all.varY, R2: 1 - loss})
	}
	return out
}

// result converts the hall of fame into a scored front and chooses the best
// formula.
func (s *search) result(start time.Time, expected []Candidate) (*Result, error) {
	entries := s.tidyHallOfFame().front()
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w (budget %v, %d evaluations, %d candidates tried)", ErrNoFormula, s.opts.Budget, s.opts.MaxEvaluations, s.evals)
	}
	front := make([]Candidate, len(entries))
	for i, e := range entries {
		front[i] = Candidate{Expr: &Expr{Root: e.root.clone(), Names: s.names},
			Complexity: e.root.size(), Loss: e.loss * s.all.varY, R2: 1 - e.loss}
	}
	accept := -1.0
	if s.opts.AcceptR2 > 0 {
		accept = (1 - s.opts.AcceptR2) * s.all.varY
	}
	best := scoreFront(front, lossFloor*s.all.varY, accept)
	res := &Result{Front: front, Best: front[best], BestIndex: best, Selected: SelectedScore,
		Expected: expected, TimedOut: s.timedOut, Evaluations: s.evals, Elapsed: time.Since(start)}
	if s.opts.Tolerance > 0 {
		res.selectWithin(s.opts.Tolerance + lossFloor*s.all.varY)
	}
	return res, nil
}

// selectWithin applies the Tolerance rules: the simplest fitted expected
// form whose loss is within tol (its constants are the least-squares ones,
// not those written), else the simplest front member within tol; otherwise
// Best is left as PySR's rule chose it.
func (r *Result) selectWithin(tol float64) {
	within := func(c Candidate) bool { return c.Loss <= tol*(1+1e-9) }
	pick := -1
	for i, e := range r.Expected {
		if within(e) && (pick < 0 || e.Complexity < r.Expected[pick].Complexity) {
			pick = i
		}
	}
	if pick >= 0 {
		r.Best, r.BestIndex, r.Selected = r.Expected[pick], -1, SelectedExpected
		for i, c := range r.Front {
			if c.Expr.String() == r.Best.Expr.String() {
				r.Best, r.BestIndex = c, i
			}
		}
		return
	}
	for i, c := range r.Front {
		if within(c) {
			r.Best, r.BestIndex, r.Selected = c, i, SelectedSimplest
			return
		}
	}
}

// tidyHallOfFame snaps and simplifies every recorded formula (formulas the
// genetic stage recorded straight from evaluation were not), scores it on
// all samples, and files it in a new hall of fame, since simplification may
// shrink it and the losses on all samples may reorder the front.
func (s *search) tidyHallOfFame() *hallOfFame {
	tidy := newHallOfFame(s.opts.MaxSize)
	for _, e := range s.hof.best {
		if e.root != nil {
			root, _ := s.data.tidy(e.root.clone())
			tidy.offer(root, s.all.treeLoss(root))
		}
	}
	return tidy
}
