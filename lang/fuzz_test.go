package lang

import (
	"errors"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"x = 1 + 2 * 3\nprint(x)\n",
	"fn f(a, b = 2) { if a < b { return a } else { return b } }\n",
	"network n {\n type A { c = 1 }\n psi(u) = tanh(u)\n du/dt = -c*u + sum_j W[i,j] * psi(u[j])\n}\n",
	"fit = train(m, d) { epochs = 10; lr { W = 1e-3 }; every 4 epochs { cluster(threshold = 0.1) } }\n",
	"r = {a: 1, b: [1, 2, 3][0:2]}; r.a = -2^2\n",
	"((((",
	"\"unterminated",
	"x = 100_000 + .5e-3\n",
	"for i in range(3) { while i > 0 { i = i - 1; continue } }\n",
	"seed 42\nconst dt = 0.01\n",
	"a {\na {\na {\na {\na {\na {\na {\na {\na {\na {\na {\na {\n = }}}}}}}}}}}}",
}

// FuzzParse checks that parsing and checking never panic and that every
// error carries a valid position.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	cfg := CheckConfig{Predeclared: map[string]Symbol{
		"print": {Name: "print", Callable: true, Variadic: true},
		"tanh":  {Name: "tanh", Callable: true, Params: []string{"x"}, Positional: 1, Required: 1},
	}}
	f.Fuzz(func(t *testing.T, src []byte) {
		parse := func() error {
			file, err := Parse("fuzz.ngs", src)
			if err == nil {
				err = Check(file, cfg)
			}
			return err
		}
		err := parse()
		if fastest := fastestOf(3, parse); fastest > time.Second {
			t.Fatalf("parse and check took %v for %d bytes: input handling must stay linear", fastest, len(src))
		}
		if err == nil {
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a non-empty ErrorList: %T %v", err, err)
		}
		for _, e := range list {
			if !e.Pos.IsValid() || e.Msg == "" {
				t.Fatalf("error without position or message: %#v", e)
			}
			if e.Internal {
				t.Fatalf("internal error for input %q: %v", src, e)
			}
		}
		_ = Render(err, src)
	})
}

// fastestOf runs f n times and returns the shortest duration, so that a
// pause of a loaded machine is not mistaken for a slow input.
func fastestOf(n int, f func() error) time.Duration {
	best := time.Duration(1<<63 - 1)
	for i := 0; i < n; i++ {
		start := time.Now()
		_ = f()
		best = min(best, time.Since(start))
		if best < 100*time.Millisecond {
			break
		}
	}
	return best
}
