package symreg

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// learnedPhi imitates a learned update function: -c·u + s·tanh(u) plus a
// smooth systematic error of about 5 % of s (what a network leaves), on
// u ∈ [-6, 6].
func learnedPhi(c, s float64) (Data, float64) {
	d := Data{Names: []string{"u"}}
	var mse float64
	for k := 0; k < 200; k++ {
		u := -6 + 12*float64(k)/199
		truth := -c*u + s*math.Tanh(u)
		err := 0.05 * s * math.Sin(0.7*u+0.3)
		d.X = append(d.X, []float64{u})
		d.Y = append(d.Y, truth+err)
		mse += err * err
	}
	return d, mse / 200
}

// With the learned function's own error as the tolerance, the expected form
// -c·u + s·tanh(u) is chosen with constants fitted to the data (within a few
// % of the true ones), even where a shorter formula would pass a fixed R²
// cut, and the next members of the front are still reported.
func TestToleranceSelectsExpectedForm(t *testing.T) {
	data, own := learnedPhi(2, 1)
	form, err := Parse("-2.0*u + 1.0*tanh(u)", []string{"u"})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Search(context.Background(), data, Options{Seed: 3, MaxEvaluations: 50_000, AcceptR2: 0.99})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Search(context.Background(), data, Options{Seed: 3, MaxEvaluations: 50_000, AcceptR2: 0.99, Prefer: []*Expr{form}, Tolerance: own})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("R² cut alone: %s; with the tolerance: %s (%s)", plain.Best.Expr, res.Best.Expr, res.Selected)
	if res.Selected != SelectedExpected || !SameForm(res.Best.Expr, form, math.Inf(1)) {
		t.Fatalf("chose %s (%s), want the form -c*u + s*tanh(u)", res.Best.Expr, res.Selected)
	}
	c := -(mustEval(t, res.Best.Expr, 5) - mustEval(t, res.Best.Expr, 4))
	s := mustEval(t, res.Best.Expr, 6) + 6*c
	if math.Abs(c-2) > 0.1 || math.Abs(s-1) > 0.1 {
		t.Errorf("constants c = %.3f, s = %.3f, want 2 and 1 within 0.1", c, s)
	}
	if res.Best.Loss > own {
		t.Errorf("chosen loss %g above the tolerance %g", res.Best.Loss, own)
	}
	if len(res.Expected) != 1 || res.Expected[0].Loss > own {
		t.Errorf("expected fits %+v, want one within the tolerance", res.Expected)
	}
	if len(res.Front) < 3 {
		t.Errorf("front of %d members, want alternatives to report", len(res.Front))
	}
}

// A tolerance that no expected form meets picks the simplest front member
// within it, and a tolerance nothing meets leaves PySR's rule.
func TestToleranceFallbacks(t *testing.T) {
	data, own := learnedPhi(1, 2)
	wrong, _ := Parse("1.0*sin(u)", []string{"u"})
	res, err := Search(context.Background(), data, Options{Seed: 1, MaxEvaluations: 30_000, Prefer: []*Expr{wrong}, Tolerance: own})
	if err != nil {
		t.Fatal(err)
	}
	if res.Selected != SelectedSimplest || res.Best.Loss > own {
		t.Errorf("chose %s (%s, loss %g, tolerance %g), want the simplest within tolerance", res.Best.Expr, res.Selected, res.Best.Loss, own)
	}
	for _, c := range res.Front {
		if c.Complexity < res.Best.Complexity && c.Loss <= own {
			t.Errorf("%s is simpler and within tolerance", c.Expr)
		}
	}
	res, err = Search(context.Background(), data, Options{Seed: 1, MaxEvaluations: 30_000, Tolerance: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	if res.Selected != SelectedScore {
		t.Errorf("tolerance 1e-12: selected by %s, want PySR's score", res.Selected)
	}
}

// An evaluation budget stops the search after that many formulas whatever
// the machine's speed, and the same seed and budget give the same front.
func TestEvaluationBudgetDeterministic(t *testing.T) {
	c := case2("tanh(u/a) + 0.1*u*a")
	data := c.samples(t, c.lo, c.hi, 0.01, 1)
	opts := Options{NoLibrary: true, MaxEvaluations: 3000, Generations: 100000, Seed: 9}
	a, err := Search(context.Background(), data, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !a.TimedOut || a.Evaluations < 3000 || a.Evaluations > 3000+2*opts.withDefaults().PopulationSize {
		t.Errorf("stopped after %d evaluations (TimedOut %v), want about 3000", a.Evaluations, a.TimedOut)
	}
	// Burn CPU on other goroutines while the second search runs: the
	// outcome must not change.
	stop := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			r := rand.New(rand.NewPCG(1, 2))
			x := 0.0
			for {
				select {
				case <-stop:
					return
				default:
					x += math.Sin(r.Float64())
				}
			}
		}()
	}
	b, err := Search(context.Background(), data, opts)
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Front) != len(b.Front) || a.Evaluations != b.Evaluations {
		t.Fatalf("fronts of %d and %d members after %d and %d evaluations", len(a.Front), len(b.Front), a.Evaluations, b.Evaluations)
	}
	for i := range a.Front {
		if a.Front[i].Expr.String() != b.Front[i].Expr.String() {
			t.Errorf("front member %d: %s then %s", i, a.Front[i].Expr, b.Front[i].Expr)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	data := grid1D(math.Tanh)
	two, _ := Parse("u*a", []string{"u", "a"})
	for name, o := range map[string]Options{
		"negative evaluations": {MaxEvaluations: -1},
		"negative tolerance":   {Tolerance: -1},
		"nan tolerance":        {Tolerance: math.NaN()},
		"form variables":       {Prefer: []*Expr{two}},
		"empty form":           {Prefer: []*Expr{nil}},
	} {
		if _, err := Search(context.Background(), data, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func mustEval(t *testing.T, e *Expr, u float64) float64 {
	t.Helper()
	v, err := e.EvalPoint(u)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// withDefaults returns the options with their defaults applied.
func (o Options) withDefaults() Options {
	_ = applyDefaults(&o)
	return o
}
