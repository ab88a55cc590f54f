package lang

import (
	"os"
	"testing"
)

// testLocals are the equation locals a network registers (experiment's).
var testLocals = []string{"u", "i", "j", "W", "e", "t", "N", "x", "y"}

var benchConfig = CheckConfig{Predeclared: map[string]Symbol{},
	DeclKinds: map[string][]string{"network": testLocals, "model": append(append([]string(nil), testLocals...), "a")},
	Decls:     map[string]*BlockSchema{"network": testNetworkSchema, "model": {What: "model", Open: true}}}

func init() {
	for _, name := range []string{"print", "max", "mean", "format", "len", "normal"} {
		benchConfig.Predeclared[name] = Symbol{Name: name, Callable: true, Variadic: true, AnyNamed: true}
	}
	for _, name := range []string{"tanh", "sqrt", "exp"} {
		benchConfig.Predeclared[name] = Symbol{Name: name, Callable: true, Params: []string{"x"}, Positional: 1, Required: 1}
	}
}

// BenchmarkParseCheck200 parses and checks the 200-line benchmark script.
func BenchmarkParseCheck200(b *testing.B) {
	src, err := os.ReadFile("../scripts/bench/check200.ngs")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		f, err := Parse("check200.ngs", src)
		if err != nil {
			b.Fatal(err)
		}
		if err := Check(f, benchConfig); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchmarkScriptChecks(t *testing.T) {
	src, err := os.ReadFile("../scripts/bench/check200.ngs")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("check200.ngs", src)
	if err != nil {
		t.Fatal(Render(err, src))
	}
	if err := Check(f, benchConfig); err != nil {
		t.Fatal(Render(err, src))
	}
	if len(f.Stmts) < 50 {
		t.Errorf("only %d statements", len(f.Stmts))
	}
}
