package ngs_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/ngs-lab/ngs"
	"github.com/ngs-lab/ngs/runtime"
)

func compile(t *testing.T, src string, cfg ngs.Config) *ngs.Program {
	t.Helper()
	prog, err := ngs.Compile("test.ngs", []byte(src), cfg)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return prog
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got none", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err, p)
		}
	}
}

// TestConcurrentRuns runs one compiled program from 8 goroutines with
// different host values; run it under -race.
func TestConcurrentRuns(t *testing.T) {
	prog := compile(t, `
fn square(v) = v * v
acc = 0
for k in range(200) { acc = acc + square(k % 7) }
y = gain * x + acc
print(gain)
`, ngs.Config{Globals: []string{"gain", "x"}})
	var acc float64
	for k := 0; k < 200; k++ {
		acc += float64((k % 7) * (k % 7))
	}
	const workers, runs = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < runs; r++ {
				gain := float64(w*runs + r)
				res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"gain": gain, "x": []float64{1, -2}}})
				if err != nil {
					errs <- err
					return
				}
				y, err := res.Get("y")
				if err != nil {
					errs <- err
					return
				}
				got := y.([]float32)
				if got[0] != float32(gain+acc) || got[1] != float32(-2*gain+acc) {
					errs <- fmt.Errorf("worker %d run %d: y = %v, want [%v %v]", w, r, got, gain+acc, -2*gain+acc)
					return
				}
				if out := strings.TrimSpace(res.Output()); out != fmt.Sprint(gain) {
					errs <- fmt.Errorf("worker %d run %d: output %q, want %v", w, r, out, gain)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHostValueConversions(t *testing.T) {
	prog := compile(t, `
n2 = n * 2
s2 = s + "!"
v2 = v * 2
m2 = m + 1
l2 = l
r2 = {a: r.a + 1, b: r.b}
yes = flag and true
`, ngs.Config{Globals: []string{"n", "s", "v", "m", "l", "r", "flag"}})
	m := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{
		"n": int32(21), "s": "hi", "v": []float32{1.5, -1}, "m": m,
		"l": []any{1, "two", []float64{3}}, "r": map[string]any{"a": uint8(1), "b": "x"}, "flag": true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{"n2": 42.0, "s2": "hi!", "yes": true}
	for name, want := range checks {
		if got, err := res.Get(name); err != nil || got != want {
			t.Errorf("%s = %v (%v), want %v", name, got, err, want)
		}
	}
	v2, _ := res.Get("v2")
	if got := v2.([]float32); len(got) != 2 || got[0] != 3 || got[1] != -2 {
		t.Errorf("v2 = %v, want [3 -2]", got)
	}
	m2, _ := res.Get("m2")
	want := mat.NewDense(2, 3, []float64{2, 3, 4, 5, 6, 7})
	if !mat.Equal(m2.(*mat.Dense), want) {
		t.Errorf("m2 = %v, want %v", mat.Formatted(m2.(*mat.Dense)), mat.Formatted(want))
	}
	l2, _ := res.Get("l2")
	if got := fmt.Sprint(l2); got != "[1 two [3]]" {
		t.Errorf("l2 = %s, want [1 two [3]]", got)
	}
	r2, _ := res.Get("r2")
	if got := fmt.Sprint(r2); got != "map[a:2 b:x]" {
		t.Errorf("r2 = %s, want map[a:2 b:x]", got)
	}
	if m.At(0, 0) != 1 {
		t.Errorf("the host matrix was modified: %v", m.At(0, 0))
	}
}

// fitValue is a custom script value with its own Go form, like an
// experiment's fit.
type fitValue struct{ w *mat.Dense }

func (f *fitValue) Type() string                       { return "fit" }
func (f *fitValue) String() string                     { return "fit" }
func (f *fitValue) GoValue() (any, error)              { return map[string]any{"W": f.w, "r2": 0.99}, nil }
func (f *fitValue) Attr(string) (runtime.Value, error) { return runtime.Number(1), nil }

// fieldsValue has fields but no GoValue: it converts field by field.
type fieldsValue struct{}

func (fieldsValue) Type() string    { return "metrics" }
func (fieldsValue) String() string  { return "metrics" }
func (fieldsValue) Names() []string { return []string{"r2", "slope"} }
func (fieldsValue) Attr(name string) (runtime.Value, error) {
	if name == "r2" {
		return runtime.Number(0.5), nil
	}
	return runtime.Number(2), nil
}

func TestToGoCustomValues(t *testing.T) {
	w := mat.NewDense(1, 1, []float64{3})
	x, err := ngs.ToGo(&fitValue{w: w})
	if err != nil {
		t.Fatal(err)
	}
	if got := x.(map[string]any)["W"].(*mat.Dense).At(0, 0); got != 3 {
		t.Errorf("fit W = %v, want 3", got)
	}
	x, err = ngs.ToGo(fieldsValue{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(x); got != "map[r2:0.5 slope:2]" {
		t.Errorf("metrics = %s", got)
	}
	_, err = ngs.ToGo(&runtime.Function{Name: "f"})
	wantErr(t, err, "function has no Go representation")
	cyclic := runtime.NewList()
	cyclic.Elems = append(cyclic.Elems, cyclic)
	_, err = ngs.ToGo(cyclic)
	wantErr(t, err, "nested more than")
	x, _ = ngs.ToGo(&runtime.Tensor{Shape: []int{2, 1, 1}, Data: []float32{1, 2}})
	if tt, ok := x.(*runtime.Tensor); !ok || len(tt.Shape) != 3 {
		t.Errorf("3-D tensor converted to %T", x)
	}
}

func TestBadHostInput(t *testing.T) {
	double := ngs.Func("double", "double(x)", []ngs.Param{{Name: "x"}}, func(a ngs.Args) (any, error) {
		x, err := a.Float("x")
		return 2 * x, err
	})
	_, err := ngs.Compile("t.ngs", []byte("print(1)"), ngs.Config{Funcs: []*ngs.Function{double, double}})
	wantErr(t, err, `host function "double"`, "registered twice")
	printer := ngs.Func("print", "", nil, func(ngs.Args) (any, error) { return nil, nil })
	_, err = ngs.Compile("t.ngs", []byte("print(1)"), ngs.Config{Funcs: []*ngs.Function{printer}})
	wantErr(t, err, `"print"`, "registered twice")
	_, err = ngs.Compile("t.ngs", []byte("print(1)"), ngs.Config{Funcs: []*ngs.Function{ngs.Func("bad name", "", nil, nil)}})
	wantErr(t, err, "not an identifier")
	badDefault := ngs.Func("f", "", []ngs.Param{{Name: "x", Default: struct{}{}}}, func(ngs.Args) (any, error) { return nil, nil })
	_, err = ngs.Compile("t.ngs", []byte("f()"), ngs.Config{Funcs: []*ngs.Function{badDefault}})
	wantErr(t, err, "default of x", "unsupported Go type struct {}")
	_, err = ngs.Compile("t.ngs", []byte("print(1)"), ngs.Config{Globals: []string{"len"}})
	wantErr(t, err, `host value "len" clashes with the builtin`)

	prog := compile(t, "y = x", ngs.Config{Globals: []string{"x"}})
	_, err = prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"x": make(chan int)}})
	wantErr(t, err, `host value "x"`, "unsupported Go type chan int")
	_, err = prog.Run(context.Background(), ngs.RunConfig{})
	wantErr(t, err, "missing host values: x")
	_, err = prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"x": 1, "z": 2}})
	wantErr(t, err, `host value "z" was not declared`)
}

func TestHostFunctionErrors(t *testing.T) {
	fail := ngs.Func("fail", "fail(): always fails", nil, func(ngs.Args) (any, error) { return nil, errors.New("disk full") })
	boom := ngs.Func("boom", "boom(): panics", nil, func(ngs.Args) (any, error) { panic("kaboom") })
	weird := ngs.Func("weird", "weird(): returns a channel", nil, func(ngs.Args) (any, error) { return make(chan int), nil })
	prog := compile(t, "a = 1\nif mode == 1 { fail() }\nif mode == 2 { boom() }\nif mode == 3 { weird() }\n",
		ngs.Config{Funcs: []*ngs.Function{fail, boom, weird}, Globals: []string{"mode"}})
	cases := map[int][]string{
		1: {"test.ngs:2:16: fail: disk full", "^"},
		2: {"test.ngs:3:16: boom: host function panicked: kaboom"},
		3: {"test.ngs:4:16: weird: result: unsupported Go type chan int"},
	}
	for mode, parts := range cases {
		res, err := prog.Run(context.Background(), ngs.RunConfig{Vars: map[string]any{"mode": mode}})
		wantErr(t, err, parts...)
		if a, _ := res.Float("a"); a != 1 {
			t.Errorf("mode %d: partial result a = %v, want 1", mode, a)
		}
	}
}

func TestLimits(t *testing.T) {
	prog := compile(t, "i = 0\nwhile true { i = i + 1 }\n", ngs.Config{})
	res, err := prog.Run(context.Background(), ngs.RunConfig{StepBudget: 1000})
	wantErr(t, err, "step budget of 1000 exceeded")
	if i, _ := res.Float("i"); i < 100 || i > 1000 {
		t.Errorf("i = %v after a budget of 1000 steps", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = prog.Run(ctx, ngs.RunConfig{})
	wantErr(t, err, "run stopped: deadline exceeded")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, context.DeadlineExceeded) is false for %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the deadline took %v to stop the script", d)
	}
	res, err = prog.Run(context.Background(), ngs.RunConfig{Overrides: map[string]any{"j": 1}})
	wantErr(t, err, "no top-level assignment to j")
	if res != nil {
		t.Errorf("a rejected run returned a result")
	}
}

func TestOverrides(t *testing.T) {
	prog := compile(t, "frames = 1000\nhalf = frames / 2\n", ngs.Config{})
	res, err := prog.Run(context.Background(), ngs.RunConfig{Overrides: map[string]any{"frames": 10}})
	if err != nil {
		t.Fatal(err)
	}
	if half, _ := res.Float("half"); half != 5 {
		t.Errorf("half = %v, want 5", half)
	}
	_, err = res.Get("halfs")
	wantErr(t, err, `no global "halfs"`, `did you mean "half"`)
}

// saveFunc writes text to a path checked by the run's root.
func saveFunc() *ngs.Function {
	return ngs.Func("write_text", "write_text(path, text): write text to path", []ngs.Param{{Name: "path"}, {Name: "text", Default: ""}},
		func(a ngs.Args) (any, error) {
			p, err := a.Path("path")
			if err != nil {
				return nil, err
			}
			text, err := a.String("text")
			if err != nil {
				return nil, err
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			return p, os.WriteFile(p, []byte(text), 0o644)
		})
}

func TestRootConfinesPaths(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "new.txt"), filepath.Join(root, "dangling")); err != nil {
		t.Fatal(err)
	}
	prog := compile(t, "p = write_text(path, \"data\")\n", ngs.Config{Funcs: []*ngs.Function{saveFunc()}, Globals: []string{"path"}})
	run := func(path string) (*ngs.Result, error) {
		return prog.Run(context.Background(), ngs.RunConfig{Root: root, OutDir: "out", Vars: map[string]any{"path": path}})
	}
	res, err := run("sub/ok.txt")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "out", "sub", "ok.txt")); err != nil || string(b) != "data" {
		t.Errorf("inside the root: read %q, %v", b, err)
	}
	if p, _ := res.Get("p"); !strings.HasPrefix(p.(string), root) {
		t.Errorf("resolved path %v is not under %s", p, root)
	}
	for _, bad := range []string{"../../outside/a.txt", filepath.Join(outside, "b.txt"), "../escape/c.txt", "/etc/passwd"} {
		_, err := run(bad)
		wantErr(t, err, "test.ngs:1:5: write_text:", "outside the allowed root")
	}
	_, err = run("../dangling")
	wantErr(t, err, "outside the allowed root") // an absolute link counts as leaving the root
	entries, _ := os.ReadDir(outside)
	if len(entries) != 0 {
		t.Errorf("a script wrote outside the root: %v", entries)
	}
	_, err = prog.Run(context.Background(), ngs.RunConfig{Root: filepath.Join(base, "missing"), Vars: map[string]any{"path": "x"}})
	wantErr(t, err, "expected an existing directory")
}

func TestFromGoNumbersAndNil(t *testing.T) {
	for _, x := range []any{int(3), int64(3), uint16(3), float32(3), 3.0} {
		v, err := ngs.FromGo(x)
		if err != nil || v != runtime.Number(3) {
			t.Errorf("FromGo(%T 3) = %v, %v", x, v, err)
		}
	}
	if v, err := ngs.FromGo(nil); err != nil || v != runtime.None {
		t.Errorf("FromGo(nil) = %v, %v", v, err)
	}
	v, _ := ngs.FromGo(math.Inf(1))
	if back, _ := ngs.ToGo(v); !math.IsInf(back.(float64), 1) {
		t.Errorf("inf round trip gave %v", back)
	}
}

func TestFieldPaths(t *testing.T) {
	prog := compile(t, `
fn act(x) = tanh(x)
fit = {W: tensor([[1, 2], [3, 4]]), psi: act, metrics: {rsq: 0.98, symbolic: ["tanh(u)"]}}
`, ngs.Config{})
	res, err := prog.Run(context.Background(), ngs.RunConfig{})
	if err != nil {
		t.Fatal(err)
	}
	W, err := res.Matrix("fit.W")
	if err != nil || !mat.Equal(W, mat.NewDense(2, 2, []float64{1, 2, 3, 4})) {
		t.Errorf("fit.W = %v, %v", W, err)
	}
	if r2, err := res.Float("fit.metrics.rsq"); err != nil || math.Abs(r2-0.98) > 1e-12 {
		t.Errorf("fit.metrics.rsq = %v, %v", r2, err)
	}
	whole, err := res.Get("fit")
	if err != nil {
		t.Fatal(err)
	}
	m := whole.(map[string]any)
	if _, has := m["psi"]; has || len(m) != 2 {
		t.Errorf("fit converted to %v: want W and metrics, the function left out", m)
	}
	if got := fmt.Sprint(m["metrics"]); got != "map[rsq:0.98 symbolic:[tanh(u)]]" {
		t.Errorf("fit.metrics = %s", got)
	}
	_, err = res.Get("fit.psi")
	var noGo *ngs.NoGoValueError
	if !errors.As(err, &noGo) || noGo.Type != "function" {
		t.Errorf("fit.psi: error %v, want a NoGoValueError for a function", err)
	}
	_, err = res.Float("fit.metrics.rsw")
	wantErr(t, err, "fit.metrics:", `no field "rsw"`, `did you mean "rsq"`)
	_, err = res.Matrix("fit.metrics")
	wantErr(t, err, "expected a 2-D tensor, found record")
	_, err = res.Float("fit.W.x")
	wantErr(t, err, "fit.W: a tensor has no fields")
}
