package ngs_test

import (
	"context"
	"testing"

	"github.com/ngs-lab/ngs"
)

const benchScript = `
acc = 0
for k in range(100) { acc = acc + gain * k }
y = gain * x
`

// BenchmarkRunCompiled runs a compiled program: the cost per sweep point.
func BenchmarkRunCompiled(b *testing.B) {
	prog, err := ngs.Compile("bench.ngs", []byte(benchScript), ngs.Config{Globals: []string{"gain", "x"}})
	if err != nil {
		b.Fatal(err)
	}
	vars := map[string]any{"gain": 2.0, "x": make([]float32, 1000)}
	for b.Loop() {
		if _, err := prog.Run(context.Background(), ngs.RunConfig{Vars: vars}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileAndRun compiles the script for every run, for comparison.
func BenchmarkCompileAndRun(b *testing.B) {
	vars := map[string]any{"gain": 2.0, "x": make([]float32, 1000)}
	for b.Loop() {
		prog, err := ngs.Compile("bench.ngs", []byte(benchScript), ngs.Config{Globals: []string{"gain", "x"}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := prog.Run(context.Background(), ngs.RunConfig{Vars: vars}); err != nil {
			b.Fatal(err)
		}
	}
}
