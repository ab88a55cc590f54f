package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/runtime"
)

// testRegistry has an "emit" builtin that prints its arguments and a few
// builtins exercising the extension API.
func testRegistry() *runtime.Registry {
	r := runtime.NewRegistry()
	r.Register(&runtime.Builtin{Name: "emit", Variadic: true, Fn: func(c *runtime.Call) (runtime.Value, error) {
		parts := make([]string, len(c.Args))
		for i, a := range c.Args {
			parts[i] = a.String()
		}
		fmt.Fprintln(c.Out(), strings.Join(parts, " "))
		return runtime.None, nil
	}})
	r.Register(&runtime.Builtin{Name: "scale", Params: []runtime.Param{{Name: "x"}, {Name: "by", Default: runtime.Number(2)}},
		Fn: func(c *runtime.Call) (runtime.Value, error) {
			x, err := c.Number("x")
			if err != nil {
				return nil, err
			}
			by, err := c.Number("by")
			if err != nil {
				return nil, err
			}
			return runtime.Number(x * by), nil
		}})
	r.Register(&runtime.Builtin{Name: "boom", Fn: func(c *runtime.Call) (runtime.Value, error) {
		var m map[string]int
		m["x"] = 1 // a deliberate bug: assignment to a nil map panics
		return runtime.None, nil
	}})
	r.Register(&runtime.Builtin{Name: "path", Params: []runtime.Param{{Name: "p"}}, Fn: func(c *runtime.Call) (runtime.Value, error) {
		s, ok := c.Arg(0).(runtime.String)
		if !ok {
			return nil, c.ArgError(0, "expected a string, found %s", c.Arg(0).Type())
		}
		p, err := c.ResolvePath(string(s))
		if err != nil {
			return nil, err
		}
		return runtime.String(p), nil
	}})
	r.Register(&runtime.Builtin{Name: "settings", Variadic: true, AnyNamed: true, Fn: func(c *runtime.Call) (runtime.Value, error) {
		env := runtime.NewEnv(c.Env)
		if err := c.Interp.Exec(c.Block, env); err != nil {
			return nil, err
		}
		out := runtime.NewRecord()
		for _, n := range env.Names() {
			v, _ := env.Local(n)
			out.Set(n, v)
		}
		return out, nil
	}})
	// The schema says that a type's settings are parameters the equations
	// may use.
	schema := &lang.BlockSchema{What: "network", Open: true, Equations: true,
		Blocks: map[string]*lang.BlockSchema{"type": {What: "type block", Named: true, Params: true}}}
	r.RegisterDecl(runtime.DeclSpec{Keyword: "network", Locals: []string{"u", "i", "j", "W", "e", "t", "N", "x", "y"}, Block: schema, Handler: func(d *runtime.DeclCall) (runtime.Value, error) {
		eqs := 0
		for _, s := range d.Decl.Block.Stmts {
			if _, ok := s.(*lang.DerivEq); ok {
				eqs++
			}
		}
		return &fakeNet{name: d.Decl.Name, eqs: eqs}, nil
	}})
	return r
}

// fakeNet is a custom value with fields, a call and indexing.
type fakeNet struct {
	name string
	eqs  int
}

func (n *fakeNet) Type() string   { return "network" }
func (n *fakeNet) String() string { return "network " + n.name }
func (n *fakeNet) Attr(name string) (runtime.Value, error) {
	if name == "equations" {
		return runtime.Number(n.eqs), nil
	}
	return nil, fmt.Errorf("network has no field %q", name)
}
func (n *fakeNet) Names() []string { return []string{"equations"} }
func (n *fakeNet) CallValue(c *runtime.Call) (runtime.Value, error) {
	x, err := c.NumberArg(0)
	return runtime.Number(x + 1), err
}
func (n *fakeNet) Index(idx []runtime.Value) (runtime.Value, error) {
	return runtime.Number(len(idx)), nil
}

func compile(t *testing.T, src string, host ...string) *runtime.Program {
	t.Helper()
	p, err := runtime.Compile("t.ngs", []byte(src), runtime.CompileOptions{Registry: testRegistry(), Predeclared: host})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return p
}

func run(t *testing.T, p *runtime.Program, opts runtime.RunOptions) (string, *runtime.Interp, error) {
	var out strings.Builder
	opts.Stdout = &out
	in, err := p.Run(context.Background(), opts)
	return out.String(), in, err
}

func TestCompileOnceRunConcurrently(t *testing.T) {
	p := compile(t, "fn sq(x) = x * x\ntotal = 0\nfor i in [1, 2, 3] { total = total + sq(i) * k }\nemit(total)\n", "k")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			out, in, err := run(t, p, runtime.RunOptions{Predeclared: map[string]runtime.Value{"k": runtime.Number(k)}})
			if err != nil {
				errs <- err
				return
			}
			total, _ := in.Globals().Lookup("total")
			if want := fmt.Sprint(14 * k); out != want+"\n" || total.String() != want {
				errs <- fmt.Errorf("k=%d: output %q, total %v, want %s", k, out, total, want)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCancellationStopsLoopsWithPosition(t *testing.T) {
	p := compile(t, "x = 0\nwhile true {\n  x = x + 1\n}\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Run(ctx, runtime.RunOptions{})
	if time.Since(start) > 2*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
	var le *lang.Error
	if !errors.As(err, &le) || le.Msg != "run stopped: deadline exceeded" || le.Pos.Line < 2 {
		t.Fatalf("got %v, want a positioned 'run stopped: deadline exceeded'", err)
	}
}

func TestStepBudget(t *testing.T) {
	p := compile(t, "fn f(n) = n\nfor i in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] { f(i) }\n")
	if _, _, err := run(t, p, runtime.RunOptions{StepBudget: 10}); err == nil || !strings.Contains(err.Error(), "step budget of 10 exceeded") {
		t.Fatalf("got %v, want step budget error", err)
	}
	if _, _, err := run(t, p, runtime.RunOptions{StepBudget: 1000}); err != nil {
		t.Fatalf("within budget: %v", err)
	}
}

func TestInternalErrorIsRecoveredWithPosition(t *testing.T) {
	p := compile(t, "x = 1\n  boom()\n")
	_, _, err := run(t, p, runtime.RunOptions{})
	var le *lang.Error
	if !errors.As(err, &le) || !le.Internal || le.Pos.Line != 2 || le.Pos.Col != 3 {
		t.Fatalf("got %#v, want an internal error at 2:3", err)
	}
	if !strings.Contains(le.Msg, "bug in ngs") || strings.Contains(lang.Render(err, nil), "goroutine") {
		t.Errorf("message %q", le.Msg)
	}
}

func TestOverridesReplaceTopLevelAssignments(t *testing.T) {
	p := compile(t, "frames = 100\nname = \"a\"\nemit(frames, name)\n")
	out, _, err := run(t, p, runtime.RunOptions{Overrides: map[string]runtime.Value{"frames": runtime.Number(7)}})
	if err != nil || out != "7 a\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	if _, _, err := run(t, p, runtime.RunOptions{Overrides: map[string]runtime.Value{"nope": runtime.Number(1)}}); err == nil ||
		!strings.Contains(err.Error(), "no top-level assignment to nope") {
		t.Fatalf("got %v", err)
	}
}

func TestSeedOverrideReplacesTopLevelSeed(t *testing.T) {
	p := compile(t, "seed 42\nx = 1\n")
	if !p.TopLevelAssignment("seed") {
		t.Fatal("a top-level seed statement should be overridable as seed")
	}
	_, in, err := run(t, p, runtime.RunOptions{Overrides: map[string]runtime.Value{"seed": runtime.Number(7)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Rand().Int63(), rand.New(rand.NewSource(7)).Int63(); got != want {
		t.Errorf("--set seed=7: first draw %d, want %d (the seed 7 stream)", got, want)
	}
	_, in, err = run(t, p, runtime.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Rand().Int63(), rand.New(rand.NewSource(42)).Int63(); got != want {
		t.Errorf("no override: first draw %d, want %d (the seed 42 stream)", got, want)
	}
	if _, _, err := run(t, p, runtime.RunOptions{Overrides: map[string]runtime.Value{"seed": runtime.Number(1.5)}}); err == nil ||
		!strings.Contains(err.Error(), "seed must be an integer") {
		t.Errorf("--set seed=1.5: got %v", err)
	}
	if compile(t, "x = 1\n").TopLevelAssignment("seed") {
		t.Error("a script without a seed statement has no seed to override")
	}
}

func TestExecSourceKeepsBindings(t *testing.T) {
	var out strings.Builder
	in := runtime.NewInterp(context.Background(), runtime.RunOptions{Stdout: &out, Registry: testRegistry()})
	steps := []struct{ src, want string }{
		{"x = 2", "nil"},
		{"const c = 10", "nil"},
		{"fn f(y) = x * y + c", "nil"},
		{"f(3)", "16"},
	}
	for _, s := range steps {
		v, err := in.ExecSource("repl", []byte(s.src))
		if err != nil || v.String() != s.want {
			t.Fatalf("%q: got %v, %v; want %s", s.src, v, err, s.want)
		}
	}
	if _, err := in.ExecSource("repl", []byte("c = 3")); err == nil || !strings.Contains(err.Error(), "cannot assign to constant c") {
		t.Fatalf("const reassignment across entries: %v", err)
	}
	if _, err := in.ExecSource("repl", []byte("emit(xx)")); err == nil || !strings.Contains(err.Error(), "undefined: xx") {
		t.Fatalf("undefined across entries: %v", err)
	}
}

func TestResolvePathJoinsOutDirAndCallsHook(t *testing.T) {
	p := compile(t, "a = path(\"sim/u.npy\")\nb = path(\"/etc/passwd\")\n")
	root := filepath.Join("out", "exp")
	hook := func(path string) (string, error) {
		if !strings.HasPrefix(path, root) {
			return "", fmt.Errorf("path %s is outside %s", path, root)
		}
		return path, nil
	}
	_, in, err := run(t, p, runtime.RunOptions{OutDir: root, ResolvePath: hook})
	if err == nil || err.Error() != "t.ngs:2:5: path: path /etc/passwd is outside out/exp" {
		t.Fatalf("got %v", err)
	}
	if a, _ := in.Globals().Lookup("a"); a.String() != filepath.Join(root, "sim/u.npy") {
		t.Errorf("a = %v", a)
	}
}

func TestDeclarationsCustomValuesAndTrailingBlocks(t *testing.T) {
	src := `network fig {
    type A { c = 1 }
    du/dt = -c * u
}
s = settings() { epochs = 2 * 5; lr { W = 1e-3 } }
emit(fig, fig.equations, fig(1), fig[1, 2], s.epochs, s.lr.W)
`
	out, _, err := run(t, compile(t, src), runtime.RunOptions{})
	if err != nil || out != "network fig 1 2 2 10 0.001\n" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestMissingDeclarationHandler(t *testing.T) {
	// A keyword nothing registered is refused before running: lang knows
	// only the declarations the registry describes.
	_, err := runtime.Compile("t.ngs", []byte("x = 1\nmodel m {\n  embedding = 2\n}\n"), runtime.CompileOptions{Registry: testRegistry()})
	want := `t.ngs:2:1: unknown declaration keyword "model"`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

func TestBuiltinArgumentHelpers(t *testing.T) {
	out, _, err := run(t, compile(t, "emit(scale(3), scale(3, 4), scale(x = 3, by = 5), scale(2, by = 0.5))\n"), runtime.RunOptions{})
	if err != nil || out != "6 12 15 1\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	_, _, err = run(t, compile(t, "y = scale(\"a\")\n"), runtime.RunOptions{})
	if err == nil || err.Error() != "t.ngs:1:11: scale: x must be a number, found string" {
		t.Fatalf("got %v", err)
	}
}

func TestCheckerSeesRegistryArity(t *testing.T) {
	_, err := runtime.Compile("t.ngs", []byte("scale()\nscale(1, 2, 3)\nscale(1, byy = 2)\n"), runtime.CompileOptions{Registry: testRegistry()})
	want := "t.ngs:1:1: scale takes 1 to 2 arguments, found 0 (missing x)\n" +
		"t.ngs:2:1: scale takes 1 to 2 arguments, found 3\n" +
		"t.ngs:3:10: scale has no parameter \"byy\" (did you mean by?)"
	if err == nil || err.Error() != want {
		t.Fatalf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestBuiltinReturningContextErrorIsPositioned(t *testing.T) {
	r := testRegistry()
	ctx, cancel := context.WithCancel(context.Background())
	r.Register(&runtime.Builtin{Name: "wait", Fn: func(c *runtime.Call) (runtime.Value, error) {
		cancel() // the host cancels while the builtin runs
		<-c.Ctx().Done()
		return nil, c.Ctx().Err()
	}})
	p, err := runtime.Compile("t.ngs", []byte("x = 1\ny = wait()\n"), runtime.CompileOptions{Registry: r})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Run(ctx, runtime.RunOptions{})
	if err == nil || err.Error() != "t.ngs:2:5: run stopped: cancelled" {
		t.Fatalf("got %v", err)
	}
}
