// Package ngs embeds the ngs interpreter in a Go program.
//
// Compile a script once, then run it any number of times, from any number
// of goroutines, with different host values:
//
//	prog, err := ngs.Compile("gain.ngs", []byte("y = gain * x"), ngs.Config{Globals: []string{"gain", "x"}})
//	res, err := prog.Run(ctx, ngs.RunConfig{Vars: map[string]any{"gain": 2.0, "x": []float32{1, 2}}})
//	y, err := res.Get("y") // []float32{2, 4}
//
// Host values may be numbers (any Go int or float kind), strings, bools,
// []float32, []float64, *mat.Dense (a gonum matrix, seen by the script as
// an N×M tensor), []any, map[string]any (a record), runtime.Value, and Go
// functions wrapped with Func. Results come back as Go values through
// ToGo: numbers as float64, strings, bools, 1-D tensors as []float32,
// 2-D tensors as *mat.Dense, lists as []any, records and any value with
// fields as map[string]any. A script value may supply its own Go form by
// implementing GoValuer.
//
// A host limits a run with a context (cancellation and deadlines), a step
// budget (RunConfig.StepBudget), size limits on lists, strings and large
// allocations (Config.Limits) and a file-system root (RunConfig.Root)
// outside of which builtins may not read or write. Builtins open regular
// files only: a FIFO or device path is an error, never a hang.
package ngs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"

	"gonum.org/v1/gonum/mat"

	"github.com/ngs-lab/ngs/internal/fsys"
	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"

	// The experiment builtins (network, model, simulate, train, report, ...)
	// and the standard ones (print, math, tensors, ...).
	_ "github.com/ngs-lab/ngs/experiment"
	_ "github.com/ngs-lab/ngs/stdlib"
)

// Config configures Compile.
type Config struct {
	// Funcs are Go functions the script may call like builtins. Their
	// parameters are checked at compile time.
	Funcs []*Function
	// Globals name the host values that each Run supplies in RunConfig.Vars,
	// so that the compiler accepts them.
	Globals []string
	// Registry supplies the builtins; nil means runtime.Default. Funcs are
	// added to a copy, never to this registry.
	Registry *runtime.Registry
	// Limits bound, in every run of the program, the elements of a list,
	// the bytes of a string and the memory one large allocation may need
	// (zero fields take the defaults: runtime.DefaultMaxList,
	// runtime.DefaultMaxString and the machine's available memory).
	Limits Limits
}

// Limits bound what a run may build; see runtime.Limits.
type Limits = runtime.Limits

// Program is a compiled script. It is immutable and safe to run from
// several goroutines at once.
type Program struct {
	prog    *runtime.Program
	src     []byte
	globals map[string]bool
	limits  Limits
}

// Compile parses and checks src. The error, when not nil, is an *Error
// whose message shows each problem with its line and a caret.
func Compile(filename string, src []byte, cfg Config) (*Program, error) {
	reg := cfg.Registry
	if reg == nil {
		reg = runtime.Default
	}
	reg = reg.Clone()
	for _, f := range cfg.Funcs {
		if err := f.register(reg); err != nil {
			return nil, err
		}
	}
	globals := map[string]bool{}
	for _, name := range cfg.Globals {
		if err := checkGlobalName(reg, name); err != nil {
			return nil, err
		}
		if globals[name] {
			return nil, fmt.Errorf("host value %q is declared twice in Config.Globals", name)
		}
		globals[name] = true
	}
	p, err := runtime.Compile(filename, src, runtime.CompileOptions{Registry: reg, Predeclared: cfg.Globals})
	if err != nil {
		return nil, newError(err, src)
	}
	return &Program{prog: p, src: src, globals: globals, limits: cfg.Limits}, nil
}

// checkGlobalName rejects host value names that are keywords or builtins.
func checkGlobalName(reg *runtime.Registry, name string) error {
	if !isIdentifier(name) {
		return fmt.Errorf("host value name %q is not an identifier", name)
	}
	if _, taken := reg.Builtin(name); taken {
		return fmt.Errorf("host value %q clashes with the builtin %s", name, name)
	}
	return nil
}

// RunConfig configures one run of a Program.
type RunConfig struct {
	// Vars are the host values, by name; every name in Config.Globals must
	// be given. See the package documentation for the Go types accepted.
	Vars map[string]any
	// Overrides replace top-level assignments of the script, as
	// `ngs run --set NAME=VALUE` does (for parameter sweeps).
	Overrides map[string]any
	// Stdout receives print output. When nil the output is captured and
	// returned by Result.Output.
	Stdout io.Writer
	// OutDir is the directory relative output paths resolve against. When
	// Root is set, a relative OutDir is taken relative to Root.
	OutDir string
	// Root, when not empty, confines every file a builtin opens to this
	// directory tree: each access goes through os.Root, so that neither
	// ".." nor a symbolic link inside the tree leads out of it, whatever
	// the folder or file it names (a link is followed only when relative
	// and staying inside).
	Root string
	// StepBudget, when positive, bounds the statements, loop iterations
	// and calls the run may execute.
	StepBudget int64
	// Seed is the initial random seed (a `seed N` statement replaces it).
	Seed int64
	// Progress, when set, receives the progress of simulate and train
	// (task, steps done of total, status line) instead of the progress bar
	// they draw on standard error.
	Progress func(Progress)
}

// Progress is one progress report of a long-running builtin.
type Progress = runtime.Progress

// Result is the state a run left behind.
type Result struct {
	interp *runtime.Interp
	output *bytes.Buffer
}

// Run executes the program with the host values of rc. The context
// cancels the run or gives it a deadline; the script stops at its next
// step with an error saying so. On a script error Run returns the error
// and, when the run started, the partial Result.
func (p *Program) Run(ctx context.Context, rc RunConfig) (res *Result, err error) {
	opts, capture, err := p.runOptions(rc)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: this is a bug in ngs (%v)", r)
		}
	}()
	in, runErr := p.prog.Run(ctx, opts)
	if in != nil {
		res = &Result{interp: in, output: capture}
	}
	if runErr != nil {
		e := &Error{Err: runErr, src: p.src}
		if ctx != nil && ctx.Err() != nil {
			e.cause = ctx.Err()
		}
		return res, e
	}
	return res, nil
}

// runOptions converts the host side of rc into runtime options.
func (p *Program) runOptions(rc RunConfig) (runtime.RunOptions, *bytes.Buffer, error) {
	opts := runtime.RunOptions{Stdout: rc.Stdout, OutDir: rc.OutDir, StepBudget: rc.StepBudget, Seed: rc.Seed, Limits: p.limits, Progress: rc.Progress}
	var capture *bytes.Buffer
	if opts.Stdout == nil {
		capture = &bytes.Buffer{}
		opts.Stdout = capture
	}
	vars, err := p.hostValues(rc.Vars)
	if err != nil {
		return opts, nil, err
	}
	opts.Predeclared = vars
	if opts.Overrides, err = convertAll(rc.Overrides, "override"); err != nil {
		return opts, nil, err
	}
	if rc.Root != "" {
		fs, err := fsys.Confine(rc.Root)
		if err != nil {
			return opts, nil, err
		}
		opts.OutDir = fs.Join(rc.OutDir)
		if err := fs.Check(opts.OutDir); err != nil {
			return opts, nil, fmt.Errorf("OutDir: %w", err)
		}
		opts.FS = fs
	}
	return opts, capture, nil
}

// hostValues converts rc.Vars, checking them against Config.Globals.
func (p *Program) hostValues(vars map[string]any) (map[string]runtime.Value, error) {
	var missing []string
	for name := range p.globals {
		if _, ok := vars[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("missing host values: %s (declared in Config.Globals, not given in RunConfig.Vars)", strings.Join(missing, ", "))
	}
	for name := range vars {
		if !p.globals[name] {
			return nil, fmt.Errorf("host value %q was not declared in Config.Globals when the program was compiled", name)
		}
	}
	return convertAll(vars, "host value")
}

// convertAll converts a map of Go values, naming the entry that fails.
func convertAll(vars map[string]any, what string) (map[string]runtime.Value, error) {
	if len(vars) == 0 {
		return nil, nil
	}
	out := make(map[string]runtime.Value, len(vars))
	for name, x := range vars {
		v, err := FromGo(x)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", what, name, err)
		}
		out[name] = v
	}
	return out, nil
}

// Output is the print output of the run when RunConfig.Stdout was nil.
func (r *Result) Output() string {
	if r.output == nil {
		return ""
	}
	return r.output.String()
}

// Value returns the script value bound to a global name, or to a field
// path such as "fit.W" or "m.connectivity.r2".
func (r *Result) Value(path string) (runtime.Value, bool) {
	v, err := r.lookup(path)
	return v, err == nil
}

// Get returns the global name, or a field path such as "fit.W", converted
// to a Go value (see ToGo). Converting a field alone avoids converting the
// whole value around it.
func (r *Result) Get(path string) (any, error) {
	v, err := r.lookup(path)
	if err != nil {
		return nil, err
	}
	x, err := ToGo(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// lookup resolves a global name followed by field names.
func (r *Result) lookup(path string) (runtime.Value, error) {
	parts := strings.Split(path, ".")
	v, ok := r.interp.Globals().Lookup(parts[0])
	if !ok {
		return nil, fmt.Errorf("the script defines no global %q%s", parts[0], didYouMean(parts[0], r.Names()))
	}
	for i, field := range parts[1:] {
		a, ok := v.(runtime.HasAttrs)
		if !ok {
			return nil, fmt.Errorf("%s: a %s has no fields", strings.Join(parts[:i+1], "."), v.Type())
		}
		next, err := a.Attr(field)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.Join(parts[:i+1], "."), err)
		}
		v = next
	}
	return v, nil
}

// Float returns the global name or field path, which must be a number.
func (r *Result) Float(path string) (float64, error) {
	v, err := r.lookup(path)
	if err != nil {
		return 0, err
	}
	n, ok := v.(runtime.Number)
	if !ok {
		return 0, fmt.Errorf("%s: expected a number, found %s", path, v.Type())
	}
	return float64(n), nil
}

// Matrix returns the global name or field path, which must be a 2-D
// tensor, as a gonum matrix (Ŵ of a fit: res.Matrix("fit.W")).
func (r *Result) Matrix(path string) (*mat.Dense, error) {
	v, err := r.lookup(path)
	if err != nil {
		return nil, err
	}
	t, ok := v.(*runtime.Tensor)
	if !ok || len(t.Shape) != 2 {
		return nil, fmt.Errorf("%s: expected a 2-D tensor, found %s", path, describe(v))
	}
	return tensorToGo(t).(*mat.Dense), nil
}

// Names lists the globals the script defined, sorted.
func (r *Result) Names() []string { return r.interp.Globals().Names() }

func didYouMean(name string, candidates []string) string {
	if c := lang.Closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Error is a script error (parse, check or run time) with the source it
// refers to. Error() renders each problem as FILE:LINE:COL: message, the
// source line and a caret.
type Error struct {
	// Err is the underlying lang.Error or lang.ErrorList.
	Err error
	src []byte
	// cause is the context's error when the run was cancelled.
	cause error
}

func newError(err error, src []byte) error { return &Error{Err: err, src: src} }

// Error renders the error with source excerpts.
func (e *Error) Error() string { return strings.TrimRight(lang.Render(e.Err, e.src), "\n") }

// Unwrap returns the underlying script error and, for a cancelled run,
// the context's error, so that errors.Is(err, context.DeadlineExceeded)
// holds for a run stopped by its deadline.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Err, e.cause}
	}
	return []error{e.Err}
}

// isIdentifier reports whether name can name a script variable.
func isIdentifier(name string) bool {
	if name == "" || lang.Keywords[name] {
		return false
	}
	for i, r := range name {
		letter := r == '_' || unicode.IsLetter(r)
		if !letter && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}
