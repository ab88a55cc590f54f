package experiment

import (
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/lang"
	"github.com/ngs-lab/ngs/ops/symreg"
	"github.com/ngs-lab/ngs/runtime"
)

// TestSymbolicScriptFunction recovers -2u + tanh(u) from a script function
// and checks that the formula is callable and prints in .ngs syntax.
func TestSymbolicScriptFunction(t *testing.T) {
	in, _, err := run(t, `fn f(u) = -2*u + tanh(u)
r = symbolic(f, xrange = [-5, 5], budget = 20000)
best = r.best
y = r(0.5)`)
	if err != nil {
		t.Fatal(lang.Render(err, nil))
	}
	best := string(global(t, in, "best").(runtime.String))
	got, err := symreg.Parse(best, []string{"u"})
	if err != nil {
		t.Fatalf("best %q does not parse: %v", best, err)
	}
	want, _ := symreg.Parse("-2.0*u + tanh(u)", []string{"u"})
	if !symreg.SameForm(got, want, 0.01) {
		t.Fatalf("best formula %q, expected the form -2*u + tanh(u)", best)
	}
	if y := float64(global(t, in, "y").(runtime.Number)); y < -0.54 || y > -0.53 {
		t.Fatalf("r(0.5) = %g, expected -1 + tanh(0.5) = -0.5379", y)
	}
}

func TestSymbolicBadInput(t *testing.T) {
	cases := map[string]string{
		`r = symbolic(x = [1, 2, 3], y = [1, 2])`:                             "y has 2 values but x has 3 samples",
		`r = symbolic(x = [1, 2, 3], y = [1, 2, 3], ops = ["tanh", "gamma"])`: "gamma",
		`r = symbolic(x = [1, 2, 3], y = [1, 2, 3], budget = 5)`:              "budget counts the formulas the search may score (default 100000, at least 1000; it is no longer seconds), found 5",
		`r = symbolic()`: "symbolic needs a function or samples x = ..., y = ...",
	}
	for src, want := range cases {
		_, _, err := run(t, src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, expected it to mention %q", src, err, want)
		}
	}
}
