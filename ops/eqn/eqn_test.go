package eqn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// typedBinding gives n neurons in 4 contiguous type blocks the per-type
// values of table (rows = types).
func typedBinding(n int, names []string, table [][]float32) Binding {
	b := Binding{N: n, Params: map[string][]float32{}}
	for p, name := range names {
		vals := make([]float32, n)
		for i := range vals {
			vals[i] = table[min(i*len(table)/n, len(table)-1)][p]
		}
		b.Params[name] = vals
	}
	return b
}

func randomNetwork(n int, rng *rand.Rand) (w, u, e []float32) {
	w = make([]float32, n*n)
	for k := range w {
		w[k] = float32(rng.NormFloat64() / math.Sqrt(float64(n)))
	}
	u, e = make([]float32, n), make([]float32, n)
	for i := range u {
		u[i] = float32(5 * rng.NormFloat64())
		e[i] = float32(0.5 + rng.Float64())
	}
	return w, u, e
}

var n4Table = [][]float32{{1, 0, 10, 1, 1, 0}, {1, 0, 10, 2, 2, 0}, {2, 0.5, 10, 1, 4, 0.3}, {2, 0, 10, 2, 8, -0.2}}
var n4Names = []string{"a", "b", "g", "s", "w", "h"}

func TestAnalyzeN2Factorises(t *testing.T) {
	cs, err := Analyze(N2())
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Terms) != 1 {
		t.Fatalf("couplings %+v", cs)
	}
	term := cs[0].Terms[0]
	if term.Grouped || term.Sender.String() != "tanh(u[j])" || term.Receiver.String() != "1" {
		t.Fatalf("term %+v: sender %s receiver %s", term, term.Sender, term.Receiver)
	}
}

func TestAnalyzeN5GroupsByReceiverWidth(t *testing.T) {
	cs, err := Analyze(N5())
	if err != nil {
		t.Fatal(err)
	}
	term := cs[0].Terms[0]
	if len(cs[0].Terms) != 1 || !term.Grouped || strings.Join(term.GroupParams, ",") != "w" {
		t.Fatalf("N5 analysis: %d terms, grouped %v by %v", len(cs[0].Terms), term.Grouped, term.GroupParams)
	}
	p, err := Compile(N5(), typedBinding(40, n4Names, n4Table))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Terms()[0].Senders); got != 4 {
		t.Fatalf("N5 with 4 types has %d receiver groups, want 4", got)
	}
}

func TestAnalyzeDistributesReceiverStateTerms(t *testing.T) {
	// Diffusive coupling W·(u_j - u_i) = W·u_j - u_i·W·1: two products.
	rule := SumJ(MulE(W(), SubE(U(Sender), U(Receiver))))
	cs, err := Analyze(rule)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs[0].Terms) != 2 || cs[0].Terms[1].Receiver.String() != "u[i]" {
		t.Fatalf("terms %+v", cs[0].Terms)
	}
}

func TestAnalyzeRejectsQuadraticSums(t *testing.T) {
	cases := map[string]*Expr{
		"exactly once":       SumJ(Apply(Tanh, U(Sender))),
		"found 2":            SumJ(MulE(W(), W(), U(Sender))),
		"inside":             SumJ(Apply(Tanh, MulE(W(), U(Sender)))),
		"receiver's state":   SumJ(MulE(W(), Apply(Tanh, MulE(U(Sender), U(Receiver))))),
		"outside sum_j":      MulE(W(), U(Receiver)),
		"sum_j inside sum_j": SumJ(MulE(W(), SumJ(MulE(W(), U(Sender))))),
		"needs a sum over j": AddE(U(Sender), U(Receiver)),
	}
	for want, rule := range cases {
		_, err := Analyze(rule)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", rule, err, want)
		}
	}
}

func TestCompiledMatchesDirect(t *testing.T) {
	n := 37
	rng := rand.New(rand.NewPCG(1, 2))
	w, u, e := randomNetwork(n, rng)
	diffusive := AddE(NegE(U(Receiver)), SumJ(MulE(W(), P("k", Sender), SubE(Apply(Sin, U(Sender)), U(Receiver)))))
	rules := map[string]struct {
		rule *Expr
		b    Binding
	}{
		"N2":        {N2(), typedBinding(n, []string{"g", "s", "c"}, [][]float32{{10, 1, 1}, {10, 2, 1}, {10, 1, 2}, {10, 2, 2}})},
		"N4":        {N4(), typedBinding(n, n4Names, n4Table)},
		"N4 e":      {N4Multiplicative(), typedBinding(n, n4Names, n4Table)},
		"N5":        {N5(), typedBinding(n, n4Names, n4Table)},
		"diffusive": {diffusive, typedBinding(n, []string{"k"}, [][]float32{{0.5}, {2}})},
	}
	for name, c := range rules {
		p, err := Compile(c.rule, c.b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err := Direct(c.rule, c.b, w, u, e, 0.3)
		if err != nil {
			t.Fatal(err)
		}
		du := make([]float32, n)
		p.Derivative(du, u, e, 0.3, w)
		for i := range du {
			if d := math.Abs(float64(du[i]) - want[i]); d > 1e-4*math.Max(1, math.Abs(want[i])) {
				t.Fatalf("%s: neuron %d: compiled %v, direct %v", name, i, du[i], want[i])
			}
		}
	}
}

func TestDerivativeDoesNotAllocate(t *testing.T) {
	n := 64
	b := typedBinding(n, n4Names, n4Table)
	p, err := Compile(N5(), b)
	if err != nil {
		t.Fatal(err)
	}
	w, u, e := randomNetwork(n, rand.New(rand.NewPCG(3, 4)))
	du := make([]float32, n)
	if allocs := testing.AllocsPerRun(20, func() { p.Derivative(du, u, e, 0, w) }); allocs != 0 {
		t.Fatalf("Derivative allocates %v times per call", allocs)
	}
}

func TestSharedSubexpressions(t *testing.T) {
	p, err := Compile(N2(), typedBinding(8, []string{"g", "s", "c"}, [][]float32{{10, 1, 1}}))
	if err != nil {
		t.Fatal(err)
	}
	tanhs := 0
	for _, in := range append(p.senderCode, p.receiverCode...) {
		if in.op == opUnary && in.fn == Tanh {
			tanhs++
		}
	}
	if tanhs != 1 {
		t.Fatalf("tanh(u[i]) and tanh(u[j]) compiled to %d evaluations, want 1", tanhs)
	}
}

func TestCompileErrors(t *testing.T) {
	_, err := Compile(N2(), Binding{N: 4, Params: map[string][]float32{"c": {1, 1, 1, 1}}})
	if err == nil || !strings.Contains(err.Error(), `"s" is not defined`) {
		t.Fatalf("missing parameter: %v", err)
	}
	many := make([]float32, 300)
	for i := range many {
		many[i] = float32(i)
	}
	rule := SumJ(MulE(W(), Apply(Tanh, DivE(U(Sender), P("w", Receiver)))))
	_, err = Compile(rule, Binding{N: 300, Params: map[string][]float32{"w": many}})
	if err == nil || !strings.Contains(err.Error(), "300 distinct values") {
		t.Fatalf("too many groups: %v", err)
	}
}

func TestString(t *testing.T) {
	got := N4().String()
	want := "-(a[i] * u[i]) + b[i] + s[i] * tanh(u[i]) + g[i] * sum_j(W[i,j] * tanh((u[j] - h[j]) / w[j]))"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestTanh32Accuracy(t *testing.T) {
	worst := 0.0
	for x := -12.0; x <= 12; x += 0.00037 {
		worst = math.Max(worst, math.Abs(float64(Tanh32(float32(x)))-math.Tanh(float64(float32(x)))))
	}
	if worst > 5e-7 {
		t.Fatalf("Tanh32 max error %g", worst)
	}
}
