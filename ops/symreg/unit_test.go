package symreg

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, src string, names ...string) *Expr {
	t.Helper()
	if len(names) == 0 {
		names = []string{"u", "a"}
	}
	e, err := Parse(src, names)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestFormatConstant(t *testing.T) {
	for v, want := range map[float64]string{2: "2.0", -0.25: "-0.25", 1.5e-7: "1.5e-07",
		123456789: "1.23457e+08", 3.14159265: "3.14159", 1e20: "1.0e+20"} {
		if got := FormatConstant(v); got != want {
			t.Errorf("FormatConstant(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestPrintAndParseRoundTrip(t *testing.T) {
	for _, src := range []string{
		"-1.0*u + 2.0*tanh(u)", "tanh(u/4.0)", "u/(u*u + 1.0)", "u - 2.0*a", "(u + a)^2.0",
		"u^(-2.0)", "exp(-0.5*u)", "u*(a - 1.0)", "sin(u)*cos(a) - 3.0", "u/(a/2.0)", "1.5e-07*u + 1.0e+20", "exp(2.5e+07*a)",
	} {
		e := mustParse(t, src)
		if got := e.String(); got != src {
			t.Errorf("print(parse(%q)) = %q", src, got)
		}
	}
	// Precedence-sensitive trees built by hand print with the parentheses
	// that keep their value.
	u := variable(0)
	e := &Expr{Root: binary(divOp, u, binary(mulOp, constant(-2), variable(0))), Names: []string{"u"}}
	if got := e.String(); got != "u/(-2.0*u)" {
		t.Errorf("got %q, want u/(-2.0*u)", got)
	}
	back := mustParse(t, e.String(), "u")
	for _, x := range []float64{-3, 0.5, 2} {
		want, _ := e.EvalPoint(x)
		got, _ := back.EvalPoint(x)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("round trip of %s at %v: %v, want %v", e, x, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for src, want := range map[string]string{
		"u +":        "unexpected end",
		"v*2":        `unknown variable "v"`,
		"foo(u)":     `unknown function "foo"`,
		"tanh(u, a)": "takes 1 argument",
		"(u":         "expected ')'",
	} {
		if _, err := Parse(src, []string{"u", "a"}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v, want it to mention %q", src, err, want)
		}
	}
}

func TestSimplify(t *testing.T) {
	for src, want := range map[string]string{
		"u*1 + 0":                 "u",
		"2*(3*u)":                 "6.0*u",
		"u - u + tanh(0)":         "0.0",
		"u/1":                     "u",
		"2*u + 3*u":               "5.0*u",
		"(2*u)/4":                 "0.5*u",
		"1 + tanh(u)":             "tanh(u) + 1.0",
		"u*2":                     "2.0*u",
		"2/(2 + 4*u)":             "1.0/(2.0*u + 1.0)",
		"u^1 + a^0":               "u + 1.0",
		"tanh(u) + (tanh(u) - u)": "2.0*tanh(u) - u",
		"-1*u + 2*tanh(u)":        "2.0*tanh(u) - u",
		"2*tanh(u) - 2*u":         "2.0*(tanh(u) - u)",
		"tanh(2*(u/(2*a)))":       "tanh(u/a)",
		"-1.5*(u*(0.5/a))":        "-0.75*(u/a)",
		"(u*tanh(a))/u":           "tanh(a)",
		"2*(u - 3) + 1":           "2.0*u - 5.0",
	} {
		if got := Simplify(mustParse(t, src)).String(); got != want {
			t.Errorf("Simplify(%s) = %s, want %s", src, got, want)
		}
	}
}

// Simplification must not change a formula's value: random trees are
// compared before and after at random points.
func TestSimplifyPreservesValues(t *testing.T) {
	ops, _ := NewOperatorSet(nil, nil)
	s := &search{ops: ops, rng: rand.New(rand.NewPCG(1, 2)), data: &dataset{cols: make([][]float64, 2)}}
	checked := 0
	for range 2000 {
		root := s.randomTree(5)
		simple := simplifyNode(root.clone())
		for range 3 {
			x := []float64{s.rng.NormFloat64() * 2, s.rng.NormFloat64() * 2}
			want, got := evalNode(root, x), evalNode(simple, x)
			if !finite(want) || math.Abs(want) > 1e8 {
				continue
			}
			checked++
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Fatalf("simplify changed %s into %s: %v vs %v at %v",
					(&Expr{Root: root, Names: []string{"u", "a"}}),
					(&Expr{Root: simple, Names: []string{"u", "a"}}), want, got, x)
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d finite checks", checked)
	}
}

func TestSameForm(t *testing.T) {
	names := []string{"u", "a"}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"tanh(u/4)", "0.999*tanh(0.2501*u)", true},
		{"tanh(u/4)", "tanh(u/4.1)", false},
		{"-u + 2*tanh(u)", "2.0*tanh(u) - 1.0*u", true},
		{"-u + 2*tanh(u)", "-u + 2*tanh(u) + 0.01", false},
		{"u/(1 + u^2)", "2*u/(2 + 2*u*u)", true},
		{"0.3*u^2 - tanh(u)", "0.3*(u*u) + tanh(-1.0*u)", true},
		{"u*a", "a*u", true},
		{"u*a", "u + a", false},
		{"cos(2*u)", "cos(-2*u)", true},
		{"exp(-a)*u", "u*exp(-1.0*a)", true},
		{"exp(-a)*u", "u/exp(a)", true},
		{"(u - a)^2", "u*u - 2*u*a + a*a", true},
		{"(u - a)^2", "u*u + a*a", false},
	} {
		if got := SameForm(mustParse(t, c.a, names...), mustParse(t, c.b, names...), 0.01); got != c.same {
			t.Errorf("SameForm(%s, %s) = %v, want %v (signatures %s | %s)", c.a, c.b, got, c.same,
				Signature(mustParse(t, c.a)), Signature(mustParse(t, c.b)))
		}
	}
}

// PySR's rule: among members within 1.5× of the lowest loss, the highest
// score -Δlog(loss)/Δcomplexity wins.
func TestSelectionRule(t *testing.T) {
	front := []Candidate{
		{Complexity: 1, Loss: 1},
		{Complexity: 4, Loss: 0.1},
		{Complexity: 8, Loss: 1e-6},  // big drop: score ln(1e5)/4 ≈ 2.88
		{Complexity: 12, Loss: 8e-7}, // within 1.5× but small score
	}
	best := scoreFront(front, 1e-30, -1)
	if best != 2 {
		t.Fatalf("selected %d, want 2; scores %+v", best, front)
	}
	if want := math.Log(1e5) / 4; math.Abs(front[2].Score-want) > 1e-12 {
		t.Errorf("score %v, want %v", front[2].Score, want)
	}
	// A member outside 1.5× of the lowest loss is never chosen, however
	// high its score.
	front[3].Loss = 5e-7
	if best := scoreFront(front, 1e-30, -1); best != 3 {
		t.Errorf("selected %d, want 3 (the only one within 1.5x of the lowest loss)", best)
	}
	// With an acceptance loss, every member below it competes by score.
	if best := scoreFront(front, 1e-30, 1e-5); best != 2 {
		t.Errorf("with accept 1e-5: selected %d, want 2", best)
	}
}

// The forward-mode gradient must match central differences of the loss.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	e := mustParse(t, "1.3*tanh(u/2.1) + 0.7*sin(0.5*a)*exp(-0.2*u) - 0.4*cos(u*a)/(1.5 + a^2.0)")
	rng := rand.New(rand.NewPCG(3, 4))
	var rows [][]float64
	var y []float64
	for range 50 {
		u, a := rng.NormFloat64()*3, rng.Float64()*2
		rows = append(rows, []float64{u, a})
		y = append(y, math.Tanh(u)+a)
	}
	cols, _ := columns(rows, 2)
	d := newDataset(cols, y)
	p := compile(e.Root)
	consts := e.Constants()
	top := newGradEvaluator(len(y), len(consts)).run(p, consts, cols)
	for j := range consts {
		g := 0.0
		for i, v := range top.val {
			g += 2 * (v - y[i]) * top.tan[j][i] / float64(len(y)) / d.varY
		}
		h := 1e-6
		up := append([]float64(nil), consts...)
		dn := append([]float64(nil), consts...)
		up[j] += h
		dn[j] -= h
		fd := (d.loss(p, up) - d.loss(p, dn)) / (2 * h)
		if math.Abs(g-fd) > 1e-6*math.Max(1, math.Abs(fd)) {
			t.Errorf("constant %d: gradient %v, finite difference %v", j, g, fd)
		}
	}
}

func grid1D(f func(float64) float64) Data {
	d := Data{Names: []string{"u"}}
	for i := 0; i < 200; i++ {
		u := -5 + 10*float64(i)/199
		d.X = append(d.X, []float64{u})
		d.Y = append(d.Y, f(u))
	}
	return d
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	good := grid1D(math.Tanh)
	nan := grid1D(math.Tanh)
	nan.X[7][0] = math.NaN()
	inf := grid1D(math.Tanh)
	inf.Y[12] = math.Inf(1)
	short := grid1D(math.Tanh)
	short.Y = short.Y[:10]
	for name, c := range map[string]struct {
		data Data
		opts Options
		want string
	}{
		"empty":           {Data{Names: []string{"u"}}, Options{}, "no samples"},
		"no names":        {Data{X: good.X, Y: good.Y}, Options{}, "no variable names"},
		"mismatch":        {short, Options{}, "200 input rows but 10 targets"},
		"nan input":       {nan, Options{}, "sample 7, variable u is NaN"},
		"inf target":      {inf, Options{}, "target of sample 12 is +Inf"},
		"unknown op":      {good, Options{Operators: []string{"+", "tanhh"}}, `unknown operator "tanhh"; known operators: *, +, -, /, ^, abs`},
		"negative budget": {good, Options{Budget: -time.Second}, "time budget must be positive"},
		"bad custom":      {good, Options{Custom: []*Operator{NewUnary("tanh", math.Tanh, nil)}}, "clashes with a built-in"},
		"row width":       {Data{Names: []string{"u", "a"}, X: good.X, Y: good.Y}, Options{}, "sample 0 has 1 values, expected 2"},
	} {
		_, err := Search(ctx, c.data, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, c.want)
		}
	}
}

func TestBudgetTooShort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Search(ctx, grid1D(math.Tanh), Options{})
	if !errors.Is(err, ErrNoFormula) {
		t.Errorf("cancelled context: error %v, want ErrNoFormula", err)
	}
	_, err = Search(context.Background(), grid1D(math.Tanh), Options{Budget: time.Nanosecond})
	if !errors.Is(err, ErrNoFormula) {
		t.Errorf("1 ns budget: error %v, want ErrNoFormula", err)
	}
}

// A short budget stops the genetic search and says so, keeping what it found.
func TestBudgetCutsSearch(t *testing.T) {
	c := case2("tanh(u/a) + 0.1*u*a")
	data := c.samples(t, c.lo, c.hi, 0.01, 1)
	start := time.Now()
	res, err := Search(context.Background(), data, Options{NoLibrary: true, Budget: 150 * time.Millisecond, Generations: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("search ran %v with a 150 ms budget", el)
	}
	if !res.TimedOut || len(res.Front) == 0 {
		t.Errorf("TimedOut %v with %d front members, want true and some", res.TimedOut, len(res.Front))
	}
}

func TestConstantData(t *testing.T) {
	res, err := Search(context.Background(), grid1D(func(float64) float64 { return 2.5 }), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Constant || res.Best.Expr.String() != "2.5" || res.Best.Loss != 0 {
		t.Errorf("constant data: got %s (Constant %v, loss %v)", res.Best.Expr, res.Constant, res.Best.Loss)
	}
}

// The same seed gives the same front, genetic stage included.
func TestDeterministic(t *testing.T) {
	c := case1("u/(1 + u^2)")
	data := c.samples(t, c.lo, c.hi, 0.01, 1)
	opts := Options{Seed: 11, Generations: 8}
	var prints [2]string
	for i := range prints {
		res, err := Search(context.Background(), data, opts)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, m := range res.Front {
			b.WriteString(m.Expr.String() + ";")
		}
		prints[i] = b.String()
	}
	if prints[0] != prints[1] {
		t.Errorf("two runs with one seed differ:\n%s\n%s", prints[0], prints[1])
	}
}

// A caller-registered operator without a derivative is used by the genetic
// search, and its constants are fitted through numeric derivatives.
func TestCustomOperator(t *testing.T) {
	softplus := NewUnary("softplus", func(x float64) float64 { return math.Log1p(math.Exp(x)) }, nil)
	data := grid1D(func(u float64) float64 { return 2 * math.Log1p(math.Exp(u/1.5)) })
	res, err := Search(context.Background(), data, Options{Seed: 2, NoLibrary: true,
		Operators: []string{"+", "*", "/", "softplus"}, Custom: []*Operator{softplus}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse("2*softplus(u/1.5)", []string{"u"}, softplus)
	if !SameForm(want, res.Best.Expr, 0.01) {
		t.Errorf("found %s, want 2.0*softplus(u/1.5)", res.Best.Expr)
	}
	if ops := res.Best.Expr.Operators(); !strings.Contains(strings.Join(ops, " "), "softplus") {
		t.Errorf("operators %v lack softplus", ops)
	}
}

// The genetic stage alone finds a formula with constants inside and outside
// a function.
func TestGeneticStageAlone(t *testing.T) {
	data := grid1D(func(u float64) float64 { return -u + 2*math.Tanh(u) })
	res, err := Search(context.Background(), data, Options{Seed: 5, NoLibrary: true})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse("-u + 2*tanh(u)", []string{"u"})
	if !SameForm(want, res.Best.Expr, 0.01) {
		t.Errorf("genetic search found %s, want -1.0*u + 2.0*tanh(u)", res.Best.Expr)
	}
}

func TestEval(t *testing.T) {
	e := mustParse(t, "-1.0*u + 2.0*tanh(u/a)")
	out, err := e.Eval([][]float64{{1, 2}, {-3, 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{-1 + 2*math.Tanh(0.5), 3 + 2*math.Tanh(-6)} {
		if math.Abs(out[i]-want) > 1e-12 {
			t.Errorf("row %d: %v, want %v", i, out[i], want)
		}
	}
	if _, err := e.EvalPoint(1); err == nil || !strings.Contains(err.Error(), "needs 2 values, got 1") {
		t.Errorf("EvalPoint with one value: error %v", err)
	}
	if _, err := e.Eval([][]float64{{1}}); err == nil {
		t.Error("Eval with a short row: no error")
	}
}

// Data larger than MaxSamples are searched on a subset; the reported loss
// is measured on every sample.
func TestSubsampledSearch(t *testing.T) {
	d := Data{Names: []string{"u"}}
	for i := 0; i < 5000; i++ {
		u := -5 + 10*float64(i)/4999
		d.X = append(d.X, []float64{u})
		d.Y = append(d.Y, 2*math.Tanh(u/3))
	}
	d.Y[17] += 0.5 // one outlier: present in the full loss whether or not sampled
	res, err := Search(context.Background(), d, Options{Seed: 1, MaxSamples: 300})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse("2*tanh(u/3)", []string{"u"})
	if !SameForm(want, res.Best.Expr, 0.01) {
		t.Fatalf("found %s, want 2.0*tanh(u/3.0)", res.Best.Expr)
	}
	pred, _ := res.Best.Expr.Eval(d.X)
	mse := 0.0
	for i := range pred {
		mse += (pred[i] - d.Y[i]) * (pred[i] - d.Y[i])
	}
	mse /= float64(len(pred))
	if math.Abs(res.Best.Loss-mse) > 1e-9*mse+1e-15 {
		t.Errorf("reported loss %g, MSE over all samples %g", res.Best.Loss, mse)
	}
}

// A custom binary operator prints as a call, parses back, and is found by
// the genetic search.
func TestCustomBinaryOperator(t *testing.T) {
	hypot := NewBinary("hypot", math.Hypot, nil)
	d := Data{Names: []string{"u", "a"}}
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			u, a := -5+10*float64(i)/19, 0.5+2.5*float64(j)/19
			d.X = append(d.X, []float64{u, a})
			d.Y = append(d.Y, 2*math.Hypot(u, a))
		}
	}
	res, err := Search(context.Background(), d, Options{Seed: 1, Custom: []*Operator{hypot}})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Best.Expr.String()
	if got != "2.0*hypot(u, a)" && got != "2.0*hypot(a, u)" {
		t.Fatalf("found %s, want 2.0*hypot(u, a)", got)
	}
	back, err := Parse(got, d.Names, hypot)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := back.EvalPoint(3, 4); math.Abs(v-10) > 1e-12 {
		t.Errorf("%s at (3, 4) = %v, want 10", got, v)
	}
}
