package stdlib_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/runtime"
	_ "github.com/ngs-lab/ngs/stdlib"
)

// eval runs src and returns the value of the global "r".
func eval(t *testing.T, src string) runtime.Value {
	t.Helper()
	p, err := runtime.Compile("t.ngs", []byte(src), runtime.CompileOptions{})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	in, err := p.Run(context.Background(), runtime.RunOptions{})
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	v, _ := in.Globals().Lookup("r")
	return v
}

func number(t *testing.T, src string) float64 {
	t.Helper()
	n, ok := eval(t, src).(runtime.Number)
	if !ok {
		t.Fatalf("%s: not a number", src)
	}
	return float64(n)
}

func TestRandomDistributions(t *testing.T) {
	cases := []struct {
		src            string
		mean, std, tol float64
	}{
		{"seed 1\nt = normal(2, 3, shape = 20000)\nr = [mean(t), std(t)]", 2, 3, 0.06},
		{"seed 2\nt = uniform(-1, 3, shape = 20000)\nr = [mean(t), std(t)]", 1, 4 / math.Sqrt(12), 0.03},
		{"seed 3\nt = rand(shape = [100, 200])\nr = [mean(t), std(t)]", 0.5, 1 / math.Sqrt(12), 0.01},
		{"seed 4\nt = randint(0, 10, shape = 20000)\nr = [mean(t), std(t)]", 4.5, math.Sqrt(99.0 / 12), 0.06},
	}
	for _, c := range cases {
		l := eval(t, c.src).(*runtime.List)
		m, s := float64(l.Elems[0].(runtime.Number)), float64(l.Elems[1].(runtime.Number))
		if math.Abs(m-c.mean) > c.tol || math.Abs(s-c.std) > c.tol*2 {
			t.Errorf("%q: mean %.4f std %.4f, want %.4f %.4f", c.src, m, s, c.mean, c.std)
		}
	}
}

func TestRandintStaysInRange(t *testing.T) {
	if r := number(t, "seed 5\nt = randint(3, 7, shape = 5000)\nr = min(t) * 100 + max(t)"); r != 306 {
		t.Errorf("min*100+max = %v, want 306", r)
	}
}

func TestMathAgreesWithGo(t *testing.T) {
	fns := map[string]func(float64) float64{"exp": math.Exp, "log": math.Log, "tanh": math.Tanh, "sin": math.Sin,
		"cos": math.Cos, "sqrt": math.Sqrt, "abs": math.Abs, "floor": math.Floor, "ceil": math.Ceil, "round": math.Round,
		"sigmoid": func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, "relu": func(x float64) float64 { return math.Max(0, x) }}
	for name, f := range fns {
		for _, x := range []float64{0.3, 1.7, 2.5} {
			got := number(t, "r = "+name+"("+strconv.FormatFloat(x, 'g', -1, 64)+")")
			if math.Abs(got-f(x)) > 1e-12 {
				t.Errorf("%s(%v) = %v, want %v", name, x, got, f(x))
			}
			tg := eval(t, "r = "+name+"(tensor(["+strconv.FormatFloat(x, 'g', -1, 64)+"]))").(*runtime.Tensor)
			if math.Abs(float64(tg.Data[0])-f(x)) > 1e-6 {
				t.Errorf("%s on a tensor: %v, want %v", name, tg.Data[0], f(x))
			}
		}
	}
}

func TestFormatAndRanges(t *testing.T) {
	cases := map[string]string{
		`r = format("%.3f|%d|%5.1f|%e|%s|%v|%x", 3.14159, 7, 2.25, 1234.5, "s", 0.5, 255)`: "3.142|7|  2.2|1.234500e+03|s|0.5|ff",
		`r = str(range(5))`:                          "[0, 1, 2, 3, 4]",
		`r = str(range(1, 2, 0.25))`:                 "[1, 1.25, 1.5, 1.75]",
		`r = str(range(5, 0, -2))`:                   "[5, 3, 1]",
		`r = str(linspace(-1, 1, 3))`:                "tensor([3] [-1, 0, 1])",
		`r = str(tensor([[1, 2, 3], [4, 5, 6]])[1])`: "tensor([3] [4, 5, 6])",
		`r = str(sum([1, 2, 3.5]))`:                  "6.5",
	}
	for src, want := range cases {
		if got := eval(t, src).String(); got != want {
			t.Errorf("%s: got %q, want %q", src, got, want)
		}
	}
}

func TestPrintSeparator(t *testing.T) {
	p, err := runtime.Compile("t.ngs", []byte(`print(1, "a", [2], sep = ", ")`), runtime.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := p.Run(context.Background(), runtime.RunOptions{Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "1, a, [2]\n" {
		t.Errorf("got %q", out.String())
	}
}
