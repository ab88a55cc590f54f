package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"path/filepath"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/lang"
)

// CompileOptions configure Compile.
type CompileOptions struct {
	// Registry supplies builtins and declarations; nil means Default.
	Registry *Registry
	// Predeclared names host values that RunOptions.Predeclared will bind,
	// so that the checker accepts them.
	Predeclared []string
}

// Program is a parsed and checked script. It is immutable: run it any
// number of times, from several goroutines at once.
type Program struct {
	file     *lang.File
	registry *Registry
	topLevel map[string]lang.Pos
}

// Compile parses and checks src. The error is a lang.ErrorList holding
// every problem found.
func Compile(filename string, src []byte, opts CompileOptions) (*Program, error) {
	reg := opts.Registry
	if reg == nil {
		reg = Default
	}
	f, err := lang.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	if err := lang.Check(f, reg.CheckConfig(opts.Predeclared)); err != nil {
		return nil, err
	}
	p := &Program{file: f, registry: reg, topLevel: map[string]lang.Pos{}}
	for _, s := range f.Stmts {
		if a, ok := s.(*lang.Assign); ok {
			if n, ok := a.Target.(*lang.Name); ok {
				if _, seen := p.topLevel[n.Name]; !seen {
					p.topLevel[n.Name] = a.At
				}
			}
		}
		if sd, ok := s.(*lang.Seed); ok {
			if _, seen := p.topLevel["seed"]; !seen {
				p.topLevel["seed"] = sd.At
			}
		}
	}
	return p, nil
}

// File returns the program's syntax tree (read only).
func (p *Program) File() *lang.File { return p.file }

// TopLevelAssignment reports whether name is assigned at the top level of
// the script (and so may be overridden by RunOptions.Overrides). A
// top-level `seed N` statement counts as an assignment to "seed": the
// override replaces N (ngs run --set seed=7).
func (p *Program) TopLevelAssignment(name string) bool {
	_, ok := p.topLevel[name]
	return ok
}

// RunOptions configure one run.
type RunOptions struct {
	// Stdout receives print output; nil discards it.
	Stdout io.Writer
	// OutDir is the directory that relative output paths resolve against.
	OutDir string
	// Predeclared host values, bound before the script runs.
	Predeclared map[string]Value
	// Overrides replace the value of top-level assignments (ngs run --set).
	Overrides map[string]Value
	// StepBudget, when positive, bounds the statements, loop iterations and
	// calls executed; the run fails once it is spent.
	StepBudget int64
	// ResolvePath, when set, validates and rewrites every path a builtin
	// opens (after it was joined with OutDir); use it to confine scripts to
	// a root directory.
	ResolvePath func(path string) (string, error)
	// Seed is the initial random seed (a `seed N` statement replaces it).
	Seed int64
	// Registry supplies builtins; nil means Default. Compiled programs use
	// the registry they were compiled with.
	Registry *Registry
	// FS, when set, is the file system builtins open files through: made
	// by the embedding API's Root, it confines every access to that tree
	// with os.Root. nil means the whole file system. Either way only
	// regular files are opened (a FIFO or device is refused).
	FS *fsys.FS
	// Limits bound the size of lists, strings and large allocations.
	Limits Limits
	// Progress, when set, receives the progress of long-running builtins
	// (simulate, train) instead of the bar they draw on standard error.
	Progress func(Progress)
}

// Progress is one report of a long-running builtin's progress.
type Progress struct {
	// Task names the work: "simulate fig2", "train gnn".
	Task string
	// Done of Total units (steps) are finished.
	Done, Total int
	// Status is the builtin's one-line status ("epoch 2 step 400/1000 ...").
	Status string
}

// Run executes the program in a fresh interpreter and returns it, so that
// its globals can be read. On error the interpreter is returned too.
func (p *Program) Run(ctx context.Context, opts RunOptions) (*Interp, error) {
	for name := range opts.Overrides {
		if !p.TopLevelAssignment(name) {
			return nil, fmt.Errorf("--set %s: the script has no top-level assignment to %s", name, name)
		}
	}
	opts.Registry = p.registry
	in := NewInterp(ctx, opts)
	in.overrides = opts.Overrides
	_, err := in.run(p.file.Stmts)
	if err == nil && in.ctx.Err() != nil {
		// Cancelled after the last check: the run did not finish on its
		// own terms, and the host asked it to stop.
		err = cancelled(in.lastPos, in.ctx.Err())
	}
	return in, err
}

// Interp is one run's interpreter state. It is not safe for concurrent
// use; builtins may call back into it from the goroutine that called them.
type Interp struct {
	ctx       context.Context
	out       io.Writer
	outDir    string
	rng       *rand.Rand
	seedN     int64 // the last Seed, when seeded
	seeded    bool
	registry  *Registry
	globals   *Env
	resolve   func(string) (string, error)
	overrides map[string]Value
	steps     int64
	budget    int64
	depth     int
	lastPos   lang.Pos
	done      <-chan struct{}
	fs        *fsys.FS
	limits    Limits
	progress  func(Progress)
}

// MaxCallDepth bounds recursion of script functions.
const MaxCallDepth = 5000

// NewInterp makes an interpreter with the registry's builtins and the
// predeclared host values bound, ready for ExecSource (a REPL) or Exec.
func NewInterp(ctx context.Context, opts RunOptions) *Interp {
	if ctx == nil {
		ctx = context.Background()
	}
	reg := opts.Registry
	if reg == nil {
		reg = Default
	}
	out := opts.Stdout
	if out == nil {
		out = io.Discard
	}
	universe := NewEnv(nil)
	reg.populate(universe)
	for name, v := range opts.Predeclared {
		universe.vars[name] = &binding{value: v}
	}
	return &Interp{
		ctx: ctx, out: out, outDir: opts.OutDir, registry: reg, progress: opts.Progress,
		rng: rand.New(rand.NewSource(opts.Seed)), globals: NewEnv(universe),
		resolve: opts.ResolvePath, budget: opts.StepBudget,
		done: ctx.Done(), fs: opts.FS, limits: opts.Limits.withDefaults(),
	}
}

// Context is the run's context.
func (in *Interp) Context() context.Context { return in.ctx }

// Out is the print writer.
func (in *Interp) Out() io.Writer { return in.out }

// Progress is the host's progress callback, or nil (builtins then draw
// their own progress on standard error).
func (in *Interp) Progress() func(Progress) { return in.progress }

// OutDir is the output directory.
func (in *Interp) OutDir() string { return in.outDir }

// Rand is the run's random source.
func (in *Interp) Rand() *rand.Rand { return in.rng }

// Registry is the registry this interpreter's builtins came from.
func (in *Interp) Registry() *Registry { return in.registry }

// Seed reseeds the run's random source (the script's `seed` statement).
func (in *Interp) Seed(n int64) {
	in.rng = rand.New(rand.NewSource(n))
	in.seedN, in.seeded = n, true
}

// ScriptSeed returns the seed of the script's last `seed` statement (or
// Seed call) and whether there was one: builtins whose own seed setting is
// absent (train's) take it.
func (in *Interp) ScriptSeed() (int64, bool) { return in.seedN, in.seeded }

// Globals is the script's global scope (its parent holds the builtins).
func (in *Interp) Globals() *Env { return in.globals }

// ResolvePath joins a relative path with the output directory and passes
// the result through the host's ResolvePath hook.
func (in *Interp) ResolvePath(path string) (string, error) {
	if !filepath.IsAbs(path) && in.outDir != "" {
		path = filepath.Join(in.outDir, path)
	}
	if err := in.fs.Check(path); err != nil {
		return "", err
	}
	if in.resolve != nil {
		return in.resolve(path)
	}
	return in.fs.Join(path), nil
}

// ExecSource parses, checks and runs src in the interpreter's persistent
// global scope (one REPL entry). It returns the value of a final
// expression statement, or None.
func (in *Interp) ExecSource(filename string, src []byte) (Value, error) {
	f, err := lang.Parse(filename, src)
	if err != nil {
		return nil, err
	}
	cfg := in.registry.CheckConfig(nil)
	cfg.Globals, cfg.Consts = map[string]bool{}, map[string]bool{}
	for s := in.globals; s != nil; s = s.parent {
		for name, b := range s.vars {
			cfg.Globals[name] = true
			if b.konst {
				cfg.Consts[name] = true
			}
		}
	}
	if err := lang.Check(f, cfg); err != nil {
		return nil, err
	}
	return in.run(f.Stmts)
}

// run executes top-level statements, recovering internal failures.
func (in *Interp) run(stmts []lang.Stmt) (last Value, err error) {
	defer in.recoverInternal(&err)
	last = None
	fr := &frame{}
	for _, s := range stmts {
		if es, ok := s.(*lang.ExprStmt); ok {
			if err := in.tick(es.At); err != nil {
				return nil, err
			}
			v, err := in.Eval(es.X, in.globals)
			if err != nil {
				return nil, err
			}
			last = v
			continue
		}
		last = None
		fl, err := in.exec(s, in.globals, fr)
		if err != nil {
			return nil, err
		}
		if fl != flowNext {
			return nil, lang.Errorf(s.Position(), "%s outside a loop or function", flowWord(fl))
		}
	}
	return last, nil
}

// recoverInternal turns a panic into a one-line internal error at the last
// position executed.
func (in *Interp) recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = &lang.Error{Pos: in.lastPos, Internal: true,
			Msg: fmt.Sprintf("internal error: this is a bug in ngs, not in your script (%v)", r)}
	}
}

// Exec runs a block's statements in env. Settings bind names in env;
// named blocks bind a record of their settings under their name (or kind);
// function equations bind functions. Every hooks are not run: the builtin
// that owns the block schedules them.
func (in *Interp) Exec(b *lang.Block, env *Env) (err error) {
	if b == nil {
		return nil
	}
	defer in.recoverInternal(&err)
	fl, err := in.execBlock(b, env, &frame{})
	if err != nil {
		return err
	}
	if fl != flowNext {
		return lang.Errorf(b.At, "%s outside a loop or function", flowWord(fl))
	}
	return nil
}

// Eval evaluates an expression in env.
func (in *Interp) Eval(e lang.Expr, env *Env) (v Value, err error) {
	defer in.recoverInternal(&err)
	return in.eval(e, env)
}

// tickLoop counts a loop iteration. Cancellation is checked by the body's
// statements, so that a stopped loop is reported at the statement it was
// running; only an empty body checks it here.
func (in *Interp) tickLoop(pos lang.Pos, body *lang.Block) error {
	if body != nil && len(body.Stmts) > 0 {
		in.lastPos = pos
		in.steps++
		if in.budget > 0 && in.steps > in.budget {
			return lang.Errorf(pos, "step budget of %d exceeded", in.budget)
		}
		return nil
	}
	return in.tick(pos)
}

// tick counts a step, enforcing the budget and cancellation.
func (in *Interp) tick(pos lang.Pos) error {
	in.lastPos = pos
	in.steps++
	if in.budget > 0 && in.steps > in.budget {
		return lang.Errorf(pos, "step budget of %d exceeded", in.budget)
	}
	if in.done != nil {
		select {
		case <-in.done:
			return cancelled(pos, in.ctx.Err())
		default:
		}
	}
	return nil
}

func cancelled(pos lang.Pos, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return lang.Errorf(pos, "run stopped: deadline exceeded")
	}
	return lang.Errorf(pos, "run stopped: cancelled")
}
